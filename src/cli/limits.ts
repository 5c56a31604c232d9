import { windowLabel, type LimitSnapshot } from '../core/limits';
import type { LedgerEngine } from '../pipeline/engine';
import { AGENT_IDS, quotaOrigins } from '../normalizers/registry';
import { blockEstimate } from '../readers/limit-estimate';
import { latestLimits } from '../store/limit-store';
import { renderTable } from './text-table';

/** Official windows of every agent, and a block estimate for agents that have none. */
function knownWindows(engine: LedgerEngine, now: number): LimitSnapshot[] {
  const official = latestLimits(engine.db);
  const estimates = AGENT_IDS.filter((agent) => !official.some((l) => l.agent === agent))
    .map((agent) => blockEstimate(engine.ledger, agent, now)?.snapshot)
    .filter((s): s is LimitSnapshot => s !== undefined);
  return [...official, ...estimates];
}

/** `agent-ledger limits [--json]`. */
export function limitsReport(engine: LedgerEngine, json: boolean, now = Date.now()): string {
  const windows = knownWindows(engine, now);
  const iso = (ms: number) => new Date(ms).toISOString();
  if (json) {
    return JSON.stringify({
      limits: windows.map((w) => ({
        agent: w.agent, limitId: w.limitId, windowMinutes: w.windowMinutes, window: windowLabel(w.windowMinutes),
        usedPercent: w.usedPercent, resetsAt: iso(w.resetsAt), observedAt: iso(w.observedAt), source: w.source,
        ...(w.planType ? { planType: w.planType } : {}),
      })),
    }, null, 2);
  }
  if (windows.length === 0) {
    const clauses = quotaOrigins().map((o) => o.clause);
    return clauses.length ? `No quota readings yet (${clauses.join('; ')}).` : 'No quota readings yet.';
  }
  return renderTable(
    ['Agent', 'Window', 'Used', 'Resets at', 'Observed at', 'Source'],
    windows.map((w) => [w.agent, `${windowLabel(w.windowMinutes)} (${w.windowMinutes} min)`, `${w.usedPercent.toFixed(1)}%`,
      w.resetsAt <= now ? `${iso(w.resetsAt)} (reset since)` : iso(w.resetsAt), iso(w.observedAt), w.source]),
    [false, false, true, false, false, false],
  );
}

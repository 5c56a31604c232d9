import { tightestWindow, windowPace, type Thresholds } from '../core/limit-pace';
import { windowKind, windowLabel, type LimitSnapshot, type WindowKind } from '../core/limits';
import type { AgentId } from '../core/usage';
import type { Ledger } from '../store/ledger';
import { latestLimits, limitHistory } from '../store/limit-store';
import { blockEstimate } from './limit-estimate';
import type { BlockView, LimitsView, LimitWindowView } from './limit-types';
import { blockTotalTokens, burnRate, projectBlock } from './session-blocks';

export interface LimitsViewOptions extends Thresholds {
  /** Window kinds to show. */
  kinds: readonly WindowKind[];
  agents: readonly AgentId[];
}

/**
 * Every quota window to show, with pace and fill history, plus each agent's active block;
 * agents without an official reading get the block estimate instead. Plain data: the host
 * (or a worker) computes it, the status bar and the panel show it.
 */
export function limitsView(ledger: Ledger, now: number, options: LimitsViewOptions): LimitsView {
  const db = ledger.db;
  const official = latestLimits(db).filter((w) => options.kinds.includes(windowKind(w.windowMinutes)));
  const windows: LimitWindowView[] = official.map((w) => windowView(db, w, now, options));
  const blocks: BlockView[] = [];
  for (const agent of options.agents) {
    const estimate = blockEstimate(ledger, agent, now);
    if (!estimate) continue;
    blocks.push(blockView(agent, estimate.active, now));
    const hasOfficial = official.some((w) => w.agent === agent);
    if (!hasOfficial && estimate.snapshot && options.kinds.includes('5h')) windows.push(windowView(db, estimate.snapshot, now, options, false));
  }
  const tight = tightestWindow(official, now);
  const tightest = tight ? windows.findIndex((w) => w.agent === tight.agent && w.limitId === tight.limitId && w.windowMinutes === tight.windowMinutes) : -1;
  return { windows, blocks, ...(tightest >= 0 ? { tightest } : {}) };
}

function windowView(db: Ledger['db'], w: LimitSnapshot, now: number, t: Thresholds, withHistory = true): LimitWindowView {
  const pace = windowPace(w, now, t);
  const start = w.resetsAt - w.windowMinutes * 60_000;
  const history = withHistory ? limitHistory(db, w, start).filter((p) => Math.abs(p.resetsAt - w.resetsAt) < 600_000).map((p): [number, number] => [p.observedAt, p.usedPercent]) : [];
  return {
    agent: w.agent, limitId: w.limitId, windowMinutes: w.windowMinutes, label: windowLabel(w.windowMinutes),
    usedPercent: w.usedPercent, resetsAt: w.resetsAt, observedAt: w.observedAt, source: w.source,
    ...(w.planType ? { planType: w.planType } : {}),
    expectedPercent: pace.expectedPercent, ...(pace.runOutAt !== undefined ? { runOutAt: pace.runOutAt } : {}),
    level: pace.level, stale: pace.stale, history,
  };
}

function blockView(agent: AgentId, b: Parameters<typeof burnRate>[0], now: number): BlockView {
  const rate = burnRate(b);
  const projection = projectBlock(b, now);
  return {
    agent, startTime: b.startTime, endTime: b.endTime, totalTokens: blockTotalTokens(b.tokens), costUsd: b.costUsd,
    ...(rate ? { tokensPerMinute: rate.tokensPerMinute, costPerHour: rate.costPerHour } : {}),
    ...(projection ? { projectedCost: projection.totalCost, projectedTokens: projection.totalTokens } : {}),
  };
}

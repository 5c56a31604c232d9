import type { AgentId } from '../core/usage';
import { nanosToUsd } from '../pricing/nanos';
import type { Ledger } from '../store/ledger';
import { monthOf } from '../store/month';
import { displayModel } from './ccusage-format';
import { BLOCK_MS, type BlockEntry } from './session-blocks';

interface RequestRow { ts: number; model: string; speed: string; i: number; o: number; w: number; r: number; c: number }

/**
 * A request's counted snapshot: its +1 row, less a withdrawal (which carries the same key and
 * time), so a (key, time) group with a positive count is one request kept at that time.
 */
const REQUESTS = `SELECT e.ts, m.name AS model, CASE WHEN e.attrs & 1 THEN 'fast' ELSE 'standard' END AS speed,
    SUM(e.input) AS i, SUM(e.output) AS o, SUM(e.cache_write_5m + e.cache_write_1h) AS w, SUM(e.cache_read) AS r,
    SUM(e.cost_nanos) AS c, MAX(e.id) AS last
  FROM seg.usage_events e JOIN main.dim_model m ON m.id = e.model_id JOIN main.dim_session s ON s.id = e.session_id
  WHERE e.ts >= ? AND (? IS NULL OR s.agent = ?)
  GROUP BY e.req, e.ts HAVING SUM(e.message_delta) > 0`;

/** Every request counted since `sinceMs` (all history when absent), oldest first: what blocks are made of. */
export function blockEntries(ledger: Ledger, options: { sinceMs?: number; agent?: AgentId } = {}): BlockEntry[] {
  const since = options.sinceMs ?? 0;
  const months = ledger.months.months().filter((m) => m >= monthOf(since));
  const rows = months.flatMap((month) =>
    ledger.withMonthAttached(month, () => ledger.db.all<RequestRow & { last: number }>(REQUESTS, [since, options.agent ?? null, options.agent ?? null])));
  rows.sort((a, b) => a.ts - b.ts || a.last - b.last);
  return rows.map((r) => ({
    ts: r.ts, model: displayModel(r.model, r.speed), input: r.i, output: r.o, cacheCreation: r.w, cacheRead: r.r, costUsd: nanosToUsd(r.c),
  }));
}

/**
 * The requests blocks must be computed from to be exact for everything after `sinceMs`: blocks
 * chain from one to the next, so go back until a quiet spell longer than a block (after which a
 * new block starts whatever came before), or to the first request.
 */
export function chainedBlockEntries(ledger: Ledger, sinceMs: number, agent?: AgentId): BlockEntry[] {
  const oldestMonth = ledger.months.months()[0];
  for (let lookBack = 86_400_000; ; lookBack *= 2) {
    const from = sinceMs - BLOCK_MS - lookBack;
    const entries = blockEntries(ledger, { sinceMs: from, agent });
    const start = chainStart(entries.map((e) => e.ts).filter((t) => t < sinceMs), sinceMs, from, oldestMonth);
    if (start !== undefined) return entries.filter((e) => e.ts >= start);
  }
}

/** Where the chain starts among the request times before `sinceMs`, or undefined to look further back. */
function chainStart(times: number[], sinceMs: number, from: number, oldestMonth: string | undefined): number | undefined {
  if (times.length === 0) return sinceMs; // more than a block of quiet before `sinceMs`
  for (let i = times.length - 1; i > 0; i--) if (times[i]! - times[i - 1]! > BLOCK_MS) return times[i]!;
  if (times[0]! - from > BLOCK_MS || !oldestMonth || monthOf(from) < oldestMonth) return times[0]!;
  return undefined;
}

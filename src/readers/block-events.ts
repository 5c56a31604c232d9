import type { AgentId } from '../core/usage';
import { nanosToUsd } from '../pricing/nanos';
import type { Ledger } from '../store/ledger';
import { LedgerDb } from '../store/ledger-db';
import { monthOf } from '../store/month';
import { displayModel } from './ccusage-format';
import { BLOCK_MS, type BlockEntry } from './session-blocks';

interface RequestRow { ts: number; model: number; fast: number; session: number; i: number; o: number; w: number; r: number; c: number; last: number }

/**
 * A request's counted snapshot in one month: its +1 row, less a withdrawal (which carries the
 * same key and time), so a (key, time) group with a positive count is one request kept at that time.
 * Its model, speed and session are the latest row's: with `MAX(id)` the only min/max aggregate,
 * SQLite takes the bare columns from the row that has it.
 */
const MONTH_REQUESTS = `SELECT ts, model_id AS model, attrs & 1 AS fast, session_id AS session,
    SUM(input) AS i, SUM(output) AS o, SUM(cache_write_5m + cache_write_1h) AS w, SUM(cache_read) AS r,
    SUM(cost_nanos) AS c, MAX(id) AS last
  FROM usage_events WHERE ts >= ? GROUP BY req, ts HAVING SUM(message_delta) > 0`;

/**
 * Every request counted since `sinceMs` (all history when absent), oldest first: what blocks are made of.
 * Each month is queried on its own database and the names joined here: it needs no ATTACH, so it can
 * run between the files of an ingest, inside its open transaction.
 */
export function blockEntries(ledger: Ledger, options: { sinceMs?: number; agent?: AgentId } = {}): BlockEntry[] {
  const since = options.sinceMs ?? 0;
  const months = ledger.months.months().filter((m) => m >= monthOf(since));
  const models = new Map(ledger.db.all<{ id: number; name: string }>('SELECT id, name FROM dim_model').map((m) => [m.id, m.name]));
  const agentSessions = options.agent === undefined
    ? undefined
    : new Set(ledger.db.all<{ id: number }>('SELECT id FROM dim_session WHERE agent = ?', [options.agent]).map((s) => s.id));
  const rows = months
    .flatMap((month) => new LedgerDb(ledger.months.db(month)).all<RequestRow>(MONTH_REQUESTS, [since]))
    .filter((r) => !agentSessions || agentSessions.has(r.session));
  rows.sort((a, b) => a.ts - b.ts || a.last - b.last);
  return rows.map((r) => ({
    ts: r.ts, model: displayModel(models.get(r.model) ?? 'unknown', r.fast ? 'fast' : 'standard'), input: r.i, output: r.o,
    cacheCreation: r.w, cacheRead: r.r, costUsd: nanosToUsd(r.c),
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

import type { AgentId } from '../core/usage';
import { nanosToUsd } from '../pricing/nanos';
import type { LedgerDb } from '../store/ledger-db';
import { displayModel } from './ccusage-format';
import type { BlockEntry } from './session-blocks';

interface RequestRow { ts: number; model: string; speed: string; i: number; o: number; w: number; r: number; c: number }

/**
 * Every request (its first sight plus growth rows, retracted ones left out) since `sinceMs`,
 * oldest first: what blocks are made of. A request's rows all carry its first sight's time.
 */
export function blockEntries(db: LedgerDb, options: { sinceMs?: number; agent?: AgentId } = {}): BlockEntry[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (options.sinceMs !== undefined) { where.push('e.ts >= ?'); params.push(options.sinceMs); }
  if (options.agent) { where.push('e.agent = ?'); params.push(options.agent); }
  return db
    .all<RequestRow>(
      `SELECT MIN(e.ts) AS ts, m.name AS model, e.speed, SUM(e.input) AS i, SUM(e.output) AS o,
         SUM(e.cache_write_5m + e.cache_write_1h) AS w, SUM(e.cache_read) AS r, SUM(e.cost_nanos) AS c
       FROM usage_events e JOIN dim_model m ON m.id = e.model_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY COALESCE(e.origin_id, e.id) HAVING SUM(e.message_delta) > 0 ORDER BY ts, MIN(e.id)`,
      params,
    )
    .map((r) => ({
      ts: r.ts, model: displayModel(r.model, r.speed), input: r.i, output: r.o, cacheCreation: r.w, cacheRead: r.r, costUsd: nanosToUsd(r.c),
    }));
}

/**
 * A time from which blocks can be computed exactly for everything after `sinceMs`: blocks
 * chain from one to the next, so go back until a quiet spell longer than a block (after
 * which a new block starts whatever came before).
 */
export function blockChainStart(db: LedgerDb, sinceMs: number, agent?: AgentId, blockMs = 5 * 3600_000): number {
  const agentSql = agent ? ' AND agent = ?' : '';
  let from = sinceMs - blockMs;
  for (let step = 86_400_000; ; step *= 2) {
    const earlier = db.scalar(`SELECT MAX(ts) FROM usage_events WHERE ts < ? AND ts >= ?${agentSql}`, [from, from - blockMs, ...(agent ? [agent] : [])]);
    if (earlier === null || earlier === undefined) return from;
    const oldest = Number(db.scalar(`SELECT MIN(ts) FROM usage_events WHERE 1 = 1${agentSql}`, agent ? [agent] : []));
    if (oldest >= from - blockMs) return oldest;
    from -= step;
  }
}

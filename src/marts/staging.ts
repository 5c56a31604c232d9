import type { LedgerDb } from '../store/ledger-db';

export const BATCH_TABLE = 'temp.mart_batch';

/** Creates the empty batch table every mart reads (indexed for the per-session look-ups). */
export function createBatch(db: LedgerDb): void {
  db.run(`DROP TABLE IF EXISTS ${BATCH_TABLE}`);
  db.run(`CREATE TEMP TABLE mart_batch (id INTEGER PRIMARY KEY, agent TEXT, session_id INTEGER, project_id INTEGER,
    model_id INTEGER, speed TEXT, ts INTEGER, day TEXT, input INTEGER, output INTEGER, cache_write_5m INTEGER,
    cache_write_1h INTEGER, cache_read INTEGER, reasoning INTEGER, cost_nanos INTEGER, message_delta INTEGER)`);
  db.run('CREATE INDEX temp.mart_batch_by_session ON mart_batch (session_id, ts, id)');
}

/**
 * Copies the events of the month attached as `seg` with ids above `after` into the batch,
 * with their agent and local day computed once, so that every mart reads the same small
 * batch and `local_day` runs once per event.
 */
export function stageAttachedMonth(db: LedgerDb, after: number): number {
  db.run(
    `INSERT INTO ${BATCH_TABLE}
     SELECT e.id, s.agent, e.session_id, e.project_id, e.model_id, CASE WHEN e.attrs & 1 THEN 'fast' ELSE 'standard' END,
            e.ts, local_day(e.ts), e.input, e.output, e.cache_write_5m, e.cache_write_1h, e.cache_read, e.reasoning,
            e.cost_nanos, e.message_delta
     FROM seg.usage_events e JOIN main.dim_session s ON s.id = e.session_id WHERE e.id > ?`,
    [after],
  );
  return Number(db.scalar('SELECT changes()'));
}

export function dropBatch(db: LedgerDb): void {
  db.run(`DROP TABLE IF EXISTS ${BATCH_TABLE}`);
}

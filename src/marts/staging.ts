import type { LedgerDb } from '../store/ledger-db';

export const BATCH_TABLE = 'temp.mart_batch';

/**
 * Copies the events in (from, to] into a temporary table with their local day computed
 * once, so that every mart reads the same small batch and calls `local_day` once per event.
 */
export function stageBatch(db: LedgerDb, from: number, to: number): void {
  db.run(`DROP TABLE IF EXISTS ${BATCH_TABLE}`);
  db.run(
    `CREATE TEMP TABLE mart_batch AS
     SELECT id, agent, session_id, project_id, model_id, speed, ts, local_day(ts) AS day,
            input, output, cache_write_5m, cache_write_1h, cache_read, reasoning, cost_nanos, message_delta
     FROM usage_events WHERE id > ? AND id <= ?`,
    [from, to],
  );
}

export function dropBatch(db: LedgerDb): void {
  db.run(`DROP TABLE IF EXISTS ${BATCH_TABLE}`);
}

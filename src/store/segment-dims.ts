import type { Database } from 'sql.js';
import type { LedgerDb } from './ledger-db';

/** Dimension tables and the segment_dims kind each is copied under. */
const KINDS = [
  { kind: 'project', table: 'dim_project', column: 'path', eventColumn: 'project_id' },
  { kind: 'model', table: 'dim_model', column: 'name', eventColumn: 'model_id' },
  { kind: 'session', table: 'dim_session', column: 'session_key', eventColumn: 'session_id' },
] as const;

/**
 * Copies into a month segment the dimension rows its events use and it does not hold yet,
 * so that each segment can be read (and the state rebuilt) without any other file. Only events
 * above `savedMaxId` are looked at: ids only grow, and the segment's last save copied the
 * dimensions of every event it held (a save scans what was appended, not the whole month).
 */
export function copyDimensionsInto(month: Database, state: LedgerDb, savedMaxId = 0): void {
  for (const { kind, table, column, eventColumn } of KINDS) {
    const missing = month.exec(
      `SELECT DISTINCT ${eventColumn} FROM usage_events WHERE id > ? AND ${eventColumn} NOT IN (SELECT id FROM segment_dims WHERE kind = '${kind}')`,
      [savedMaxId],
    )[0]?.values.map((r) => Number(r[0])) ?? [];
    if (missing.length === 0) continue;
    const agent = kind === 'session' ? 'agent' : 'NULL';
    const insert = month.prepare('INSERT OR IGNORE INTO segment_dims (kind, id, value, agent) VALUES (?, ?, ?, ?)');
    try {
      for (let i = 0; i < missing.length; i += 500) {
        const ids = missing.slice(i, i + 500);
        for (const row of state.all<{ id: number; value: string; agent: string | null }>(
          `SELECT id, ${column} AS value, ${agent} AS agent FROM ${table} WHERE id IN (${ids.map(() => '?').join(',')})`, ids,
        )) insert.run([kind, row.id, row.value, row.agent]);
      }
    } finally {
      insert.free();
    }
  }
}

/** Puts back into the state the dimension rows a segment carries (same ids), when the state was lost. */
export function restoreDimensionsFrom(month: Database, state: LedgerDb): void {
  const rows = month.exec('SELECT kind, id, value, agent FROM segment_dims')[0]?.values ?? [];
  for (const [kind, id, value, agent] of rows) {
    if (kind === 'project') state.run('INSERT OR IGNORE INTO dim_project (id, path) VALUES (?, ?)', [id, value]);
    else if (kind === 'model') state.run('INSERT OR IGNORE INTO dim_model (id, name) VALUES (?, ?)', [id, value]);
    else state.run('INSERT OR IGNORE INTO dim_session (id, agent, session_key) VALUES (?, ?, ?)', [id, agent, value]);
  }
}

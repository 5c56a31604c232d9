import type { Database, SqlJsStatic } from 'sql.js';
import { silentLogger } from '../core/log';
import { migrate, readMigrations, segmentMigrationsDir } from './migrations';
import { configureInMemory } from './sqljs-loader';

/**
 * A month's tail: the events added since its base file was written, saved as a small segment
 * of their own, so that a save after an append writes what was appended rather than the whole
 * month (and the copies kept for repair are of the tail, not of the month).
 */

const EVENT_COLUMNS = `id, req, grp, ts, session_id, project_id, model_id, attrs, message_delta, input, output,
  cache_write_5m, cache_write_1h, cache_read, reasoning, cost_nanos, reported_nanos`;

/** The bytes of a segment holding the month's events above `afterId` and every dimension row the month carries. */
export function exportTail(SQL: SqlJsStatic, month: Database, afterId: number): Uint8Array {
  const tail = new SQL.Database(emptySegment(SQL));
  try {
    withAttached(month, tail, () => {
      month.run(`INSERT INTO tail.usage_events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM main.usage_events WHERE id > ?`, [afterId]);
      month.run('INSERT INTO tail.segment_dims (kind, id, value, agent) SELECT kind, id, value, agent FROM main.segment_dims');
      month.run('INSERT OR REPLACE INTO tail.segment_meta (key, value) SELECT key, value FROM main.segment_meta');
    });
    return tail.export();
  } finally {
    tail.close();
  }
}

/** Adds a tail's events and dimension rows to its month's base (just opened). */
export function appendTail(SQL: SqlJsStatic, month: Database, bytes: Uint8Array): void {
  const tail = new SQL.Database(bytes);
  try {
    withAttached(month, tail, () => {
      month.run(`INSERT INTO main.usage_events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM tail.usage_events`);
      month.run('INSERT OR IGNORE INTO main.segment_dims (kind, id, value, agent) SELECT kind, id, value, agent FROM tail.segment_dims');
    });
  } finally {
    tail.close();
  }
}

/**
 * Runs `work` with `other` attached to `db` as `tail`. sql.js keeps each database as a file of
 * its in-memory file system, named by `filename`: attaching that file lets SQLite copy rows
 * between the two in one statement. Neither may be inside a transaction.
 */
function withAttached(db: Database, other: Database, work: () => void): void {
  const file = (other as unknown as { filename: string }).filename;
  db.run('ATTACH DATABASE ? AS tail', [file]);
  try {
    work();
  } finally {
    db.run('DETACH DATABASE tail');
  }
}

let empty: { SQL: SqlJsStatic; bytes: Uint8Array } | undefined;

/** A new segment's bytes (schema only), made once per process. */
function emptySegment(SQL: SqlJsStatic): Uint8Array {
  if (empty?.SQL !== SQL) {
    const db = new SQL.Database();
    try {
      configureInMemory(db);
      migrate(db, readMigrations(segmentMigrationsDir()), silentLogger, 'debug');
      empty = { SQL, bytes: db.export() };
    } finally {
      db.close();
    }
  }
  return empty.bytes;
}

import type { DayClock } from '../core/time';
import type { LedgerDb } from '../store/ledger-db';
import type { MartBuilder } from './mart-builder';
import { MARTS } from './registry';
import { dropBatch, stageBatch } from './staging';

export interface MartRefresh {
  /** Marts that folded in new events. */
  refreshed: string[];
  /** The event id every mart now covers. */
  watermark: number;
}

const TIME_ZONE_KEY = 'mart_time_zone';

/** Registers `local_day(ts)` for the clock's zone; marts group events by it. */
export function registerDayFunction(db: LedgerDb, clock: DayClock): void {
  db.sql.create_function('local_day', (ts: number) => clock.dayOf(ts));
}

function watermarkOf(db: LedgerDb, mart: MartBuilder): number {
  return Number(db.scalar('SELECT last_event_id FROM mart_watermark WHERE mart = ?', [mart.name]) ?? 0);
}

/**
 * Brings every mart up to the newest event, each from its own watermark, in one
 * transaction. Marts whose days were computed in another time zone are rebuilt.
 */
export function refreshMarts(db: LedgerDb, clock: DayClock): MartRefresh {
  if (db.getMeta(TIME_ZONE_KEY) !== clock.timeZone) return rebuildMarts(db, clock);
  registerDayFunction(db, clock);
  const newest = Number(db.scalar('SELECT COALESCE(MAX(id), 0) FROM usage_events'));
  const refreshed: string[] = [];
  db.transaction(() => {
    let staged: number | undefined;
    for (const mart of MARTS) {
      const from = watermarkOf(db, mart);
      if (from >= newest) continue;
      if (staged !== from) {
        stageBatch(db, from, newest);
        staged = from;
      }
      mart.apply(db);
      db.run(
        `INSERT INTO mart_watermark (mart, last_event_id, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(mart) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at`,
        [mart.name, newest, Date.now()],
      );
      refreshed.push(mart.name);
    }
    dropBatch(db);
  });
  return { refreshed, watermark: newest };
}

/** Empties every mart and derives it again from usage_events: the same result as refreshing. */
export function rebuildMarts(db: LedgerDb, clock: DayClock): MartRefresh {
  db.transaction(() => {
    for (const mart of MARTS) for (const table of mart.tables) db.run(`DELETE FROM ${table}`);
    db.run('DELETE FROM mart_watermark');
    db.setMeta(TIME_ZONE_KEY, clock.timeZone);
  });
  return refreshMarts(db, clock);
}

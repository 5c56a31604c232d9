import type { DayClock } from '../core/time';
import type { Ledger } from '../store/ledger';
import type { LedgerDb } from '../store/ledger-db';
import { MARTS } from './registry';
import { createBatch, dropBatch, stageAttachedMonth } from './staging';

export interface MartRefresh {
  /** Marts that folded in new events. */
  refreshed: string[];
  /** The event id every mart now covers. */
  watermark: number;
}

const TIME_ZONE_KEY = 'mart_time_zone';
const WATERMARK_KEY = 'mart_watermark';

/** Registers `local_day(ts)` for the clock's zone; marts group events by it. */
export function registerDayFunction(db: LedgerDb, clock: DayClock): void {
  db.sql.create_function('local_day', (ts: number) => clock.dayOf(ts));
}

export function martWatermark(db: LedgerDb): number {
  return Number(db.getMeta(WATERMARK_KEY) ?? 0);
}

/**
 * Folds the events written since the last refresh (in `months`) into every mart, month by
 * month. Marts whose days were computed in another time zone are rebuilt instead.
 */
export function refreshMarts(ledger: Ledger, clock: DayClock, months: Iterable<string>): MartRefresh {
  const db = ledger.db;
  if (db.getMeta(TIME_ZONE_KEY) !== clock.timeZone) return rebuildMarts(ledger, clock);
  const from = martWatermark(db);
  let watermark = from;
  let staged = 0;
  for (const month of [...months].sort()) {
    const result = foldMonth(ledger, clock, month, from);
    staged += result.rows;
    watermark = Math.max(watermark, result.maxId);
  }
  db.setMeta(WATERMARK_KEY, String(watermark));
  return { refreshed: staged > 0 ? MARTS.map((m) => m.name) : [], watermark };
}

/** Empties every mart and folds in every month again: the same tables as refreshing. */
export function rebuildMarts(ledger: Ledger, clock: DayClock, onProgress?: (done: number, total: number) => void): MartRefresh {
  const db = ledger.db;
  db.transaction(() => {
    for (const mart of MARTS) for (const table of mart.tables) db.run(`DELETE FROM ${table}`);
    db.run('DELETE FROM mart_watermark');
    db.setMeta(TIME_ZONE_KEY, clock.timeZone);
  });
  const months = ledger.months.months();
  let watermark = 0;
  months.forEach((month, i) => {
    watermark = Math.max(watermark, foldMonth(ledger, clock, month, 0).maxId);
    onProgress?.(i + 1, months.length);
  });
  db.setMeta(WATERMARK_KEY, String(watermark));
  return { refreshed: MARTS.map((m) => m.name), watermark };
}

/** Stages one month's events above `after` and applies every mart to them, in one transaction. */
function foldMonth(ledger: Ledger, clock: DayClock, month: string, after: number): { rows: number; maxId: number } {
  const db = ledger.db;
  registerDayFunction(db, clock);
  createBatch(db);
  try {
    const rows = ledger.withMonthAttached(month, () => stageAttachedMonth(db, after));
    if (rows === 0) return { rows, maxId: 0 };
    const maxId = Number(db.scalar('SELECT MAX(id) FROM temp.mart_batch'));
    db.transaction(() => {
      for (const mart of MARTS) mart.apply(db);
    });
    return { rows, maxId };
  } finally {
    dropBatch(db);
  }
}

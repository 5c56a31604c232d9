import type { DayClock } from '../core/time';
import type { Ledger } from '../store/ledger';
import type { LedgerDb } from '../store/ledger-db';
import { applyDeltas } from './apply-deltas';
import type { PriceRequest } from '../store/event-writer';
import { writeCosts } from '../store/reprice';
import { MartDeltas, readMonthInto, type Repricing } from './mart-deltas';
import { MART_TABLES } from './registry';
import { writeFresh } from './write-fresh';

export interface MartRefresh {
  /** Events folded in. */
  rows: number;
  /** The event id every mart now covers. */
  watermark: number;
  /** Events whose cost changed when priced again (Rebuild Marts with a price function). */
  repriced?: number;
}

export interface RebuildOptions {
  onProgress?: (done: number, total: number) => void;
  /** Prices every event again on the way; costs that changed are written back to their month. */
  price?: PriceRequest;
}

const TIME_ZONE_KEY = 'mart_time_zone';
const WATERMARK_KEY = 'mart_watermark';

function martWatermark(db: LedgerDb): number {
  return Number(db.getMeta(WATERMARK_KEY) ?? 0);
}

export function martTimeZone(db: LedgerDb): string | undefined {
  return db.getMeta(TIME_ZONE_KEY);
}

/**
 * Folds the events written since the last refresh (in `months`) into every mart. Marts whose
 * days were counted in another time zone are rebuilt instead.
 */
export function refreshMarts(ledger: Ledger, clock: DayClock, months: Iterable<string>): MartRefresh {
  const db = ledger.db;
  if (martTimeZone(db) !== clock.timeZone) return rebuildMarts(ledger, clock);
  const from = martWatermark(db);
  const deltas = new MartDeltas();
  const agentOf = sessionAgents(db, false);
  for (const month of months) readMonthInto(ledger.months.db(month), from, clock, agentOf, deltas);
  if (deltas.rows === 0) return { rows: 0, watermark: from };
  deltas.finish();
  db.transaction(() => {
    applyDeltas(db, deltas);
    db.setMeta(WATERMARK_KEY, String(Math.max(from, deltas.maxId)));
  });
  return { rows: deltas.rows, watermark: Math.max(from, deltas.maxId) };
}

/**
 * Empties every mart and folds all history in again, month by month into one set of deltas
 * written with bulk inserts: the same tables as refreshing batch by batch. With a price
 * function, every event is priced again in the same pass.
 */
export function rebuildMarts(ledger: Ledger, clock: DayClock, options: RebuildOptions = {}): MartRefresh {
  const db = ledger.db;
  const deltas = new MartDeltas();
  const agentOf = sessionAgents(db, true);
  const months = ledger.months.months();
  const repricing = options.price ? repricingFor(db, options.price) : undefined;
  let repriced = 0;
  months.forEach((month, i) => {
    readMonthInto(ledger.months.db(month), 0, clock, agentOf, deltas, repricing);
    if (repricing && repricing.changed.length > 0) {
      writeCosts(ledger, month, repricing.changed);
      repriced += repricing.changed.length;
      repricing.changed = [];
    }
    options.onProgress?.(i + 1, months.length);
  });
  deltas.finish();
  db.transaction(() => {
    for (const table of MART_TABLES) db.run(`DELETE FROM ${table}`);
    writeFresh(db, deltas);
    db.setMeta(TIME_ZONE_KEY, clock.timeZone);
    db.setMeta(WATERMARK_KEY, String(deltas.maxId));
  });
  return { rows: deltas.rows, watermark: deltas.maxId, repriced };
}

function repricingFor(db: LedgerDb, price: PriceRequest): Repricing {
  const names = new Map(db.all<{ id: number; name: string }>('SELECT id, name FROM dim_model').map((r) => [r.id, r.name]));
  return { modelName: (id) => names.get(id) ?? '', price, changed: [] };
}

/** Sessions never change agent and their ids are never reused: one cache per state database. */
const agentCache = new WeakMap<LedgerDb, Map<number, string>>();

/**
 * Session id → agent (events carry the session, the session its agent): one look-up per new
 * session, or, for a rebuild (`all`), every session at once.
 */
function sessionAgents(db: LedgerDb, all: boolean): (session: number) => string {
  let agents = agentCache.get(db);
  if (!agents) agentCache.set(db, (agents = new Map()));
  const cache = agents;
  if (all) for (const r of db.all<{ id: number; agent: string }>('SELECT id, agent FROM dim_session')) cache.set(r.id, r.agent);
  return (session) => {
    let agent = cache.get(session);
    if (agent === undefined) {
      agent = String(db.scalar('SELECT agent FROM dim_session WHERE id = ?', [session]) ?? '');
      cache.set(session, agent);
    }
    return agent;
  };
}

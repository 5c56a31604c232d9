import { billableTotal, type Speed, type TokenCounts } from '../core/usage';
import type { PriceRequest } from './event-writer';
import type { LedgerDb } from './ledger-db';

const PRICE_VERSION_KEY = 'price_table_version';

/**
 * Recomputes every event's cost with the current prices. A request's rows (its first
 * sight, growth and retraction) are priced as differences of its running snapshot, so
 * tiered prices stay exact. Returns the number of rows whose cost changed.
 */
export function repriceEvents(db: LedgerDb, price: PriceRequest, version: string): number {
  const multiRow = new Set(
    db.all<{ origin_id: number }>('SELECT DISTINCT origin_id FROM usage_events WHERE origin_id IS NOT NULL').map(
      (r) => r.origin_id,
    ),
  );
  const running = new Map<number, TokenCounts>();
  const update = db.sql.prepare('UPDATE usage_events SET cost_nanos = ? WHERE id = ?');
  const rows = db.sql.prepare(`SELECT e.id, e.origin_id, m.name, e.speed, e.input, e.output, e.cache_write_5m,
    e.cache_write_1h, e.cache_read, e.reasoning, e.cost_nanos FROM usage_events e JOIN dim_model m ON m.id = e.model_id
    ORDER BY e.id`);
  let changed = 0;
  try {
    db.transaction(() => {
      while (rows.step()) {
        const r = rows.get();
        const id = Number(r[0]);
        const group = r[1] === null ? id : Number(r[1]);
        const model = String(r[2]);
        const speed: Speed = r[3] === 'fast' ? 'fast' : 'standard';
        const delta: TokenCounts = {
          input: Number(r[4]), output: Number(r[5]), cacheWrite5m: Number(r[6]),
          cacheWrite1h: Number(r[7]), cacheRead: Number(r[8]), reasoning: Number(r[9]),
        };
        let cost: number;
        if (!multiRow.has(group)) cost = price(delta, model, speed);
        else {
          const before = running.get(group);
          const after = before ? add(before, delta) : delta;
          running.set(group, after);
          cost = price(after, model, speed) - (before && billableTotal(before) !== 0 ? price(before, model, speed) : 0);
        }
        if (cost !== Number(r[10])) {
          update.run([cost, id]);
          changed++;
        }
      }
      db.setMeta(PRICE_VERSION_KEY, version);
    });
  } finally {
    rows.free();
    update.free();
  }
  return changed;
}

export function pricedWithVersion(db: LedgerDb): string | undefined {
  return db.getMeta(PRICE_VERSION_KEY);
}

export function recordPriceVersion(db: LedgerDb, version: string): void {
  db.setMeta(PRICE_VERSION_KEY, version);
}

function add(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
    cacheRead: a.cacheRead + b.cacheRead,
    reasoning: a.reasoning + b.reasoning,
  };
}

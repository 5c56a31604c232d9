import type { Speed, TokenCounts } from '../core/usage';
import type { PriceRequest } from './event-writer';
import type { Ledger } from './ledger';
import { ATTR_FAST } from './request-index';

const PRICE_VERSION_KEY = 'price_table_version';
const ROWS = `SELECT id, model_id, attrs, message_delta, input, output, cache_write_5m, cache_write_1h, cache_read, reasoning, cost_nanos
  FROM usage_events`;

/**
 * Recomputes every event's cost with the current prices, month by month. Each row is a whole
 * snapshot (or its withdrawal), so it is priced on its own and tiered prices stay exact. Only
 * months whose costs changed are rewritten. Returns the number of rows whose cost changed.
 */
export function repriceEvents(ledger: Ledger, price: PriceRequest, version: string, onMonth?: (done: number, total: number) => void): number {
  const models = new Map(ledger.db.all<{ id: number; name: string }>('SELECT id, name FROM dim_model').map((r) => [r.id, r.name]));
  const months = ledger.months.months();
  let changed = 0;
  months.forEach((month, i) => {
    const updates = changedCosts(ledger, month, models, price);
    if (updates.length > 0) writeCosts(ledger, month, updates);
    changed += updates.length;
    onMonth?.(i + 1, months.length);
  });
  ledger.db.setMeta(PRICE_VERSION_KEY, version);
  return changed;
}

function changedCosts(ledger: Ledger, month: string, models: Map<number, string>, price: PriceRequest): [number, number][] {
  const updates: [number, number][] = [];
  const rows = ledger.months.db(month).prepare(ROWS);
  try {
    while (rows.step()) {
      const r = rows.get() as number[];
      const sign = r[3]! < 0 ? -1 : 1;
      const tokens: TokenCounts = {
        input: sign * r[4]!, output: sign * r[5]!, cacheWrite5m: sign * r[6]!, cacheWrite1h: sign * r[7]!, cacheRead: sign * r[8]!, reasoning: sign * r[9]!,
      };
      const speed: Speed = (r[2]! & ATTR_FAST) !== 0 ? 'fast' : 'standard';
      const cost = sign * price(tokens, models.get(r[1]!) ?? '', speed);
      if (cost !== r[10]) updates.push([cost, r[0]!]);
    }
  } finally {
    rows.free();
  }
  return updates;
}

function writeCosts(ledger: Ledger, month: string, updates: [number, number][]): void {
  const db = ledger.months.db(month);
  const update = db.prepare('UPDATE usage_events SET cost_nanos = ? WHERE id = ?');
  db.run('BEGIN');
  try {
    for (const u of updates) update.run(u);
    db.run('COMMIT');
  } catch (error) {
    db.run('ROLLBACK');
    throw error;
  } finally {
    update.free();
  }
  ledger.months.touch(month);
}

export function pricedWithVersion(ledger: Ledger): string | undefined {
  return ledger.db.getMeta(PRICE_VERSION_KEY);
}

export function recordPriceVersion(ledger: Ledger, version: string): void {
  ledger.db.setMeta(PRICE_VERSION_KEY, version);
}

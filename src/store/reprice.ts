import type { Ledger } from './ledger';
import { LedgerDb } from './ledger-db';

const PRICE_VERSION_KEY = 'price_table_version';

/** Writes new costs into a month (rows as [cost, id]); the month is saved again. */
export function writeCosts(ledger: Ledger, month: string, updates: [number, number][]): void {
  const db = ledger.months.db(month);
  const update = db.prepare('UPDATE usage_events SET cost_nanos = ? WHERE id = ?');
  try {
    new LedgerDb(db).transaction(() => {
      for (const u of updates) update.run(u);
    });
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

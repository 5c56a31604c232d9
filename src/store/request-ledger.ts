import type { TokenCounts } from '../core/usage';
import type { Statements } from './statement-cache';

/** What has been counted for one request. */
export interface LedgerEntry {
  originEventId: number;
  sidechain: boolean;
  retracted: boolean;
  tokens: TokenCounts;
}

const SELECT_ONE = `SELECT origin_event_id, sidechain, retracted, input, output, cache_write_5m,
  cache_write_1h, cache_read, reasoning FROM request_ledger WHERE key = ?`;
const SELECT_MESSAGE_KEYS = 'SELECT key FROM request_ledger WHERE key > ? AND key < ?';
const UPSERT = `INSERT OR REPLACE INTO request_ledger (key, origin_event_id, sidechain, retracted,
  input, output, cache_write_5m, cache_write_1h, cache_read, reasoning) VALUES (?,?,?,?,?,?,?,?,?,?)`;

/**
 * The request_ledger table with a write-through memory of this run. When the table was
 * empty at the start (a first ingest), memory is complete and the table is never queried.
 */
export class RequestLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly keysByMessage = new Map<string, string[]>();
  private readonly tableHadRows: boolean;

  constructor(private readonly statements: Statements) {
    this.tableHadRows = statements.row('SELECT 1 FROM request_ledger LIMIT 1', []) !== undefined;
  }

  get(key: string): LedgerEntry | undefined {
    let entry = this.entries.get(key);
    if (entry === undefined && this.tableHadRows) {
      const row = this.statements.row(SELECT_ONE, [key]);
      if (row) {
        entry = {
          originEventId: Number(row[0]),
          sidechain: row[1] === 1,
          retracted: row[2] === 1,
          tokens: {
            input: Number(row[3]),
            output: Number(row[4]),
            cacheWrite5m: Number(row[5]),
            cacheWrite1h: Number(row[6]),
            cacheRead: Number(row[7]),
            reasoning: Number(row[8]),
          },
        };
        this.entries.set(key, entry);
      }
    }
    return entry;
  }

  put(key: string, entry: LedgerEntry, messageId: string | undefined): void {
    const known = this.entries.has(key);
    this.entries.set(key, entry);
    if (!known && messageId !== undefined) this.rememberMessageKey(messageId, key);
    const t = entry.tokens;
    this.statements.run(UPSERT, [
      key,
      entry.originEventId,
      entry.sidechain ? 1 : 0,
      entry.retracted ? 1 : 0,
      t.input,
      t.output,
      t.cacheWrite5m,
      t.cacheWrite1h,
      t.cacheRead,
      t.reasoning,
    ]);
  }

  /** Every request key of an alias group (transitional: keys are `<group>:<rest>`). */
  keysOfGroup(group: string): string[] {
    const keys = new Set(this.keysByMessage.get(group));
    if (this.tableHadRows) {
      for (const row of this.statements.rows(SELECT_MESSAGE_KEYS, [`${group}:`, `${group};`])) {
        keys.add(String(row[0]));
      }
    }
    return [...keys];
  }

  private rememberMessageKey(messageId: string, key: string): void {
    const list = this.keysByMessage.get(messageId);
    if (list) list.push(key);
    else this.keysByMessage.set(messageId, [key]);
  }
}

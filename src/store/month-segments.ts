import type { BindParams, Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { migrate, readMigrations, segmentMigrationsDir } from './migrations';
import { appendTail, exportTail } from './month-tail';
import { configureInMemory } from './sqljs-loader';
import type { Logger } from '../core/log';

/** A month's committed files: its base, and the tail of events added since (see month-tail.ts). */
export interface MonthBytes {
  base: Uint8Array;
  tail?: Uint8Array;
}

/**
 * A month's events as they will be written: the whole month, or (with `tailAfter`) only its
 * events above that id; `rows` and `maxId` describe what `bytes` hold.
 */
export interface ExportedMonth {
  month: string;
  bytes: Uint8Array;
  rows: number;
  maxId: number;
  tailAfter?: number;
}

/** Decides, for a dirty month, the id above which its events go to a tail; undefined writes the whole month. */
export type TailPlan = (month: string, rows: number, rewritten: boolean) => number | undefined;

/** A row to insert; the 64-bit hashes come as 32-bit halves (sql.js binds a BigInt as text). */
export type EventRow = [
  id: number, reqHi: number, reqLo: number, grpHi: number | null, grpLo: number | null, ts: number, session: number, project: number, model: number, attrs: number,
  delta: number, input: number, output: number, cw5m: number, cw1h: number, cacheRead: number, reasoning: number,
  cost: number, reported: number | null,
];

const PARAMS = 19;
/** Rows per INSERT: binding many rows per call costs far less than one call per row. */
const BATCH_ROWS = 64;
const insertSql = (rows: number) => `INSERT INTO usage_events (id, req, grp, ts, session_id, project_id, model_id, attrs, message_delta,
  input, output, cache_write_5m, cache_write_1h, cache_read, reasoning, cost_nanos, reported_nanos)
  VALUES ${Array(rows).fill(`(?,(? << 32) | (? & 4294967295),(? << 32) | (? & 4294967295),${Array(14).fill('?').join(',')})`).join(',')}`;

interface OpenMonth {
  db: Database;
  insert: Statement | undefined;
  /** The one-row insert that writes what is left of a batch (a statement per batch length would be prepared each time). */
  insertOne: Statement | undefined;
  /** Prepared statements for reads, by SQL (freed when the month is exported or closed). */
  reads: Map<string, Statement>;
  /** Rows waiting for the next multi-row insert, flattened. */
  pending: unknown[];
  inTransaction: boolean;
}

/**
 * The month segments this process has opened, each an sql.js database of its own (SQLite
 * cannot attach or detach inside a transaction, so writes never go through an attachment).
 * Months load lazily from verified bytes; written months are dirty until the next save.
 */
export class MonthSegments {
  private readonly open = new Map<string, OpenMonth>();
  private readonly dirty = new Set<string>();
  /** Months whose saved rows changed (re-priced, restored): written whole by the next save. */
  private readonly rewritten = new Set<string>();
  /** Months written since the marts last folded them in. */
  private readonly unfolded = new Set<string>();
  private readonly known: Set<string>;

  constructor(
    private readonly SQL: SqlJsStatic,
    knownMonths: Iterable<string>,
    /** The month's committed bytes (checked), or undefined for a month never saved. */
    private readonly load: (month: string) => MonthBytes | undefined,
    private readonly log: Logger,
  ) {
    this.known = new Set(knownMonths);
  }

  /** Every month that has events, oldest first. */
  months(): string[] {
    return [...this.known].sort();
  }

  has(month: string): boolean {
    return this.known.has(month);
  }

  dirtyMonths(): string[] {
    return [...this.dirty].sort();
  }

  /** The month's database, with every row added so far written into it. */
  db(month: string): Database {
    const open = this.openMonth(month);
    flush(open);
    return open.db;
  }

  /**
   * One row of a month's query on the event `id`, with the statement prepared once per month. The
   * batch waiting to be inserted is written first only when it could hold that event (ids grow).
   */
  rowOfEvent(month: string, sql: string, id: number): SqlValue[] | undefined {
    const open = this.openMonth(month);
    if (open.pending.length > 0 && id >= (open.pending[0] as number)) flush(open);
    let statement = open.reads.get(sql);
    if (!statement) open.reads.set(sql, (statement = open.db.prepare(sql)));
    try {
      statement.bind([id]);
      return statement.step() ? statement.get() : undefined;
    } finally {
      statement.reset();
    }
  }

  /** Adds one row to its month, inside that month's open transaction (written in batches). */
  insert(month: string, row: EventRow): void {
    const open = this.openMonth(month);
    if (!open.inTransaction) {
      open.db.run('BEGIN');
      open.inTransaction = true;
    }
    for (const value of row) open.pending.push(value);
    if (open.pending.length === BATCH_ROWS * PARAMS) {
      open.insert ??= open.db.prepare(insertSql(BATCH_ROWS));
      open.insert.run(open.pending as BindParams);
      open.pending.length = 0;
    }
    this.dirty.add(month);
    this.unfolded.add(month);
    this.known.add(month);
  }

  /** The months written since they were last folded into the marts. */
  unfoldedMonths(): string[] {
    return [...this.unfolded].sort();
  }

  /** These months are in the marts now (called once the marts' update committed, so a failed one is retried). */
  markFolded(months: readonly string[]): void {
    for (const month of months) this.unfolded.delete(month);
  }

  /** Ends every open write transaction (before reading across months or saving). */
  commitAll(): void {
    for (const open of this.open.values()) {
      if (!open.inTransaction) continue;
      flush(open);
      open.db.run('COMMIT');
      open.inTransaction = false;
    }
  }

  /** Marks a month as changed by a statement run directly on its database (written whole by the next save). */
  touch(month: string): void {
    this.dirty.add(month);
    this.rewritten.add(month);
  }

  /**
   * The bytes of every dirty month, whole or as a tail (as `plan` decides), with `prepare` run on
   * each first (it copies the dimensions in).
   */
  exportDirty(prepare: (month: string, db: Database) => void, plan: TailPlan): ExportedMonth[] {
    this.commitAll();
    return this.dirtyMonths().map((month) => {
      const open = this.openMonth(month);
      prepare(month, open.db);
      freeStatements(open);
      const [rows, maxId] = stats(open.db, 0);
      const tailAfter = plan(month, rows, this.rewritten.has(month));
      if (tailAfter === undefined) return { month, bytes: open.db.export(), rows, maxId };
      const [tailRows] = stats(open.db, tailAfter);
      return { month, bytes: exportTail(this.SQL, open.db, tailAfter), rows: tailRows, maxId, tailAfter };
    });
  }

  markSaved(): void {
    this.dirty.clear();
    this.rewritten.clear();
  }

  /** Closes clean months other than `keep` (their committed files stay the truth). */
  evictClean(keep: ReadonlySet<string>): string[] {
    const evicted: string[] = [];
    for (const [month, open] of this.open) {
      if (this.dirty.has(month) || keep.has(month) || open.inTransaction) continue;
      freeStatements(open);
      open.db.close();
      this.open.delete(month);
      evicted.push(month);
    }
    return evicted;
  }

  close(): void {
    for (const open of this.open.values()) {
      freeStatements(open);
      open.db.close();
    }
    this.open.clear();
  }

  private openMonth(month: string): OpenMonth {
    let open = this.open.get(month);
    if (!open) {
      const bytes = this.known.has(month) ? this.load(month) : undefined;
      const db = new this.SQL.Database(bytes?.base);
      configureInMemory(db);
      if (!bytes) {
        migrate(db, readMigrations(segmentMigrationsDir()), this.log, 'debug');
        db.run('INSERT OR REPLACE INTO segment_meta (key, value) VALUES (?, ?)', ['month', month]);
      }
      if (bytes?.tail) appendTail(this.SQL, db, bytes.tail);
      open = { db, insert: undefined, insertOne: undefined, reads: new Map(), pending: [], inTransaction: false };
      this.open.set(month, open);
    }
    return open;
  }
}

/** Rows above `afterId` and the largest id of the month. */
function stats(db: Database, afterId: number): [rows: number, maxId: number] {
  const row = db.exec('SELECT COUNT(*), COALESCE(MAX(id), 0) FROM usage_events WHERE id > ?', [afterId])[0]!.values[0]!;
  return [Number(row[0]), Number(row[1])];
}

/** Writes the rows waiting in a month's batch. */
function flush(open: OpenMonth): void {
  if (open.pending.length === 0) return;
  open.insertOne ??= open.db.prepare(insertSql(1));
  for (let at = 0; at < open.pending.length; at += PARAMS) open.insertOne.run(open.pending.slice(at, at + PARAMS) as BindParams);
  open.pending.length = 0;
}

function freeStatements(open: OpenMonth): void {
  open.insert?.free();
  open.insertOne?.free();
  open.insert = open.insertOne = undefined;
  for (const statement of open.reads.values()) statement.free();
  open.reads.clear();
}

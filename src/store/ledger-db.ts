import * as fs from 'node:fs';
import type { BindParams, Database, SqlValue } from 'sql.js';
import type { Logger } from '../core/log';
import { writeFileAtomic } from './atomic-file';
import { defaultMigrationsDir, migrate, readMigrations } from './migrations';
import { loadSqlJs } from './sqljs-loader';

export interface OpenOptions {
  /** The database file; `null` keeps it in memory only (tests, benchmarks). */
  file: string | null;
  log: Logger;
  migrationsDir?: string;
}

type Row = Record<string, SqlValue>;

/** The sql.js database: opened from one file, migrated, saved atomically. */
export class LedgerDb {
  private constructor(
    readonly sql: Database,
    readonly file: string | null,
    /** Where a corrupt file was moved, when opening had to start afresh. */
    readonly movedAside: string | undefined,
  ) {}

  static async open(options: OpenOptions): Promise<LedgerDb> {
    const SQL = await loadSqlJs();
    const { bytes, movedAside } = readExisting(options.file, options.log, (data) => {
      const probe = new SQL.Database(data);
      try {
        const verdict = probe.exec('PRAGMA quick_check')[0]?.values[0]?.[0];
        if (verdict !== 'ok') throw new Error(`integrity check: ${String(verdict)}`);
      } finally {
        probe.close();
      }
    });
    const sql = new SQL.Database(bytes);
    // The database lives in memory; durability comes from the atomic save, so SQLite's own
    // journal need not touch (in-memory) files on every commit.
    sql.run('PRAGMA journal_mode = MEMORY');
    sql.run('PRAGMA synchronous = OFF');
    // A page cache that holds a whole ingest run, so pages are not spilled mid-transaction.
    sql.run('PRAGMA cache_size = -262144');
    migrate(sql, readMigrations(options.migrationsDir ?? defaultMigrationsDir()), options.log);
    return new LedgerDb(sql, options.file, movedAside);
  }

  /** Writes the whole database to its file, atomically. No-op for in-memory databases. */
  save(): number {
    if (this.file === null) return 0;
    const bytes = this.sql.export();
    writeFileAtomic(this.file, bytes);
    return bytes.length;
  }

  close(): void {
    this.sql.close();
  }

  transaction<T>(work: () => T): T {
    this.sql.run('BEGIN');
    try {
      const result = work();
      this.sql.run('COMMIT');
      return result;
    } catch (error) {
      this.sql.run('ROLLBACK');
      throw error;
    }
  }

  /** Runs `work` inside a savepoint: on error only its changes are undone. Nests in a transaction. */
  savepoint<T>(name: string, work: () => T): T {
    this.sql.run(`SAVEPOINT ${name}`);
    try {
      const result = work();
      this.sql.run(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.sql.run(`ROLLBACK TO ${name}`);
      this.sql.run(`RELEASE ${name}`);
      throw error;
    }
  }

  run(sqlText: string, params?: BindParams): void {
    this.sql.run(sqlText, params);
  }

  all<T = Row>(sqlText: string, params?: BindParams): T[] {
    const statement = this.sql.prepare(sqlText);
    try {
      if (params) statement.bind(params);
      const rows: T[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as T);
      return rows;
    } finally {
      statement.free();
    }
  }

  get<T = Row>(sqlText: string, params?: BindParams): T | undefined {
    return this.all<T>(sqlText, params)[0];
  }

  scalar(sqlText: string, params?: BindParams): SqlValue | undefined {
    const statement = this.sql.prepare(sqlText);
    try {
      if (params) statement.bind(params);
      return statement.step() ? statement.get()[0] : undefined;
    } finally {
      statement.free();
    }
  }

  getMeta(key: string): string | undefined {
    return this.scalar('SELECT value FROM meta WHERE key = ?', [key]) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }
}

/**
 * Reads the database file if there is one. A file that cannot be read or is not a sound
 * SQLite database is renamed aside (never deleted) and the caller starts empty: the
 * transcripts are the source of truth, so everything is re-derived from them.
 */
function readExisting(
  file: string | null,
  log: Logger,
  verify: (bytes: Uint8Array) => void,
): { bytes: Uint8Array | undefined; movedAside: string | undefined } {
  if (file === null || !fs.existsSync(file)) return { bytes: undefined, movedAside: undefined };
  if (!fs.statSync(file).isFile()) throw new Error(`${file} is not a file`);
  try {
    const bytes = fs.readFileSync(file);
    if (bytes.length === 0) throw new Error('file is empty');
    verify(bytes);
    return { bytes, movedAside: undefined };
  } catch (error) {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(file, aside);
    } catch (renameError) {
      throw new Error(
        `database ${file} is unreadable (${(error as Error).message}) and could not be moved aside: ${(renameError as Error).message}`,
      );
    }
    log.error(
      `database ${file} is unreadable (${(error as Error).message}); moved it to ${aside} and rebuilding from the transcripts`,
    );
    return { bytes: undefined, movedAside: aside };
  }
}

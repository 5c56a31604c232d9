import type { BindParams, Database, SqlValue } from 'sql.js';

type Row = Record<string, SqlValue>;

/** A sql.js connection with transactions, savepoints and rows as objects (the state's, or a month's). */
export class LedgerDb {
  constructor(readonly sql: Database) {}

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
      // Column names once per query: sql.js's getAsObject asks SQLite for them on every row.
      const names = statement.getColumnNames();
      const rows: T[] = [];
      while (statement.step()) {
        const values = statement.get();
        const row: Row = {};
        for (let i = 0; i < names.length; i++) row[names[i]!] = values[i]!;
        rows.push(row as T);
      }
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
    this.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}

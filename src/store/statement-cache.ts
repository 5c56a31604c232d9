import type { BindParams, Database, SqlValue, Statement } from 'sql.js';

/** Prepared statements for one unit of work; `free()` releases them all. */
export class Statements {
  private readonly prepared = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  private statement(sql: string): Statement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: BindParams): void {
    this.statement(sql).run(params);
  }

  /** First row as an array, or undefined. */
  row(sql: string, params: BindParams): SqlValue[] | undefined {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      return statement.step() ? statement.get() : undefined;
    } finally {
      statement.reset();
    }
  }

  rows(sql: string, params: BindParams): SqlValue[][] {
    const statement = this.statement(sql);
    const result: SqlValue[][] = [];
    try {
      statement.bind(params);
      while (statement.step()) result.push(statement.get());
    } finally {
      statement.reset();
    }
    return result;
  }

  free(): void {
    for (const statement of this.prepared.values()) statement.free();
    this.prepared.clear();
  }
}

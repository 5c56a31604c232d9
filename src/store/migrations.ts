import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from 'sql.js';
import type { Logger } from '../core/log';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_PATTERN = /^(\d+)_([\w-]+)\.sql$/;

/** Finds the shipped `migrations/` folder, from source (src/store) or from the bundle (dist). */
export function defaultMigrationsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'migrations');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`migrations/ folder not found above ${__dirname}`);
}

/** The month segments' schema, beside the state's. */
export function segmentMigrationsDir(): string {
  return path.join(defaultMigrationsDir(), 'segment');
}

const readCache = new Map<string, Migration[]>();

export function readMigrations(dir: string): Migration[] {
  let migrations = readCache.get(dir);
  if (!migrations) readCache.set(dir, (migrations = readMigrationFiles(dir)));
  return migrations;
}

function readMigrationFiles(dir: string): Migration[] {
  return fs
    .readdirSync(dir)
    .map((file) => FILE_PATTERN.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: fs.readFileSync(path.join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Applies the migrations not yet recorded, in order, each in its own transaction:
 * a failure rolls that one back, records nothing, and the next run starts from it.
 */
export function migrate(db: Database, migrations: Migration[], log: Logger, level: 'info' | 'debug' = 'info'): number[] {
  db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    (db.exec('SELECT version FROM schema_migrations')[0]?.values ?? []).map((row) => Number(row[0])),
  );
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.run('BEGIN');
    try {
      db.run(migration.sql);
      db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      db.run('COMMIT');
    } catch (error) {
      db.run('ROLLBACK');
      throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`);
    }
    log[level](`applied migration ${migration.version}_${migration.name}`);
    done.push(migration.version);
  }
  return done;
}

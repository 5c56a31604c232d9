import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** Where the WASM binary sits: next to the bundle in dist/, or in node_modules when run from source. */
function wasmPath(): string {
  const besideBundle = path.join(__dirname, 'sql-wasm.wasm');
  if (fs.existsSync(besideBundle)) return besideBundle;
  return require.resolve('sql.js/dist/sql-wasm.wasm');
}

/** Loads sql.js once, on first use, so that activation never pays for the WASM. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= (async () => {
    const { default: initSqlJs } = await import('sql.js');
    const wasmBinary = fs.readFileSync(wasmPath());
    return initSqlJs({ wasmBinary: wasmBinary as unknown as ArrayBuffer });
  })();
  return loading;
}

/** Every database of the ledger lives in memory and is saved whole and atomically: SQLite's journal need not touch files. */
export function configureInMemory(db: Database): void {
  db.run('PRAGMA journal_mode = MEMORY');
  db.run('PRAGMA synchronous = OFF');
}

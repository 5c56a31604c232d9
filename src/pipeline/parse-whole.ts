import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { UsageRecord } from '../core/usage';
import { eachSound, fileSetsOf, RejectedLine, type DocumentFileSet, type DocumentRead, type InvalidItem, type SqliteFileSet } from '../normalizers/agent-normalizer';
import { normalizerFor } from '../normalizers/registry';
import { applyWal } from '../sources/sqlite-wal';
import { NotRegularFile } from '../sources/transcript-open';
import { readIfPresent, statWholeFile, walPathOf, type WholeFileStat } from '../sources/whole-file';
import { hash64 } from '../store/key-hash';
import { loadSqlJs } from '../store/sqljs-loader';
import { MAX_INVALID_KEPT, type InvalidLine, type ParsedFile, type ParseRequest, type ParseResult } from './parse-file';

/** Documents larger than this are skipped with a log line (base64 images can bloat task files). */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** Per-file memory of a database read: rows changed at or after the watermark are read next time. */
export interface SqliteState {
  since: number;
}

/**
 * Reads a whole JSON document (and its sidecars) and returns every usage record in it. The
 * store counts each request once by key, so reading a document again only adds what changed.
 * A document that is not valid JSON (caught mid-write) counts as one invalid line: its memory
 * is saved and it is read again when it changes.
 */
export function parseDocument(request: ParseRequest): ParseResult {
  const set = fileSetsOf(normalizerFor(request.agent))[request.set ?? 0] as DocumentFileSet;
  let stat: WholeFileStat;
  let bytes: Buffer;
  try {
    stat = statWholeFile(request.path, 'document');
    if (stat.size > MAX_DOCUMENT_BYTES) return invalid(stat, `document of ${stat.size} bytes is larger than ${MAX_DOCUMENT_BYTES}; skipped`, request.state ?? null);
    bytes = readOrThrowMissing(request.path);
  } catch (error) {
    return failure(error);
  }
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    // Its memory of what it counted is kept: the next sound version is compared with it.
    return invalid({ ...stat, size: bytes.length }, 'not valid JSON', request.state ?? null);
  }
  const sidecars: Record<string, string | undefined> = {};
  const unreadable: InvalidLine[] = [];
  for (const name of set.sidecars?.(request.path) ?? []) sidecars[name] = readSidecar(path.join(path.dirname(request.path), name), unreadable);
  let read: DocumentRead;
  try {
    read = set.read(document, { path: request.path, sidecars, state: request.state });
  } catch (error) {
    // Damage the file set's reader did not pin on one entry: the document counts as one invalid entry.
    if (!(error instanceof RejectedLine)) throw error;
    return invalid({ ...stat, size: bytes.length }, error.kind, request.state ?? null);
  }
  return parsed({ ...stat, size: bytes.length }, read.records, read.state ?? null, [...unreadable, ...(read.invalid ?? [])]);
}

/** A sidecar's text; one that is not a regular file (a FIFO) is read as absent, and said once as the document's damage. */
function readSidecar(sidecarPath: string, unreadable: InvalidLine[]): string | undefined {
  try {
    return readIfPresent(sidecarPath)?.toString('utf8');
  } catch (error) {
    if (!(error instanceof NotRegularFile)) throw error;
    unreadable.push({ offset: -1 - unreadable.length, kind: `${path.basename(sidecarPath)} beside it is not a regular file; read without it`, beside: true });
    return undefined;
  }
}

/**
 * Reads a SQLite database read-only, as of its last commit (the `-wal` applied), and returns
 * the usage records of rows changed since the previous read's watermark.
 */
export async function parseSqlite(request: ParseRequest): Promise<ParseResult> {
  const set = fileSetsOf(normalizerFor(request.agent))[request.set ?? 0] as SqliteFileSet;
  let stat: WholeFileStat;
  let image: Uint8Array;
  try {
    ({ stat, image } = readDatabase(request.path));
  } catch (error) {
    return failure(error);
  }
  const since = (request.state as SqliteState | undefined)?.since ?? 0;
  let rows: Record<string, unknown>[];
  try {
    rows = queryFirstThatRuns(await loadSqlJs(), image, set.queries, since);
  } catch (error) {
    return invalid(stat, 'not a readable SQLite database', { since });
  }
  let watermark = since;
  const damaged: InvalidItem[] = [];
  const records = eachSound(rows, (row) => {
    watermark = Math.max(watermark, set.watermark(row));
    return set.readRow(row, request.path);
  }, damaged, (row, index) => rowOffset(set.rowId?.(row)) ?? index);
  return parsed(stat, records, { since: watermark } satisfies SqliteState, damaged);
}

/**
 * The database file and its WAL, read so that they belong together: when the WAL was restarted
 * (a checkpoint) between the reads, read again.
 */
function readDatabase(dbPath: string): { stat: WholeFileStat; image: Uint8Array } {
  for (let attempt = 0; ; attempt++) {
    const stat = statWholeFile(dbPath, 'sqlite');
    const walBefore = readIfPresent(walPathOf(dbPath));
    const main = readOrThrowMissing(dbPath);
    const wal = readIfPresent(walPathOf(dbPath));
    const sameWal = (walBefore?.subarray(0, 32).toString('hex') ?? '') === (wal?.subarray(0, 32).toString('hex') ?? '');
    if (sameWal || attempt >= 3) return { stat, image: applyWal(main, wal).image };
  }
}

function queryFirstThatRuns(SQL: SqlJsStatic, image: Uint8Array, queries: readonly string[], since: number): Record<string, unknown>[] {
  const db = new SQL.Database(image);
  try {
    let lastError: unknown;
    for (const sql of queries) {
      try {
        const statement = db.prepare(sql);
        try {
          if (sql.includes('$since')) statement.bind({ $since: since });
          const rows: Record<string, unknown>[] = [];
          while (statement.step()) rows.push(statement.getAsObject());
          return rows;
        } finally {
          statement.free();
        }
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError ?? new Error('no query declared');
  } finally {
    db.close();
  }
}

/** A number that stands for a row id in what was logged of a database (a 53-bit hash: offsets are numbers). */
function rowOffset(id: string | undefined): number | undefined {
  if (id === undefined) return undefined;
  const { hi, lo } = hash64(id);
  return (hi >>> 11) * 2 ** 32 + (lo >>> 0);
}

function readOrThrowMissing(filePath: string): Buffer {
  const bytes = readIfPresent(filePath);
  if (!bytes) throw Object.assign(new Error(`${filePath} vanished while being read`), { code: 'ENOENT' });
  return bytes;
}

function parsed(stat: WholeFileStat, records: UsageRecord[], state: unknown, damaged: InvalidItem[] = []): ParseResult {
  return { ok: true, file: wholeFile(stat, records, damaged, state) };
}

function invalid(stat: WholeFileStat, message: string, state: unknown = null): ParseResult {
  return { ok: true, file: wholeFile(stat, [], [{ offset: 0, kind: message, wholeFile: true }], state) };
}

function wholeFile(stat: WholeFileStat, records: UsageRecord[], invalidAt: ParsedFile['invalid'], state: unknown): ParsedFile {
  return {
    records, endOffset: stat.size, bytesRead: stat.size, invalid: invalidAt.slice(0, MAX_INVALID_KEPT), invalidCount: invalidAt.length, state,
    headHash: '', size: stat.size, mtimeMs: stat.mtimeMs, identity: stat.identity, limits: [],
  };
}

function failure(error: unknown): ParseResult {
  return { ok: false, message: (error as Error).message, code: (error as NodeJS.ErrnoException).code };
}

import * as fs from 'node:fs';
import type { FileKind } from '../normalizers/agent-normalizer';
import { identityOf } from './file-fingerprint';
import { NotRegularFile, openTranscript } from './transcript-open';

/** What tells a whole file (document or database) changed: no offsets, only size, time and identity. */
export interface WholeFileStat {
  size: number;
  mtimeMs: number;
  identity: string;
}

/** The `-wal` file SQLite keeps beside a database in WAL mode. */
export function walPathOf(dbPath: string): string {
  return `${dbPath}-wal`;
}

/**
 * Stat of a document, or of a database together with its `-wal` (committed rows may sit in
 * the WAL only, and writing there leaves the main file untouched). Throws like `fs.statSync`,
 * and `NotRegularFile` for a FIFO, a device or a socket (reading one could wait forever).
 */
export function statWholeFile(filePath: string, kind: FileKind): WholeFileStat {
  const stat = fs.statSync(filePath);
  if (!stat.isFile()) throw new NotRegularFile(filePath);
  const now = { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), identity: identityOf(stat) };
  if (kind !== 'sqlite') return now;
  const wal = statOrUndefined(walPathOf(filePath));
  if (!wal) return now;
  if (!wal.isFile()) throw new NotRegularFile(walPathOf(filePath));
  return { size: now.size + wal.size, mtimeMs: Math.max(now.mtimeMs, Math.trunc(wal.mtimeMs)), identity: now.identity };
}

function statOrUndefined(filePath: string): fs.Stats | undefined {
  try {
    return fs.statSync(filePath);
  } catch {
    return undefined;
  }
}

/**
 * Reads a whole file; undefined when it does not exist (a sidecar, a WAL). Other errors throw,
 * `NotRegularFile` included: the file is opened without blocking, so a FIFO never stalls a read.
 */
export function readIfPresent(filePath: string): Buffer | undefined {
  let fd: number;
  try {
    ({ fd } = openTranscript(filePath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

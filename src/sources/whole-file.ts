import * as fs from 'node:fs';
import type { FileKind } from '../normalizers/agent-normalizer';
import { identityOf } from './file-fingerprint';

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
 * the WAL only, and writing there leaves the main file untouched). Throws like `fs.statSync`.
 */
export function statWholeFile(filePath: string, kind: FileKind): WholeFileStat {
  const stat = fs.statSync(filePath);
  const now = { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), identity: identityOf(stat) };
  if (kind !== 'sqlite') return now;
  const wal = statOrUndefined(walPathOf(filePath));
  if (!wal) return now;
  return { size: now.size + wal.size, mtimeMs: Math.max(now.mtimeMs, Math.trunc(wal.mtimeMs)), identity: now.identity };
}

function statOrUndefined(filePath: string): fs.Stats | undefined {
  try {
    return fs.statSync(filePath);
  } catch {
    return undefined;
  }
}

/** Reads a whole file; undefined when it does not exist (a sidecar, a WAL). Other errors throw. */
export function readIfPresent(filePath: string): Buffer | undefined {
  try {
    return fs.readFileSync(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

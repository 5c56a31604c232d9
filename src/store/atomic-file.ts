import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCrypto } from '../core/lazy-builtins';

const TEMP_MARK = '.tmp-';

/**
 * Writes `bytes` to a temporary sibling, checks that every byte reached the disk (short
 * writes are retried, then fsync), and only then renames it over `file`. On any failure
 * (a full disk, a file-size limit) the temporary file is removed, `file` is left as it
 * was, and the error is thrown.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, options: { sync?: boolean; syncFolder?: boolean } = {}): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = tempSibling(file, `${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    writeWhole(temp, bytes, options.sync ?? true);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  if (options.syncFolder ?? true) syncDirectory(dir);
}

function writeWhole(file: string, bytes: Uint8Array, sync: boolean): void {
  const fd = fs.openSync(file, 'wx');
  try {
    let written = 0;
    while (written < bytes.length) {
      const n = fs.writeSync(fd, bytes, written, bytes.length - written, written);
      if (n <= 0) throw new Error(`short write: ${written} of ${bytes.length} bytes`);
      written += n;
    }
    if (sync) fs.fsyncSync(fd);
    const size = fs.fstatSync(fd).size;
    if (size !== bytes.length) throw new Error(`wrote ${size} of ${bytes.length} bytes`);
  } finally {
    fs.closeSync(fd);
  }
}

export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not supported on every platform (Windows); the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A temporary file beside `file`, named so that `removeTempFiles` removes it if a kill leaves it. */
export function tempSibling(file: string, tag: string): string {
  return `${file}${TEMP_MARK}${tag}`;
}

/** Removes temporary files a killed save left behind in `dir`; returns how many. */
export function removeTempFiles(dir: string): number {
  let removed = 0;
  for (const name of safeList(dir)) {
    if (!name.includes(TEMP_MARK)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

export function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export function sha256(bytes: Uint8Array): string {
  return nodeCrypto().createHash('sha256').update(bytes).digest('hex');
}

import * as fs from 'node:fs';
import { nodeCrypto } from '../core/lazy-builtins';

const WINDOW_BYTES = 1024;

export function identityOf(stat: fs.Stats): string {
  return `${stat.dev}:${stat.ino}`;
}

/**
 * What the bytes already consumed (up to `offset`) looked like: the hash of the file's first
 * KiB and of the KiB just before `offset`, as `<length>:<sha1>|<length>:<sha1>`. Computing it
 * again at the same offset tells whether the file was rewritten in place: at its start, or
 * anywhere up to where reading stopped (a truncated file that regrew, a resumed session
 * rewritten at the same size).
 */
export function fingerprint(fd: number, offset: number): string {
  const head = Math.min(WINDOW_BYTES, offset);
  const tail = Math.min(WINDOW_BYTES, offset);
  return `${windowHash(fd, 0, head)}|${windowHash(fd, offset - tail, tail)}`;
}

function windowHash(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const read = length > 0 ? fs.readSync(fd, buffer, 0, length, position) : 0;
  return `${read}:${nodeCrypto().createHash('sha1').update(buffer.subarray(0, read)).digest('hex')}`;
}

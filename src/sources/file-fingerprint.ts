import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

const HEAD_BYTES = 1024;

export function identityOf(stat: fs.Stats): string {
  return `${stat.dev}:${stat.ino}`;
}

/**
 * `<length>:<sha1>` of the file's first bytes, up to 1 KiB and never past `limit`
 * (the bytes already consumed). Re-hashing the same length later tells whether the
 * start of the file was rewritten in place.
 */
export function headHash(fd: number, limit: number): string {
  const length = Math.min(HEAD_BYTES, limit);
  const buffer = Buffer.alloc(length);
  const read = length > 0 ? fs.readSync(fd, buffer, 0, length, 0) : 0;
  return `${read}:${createHash('sha1').update(buffer.subarray(0, read)).digest('hex')}`;
}

export function headHashLength(hash: string): number {
  return Number(hash.slice(0, hash.indexOf(':')));
}

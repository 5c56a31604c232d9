/**
 * 64-bit hashes of request keys, as two 32-bit halves. The ledger stores a hash instead of
 * the key string (8 bytes instead of ~60); at a million requests the chance that two
 * different keys share a hash is about 3 in 100 million.
 */
export interface Hash64 {
  hi: number;
  lo: number;
}

/** Two independent 32-bit FNV-1a-style passes (different offsets and a final avalanche) over UTF-16 code units. */
export function hash64(key: string): Hash64 {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return { hi: avalanche(a ^ Math.imul(b, 0x9e3779b1)) | 0, lo: avalanche(b ^ Math.imul(a, 0x85ebca6b)) | 0 };
}

function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

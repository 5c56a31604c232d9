import * as fs from 'node:fs';

const CHUNK_BYTES = 4 * 1024 * 1024;
/** A pending line longer than this is skipped (a file with no newline must not fill memory). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** One reusable read buffer: scanning allocates nothing per line it skips. */
let buffer: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);

export interface ScanOutcome {
  /** Byte just after the last line read; a half-written tail is left for the next read. */
  endOffset: number;
  bytesRead: number;
  /** Lines that contained a marker and were handed to `onLine`. */
  candidates: number;
  /** Start offsets of lines skipped for being longer than the limit. */
  oversized: number[];
}

export interface ScanOptions {
  markers: readonly Buffer[];
  onLine: (text: string, offset: number) => void;
  /**
   * Whether an unterminated last line is already whole (a complete JSON object): it is then read
   * now, and its newline, when it arrives, ends a line that was already read.
   */
  isWholeLine?: (text: string) => boolean;
  maxLineBytes?: number;
  /** Where to stop: the size seen when the file was opened (a file growing meanwhile is read on the next pass). */
  until?: number;
}

/**
 * Reads `fd` from `from` to its end (or `until`) and calls `onLine` for each complete line that contains
 * one of the markers. Lines without a marker are never decoded. CR before LF is dropped. A
 * line longer than the buffer grows the buffer, so multi-megabyte lines work, up to
 * `maxLineBytes`: a longer line is skipped, and the read ends inside it if the file does.
 * Starting inside a line (the previous read ended there) skips to that line's end: it was
 * dealt with then.
 */
export function scanLines(fd: number, from: number, options: ScanOptions): ScanOutcome {
  const { markers, onLine } = options;
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const until = options.until ?? Number.MAX_SAFE_INTEGER;
  const oversized: number[] = [];
  let position = from; // file position of the next read
  let carry = 0; // bytes at the buffer's start that belong to an unfinished line
  let endOffset = from;
  let candidates = 0;
  let skipping = from > 0 && !followsNewline(fd, from);
  for (;;) {
    if (carry === buffer.length) buffer = grow(buffer, carry);
    const read = fs.readSync(fd, buffer, carry, Math.min(buffer.length - carry, until - position), position);
    if (read === 0) break;
    position += read;
    const filled = carry + read;
    const base = position - filled; // file offset of buffer[0]
    let begin = 0;
    if (skipping) {
      const newline = buffer.subarray(0, filled).indexOf(NEWLINE);
      if (newline < 0) {
        carry = 0;
        endOffset = position;
        continue;
      }
      skipping = false;
      begin = newline + 1;
      endOffset = base + begin;
    }
    const lastNewline = buffer.lastIndexOf(NEWLINE, filled - 1);
    if (lastNewline >= begin) {
      candidates += scanRegion(buffer.subarray(begin, lastNewline + 1), base + begin, markers, onLine);
      endOffset = base + lastNewline + 1;
      begin = lastNewline + 1;
    }
    carry = filled - begin;
    if (carry >= maxLineBytes) {
      oversized.push(endOffset);
      skipping = true;
      carry = 0;
      endOffset = position;
      continue;
    }
    buffer.copyWithin(0, begin, filled);
  }
  if (carry > 0 && options.isWholeLine && markers.some((m) => buffer.subarray(0, carry).includes(m))) {
    const text = buffer.toString('utf8', 0, buffer[carry - 1] === CARRIAGE_RETURN ? carry - 1 : carry);
    if (options.isWholeLine(text)) {
      onLine(text, endOffset);
      candidates++;
      endOffset = position;
    }
  }
  if (buffer.length > CHUNK_BYTES) buffer = Buffer.allocUnsafe(CHUNK_BYTES); // let a grown buffer go
  return { endOffset, bytesRead: position - from, candidates, oversized };
}

/** Whether the byte before `offset` ends a line. */
function followsNewline(fd: number, offset: number): boolean {
  const byte = Buffer.alloc(1);
  return fs.readSync(fd, byte, 0, 1, offset - 1) === 0 || byte[0] === NEWLINE;
}

function grow(old: Buffer, keep: number): Buffer {
  const bigger = Buffer.allocUnsafe(old.length * 2);
  old.copy(bigger, 0, 0, keep);
  return bigger;
}

/** Visits the lines of `region` (which ends with a newline) that contain any marker. */
function scanRegion(
  region: Buffer,
  base: number,
  markers: readonly Buffer[],
  onLine: (text: string, offset: number) => void,
): number {
  const find = markerSearch(region, markers);
  let cursor = 0;
  let found = 0;
  for (;;) {
    const hit = find(cursor);
    if (hit < 0) return found;
    const start = hit === 0 ? 0 : region.lastIndexOf(NEWLINE, hit - 1) + 1;
    const end = region.indexOf(NEWLINE, hit);
    const textEnd = end > start && region[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    onLine(region.toString('utf8', start, textEnd), base + start);
    found++;
    cursor = end + 1;
  }
}

const QUOTE = 0x22;

/**
 * The search for the first marker in `region` at or after a position (called with growing
 * positions). Searching for each marker on its own reads the region once per marker that is
 * absent from it; markers that share a first byte are found in one pass over that byte, unless
 * it is a quote (too common in JSON for a byte-by-byte search to be faster).
 */
export function markerSearch(region: Buffer, markers: readonly Buffer[]): (from: number) => number {
  if (markers.length === 1) return (from) => region.indexOf(markers[0]!, from);
  const first = markers[0]![0]!;
  if (first !== QUOTE && markers.every((m) => m[0] === first)) {
    return (from) => {
      for (let at = region.indexOf(first, from); at >= 0; at = region.indexOf(first, at + 1)) {
        for (const marker of markers) if (startsWith(region, at, marker)) return at;
      }
      return -1;
    };
  }
  const next = markers.map((m) => region.indexOf(m));
  return (from) => {
    let hit = -1;
    for (let i = 0; i < next.length; i++) {
      if (next[i]! >= 0 && next[i]! < from) next[i] = region.indexOf(markers[i]!, from);
      if (next[i]! >= 0 && (hit < 0 || next[i]! < hit)) hit = next[i]!;
    }
    return hit;
  };
}

function startsWith(region: Buffer, at: number, marker: Buffer): boolean {
  if (at + marker.length > region.length) return false;
  for (let i = 1; i < marker.length; i++) if (region[at + i] !== marker[i]) return false;
  return true;
}

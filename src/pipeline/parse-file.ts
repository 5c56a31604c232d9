import * as fs from 'node:fs';
import { compactReadings, type LimitSnapshot } from '../core/limits';
import { billableTotal, type AgentId, type UsageRecord } from '../core/usage';
import { RejectedLine, type FileKind, type InvalidItem } from '../normalizers/agent-normalizer';
import { normalizerFor } from '../normalizers/registry';
import { fingerprint, identityOf } from '../sources/file-fingerprint';
import { MAX_LINE_BYTES, scanLines } from '../sources/line-scanner';
import { openTranscript } from '../sources/transcript-open';

/** What to read: plain data, so that it can be handed to a worker thread. */
export interface ParseRequest {
  path: string;
  agent: AgentId;
  /** Which of the agent's file sets the file belongs to (default 0), and that set's kind (default `lines`). */
  set?: number;
  kind?: FileKind;
  from: number;
  /** The normalizer's saved per-file state; undefined starts afresh. */
  state: unknown;
  /**
   * For an append: the file as planned (its identity, and the fingerprint of the bytes before
   * `from`). A file replaced or rewritten since is read from the start instead.
   */
  expect?: { identity: string; headHash: string };
}

/**
 * A line skipped: its byte offset (in a whole document or database, the entry's index) and what is
 * wrong with it in a few words, never its content (the parser's message may quote it).
 */
export interface InvalidLine extends InvalidItem {
  /** The whole document or database could not be read (not one entry of it). */
  wholeFile?: boolean;
  /** About a file read beside the document (a sidecar), not one of its entries. */
  beside?: boolean;
}

export interface ParsedFile {
  records: UsageRecord[];
  /** Quota readings found on the way (agents whose normalizer reads them). */
  limits: LimitSnapshot[];
  endOffset: number;
  bytesRead: number;
  invalid: InvalidLine[];
  invalidCount: number;
  state: unknown;
  headHash: string;
  size: number;
  mtimeMs: number;
  identity: string;
  /** Set when the file had been replaced or rewritten since it was planned, and was read from the start. */
  restarted?: boolean;
}

export type ParseResult = { ok: true; file: ParsedFile } | { ok: false; message: string; code?: string };

/** At most this many invalid lines (or damaged entries) of a file are described in the log; all are counted. */
export const MAX_INVALID_KEPT = 3;
const markerCache = new Map<AgentId, Buffer[]>();

function markersOf(agent: AgentId): Buffer[] {
  let markers = markerCache.get(agent);
  if (!markers) markerCache.set(agent, (markers = normalizerFor(agent).markers.map((m) => Buffer.from(m))));
  return markers;
}

/**
 * Reads a transcript from `from` to its last complete line and normalizes the lines that can
 * carry usage. Consecutive lines of one streamed message are folded into one record (the
 * copy the store would keep, with its own time): the same rows as counting them one by one.
 */
export function parseFile(request: ParseRequest): ParseResult {
  let fd: number;
  let stat: fs.Stats;
  try {
    ({ fd, stat } = openTranscript(request.path));
  } catch (error) {
    return failure(error);
  }
  try {
    const normalizer = normalizerFor(request.agent);
    const restarted = request.from > 0 && !stillAsPlanned(fd, stat, request);
    const from = restarted ? 0 : request.from;
    const state = (restarted ? undefined : request.state) ?? normalizer.initialState(request.path);
    const records: UsageRecord[] = [];
    const limits: LimitSnapshot[] = [];
    const invalid: InvalidLine[] = [];
    let invalidCount = 0;
    const onLine = (text: string, offset: number) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        if (++invalidCount <= MAX_INVALID_KEPT) invalid.push({ offset, kind: 'invalid JSON' });
        return;
      }
      let record: UsageRecord | undefined;
      try {
        record = normalizer.normalize(parsed, offset, state, request.path);
      } catch (error) {
        if (!(error instanceof RejectedLine)) throw error;
        if (++invalidCount <= MAX_INVALID_KEPT) invalid.push({ offset, kind: error.kind });
        return;
      }
      if (record) fold(records, record);
      const readings = normalizer.readLimits?.(parsed, state);
      if (readings) limits.push(...readings);
    };
    const scan = scanLines(fd, from, { markers: markersOf(request.agent), onLine, isWholeLine: isJsonObject, until: stat.size });
    for (const offset of scan.oversized) {
      if (++invalidCount <= MAX_INVALID_KEPT) invalid.push({ offset, kind: `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB` });
    }
    return {
      ok: true,
      file: {
        records, limits: compactReadings(limits), endOffset: scan.endOffset, bytesRead: scan.bytesRead, invalid, invalidCount, state,
        headHash: fingerprint(fd, scan.endOffset), size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), identity: identityOf(stat),
        ...(restarted ? { restarted } : {}),
      },
    };
  } catch (error) {
    return failure(error);
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether the opened file is still the one planned: same identity, same bytes before `from`. */
function stillAsPlanned(fd: number, stat: fs.Stats, request: ParseRequest): boolean {
  if (!request.expect) return stat.size >= request.from;
  return identityOf(stat) === request.expect.identity && stat.size >= request.from && fingerprint(fd, request.from) === request.expect.headHash;
}

/**
 * A file system error's message names only the path; any other error (a bug) is described by
 * its type and where it was thrown, since its message could quote the line being read.
 */
function failure(error: unknown): ParseResult {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) return { ok: false, message: (error as Error).message, code };
  const where = (error as Error).stack?.split('\n').find((l) => l.trimStart().startsWith('at '))?.trim();
  return { ok: false, message: `${(error as Error).name ?? 'error'}${where ? ` ${where}` : ''}` };
}

/** A JSON object cannot grow into a longer valid line: once it parses, the line is whole. */
function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Consecutive copies of one request fold into the copy the store would keep (the same rule, applied early). */
function fold(records: UsageRecord[], next: UsageRecord): void {
  const last = records[records.length - 1];
  if (!last || last.key !== next.key || last.alias?.primary !== next.alias?.primary) {
    records.push(next);
    return;
  }
  const replaces = next.repeat === 'largest' ? billableTotal(next.tokens) > billableTotal(last.tokens) : next.repeat === 'last';
  if (replaces) records[records.length - 1] = next;
}

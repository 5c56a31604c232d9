import * as fs from 'node:fs';
import type { Logger } from '../core/log';
import type { AnyNormalizer, FileKind } from '../normalizers/agent-normalizer';
import { fingerprint, identityOf } from '../sources/file-fingerprint';
import type { TranscriptFile } from '../sources/file-listing';
import { planRead, type FileMemory, type ReadPlan } from '../sources/read-plan';
import { NotRegularFile, openTranscript } from '../sources/transcript-open';
import { statWholeFile } from '../sources/whole-file';
import type { EventWriter } from '../store/event-writer';
import type { LedgerDb } from '../store/ledger-db';
import { recordLimits } from '../store/limit-store';
import type { Statements } from '../store/statement-cache';
import type { InvalidLine, ParsedFile, ParseRequest, ParseResult } from './parse-file';

export interface FileOutcome {
  plan: 'unchanged' | 'append' | 'restart' | 'vanished' | 'unreadable' | 'failed';
  bytes: number;
  invalidLines: number;
  /** Quota readings recorded (new history points). */
  limitReadings?: number;
}

interface StoredFile extends FileMemory {
  id: number;
  parserState: string | null;
  /** A whole file's damaged entries already logged (`reportKeys`), so a re-read logs only new ones. */
  reportedInvalid: string | null;
}

/** Either nothing to read (with why), or what to read and what we knew of the file. */
export type FilePlan =
  | { read: false; outcome: FileOutcome }
  | { read: true; request: ParseRequest; stored: StoredFile | undefined; kind: 'append' | 'restart'; bytes: number };

export type StoredFiles = Map<string, StoredFile>;

interface StoredFileRow {
  id: number; path: string; size: number; mtime_ms: number; identity: string; head_hash: string; read_offset: number;
  parser_state: string | null; reported_invalid: string | null;
}

const SELECT_STORED_FILES = 'SELECT id, path, size, mtime_ms, identity, head_hash, read_offset, parser_state, reported_invalid FROM source_files';

function storedFile(r: StoredFileRow): StoredFile {
  return {
    id: r.id, size: r.size, mtimeMs: r.mtime_ms, identity: r.identity, headHash: r.head_hash, readOffset: r.read_offset,
    parserState: r.parser_state, reportedInvalid: r.reported_invalid,
  };
}

/** What we remember of every file, in one query (planning then needs no query per file). */
export function loadStoredFiles(db: LedgerDb): StoredFiles {
  return new Map(db.all<StoredFileRow>(SELECT_STORED_FILES).map((r) => [r.path, storedFile(r)]));
}

/** Decides whether and from where to read a file: stat only, unless it changed. */
export function planFile(stored: StoredFile | undefined, normalizer: AnyNormalizer, file: TranscriptFile, log: Logger): FilePlan {
  if (file.root.kind !== 'lines') return planWholeFile(stored, normalizer, file, log);
  let stat: fs.Stats;
  let plan: ReadPlan;
  try {
    stat = fs.statSync(file.path);
    if (!stat.isFile()) throw new NotRegularFile(file.path);
    const now = { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), identity: identityOf(stat) };
    plan = planRead(stored, now, () => fingerprintNow(file.path, stored!.readOffset));
  } catch (error) {
    return { read: false, outcome: missingOrUnreadable(file, error, log) };
  }
  if (plan.kind === 'unchanged') return { read: false, outcome: { plan: 'unchanged', bytes: 0, invalidLines: 0 } };
  if (plan.kind === 'restart' && plan.reason !== 'new') {
    log.info(`${file.path} was ${plan.reason}; reading it again from the start (requests already counted are not counted again)`);
  }
  const from = plan.kind === 'append' ? plan.from : 0;
  return {
    read: true,
    kind: plan.kind,
    stored,
    bytes: stat.size - from,
    request: {
      path: file.path,
      agent: normalizer.agent,
      set: file.root.set,
      kind: 'lines',
      from,
      state: plan.kind === 'append' && stored?.parserState ? JSON.parse(stored.parserState) : undefined,
      expect: plan.kind === 'append' && stored ? { identity: stored.identity, headHash: stored.headHash } : undefined,
    },
  };
}

/**
 * A document or database is read whole whenever its (size, mtime) changed; it has no offset
 * to resume from. A file missing now (Roo's save renames it away for a moment) is read on a
 * later pass: what it counted before stays counted.
 */
function planWholeFile(stored: StoredFile | undefined, normalizer: AnyNormalizer, file: TranscriptFile, log: Logger): FilePlan {
  let now;
  try {
    now = statWholeFile(file.path, file.root.kind);
  } catch (error) {
    return { read: false, outcome: missingOrUnreadable(file, error, log) };
  }
  if (stored && stored.identity === now.identity && stored.size === now.size && stored.mtimeMs === now.mtimeMs) {
    return { read: false, outcome: { plan: 'unchanged', bytes: 0, invalidLines: 0 } };
  }
  // A document's state survives its replacement (atomic saves rename a new file into place);
  // a database's watermark does not (a new database starts from nothing).
  const keepState = stored !== undefined && (file.root.kind === 'document' || stored.identity === now.identity);
  return {
    read: true,
    kind: 'restart',
    stored,
    bytes: now.size,
    request: {
      path: file.path,
      agent: normalizer.agent,
      set: file.root.set,
      kind: file.root.kind,
      from: 0,
      state: keepState && stored.parserState ? JSON.parse(stored.parserState) : undefined,
    },
  };
}

/**
 * Records what was read from one file: its events, then its new offset (so a failure part-way
 * leaves the offset where it was, and the file is read again without counting anything twice).
 */
export function recordFile(
  statements: Statements,
  writer: EventWriter,
  file: TranscriptFile,
  plan: Extract<FilePlan, { read: true }>,
  result: ParseResult,
  log: Logger,
): FileOutcome {
  if (!result.ok) {
    if (result.code === 'ENOENT') return { plan: 'vanished', bytes: 0, invalidLines: 0 };
    if (result.code === 'ENOTREG') {
      log.warn(`${result.message}; skipped`); // the file, or its WAL, turned into a FIFO since planning
      return { plan: 'unreadable', bytes: 0, invalidLines: 0 };
    }
    log.error(`failed to ingest ${file.path}: ${result.message}; it will be retried next time`);
    return { plan: 'failed', bytes: 0, invalidLines: 0 };
  }
  const parsed = result.file;
  if (parsed.restarted) log.info(`${file.path} was replaced or rewritten while being read; read again from the start (requests already counted are not counted again)`);
  const reported = logInvalid(file, parsed, plan.stored?.reportedInvalid ?? null, log);
  const fileId = plan.stored?.id ?? insertFile(statements, file.path, plan.request.agent);
  for (const record of parsed.records) writer.write(record);
  saveFileMemory(statements, fileId, parsed, reported);
  const limitReadings = parsed.limits.length ? recordLimits(statements, parsed.limits) : 0;
  return { plan: plan.kind, bytes: parsed.bytesRead, invalidLines: parsed.invalidCount, limitReadings };
}

function describeInvalid(kind: FileKind, line: InvalidLine): string {
  if (kind === 'lines') return `${line.kind} at byte ${line.offset} skipped`;
  if (line.wholeFile) return `unreadable ${kind} skipped until it changes (${line.kind})`;
  if (line.beside) return line.kind;
  if (kind === 'sqlite') return `${line.kind} in a row: that row is left out while it stays so, the others count`;
  return `${line.kind} in entry ${line.offset}: that entry is left out while it stays so, the others count`;
}

/**
 * Logs what a read skipped. A transcript's lines are read once; a document or database is read
 * whole at every change, so of its damaged entries only those not logged at its last read are
 * logged. Returns what to remember as logged (null when nothing was skipped).
 */
function logInvalid(file: TranscriptFile, parsed: ParsedFile, reportedBefore: string | null, log: Logger): string | null {
  const whole = file.root.kind !== 'lines';
  const keys = whole ? parsed.invalid.map(reportKey) : [];
  const before = new Set(whole && reportedBefore ? reportedBefore.split('\n') : []);
  const fresh = parsed.invalid.filter((_, i) => !before.has(keys[i]!));
  for (const line of fresh) log.warn(`${file.path}: ${describeInvalid(file.root.kind, line)}`);
  if (fresh.length > 0 && parsed.invalidCount > parsed.invalid.length) log.warn(`${file.path}: ${parsed.invalidCount} invalid lines skipped in all`);
  return keys.length > 0 ? keys.join('\n') : null;
}

function reportKey(line: InvalidLine): string {
  return `${line.offset} ${line.kind}`;
}

/** What a read leaves to compare the file with next time: where it ended, and the parser's state (null for none). */
export type FileMemoryUpdate = Pick<ParsedFile, 'size' | 'mtimeMs' | 'identity' | 'headHash' | 'endOffset' | 'state'>;

export function saveFileMemory(statements: Statements, fileId: number, memory: FileMemoryUpdate, reportedInvalid: string | null = null): void {
  statements.run(
    `UPDATE source_files SET size = ?, mtime_ms = ?, identity = ?, head_hash = ?, read_offset = ?,
       parser_state = ?, reported_invalid = ?, missing = 0 WHERE id = ?`,
    [memory.size, memory.mtimeMs, memory.identity, memory.headHash, memory.endOffset,
      memory.state === null ? null : JSON.stringify(memory.state), reportedInvalid, fileId],
  );
}

function fingerprintNow(path: string, offset: number): string {
  const { fd } = openTranscript(path);
  try {
    return fingerprint(fd, offset);
  } finally {
    fs.closeSync(fd);
  }
}

function missingOrUnreadable(file: TranscriptFile, error: unknown, log: Logger): FileOutcome {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { plan: 'vanished', bytes: 0, invalidLines: 0 };
  if (error instanceof NotRegularFile) log.warn(`${error.message}; skipped`);
  else log.warn(`cannot read ${file.path}: ${(error as Error).message}; skipped`);
  return { plan: 'unreadable', bytes: 0, invalidLines: 0 };
}

/** One file's memory (for a handful of files named by the watcher). */
export function loadStoredFile(db: LedgerDb, path: string): StoredFile | undefined {
  const row = db.get<StoredFileRow>(`${SELECT_STORED_FILES} WHERE path = ?`, [path]);
  return row ? storedFile(row) : undefined;
}

/** A new `source_files` row with nothing read yet; returns its id. */
export function insertFile(statements: Statements, path: string, agent: string): number {
  const row = statements.row(
    `INSERT INTO source_files (path, agent, size, mtime_ms, identity, head_hash, read_offset) VALUES (?, ?, 0, 0, '', '', 0) RETURNING id`,
    [path, agent],
  );
  return Number(row![0]);
}

import * as fs from 'node:fs';
import type { Logger } from '../core/log';
import { billableTotal, type UsageRecord } from '../core/usage';
import type { AnyNormalizer } from '../normalizers/agent-normalizer';
import { headHash, headHashLength, identityOf } from '../sources/file-fingerprint';
import type { TranscriptFile } from '../sources/file-listing';
import { scanLines } from '../sources/line-scanner';
import { planRead, type FileMemory, type ReadPlan } from '../sources/read-plan';
import type { EventWriter } from '../store/event-writer';
import type { LedgerDb } from '../store/ledger-db';

export interface FileOutcome {
  plan: ReadPlan['kind'] | 'vanished' | 'unreadable';
  bytes: number;
  invalidLines: number;
}

interface StoredFile extends FileMemory {
  id: number;
  parserState: string | null;
}

const MAX_INVALID_LOGGED = 3;

/**
 * Reads what is new in one transcript and records its events and its new offset together,
 * in one savepoint: a failure undoes this file only.
 */
export function ingestFile(
  db: LedgerDb,
  writer: EventWriter,
  normalizer: AnyNormalizer,
  markers: readonly Buffer[],
  file: TranscriptFile,
  log: Logger,
): FileOutcome {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file.path);
  } catch (error) {
    return missingOrUnreadable(file, error, log);
  }
  const stored = loadStoredFile(db, file.path);
  const now = { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), identity: identityOf(stat) };
  if (stored && planRead(stored, now, () => stored.headHash).kind === 'unchanged') return { plan: 'unchanged', bytes: 0, invalidLines: 0 };
  let fd: number;
  try {
    fd = fs.openSync(file.path, 'r');
  } catch (error) {
    return missingOrUnreadable(file, error, log);
  }
  try {
    const plan = planRead(stored, now, () => headHash(fd, headHashLength(stored!.headHash)));
    if (plan.kind === 'unchanged') return { plan: plan.kind, bytes: 0, invalidLines: 0 };
    if (plan.kind === 'restart' && plan.reason !== 'new') {
      log.info(`${file.path} was ${plan.reason}; reading it again from the start (requests already counted are not counted again)`);
    }
    return db.savepoint('file_ingest', () => readAndRecord(db, writer, normalizer, markers, file, fd, stat, stored, plan, log));
  } finally {
    fs.closeSync(fd);
  }
}

function missingOrUnreadable(file: TranscriptFile, error: unknown, log: Logger): FileOutcome {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { plan: 'vanished', bytes: 0, invalidLines: 0 };
  log.warn(`cannot open ${file.path}: ${(error as Error).message}; skipped`);
  return { plan: 'unreadable', bytes: 0, invalidLines: 0 };
}

function readAndRecord(
  db: LedgerDb,
  writer: EventWriter,
  normalizer: AnyNormalizer,
  markers: readonly Buffer[],
  file: TranscriptFile,
  fd: number,
  stat: fs.Stats,
  stored: StoredFile | undefined,
  plan: ReadPlan,
  log: Logger,
): FileOutcome {
  const fileId = stored?.id ?? insertFile(db, file, normalizer.agent);
  const from = plan.kind === 'append' ? plan.from : 0;
  const state = plan.kind === 'append' && stored?.parserState ? JSON.parse(stored.parserState) : normalizer.initialState(file.path);
  let invalidLines = 0;
  let pending: UsageRecord | undefined;
  const scan = scanLines(fd, from, markers, (text, offset) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      if (++invalidLines <= MAX_INVALID_LOGGED) {
        log.warn(`${file.path}: invalid JSON at byte ${offset} skipped (${(error as Error).message})`);
      }
      return;
    }
    const record = normalizer.normalize(parsed, offset, state, file.path);
    if (record) pending = coalesce(pending, record, writer, fileId);
  });
  if (pending) writer.write(pending, fileId);
  if (invalidLines > MAX_INVALID_LOGGED) {
    log.warn(`${file.path}: ${invalidLines} invalid JSON lines skipped in all`);
  }
  db.run(
    `UPDATE source_files SET size = ?, mtime_ms = ?, identity = ?, head_hash = ?, read_offset = ?,
       parser_state = ?, missing = 0 WHERE id = ?`,
    [
      stat.size,
      Math.trunc(stat.mtimeMs),
      identityOf(stat),
      headHash(fd, scan.endOffset),
      scan.endOffset,
      state === null ? null : JSON.stringify(state),
      fileId,
    ],
  );
  return { plan: plan.kind, bytes: scan.bytesRead, invalidLines };
}

/**
 * A streamed message is written as consecutive lines with the same key. Folding them here
 * (the largest snapshot, first line's attributes) writes one row where the ledger would
 * write a first row and growth rows: the same sums, fewer rows. Returns the record to hold.
 */
function coalesce(pending: UsageRecord | undefined, next: UsageRecord, writer: EventWriter, fileId: number): UsageRecord {
  if (pending && pending.key === next.key && pending.sidechain === next.sidechain) {
    return billableTotal(next.tokens) > billableTotal(pending.tokens) ? { ...pending, tokens: next.tokens } : pending;
  }
  if (pending) writer.write(pending, fileId);
  return next;
}

function loadStoredFile(db: LedgerDb, path: string): StoredFile | undefined {
  const row = db.get<{
    id: number; size: number; mtime_ms: number; identity: string; head_hash: string; read_offset: number; parser_state: string | null;
  }>('SELECT id, size, mtime_ms, identity, head_hash, read_offset, parser_state FROM source_files WHERE path = ?', [path]);
  return row
    ? {
        id: row.id,
        size: row.size,
        mtimeMs: row.mtime_ms,
        identity: row.identity,
        headHash: row.head_hash,
        readOffset: row.read_offset,
        parserState: row.parser_state,
      }
    : undefined;
}

function insertFile(db: LedgerDb, file: TranscriptFile, agent: string): number {
  db.run(
    `INSERT INTO source_files (path, agent, size, mtime_ms, identity, head_hash, read_offset)
     VALUES (?, ?, 0, 0, '', '', 0)`,
    [file.path, agent],
  );
  return Number(db.scalar('SELECT last_insert_rowid()'));
}

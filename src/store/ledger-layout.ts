import * as fs from 'node:fs';
import * as path from 'node:path';
import { realPathOrSelf } from '../core/real-path';

/**
 * What lives in a ledger folder:
 * - `agent-ledger.json`    the marker: this folder is an Agent Ledger ledger (never anything else);
 * - `manifest.json`        the committed set of files; replaced by a rename, so a save is all or nothing;
 * - `manifest.prev.json`   the set before the last save (its files are kept, as their twins once sound: the last good copies);
 * - `state.g<N>.sqlite`    small state: file offsets, dimensions, marts (rewritten by every save);
 * - `events-YYYY-MM.g<N>.sqlite`  one month of usage events, by event time (rewritten only while it changes);
 * - `events-YYYY-MM.tail.g<N>.sqlite`  a month's events added since its file above was written (while few);
 * - `backup/`              a compressed twin of the files the latest saves wrote and replaced, and of the manifest;
 * - `writer.lock`          which window (or CLI) may write;
 * - `status-card.json`     today's and recent sessions' figures for the status line (no SQLite needed).
 */
const MARKER_FILE = 'agent-ledger.json';
export const MANIFEST_FILE = 'manifest.json';
export const PREVIOUS_MANIFEST_FILE = 'manifest.prev.json';
export const BACKUP_DIR = 'backup';
export const LOCK_FILE = 'writer.lock';
/** Figures for Claude Code's status line, rewritten by every commit (readers/status-card.ts). */
export const STATUS_CARD_FILE = 'status-card.json';
export const LEDGER_FORMAT = 'agent-ledger';
/** 3: a month may have a tail file (an older version would not read it). */
export const LEDGER_VERSION = 3;

/** The folder name a 0.1.0 single-file ledger (`ledger.sqlite`) is upgraded into, beside it. */
const LEGACY_SUFFIX = '.sqlite';

export function stateFileName(generation: number): string {
  return `state.g${generation}.sqlite`;
}

export function monthFileName(month: string, generation: number): string {
  return `events-${month}.g${generation}.sqlite`;
}

export function monthTailFileName(month: string, generation: number): string {
  return `events-${month}.tail.g${generation}.sqlite`;
}

const DATA_FILE = /^(state|events-\d{4}-\d{2}(\.tail)?)\.g\d+\.sqlite$/;

export function isDataFileName(name: string): boolean {
  return DATA_FILE.test(name);
}

/** A refusal to use a path: printed as one line by the CLI, exit status 1. */
export class NotALedgerError extends Error {}

export interface LedgerLocation {
  /** The ledger folder (created when missing). */
  dir: string;
  /** A 0.1.0 single-file ledger to upgrade from, when the folder has no ledger yet. */
  legacyFile?: string;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * Decides where the ledger lives for a user-given path, following symbolic links, and never
 * choosing a file or folder that holds something else:
 * - a missing path or an empty folder becomes a new ledger folder;
 * - a folder with the marker is a ledger;
 * - a 0.1.0 ledger file `X.sqlite` is upgraded into the folder `X` beside it (and left as it was);
 * - anything else is refused.
 */
export function resolveLedgerLocation(given: string): LedgerLocation {
  const target = realPathOrSelf(path.resolve(given));
  const stat = statOrUndefined(target);
  if (stat?.isFile()) {
    if (!isLegacyLedgerFile(target)) throw new NotALedgerError(`${given} is a file that is not an Agent Ledger ledger; refusing to touch it`);
    const dir = target.endsWith(LEGACY_SUFFIX) ? target.slice(0, -LEGACY_SUFFIX.length) : `${target}.ledger`;
    checkFolder(dir, dir);
    return { dir, legacyFile: target };
  }
  if (stat && !stat.isDirectory()) throw new NotALedgerError(`${given} is not a regular file or folder; refusing to use it`);
  checkFolder(target, given);
  const legacy = `${target}${LEGACY_SUFFIX}`;
  return isLegacyLedgerFile(legacy) ? { dir: target, legacyFile: legacy } : { dir: target };
}

function checkFolder(dir: string, given: string): void {
  const stat = statOrUndefined(dir);
  if (!stat) return;
  if (!stat.isDirectory()) throw new NotALedgerError(`${given} exists and is not a folder; refusing to touch it`);
  const entries = fs.readdirSync(dir);
  if (entries.length > 0 && !entries.includes(MARKER_FILE)) {
    throw new NotALedgerError(`${given} is a folder that is not an Agent Ledger ledger (no ${MARKER_FILE}); refusing to write into it`);
  }
}

/** Creates the folder and its marker (idempotent). */
export function claimLedgerFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const marker = path.join(dir, MARKER_FILE);
  if (!fs.existsSync(marker)) {
    fs.writeFileSync(marker, `${JSON.stringify({ format: LEDGER_FORMAT, version: LEDGER_VERSION, created: new Date().toISOString() }, null, 2)}\n`);
  }
}

/** A SQLite file with the 0.1.0 ledger's tables (checked on the bytes of its schema, without opening it). */
function isLegacyLedgerFile(file: string): boolean {
  let bytes: Buffer;
  try {
    if (!fs.statSync(file).isFile()) return false;
    const fd = fs.openSync(file, 'r');
    try {
      bytes = Buffer.alloc(64 * 1024);
      bytes = bytes.subarray(0, fs.readSync(fd, bytes, 0, bytes.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  const text = bytes.toString('latin1');
  return text.startsWith(SQLITE_HEADER) && text.includes('request_ledger') && text.includes('usage_events');
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

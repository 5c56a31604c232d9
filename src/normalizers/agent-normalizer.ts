import type { LimitSnapshot } from '../core/limits';
import type { AgentId, AliasGroup, UsageRecord } from '../core/usage';
import type { LimitSource } from './limit-source';

/**
 * Where an agent keeps append-only `*.jsonl` transcripts: the short form for agents whose
 * files are all of that kind (an agent with other kinds declares `fileSets` instead).
 */
export interface TranscriptLayout {
  /** Environment variable holding a comma-separated list of roots (`~` expanded). */
  envVar: string;
  /** Roots used when the variable is unset, relative to the home directory. */
  defaultRoots: string[];
  /** Folders under a root that hold `*.jsonl` transcripts, searched recursively. */
  transcriptDirs: string[];
}

/**
 * How an agent's files grow, which decides how they are read:
 * - `lines`: append-only JSON lines, tailed from the byte offset where the last read stopped;
 * - `document`: one JSON document rewritten whole, read again when its (size, mtime) changes;
 * - `sqlite`: a SQLite database (with its `-wal`), opened read-only when either changes.
 */
export type FileKind = 'lines' | 'document' | 'sqlite';

/** Where the roots of a file set come from, in order: explicit roots, then `env`, then `home`/`editorStorage`. */
export interface RootRule {
  /** Environment variables holding roots (comma lists, `~` expanded); the first one set replaces the defaults.
   *  `dirs`, when given, replaces the file set's folders for roots from that variable. */
  env?: readonly { name: string; dirs?: readonly string[] }[];
  /** Default roots relative to the home folder (`''` is the home folder itself). */
  home?: readonly string[];
  /** The editors' globalStorage folders are default roots (VS Code extensions' task stores). */
  editorStorage?: boolean;
  /** Folders under a root given by the user (`--<agent>-dir`, `extraRoots`), when not the set's `dirs`. */
  userDirs?: readonly string[];
}

interface FileSetBase {
  /** Folders under a root that hold the files, searched recursively (`''`: the root itself). */
  dirs: readonly string[];
  roots: RootRule;
  /** Which files belong, tested on the path relative to its folder with `/` separators. */
  match: RegExp;
  /** How many folders deep files may sit below a folder (unbounded when absent). */
  maxDepth?: number;
}

export interface LineFileSet extends FileSetBase {
  kind: 'lines';
}

/** What a whole-document reader hands its file set, besides the parsed JSON. */
export interface DocumentInput {
  path: string;
  /** The text of each sidecar file named by the file set (undefined when absent). */
  sidecars: Readonly<Record<string, string | undefined>>;
  /** What the previous read of this file returned as `state` (undefined the first time). */
  state: unknown;
}

/** A damaged entry of a whole document or database: its index and what is wrong (never its content). */
export interface InvalidItem {
  offset: number;
  kind: string;
}

export interface DocumentRead {
  records: UsageRecord[];
  /** Entries left out as damaged (see `eachSound`). */
  invalid?: InvalidItem[];
  /** Plain JSON kept with the file for its next read (what was counted, when the next read needs it). */
  state?: unknown;
}

export interface DocumentFileSet extends FileSetBase {
  kind: 'document';
  /** Names of the files beside a document whose text its records depend on (read with it, never alone). */
  sidecars?(documentPath: string): readonly string[];
  /** Every usage record of the document. Pure. */
  read(document: unknown, input: DocumentInput): DocumentRead;
}

export interface SqliteFileSet extends FileSetBase {
  kind: 'sqlite';
  /**
   * Queries tried in order until one runs (schemas differ across versions). `$since` is bound
   * to the watermark returned by the previous read (0 at first), so only changed rows return.
   */
  queries: readonly string[];
  /** One row to a usage record, or undefined when it carries no usage. Pure. */
  readRow(row: Readonly<Record<string, unknown>>, dbPath: string): UsageRecord | undefined;
  /** The row's watermark value (e.g. its update time); the next read asks for rows at or after the largest. */
  watermark(row: Readonly<Record<string, unknown>>): number;
  /** The row's own id: a damaged row is then said once, wherever it falls among the rows a read returns. */
  rowId?(row: Readonly<Record<string, unknown>>): string | undefined;
}

export type FileSet = LineFileSet | DocumentFileSet | SqliteFileSet;

/**
 * Turns one agent's transcript lines into usage records. Pure: no I/O, no clock.
 * `State` is the per-file memory a normalizer needs between lines (plain JSON, persisted
 * with the file's offset so that tailing resumes exactly where it stopped).
 */
export interface AgentNormalizer<State = unknown> {
  readonly agent: AgentId;
  /** The name users know the agent by (status bar, panel, CLI help). */
  readonly label: string;
  /** Its colour in the panel: one of the panel's palette classes (`c-orange`, `c-blue`, …). */
  readonly colour?: string;
  /** Append-only JSONL transcripts only: where they are. */
  readonly layout?: TranscriptLayout;
  /** Every family of files the agent writes (takes precedence over `layout`). */
  readonly fileSets?: readonly FileSet[];
  /** What `--<agent>-dir` and the `extraRoots` setting take, for help texts. */
  readonly rootHint?: string;
  /** A line containing none of these byte strings cannot carry usage and is never parsed. */
  readonly markers: readonly string[];
  /** Reading order within a root: lower first (parents before their sub-agents, live before archived). */
  fileRank(relativePath: string): number;
  initialState(filePath: string): State;
  /** The alias group of a request key stored by Agent Ledger 0.1.0 (which kept keys, not groups). */
  legacyAlias?(key: string, replica: boolean): AliasGroup | undefined;
  /**
   * One parsed JSON line to a usage record, or undefined when the line carries no new usage.
   * Throws `RejectedLine` for a line that must not be counted (it is skipped and logged), and
   * then leaves `state` as it was.
   */
  normalize(line: unknown, offset: number, state: State, filePath: string): UsageRecord | undefined;
  /**
   * Quota readings one parsed line carries (optional: few agents write any). Called on the
   * same lines as `normalize`, so a line that holds limits must contain one of the markers.
   */
  readLimits?(line: unknown, state: State): LimitSnapshot[] | undefined;
  /**
   * With `readLimits`: how users are told where the readings are, `name` then `how`
   * (`Codex` + `writes them into its rollouts`). Without it, the label and "writes them into its transcripts".
   */
  readonly limitsHint?: { readonly name: string; readonly how: string };
  /** An agent whose status-line command is handed its quota: `agent-ledger statusline` serves it. */
  readonly statusLine?: StatusLineSupport;
}

/** What one status-line input (the agent's JSON on stdin) tells the line. */
export interface StatusLineReading {
  sessionId?: string;
  model?: string;
  contextPercent?: number;
  /** Quota windows of this input (fresh, preferred over the ledger's). */
  limits: LimitSnapshot[];
  /** The quota part of the input as the agent sent it, for the journal (`journal.entry`). */
  quota?: unknown;
}

/**
 * Everything agent-specific about serving an agent's status line: where its settings file is,
 * the setting that names the command, the shape of its input, and the journal its readings go to.
 */
export interface StatusLineSupport {
  /** The settings file that holds the status-line setting. Pure: the environment and home folder are given. */
  settingsPath(env: Readonly<Record<string, string | undefined>>, home: string): string;
  /** The top-level key of that file holding the status line. */
  readonly settingKey: string;
  /** Its value for a command (the agent runs it through a POSIX shell). */
  settingValue(command: string): unknown;
  /** The command a value of the setting runs (undefined: not a command). */
  commandOf(value: unknown): string | undefined;
  /** The parts of one input the line uses (any JSON value, or undefined when the input was not JSON). */
  readInput(json: unknown, now: number): StatusLineReading;
  /** The file in the ledger's folder the status line appends readings to (read back by the writer). */
  readonly journal: LimitSource;
}

export type AnyNormalizer = AgentNormalizer<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Safe field access on parsed JSON. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A line that parses but must not be counted; `kind` says why in a few words, never quoting the line. */
export class RejectedLine extends Error {
  constructor(readonly kind: string) {
    super(kind);
    this.name = 'RejectedLine';
  }
}

/** No single request comes near this many tokens of one kind; a count beyond it is damage. */
export const MAX_TOKENS_PER_REQUEST = 1e10;

/**
 * A token count of one request: absent (or null) is 0; a non-negative safe integer below
 * `limit` is itself; anything else (huge, negative, fractional, a string) rejects the line,
 * since clamping would count a guess.
 */
export function tokenCount(value: unknown, limit = MAX_TOKENS_PER_REQUEST): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < limit) return value;
  throw new RejectedLine('token count out of range');
}

/** Usage from before this or from this on is damage, not history (and has no month file name). */
const EARLIEST_USAGE_MS = Date.UTC(2000, 0, 1);
const LATEST_USAGE_MS = Date.UTC(2100, 0, 1);

/** The time of a usage record: a line that carries usage without a sound time is rejected, never dropped silently. */
export function usageTime(ms: number | undefined): number {
  if (ms === undefined) throw new RejectedLine('missing or invalid timestamp');
  if (ms < EARLIEST_USAGE_MS || ms >= LATEST_USAGE_MS) throw new RejectedLine('timestamp out of range');
  return ms;
}

/**
 * Maps the items of a whole document (or a database's rows): an item whose data is damaged
 * (`RejectedLine`) is left out and noted in `invalid` by its index, and the others still count.
 */
export function eachSound<T, R>(
  items: readonly T[],
  read: (item: T, index: number) => R | undefined,
  invalid: InvalidItem[],
  offsetOf: (item: T, index: number) => number = (_item, index) => index,
): R[] {
  const out: R[] = [];
  items.forEach((item, index) => {
    try {
      const result = read(item, index);
      if (result !== undefined) out.push(result);
    } catch (error) {
      if (!(error instanceof RejectedLine)) throw error;
      invalid.push({ offset: offsetOf(item, index), kind: error.kind });
    }
  });
  return out;
}

export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The file sets of an agent: declared ones, or its JSONL layout as one `lines` set. */
export function fileSetsOf(normalizer: AnyNormalizer): readonly FileSet[] {
  if (normalizer.fileSets) return normalizer.fileSets;
  const layout = normalizer.layout;
  if (!layout) return [];
  return [{
    kind: 'lines',
    dirs: layout.transcriptDirs,
    roots: { env: [{ name: layout.envVar }], home: layout.defaultRoots },
    match: /\.jsonl$/,
  }];
}

/** The line-reading members of a normalizer that has no `lines` file set. */
export const NO_LINES = {
  markers: [] as readonly string[],
  fileRank: (): number => 0,
  initialState: (): null => null,
  normalize: (): undefined => undefined,
};

/** Finite non-negative number (a cost), else undefined. */
export function asUsd(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Epoch milliseconds from a number (ms) or an ISO string. */
export function parseEpochOrIso(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.trunc(value);
  return parseTimestamp(value);
}

/** Epoch milliseconds from a number in seconds or milliseconds (told apart by size), or an ISO string. */
export function parseEpochSecondsOrMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value < 1e11 ? value * 1000 : value;
  return parseTimestamp(value);
}

/** The name of the folder just above `folder` in a file's path (an agent's per-project folder), else 'unknown'. */
export function folderAbove(filePath: string, folder: string): string {
  const parts = filePath.split(/[\\/]/);
  const at = parts.lastIndexOf(folder);
  return at > 0 ? parts[at - 1]! : 'unknown';
}

import type { AgentId, UsageRecord } from '../core/usage';

/** Where an agent keeps its transcripts, as data the sources layer interprets. */
export interface TranscriptLayout {
  /** Environment variable holding a comma-separated list of roots (`~` expanded). */
  envVar: string;
  /** Roots used when the variable is unset, relative to the home directory. */
  defaultRoots: string[];
  /** Folders under a root that hold `*.jsonl` transcripts, searched recursively. */
  transcriptDirs: string[];
}

/**
 * Turns one agent's transcript lines into usage records. Pure: no I/O, no clock.
 * `State` is the per-file memory a normalizer needs between lines (plain JSON, persisted
 * with the file's offset so that tailing resumes exactly where it stopped).
 */
export interface AgentNormalizer<State = unknown> {
  readonly agent: AgentId;
  readonly label: string;
  readonly layout: TranscriptLayout;
  /** A line containing none of these byte strings cannot carry usage and is never parsed. */
  readonly markers: readonly string[];
  /** Reading order within a root: lower first (parents before their sub-agents, live before archived). */
  fileRank(relativePath: string): number;
  initialState(filePath: string): State;
  /**
   * One parsed JSON line to a usage record, or undefined when the line carries no new usage.
   * Throws `RejectedLine` for a line that must not be counted (it is skipped and logged), and
   * then leaves `state` as it was.
   */
  normalize(line: unknown, offset: number, state: State, filePath: string): UsageRecord | undefined;
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

export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

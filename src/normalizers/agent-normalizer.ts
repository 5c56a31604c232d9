import type { LimitSnapshot } from '../core/limits';
import type { AgentId, AliasGroup, UsageRecord } from '../core/usage';

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
  /** The alias group of a request key stored by Agent Ledger 0.1.0 (which kept keys, not groups). */
  legacyAlias?(key: string, replica: boolean): AliasGroup | undefined;
  /** One parsed JSON line to a usage record, or undefined when the line carries no new usage. */
  normalize(line: unknown, offset: number, state: State, filePath: string): UsageRecord | undefined;
  /**
   * Quota readings one parsed line carries (optional: few agents write any). Called on the
   * same lines as `normalize`, so a line that holds limits must contain one of the markers.
   */
  readLimits?(line: unknown, state: State): LimitSnapshot[] | undefined;
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

/** A token count: a non-negative finite integer, else 0. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

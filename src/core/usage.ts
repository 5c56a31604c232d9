/** An agent's id as its normalizer declares it (`claude`, `codex`, …); the registry lists them. */
export type AgentId = string;

export type Speed = 'standard' | 'fast';

/** Token counts of one request, by kind. `input` is always the non-cached part. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** Informational: already inside `output`, never priced again. */
  reasoning: number;
}

/**
 * What the store does when a request it has counted is seen again (same `key`, in any file):
 * - `largest`: keep the snapshot with the most billable tokens (streamed lines that grow);
 * - `last`: the newest copy replaces the counted one when it differs (records updated in place);
 * - `once`: the first copy counts, every later copy is a duplicate (replays, branch copies).
 */
export type RepeatRule = 'largest' | 'last' | 'once';

/**
 * Copies of one request that carry different keys (Claude's sub-agent files replay a parent's
 * message under a new request id). Records sharing a `group` are one request: a primary copy
 * wins over replicas, and a replica counted before its primary arrived is withdrawn then.
 */
export interface AliasGroup {
  group: string;
  primary: boolean;
  /**
   * When copies may carry new times (a fork copying its parent's history), the earliest time an
   * earlier copy can have (epoch ms): the store looks for the group from that month on, not only
   * around the record's own time.
   */
  since?: number;
}

/** Record flags, stored with the event. */
export const RecordFlag = {
  /** The model was not in the source and a default was assumed. */
  ModelFallback: 1,
  /** The source marks these counts as estimated by the agent. */
  Estimated: 2,
} as const;

/**
 * One usage snapshot read from an agent's files, before deduplication.
 * Plain data: normalizers produce it, the store's event writer consumes it.
 */
export interface UsageRecord {
  agent: AgentId;
  /** Global identity of the request: the same key in any file is the same request. */
  key: string;
  repeat: RepeatRule;
  alias?: AliasGroup;
  sessionId: string;
  project: string;
  model: string;
  /** Bit set of `RecordFlag`. */
  flags: number;
  speed: Speed;
  /** Epoch milliseconds, UTC. */
  ts: number;
  tokens: TokenCounts;
  /** The cost the agent itself recorded, in USD, when it did (shown as "reported"; we price from the table). */
  reportedCostUsd?: number;
  /** Byte offset of the line in its file, or the record's index in a whole-document file (provenance). */
  offset: number;
}

const TOKEN_KINDS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'reasoning'] as const;

/** Total billable tokens as ccusage counts them: the four priced kinds, reasoning excluded. */
export function billableTotal(t: TokenCounts): number {
  return t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
}

export function sameTokens(a: TokenCounts, b: TokenCounts): boolean {
  return TOKEN_KINDS.every((kind) => a[kind] === b[kind]);
}

/** The agents Agent Ledger knows. A new agent adds its id here and one normalizer file. */
export type AgentId = 'claude' | 'codex';

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
 * One usage snapshot read from a transcript line, before deduplication.
 * Plain data: normalizers produce it, the store's event writer consumes it.
 */
export interface UsageRecord {
  agent: AgentId;
  /** Global identity of the request: the same key in any file is the same request. */
  key: string;
  /** Claude only: the message id, for the sidechain-replay rule. */
  messageId: string | undefined;
  sidechain: boolean;
  sessionId: string;
  project: string;
  model: string;
  /** True when the model was not in the transcript and a default was assumed. */
  modelFallback: boolean;
  speed: Speed;
  /** Epoch milliseconds, UTC. */
  ts: number;
  tokens: TokenCounts;
  /** Byte offset of the line in its file (provenance). */
  offset: number;
}

export function zeroTokens(): TokenCounts {
  return { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, reasoning: 0 };
}

export const TOKEN_KINDS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'reasoning'] as const;

/** Total billable tokens as ccusage counts them: the four priced kinds, reasoning excluded. */
export function billableTotal(t: TokenCounts): number {
  return t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
}

/**
 * 5-hour blocks, ccusage's local estimate of Claude's 5-hour windows, with its semantics: a
 * block starts at its first request's hour (UTC); a request more than 5 hours after the block's
 * start, or more than 5 hours after the previous request, starts a new block; a gap longer than
 * 5 hours gets a gap block from (last request + 5 h) to the next request. Pure: no I/O.
 */

export const BLOCK_MS = 5 * 3600_000;
const HOUR_MS = 3600_000;

/** One request (all its rows summed), as blocks need it. */
export interface BlockEntry {
  ts: number;
  model: string;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  costUsd: number;
}

export interface BlockTokens {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

export interface SessionBlock {
  startTime: number;
  endTime: number;
  /** The last request's time; undefined for a gap. */
  actualEndTime: number | undefined;
  /** The first request's time; undefined for a gap. */
  firstTime: number | undefined;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  tokens: BlockTokens;
  costUsd: number;
  /** In order of first use. */
  models: string[];
}

export interface BurnRate {
  tokensPerMinute: number;
  /** Input and output only (ccusage's indicator threshold). */
  tokensPerMinuteForIndicator: number;
  costPerHour: number;
}

export interface Projection {
  totalTokens: number;
  totalCost: number;
  remainingMinutes: number;
}

/** Entries must be sorted by time. */
export function identifyBlocks(entries: readonly BlockEntry[], now: number, durationMs = BLOCK_MS): SessionBlock[] {
  const blocks: SessionBlock[] = [];
  let current: BlockEntry[] = [];
  let start = 0;
  for (const entry of entries) {
    const last = current[current.length - 1];
    if (last && (entry.ts - start > durationMs || entry.ts - last.ts > durationMs)) {
      blocks.push(block(start, current, now, durationMs));
      if (entry.ts - last.ts > durationMs) blocks.push(gap(last.ts + durationMs, entry.ts));
      current = [];
    }
    if (current.length === 0) start = Math.floor(entry.ts / HOUR_MS) * HOUR_MS;
    current.push(entry);
  }
  if (current.length) blocks.push(block(start, current, now, durationMs));
  return blocks;
}

export function blockTotalTokens(t: BlockTokens): number {
  return t.inputTokens + t.outputTokens + t.cacheCreationInputTokens + t.cacheReadInputTokens;
}

/** Tokens per minute and dollars per hour from the first request to the last; none for a single instant. */
export function burnRate(b: SessionBlock): BurnRate | undefined {
  if (b.isGap || b.firstTime === undefined || b.actualEndTime === undefined) return undefined;
  const minutes = (b.actualEndTime - b.firstTime) / 60_000;
  if (minutes <= 0) return undefined;
  return {
    tokensPerMinute: blockTotalTokens(b.tokens) / minutes,
    tokensPerMinuteForIndicator: (b.tokens.inputTokens + b.tokens.outputTokens) / minutes,
    costPerHour: (b.costUsd / minutes) * 60,
  };
}

/** Where an active block ends up at its current burn rate (ccusage rounds cost to cents). */
export function projectBlock(b: SessionBlock, now: number): Projection | undefined {
  const rate = b.isActive ? burnRate(b) : undefined;
  if (!rate) return undefined;
  // ccusage 20.0.24 projects over the whole minutes it prints, so the three figures agree.
  const remainingMinutes = Math.round(Math.max(0, (b.endTime - now) / 60_000));
  return {
    totalTokens: Math.round(blockTotalTokens(b.tokens) + rate.tokensPerMinute * remainingMinutes),
    totalCost: Math.round((b.costUsd + (rate.costPerHour / 60) * remainingMinutes) * 100) / 100,
    remainingMinutes,
  };
}

/** ccusage's `--recent`: blocks that started in the last `days` days, and the active ones. */
export function recentBlocks(blocks: readonly SessionBlock[], now: number, days = 3): SessionBlock[] {
  const cutoff = now - days * 86_400_000;
  return blocks.filter((b) => b.startTime >= cutoff || b.isActive);
}

function block(startTime: number, entries: readonly BlockEntry[], now: number, durationMs: number): SessionBlock {
  const endTime = startTime + durationMs;
  const last = entries[entries.length - 1]!.ts;
  const tokens: BlockTokens = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
  const models = new Set<string>();
  let costUsd = 0;
  for (const e of entries) {
    tokens.inputTokens += e.input;
    tokens.outputTokens += e.output;
    tokens.cacheCreationInputTokens += e.cacheCreation;
    tokens.cacheReadInputTokens += e.cacheRead;
    costUsd += e.costUsd;
    models.add(e.model);
  }
  return {
    startTime, endTime, actualEndTime: last, firstTime: entries[0]!.ts,
    isActive: now - last < durationMs && now < endTime, isGap: false,
    entries: entries.length, tokens, costUsd, models: [...models],
  };
}

function gap(startTime: number, endTime: number): SessionBlock {
  return {
    startTime, endTime, actualEndTime: undefined, firstTime: undefined, isActive: false, isGap: true, entries: 0,
    tokens: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 }, costUsd: 0, models: [],
  };
}

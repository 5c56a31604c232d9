import { blockTotalTokens, burnRate, projectBlock, type SessionBlock } from './session-blocks';

/** One block in ccusage's `claude blocks --json` shape (20.0.x; keys in its order). */
export interface CcusageBlock {
  actualEndTime: string | null;
  burnRate: { costPerHour: number; tokensPerMinute: number; tokensPerMinuteForIndicator: number } | null;
  costUSD: number;
  endTime: string;
  entries: number;
  id: string;
  isActive: boolean;
  isGap: boolean;
  models: string[];
  projection: { remainingMinutes: number; totalCost: number; totalTokens: number } | null;
  startTime: string;
  tokenCounts: { cacheCreationInputTokens: number; cacheReadInputTokens: number; inputTokens: number; outputTokens: number };
  totalTokens: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** ccusage reports burn rate and projection for the active block only. */
export function toCcusageBlock(b: SessionBlock, now: number): CcusageBlock {
  const rate = b.isActive ? burnRate(b) : undefined;
  const projection = projectBlock(b, now);
  return {
    actualEndTime: b.actualEndTime === undefined ? null : iso(b.actualEndTime),
    burnRate: rate ? { costPerHour: rate.costPerHour, tokensPerMinute: rate.tokensPerMinute, tokensPerMinuteForIndicator: rate.tokensPerMinuteForIndicator } : null,
    costUSD: b.costUsd,
    endTime: iso(b.endTime),
    entries: b.entries,
    id: b.isGap ? `gap-${iso(b.startTime)}` : iso(b.startTime),
    isActive: b.isActive,
    isGap: b.isGap,
    models: b.models,
    projection: projection ? { remainingMinutes: projection.remainingMinutes, totalCost: projection.totalCost, totalTokens: projection.totalTokens } : null,
    startTime: iso(b.startTime),
    tokenCounts: {
      cacheCreationInputTokens: b.tokens.cacheCreationInputTokens,
      cacheReadInputTokens: b.tokens.cacheReadInputTokens,
      inputTokens: b.tokens.inputTokens,
      outputTokens: b.tokens.outputTokens,
    },
    totalTokens: blockTotalTokens(b.tokens),
  };
}

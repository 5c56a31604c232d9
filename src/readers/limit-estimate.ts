import { FIVE_HOUR_MINUTES, type LimitSnapshot } from '../core/limits';
import type { AgentId } from '../core/usage';
import type { Ledger } from '../store/ledger';
import { chainedBlockEntries } from './block-events';
import { blockTotalTokens, identifyBlocks, type SessionBlock } from './session-blocks';

export interface BlockEstimate {
  active: SessionBlock;
  /** The largest block of the look-back: the stand-in for the unknown quota (ccusage's `--token-limit max`). */
  largestTokens: number;
  snapshot: LimitSnapshot | undefined;
}

const LOOK_BACK_DAYS = 30;

/**
 * An agent's active 5-hour block, and how full it is against the largest block of the last
 * 30 days: the estimate shown when the provider gives no official figure.
 */
export function blockEstimate(ledger: Ledger, agent: AgentId, now: number): BlockEstimate | undefined {
  const blocks = identifyBlocks(chainedBlockEntries(ledger, now - LOOK_BACK_DAYS * 86_400_000, agent), now);
  const active = blocks.find((b) => b.isActive);
  if (!active) return undefined;
  const largestTokens = Math.max(0, ...blocks.filter((b) => !b.isGap && !b.isActive).map((b) => blockTotalTokens(b.tokens)));
  const used = blockTotalTokens(active.tokens);
  const snapshot: LimitSnapshot | undefined = largestTokens > 0
    ? {
        agent, limitId: 'estimate', windowMinutes: FIVE_HOUR_MINUTES, usedPercent: Math.min(100, (100 * used) / largestTokens),
        resetsAt: active.endTime, observedAt: active.actualEndTime ?? now, source: 'estimate',
      }
    : undefined;
  return { active, largestTokens, snapshot };
}

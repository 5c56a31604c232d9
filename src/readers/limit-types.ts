import type { PaceLevel } from '../core/limit-pace';
import type { LimitSource } from '../core/limits';

/** One quota window as the editor shows it: its reading, its pace, and how it filled. */
export interface LimitWindowView {
  agent: string;
  limitId: string;
  windowMinutes: number;
  /** `5h`, `weekly`, … */
  label: string;
  usedPercent: number;
  resetsAt: number;
  observedAt: number;
  source: LimitSource;
  planType?: string;
  expectedPercent: number;
  runOutAt?: number;
  level: PaceLevel;
  stale: boolean;
  /** Readings of the current window instance, oldest first (epoch ms, percent). */
  history: [number, number][];
}

/** The active 5-hour block of an agent (ccusage's estimate) and its burn rate. */
export interface BlockView {
  agent: string;
  startTime: number;
  endTime: number;
  totalTokens: number;
  costUsd: number;
  tokensPerMinute?: number;
  costPerHour?: number;
  projectedCost?: number;
  projectedTokens?: number;
}

export interface LimitsView {
  windows: LimitWindowView[];
  /** The active block of each agent that has one. */
  blocks: BlockView[];
  /** The window the status bar shows (index into `windows`), if any. */
  tightest?: number;
}

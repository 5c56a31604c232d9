import type { AgentId } from './usage';

/** Where a quota figure comes from: the provider itself, or our 5-hour-block estimate. */
export type LimitSource = 'official' | 'estimate';

/**
 * One reading of one quota window: how full it was at `observedAt`, and when it resets.
 * Codex writes these into its rollouts; Claude Code hands them to its status line.
 */
export interface LimitSnapshot {
  agent: AgentId;
  /** The provider's name for the limit (`codex`, `claude`); windows of one limit differ by length. */
  limitId: string;
  /** The window's length: about 300 for the 5-hour window, 10080 for the weekly one. */
  windowMinutes: number;
  /** 0–100. */
  usedPercent: number;
  /** Epoch ms. */
  resetsAt: number;
  /** Epoch ms of the event that carried the figure. */
  observedAt: number;
  source: LimitSource;
  planType?: string;
}

export const FIVE_HOUR_MINUTES = 300;
export const WEEK_MINUTES = 10_080;

export type WindowKind = '5h' | 'weekly' | 'other';

/** Classifies a window by its length, never by the slot it came in (plans differ). */
export function windowKind(minutes: number): WindowKind {
  if (Math.abs(minutes - FIVE_HOUR_MINUTES) <= 30) return '5h';
  if (Math.abs(minutes - WEEK_MINUTES) <= 24 * 60) return 'weekly';
  return 'other';
}

/** A short label: `5h`, `weekly`, or the length (`90m`, `2d`). */
export function windowLabel(minutes: number): string {
  const kind = windowKind(minutes);
  if (kind !== 'other') return kind;
  return minutes % 1440 === 0 ? `${minutes / 1440}d` : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/**
 * Two readings belong to the same window instance when their reset times are close
 * (relative reset times jitter by seconds from one event to the next).
 */
export function sameWindowInstance(a: number, b: number): boolean {
  return Math.abs(a - b) < 10 * 60_000;
}

/** The identity of a window across its readings. */
export function windowKey(s: Pick<LimitSnapshot, 'agent' | 'limitId' | 'windowMinutes'>): string {
  return `${s.agent}|${s.limitId}|${s.windowMinutes}`;
}

/** A percentage as read from JSON: finite and within 0–100, else undefined. */
export function percentOf(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(100, Math.max(0, value));
}

/**
 * Drops readings that repeat the previous one of the same window (same percentage, same
 * instance), keeping each window's last reading: what the history keeps, found early.
 */
export function compactReadings(readings: readonly LimitSnapshot[]): LimitSnapshot[] {
  const lastIndex = new Map<string, number>();
  readings.forEach((r, i) => lastIndex.set(windowKey(r), i));
  const previous = new Map<string, LimitSnapshot>();
  return readings.filter((r, i) => {
    const key = windowKey(r);
    const before = previous.get(key);
    previous.set(key, r);
    const repeat = before !== undefined && before.usedPercent === r.usedPercent && sameWindowInstance(before.resetsAt, r.resetsAt);
    return !repeat || lastIndex.get(key) === i;
  });
}

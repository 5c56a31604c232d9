import type { LimitSnapshot } from './limits';

export type PaceLevel = 'ok' | 'warning' | 'error';

export interface Thresholds {
  /** Percent used from which a window is a warning (and notified). */
  warnAt: number;
  /** Percent used from which a window is an error (and notified again). */
  criticalAt: number;
}

export interface WindowPace {
  /** Where use would be now if it were spread evenly over the window (0–100). */
  expectedPercent: number;
  /** When the window runs full at the pace seen so far; undefined when pace says it will not before the reset. */
  runOutAt: number | undefined;
  level: PaceLevel;
  /** The reading predates the window's reset: its current use is unknown. */
  stale: boolean;
}

/** Pace needs some of the window behind it, and some use, to mean anything. */
const MIN_ELAPSED = 0.1;
const MIN_USED = 10;

/**
 * The window's pace: expected use at this point (even spread) against actual use, and when
 * it runs out if use goes on at the same rate from the window's start.
 */
export function windowPace(w: LimitSnapshot, now: number, t: Thresholds): WindowPace {
  const length = w.windowMinutes * 60_000;
  const start = w.resetsAt - length;
  const stale = w.resetsAt <= now;
  const expectedPercent = Math.min(100, Math.max(0, (100 * (now - start)) / length));
  const elapsedAtReading = (w.observedAt - start) / length;
  let runOutAt: number | undefined;
  if (!stale && elapsedAtReading >= MIN_ELAPSED && w.usedPercent >= MIN_USED) {
    const at = start + (100 / w.usedPercent) * (w.observedAt - start);
    if (at < w.resetsAt) runOutAt = Math.max(at, w.observedAt);
  }
  if (!stale && w.usedPercent >= 100) runOutAt = w.observedAt;
  const level: PaceLevel = stale ? 'ok'
    : w.usedPercent >= t.criticalAt || (runOutAt !== undefined && w.usedPercent >= t.warnAt) ? 'error'
    : w.usedPercent >= t.warnAt || runOutAt !== undefined ? 'warning' : 'ok';
  return { expectedPercent, runOutAt, level, stale };
}

/** The window closest to running out: official, not reset since its reading, the fullest (then the shortest). */
export function tightestWindow(windows: readonly LimitSnapshot[], now: number): LimitSnapshot | undefined {
  return windows
    .filter((w) => w.source === 'official' && w.resetsAt > now)
    .sort((a, b) => b.usedPercent - a.usedPercent || a.windowMinutes - b.windowMinutes)[0];
}

export function worseLevel(a: PaceLevel, b: PaceLevel): PaceLevel {
  const rank = { ok: 0, warning: 1, error: 2 };
  return rank[a] >= rank[b] ? a : b;
}

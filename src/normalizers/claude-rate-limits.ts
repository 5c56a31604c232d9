import { FIVE_HOUR_MINUTES, percentOf, WEEK_MINUTES, type LimitSnapshot } from '../core/limits';
import { asObject, parseEpochSecondsOrMs } from './agent-normalizer';

/** Claude Code's status-line `rate_limits` keys and their window lengths. */
const WINDOWS: readonly [string, number][] = [['five_hour', FIVE_HOUR_MINUTES], ['seven_day', WEEK_MINUTES]];

/** The windows of a `rate_limits` object (`{five_hour|seven_day: {used_percentage, resets_at (epoch s)}}`). */
export function claudeRateLimits(value: unknown, observedAt: number): LimitSnapshot[] {
  const limits = asObject(value);
  if (!limits) return [];
  const out: LimitSnapshot[] = [];
  for (const [key, windowMinutes] of WINDOWS) {
    const w = asObject(limits[key]);
    const usedPercent = percentOf(w?.used_percentage);
    const resetsAt = parseEpochSecondsOrMs(w?.resets_at);
    if (usedPercent === undefined || resetsAt === undefined) continue;
    out.push({ agent: 'claude', limitId: 'claude', windowMinutes, usedPercent, resetsAt, observedAt, source: 'official' });
  }
  return out;
}

/** Only the figures we keep, in Claude's own shape: what the status line journals. */
export function keptRateLimits(value: unknown): Record<string, { used_percentage: number; resets_at: number }> | undefined {
  const kept: Record<string, { used_percentage: number; resets_at: number }> = {};
  for (const s of claudeRateLimits(value, 0)) {
    kept[s.windowMinutes === FIVE_HOUR_MINUTES ? 'five_hour' : 'seven_day'] = { used_percentage: s.usedPercent, resets_at: s.resetsAt / 1000 };
  }
  return Object.keys(kept).length ? kept : undefined;
}

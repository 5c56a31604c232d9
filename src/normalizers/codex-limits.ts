import { percentOf, type LimitSnapshot } from '../core/limits';
import { asObject, asString, parseEpochSecondsOrMs, parseTimestamp } from './agent-normalizer';

/**
 * Codex's quota readings: `event_msg` → `token_count` → `payload.rate_limits`, also on events
 * whose `info` is null. Each of `primary`/`secondary` is `{used_percent, window_minutes,
 * resets_at (epoch s)}`, or `resets_in_seconds` (from the event's time) in older rollouts.
 * Which slot holds which window depends on the plan, so the slot is ignored.
 */
export function codexLimits(line: unknown): LimitSnapshot[] | undefined {
  const entry = asObject(line);
  const payload = asObject(entry?.payload);
  if (entry?.type !== 'event_msg' || payload?.type !== 'token_count') return undefined;
  const limits = asObject(payload.rate_limits);
  const observedAt = parseTimestamp(entry.timestamp);
  if (!limits || observedAt === undefined) return undefined;
  const limitId = asString(limits.limit_id) ?? 'codex';
  const planType = asString(limits.plan_type);
  const out: LimitSnapshot[] = [];
  for (const slot of [limits.primary, limits.secondary]) {
    const snapshot = windowOf(asObject(slot), observedAt);
    if (snapshot) out.push({ agent: 'codex', limitId, ...snapshot, observedAt, source: 'official', ...(planType ? { planType } : {}) });
  }
  return out.length ? out : undefined;
}

function windowOf(w: Record<string, unknown> | undefined, observedAt: number): Pick<LimitSnapshot, 'windowMinutes' | 'usedPercent' | 'resetsAt'> | undefined {
  if (!w) return undefined;
  const usedPercent = percentOf(w.used_percent);
  const windowMinutes = w.window_minutes;
  if (usedPercent === undefined || typeof windowMinutes !== 'number' || !(windowMinutes > 0)) return undefined;
  const resetsAt = resetTime(w, observedAt);
  return resetsAt === undefined ? undefined : { windowMinutes: Math.round(windowMinutes), usedPercent, resetsAt };
}

function resetTime(w: Record<string, unknown>, observedAt: number): number | undefined {
  const at = parseEpochSecondsOrMs(w.resets_at);
  if (at !== undefined) return at;
  const inSeconds = w.resets_in_seconds;
  if (typeof inSeconds === 'number' && Number.isFinite(inSeconds) && inSeconds >= 0) return observedAt + inSeconds * 1000;
  return undefined;
}

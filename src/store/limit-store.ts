import { sameWindowInstance, type LimitSnapshot, type LimitSource } from '../core/limits';
import type { LedgerDb } from './ledger-db';
import type { Statements } from './statement-cache';

interface LatestRow {
  agent: string;
  limit_id: string;
  window_minutes: number;
  used_percent: number;
  resets_at: number;
  observed_at: number;
  source: string;
  plan_type: string | null;
}

export interface LimitPoint {
  observedAt: number;
  usedPercent: number;
  resetsAt: number;
}

const PREVIOUS = `SELECT used_percent, resets_at FROM limit_history WHERE agent = ? AND limit_id = ? AND window_minutes = ? AND observed_at <= ?
  ORDER BY observed_at DESC LIMIT 1`;
const ADD = 'INSERT OR IGNORE INTO limit_history (agent, limit_id, window_minutes, observed_at, used_percent, resets_at) VALUES (?, ?, ?, ?, ?, ?)';
const LATEST = `INSERT INTO limit_latest (agent, limit_id, window_minutes, used_percent, resets_at, observed_at, source, plan_type)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (agent, limit_id, window_minutes) DO UPDATE SET used_percent = excluded.used_percent,
    resets_at = excluded.resets_at, observed_at = excluded.observed_at, source = excluded.source,
    plan_type = COALESCE(excluded.plan_type, limit_latest.plan_type)
  WHERE excluded.observed_at >= limit_latest.observed_at`;

/**
 * Records quota readings: the newest per window wins `limit_latest` (files may be read in
 * any order); `limit_history` gets a row only when the reading differs from the one before it.
 */
export function recordLimits(statements: Statements, snapshots: readonly LimitSnapshot[]): number {
  let added = 0;
  const newest = new Map<string, LimitSnapshot>();
  for (const s of snapshots) {
    const key = `${s.agent}\u0000${s.limitId}\u0000${s.windowMinutes}`;
    const latest = newest.get(key);
    // Within one file readings come in time order: the one before is the batch's own, no query needed.
    const before = latest && latest.observedAt <= s.observedAt ? [latest.usedPercent, latest.resetsAt] : previousReading(statements, s);
    if (!before || before[0] !== s.usedPercent || !sameWindowInstance(Number(before[1]), s.resetsAt)) {
      statements.run(ADD, [s.agent, s.limitId, s.windowMinutes, s.observedAt, s.usedPercent, s.resetsAt]);
      added++;
    }
    if ((latest?.observedAt ?? -Infinity) <= s.observedAt) newest.set(key, s);
  }
  for (const s of newest.values()) {
    statements.run(LATEST, [s.agent, s.limitId, s.windowMinutes, s.usedPercent, s.resetsAt, s.observedAt, s.source, s.planType ?? null]);
  }
  return added;
}

function previousReading(statements: Statements, s: LimitSnapshot): unknown[] | undefined {
  return statements.row(PREVIOUS, [s.agent, s.limitId, s.windowMinutes, s.observedAt]);
}

/** The newest reading of every window, by agent then window length. */
export function latestLimits(db: LedgerDb): LimitSnapshot[] {
  return db
    .all<LatestRow>('SELECT * FROM limit_latest ORDER BY agent, window_minutes, limit_id')
    .map((r) => ({
      agent: r.agent,
      limitId: r.limit_id,
      windowMinutes: r.window_minutes,
      usedPercent: r.used_percent,
      resetsAt: r.resets_at,
      observedAt: r.observed_at,
      source: r.source as LimitSource,
      ...(r.plan_type ? { planType: r.plan_type } : {}),
    }));
}

/** A window's readings since `sinceMs`, oldest first (only the changes are stored). */
export function limitHistory(db: LedgerDb, w: Pick<LimitSnapshot, 'agent' | 'limitId' | 'windowMinutes'>, sinceMs: number): LimitPoint[] {
  return db
    .all<{ observed_at: number; used_percent: number; resets_at: number }>(
      `SELECT observed_at, used_percent, resets_at FROM limit_history
       WHERE agent = ? AND limit_id = ? AND window_minutes = ? AND observed_at >= ? ORDER BY observed_at`,
      [w.agent, w.limitId, w.windowMinutes, sinceMs],
    )
    .map((r) => ({ observedAt: r.observed_at, usedPercent: r.used_percent, resetsAt: r.resets_at }));
}

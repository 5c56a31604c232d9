import type { LimitSnapshot } from '../core/limits';
import { addDays, DayClock } from '../core/time';
import { nanosToUsd } from '../pricing/nanos';
import type { LedgerDb } from '../store/ledger-db';
import { latestLimits } from '../store/limit-store';
import type { StatusFigures } from './status-figures';

/**
 * What a status line needs, written beside the manifest by the writer at every commit: a few
 * days around today with their bounds in UTC (so a reader needs no time-zone data), recent
 * sessions' costs, and the latest quota readings. A small JSON file, read without SQLite.
 */
export interface StatusCard {
  days: { day: string; from: number; to: number; usd: number }[];
  /** `<agent>\u0000<session key>` → cost in USD, for sessions active in the last days. */
  sessions: Record<string, number>;
  limits: LimitSnapshot[];
}

const RECENT_DAYS = 3;

export function statusCard(db: LedgerDb, clock: DayClock, now: number): StatusCard {
  const today = clock.today(now);
  const days = [-2, -1, 0, 1, 2].map((n) => addDays(today, n));
  const cost = new Map(db.all<{ day: string; c: number }>(
    `SELECT day, SUM(cost_nanos) AS c FROM provider_day_mart WHERE day >= ? AND day <= ? AND messages > 0 GROUP BY day`, [days[0]!, days[4]!],
  ).map((r) => [r.day, nanosToUsd(r.c)]));
  const sessions = db.all<{ k: string; c: number }>(
    `SELECT k.agent || char(0) || k.session_key AS k, s.cost_nanos AS c FROM session_mart s JOIN dim_session k ON k.id = s.session_id
     WHERE s.last_ts >= ? AND s.messages > 0`, [now - RECENT_DAYS * 86_400_000],
  );
  return {
    days: days.map((day) => ({ day, from: clock.startOf(day), to: clock.startOf(addDays(day, 1)), usd: cost.get(day) ?? 0 })),
    sessions: Object.fromEntries(sessions.map((r) => [r.k, nanosToUsd(r.c)])),
    limits: latestLimits(db),
  };
}

/** The status line's figures from a card, or undefined when the card does not cover `now`. */
export function figuresFromCard(card: StatusCard, session: { agent: string; id: string | undefined }, now: number): StatusFigures | undefined {
  const today = card.days.find((d) => d.from <= now && now < d.to);
  if (!today) return undefined;
  const key = `${session.agent}\u0000${session.id ?? ''}`;
  return { todayUsd: today.usd, sessionUsd: session.id && key in card.sessions ? card.sessions[key] : undefined, limits: card.limits };
}

import { DAY_MS } from '../core/time';

const monthOfDay = new Map<number, string>();

/** 'YYYY-MM' (UTC) of an instant: the segment an event at that time belongs to. Memoised per day. */
export function monthOf(ts: number): string {
  const day = Math.floor(ts / DAY_MS);
  let month = monthOfDay.get(day);
  if (month === undefined) {
    month = new Date(day * DAY_MS).toISOString().slice(0, 7);
    monthOfDay.set(day, month);
  }
  return month;
}

/** Every month from `from`'s to `to`'s, oldest first ('YYYY-MM', UTC). */
export function monthsBetween(from: number, to: number): string[] {
  const months: string[] = [];
  const end = monthOf(to);
  const d = new Date(from);
  for (let y = d.getUTCFullYear(), m = d.getUTCMonth(); ; m++) {
    const month = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
    if (month > end) return months;
    months.push(month);
  }
}

/**
 * Months that may hold an earlier copy of a request seen at `ts`: its own, and the neighbour
 * when `ts` is within two days of a month boundary (a request's copies stay within a day).
 */
export function candidateMonths(ts: number): string[] {
  const own = monthOf(ts);
  const before = monthOf(ts - 2 * DAY_MS);
  const after = monthOf(ts + 2 * DAY_MS);
  return before !== own ? [own, before] : after !== own ? [own, after] : [own];
}

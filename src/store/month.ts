import { DAY_MS } from '../core/time';

/** 'YYYY-MM' (UTC) of an instant: the segment an event at that time belongs to. */
export function monthOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 7);
}

/** The schema name a month segment is attached under. */
export function monthSchema(month: string): string {
  return `m_${month.replace('-', '_')}`;
}

/**
 * Months that may hold an earlier copy of a request seen at `ts`: its own, and the neighbour
 * when `ts` is within two days of a month boundary (a request's copies stay within a day).
 */
export function candidateMonths(ts: number): string[] {
  const months = [monthOf(ts)];
  for (const shifted of [ts - 2 * DAY_MS, ts + 2 * DAY_MS]) {
    const month = monthOf(shifted);
    if (!months.includes(month)) months.push(month);
  }
  return months;
}

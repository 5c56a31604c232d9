/** Calendar days in an IANA time zone, as 'YYYY-MM-DD' strings. */

const QUARTER_HOUR_MS = 15 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * UTC's days need no time-zone data: loading ICU's takes 20–40 ms, a tenth of a short CLI run
 * (other spellings of UTC go through ICU, with the same days).
 */
const isUtc = (zone: string) => zone === 'UTC' || zone === 'Etc/UTC';
const utcDay = { format: (ms: number) => new Date(ms).toISOString().slice(0, 10) };

export function isValidTimeZone(zone: string): boolean {
  if (isUtc(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps instants to local days. Every real UTC offset is a multiple of 15 minutes,
 * so the day is constant within a quarter hour and can be memoised per quarter.
 */
export class DayClock {
  private readonly format: Pick<Intl.DateTimeFormat, 'format'>;
  private readonly cache = new Map<number, string>();
  private readonly numbers = new Map<number, number>();
  private clockFormat: Intl.DateTimeFormat | undefined;

  constructor(readonly timeZone: string) {
    this.format = isUtc(timeZone) ? utcDay : new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  dayOf(ts: number): string {
    const quarter = Math.floor(ts / QUARTER_HOUR_MS);
    let day = this.cache.get(quarter);
    if (day === undefined) {
      day = this.format.format(quarter * QUARTER_HOUR_MS); // en-CA formats as YYYY-MM-DD
      this.cache.set(quarter, day);
    }
    return day;
  }

  /** The local day of an instant as a number: days from 1970-01-01 to that calendar date. */
  dayNumber(ts: number): number {
    const quarter = Math.floor(ts / QUARTER_HOUR_MS);
    let day = this.numbers.get(quarter);
    if (day === undefined) {
      day = Date.parse(`${this.dayOf(ts)}T00:00:00Z`) / DAY_MS;
      this.numbers.set(quarter, day);
    }
    return day;
  }

  /** The local date and time of an instant to the minute, 'YYYY-MM-DD HH:mm' (for tables). */
  minuteOf(ts: number): string {
    if (isUtc(this.timeZone)) return new Date(ts).toISOString().slice(0, 16).replace('T', ' ');
    this.clockFormat ??= new Intl.DateTimeFormat('en-GB', { timeZone: this.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return `${this.dayOf(ts)} ${this.clockFormat.format(ts)}`;
  }

  today(now = Date.now()): string {
    return this.dayOf(now);
  }

  /** The first instant (epoch ms) of a local day: the smallest quarter hour whose day is `day`. */
  startOf(day: string): number {
    let { lo, hi } = DayClock.utcWindow(day);
    lo = Math.floor(lo / QUARTER_HOUR_MS);
    hi = Math.ceil(hi / QUARTER_HOUR_MS);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.dayOf(mid * QUARTER_HOUR_MS) < day) lo = mid + 1;
      else hi = mid;
    }
    return lo * QUARTER_HOUR_MS;
  }

  /** A UTC window certain to contain every instant of the local day (offsets stay within ±14 h). */
  static utcWindow(day: string): { lo: number; hi: number } {
    const midnightUtc = Date.parse(`${day}T00:00:00Z`);
    return { lo: midnightUtc - 14 * 3600_000, hi: midnightUtc + DAY_MS + 14 * 3600_000 };
  }
}

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isIsoDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** Adds whole days to a 'YYYY-MM-DD' day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Monday of the ISO week containing `day`. */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

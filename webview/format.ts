/** Money, token, percentage and date formatting, all through Intl in the user's locale. */

const locale = typeof navigator !== 'undefined' ? navigator.language : undefined;

const usdFmt = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdCompactFmt = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const intFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const compactFmt = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
const pctFmt = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** "$1,234.56"; amounts below a cent but above zero read "<$0.01" so they don't look free. */
export function usd(n: number): string {
  if (n > 0 && n < 0.005) return `<${usdFmt.format(0.01)}`;
  return usdFmt.format(n);
}

/** "$1.2K", for chart axes. */
export function usdCompact(n: number): string {
  return n < 1000 ? usdFmt.format(n) : usdCompactFmt.format(n);
}

/** "12.3M". */
export function tokens(n: number): string {
  return compactFmt.format(n);
}

/** "12,345,678". */
export function integer(n: number): string {
  return intFmt.format(n);
}

export function percent(part: number, whole: number): string {
  return pctFmt.format(whole > 0 ? part / whole : 0);
}

const dayFmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = dayFmtCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, options);
    } catch {
      // An unknown time zone from the host: fall back to the browser's own.
      const { timeZone: _ignored, ...rest } = options;
      f = new Intl.DateTimeFormat(locale, rest);
    }
    dayFmtCache.set(key, f);
  }
  return f;
}

/** A 'YYYY-MM-DD' day as a calendar date, independent of any time zone. */
function dayToDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}

/** "Mar 5" */
export function shortDay(day: string): string {
  return fmt('shortDay', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(dayToDate(day));
}

/** "Mar 5, 2025" */
export function longDay(day: string): string {
  return fmt('longDay', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(dayToDate(day));
}

/** "Mar 2025" for a 'YYYY-MM' month. */
export function month(period: string): string {
  return fmt('month', { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(dayToDate(`${period}-01`));
}

/** "Mar 5, 14:03" for an epoch-ms instant, in the engine's time zone. */
export function dateTime(ts: number, timeZone: string): string {
  return fmt(`dt|${timeZone}`, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone }).format(ts);
}

/** "Mar 5, 2025, 14:03:07", for tooltips. */
export function fullDateTime(ts: number, timeZone: string): string {
  return fmt(`fdt|${timeZone}`, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(ts);
}

/** "Mar 5" for an epoch-ms instant, in the engine's time zone. */
export function dateOnly(ts: number, timeZone: string): string {
  return fmt(`d|${timeZone}`, { month: 'short', day: 'numeric', year: 'numeric', timeZone }).format(ts);
}

/** "14:03" */
export function time(ts: number, timeZone: string): string {
  return fmt(`t|${timeZone}`, { hour: 'numeric', minute: '2-digit', timeZone }).format(ts);
}

/** Long project paths keep their last two segments: "…/work/agent-ledger". */
export function shortPath(path: string, max = 48): string {
  if (path.length <= max) return path;
  const sep = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  const parts = path.split(sep).filter((p) => p !== '');
  const tail = parts.slice(-2).join(sep);
  return tail.length + 2 <= max ? `…${sep}${tail}` : `…${tail.slice(-(max - 1))}`;
}

/** Agents' names and colours as the host's registry sent them with the data. */
const agentInfo = new Map<string, { label: string; colour: string }>();

export function setAgentInfo(list: readonly { agent: string; label: string; colour: string }[]): void {
  agentInfo.clear();
  for (const a of list) agentInfo.set(a.agent, a);
}

export function agentName(agent: string): string {
  return agentInfo.get(agent)?.label ?? agent;
}

/** The agent's colour class (`c-orange`, …). */
export function agentColour(agent: string): string {
  return agentInfo.get(agent)?.colour ?? 'c-purple';
}

/** Model label, with fast mode apart. */
export function modelLabel(model: string, speed?: string): string {
  return speed === 'fast' ? `${model} (fast)` : model;
}

import type { Database } from 'sql.js';
import { HashIndex } from './hash-index';
import type { Hash64 } from './key-hash';
import type { MonthSegments } from './month-segments';
import { candidateMonths, monthsBetween } from './month';

/** Where a request's counted snapshot is: its +1 row. */
export interface RowRef {
  month: string;
  id: number;
}

/** An alias group's counted request, and whether it came from a primary copy. */
export interface GroupRef extends RowRef {
  primary: boolean;
}

export const ATTR_FAST = 1;
export const ATTR_PRIMARY = 2;

interface MonthIndex {
  requests: HashIndex;
  groups: HashIndex;
}

const SCAN = `SELECT id, req >> 32, req & 4294967295, grp >> 32, grp & 4294967295, message_delta, attrs
  FROM usage_events ORDER BY id`;

/**
 * Request keys (and alias groups) to the row holding their counted snapshot, per month,
 * built by scanning a month the first time a record near its dates is looked up. A copy of a
 * request keeps its time, so only the months around a record's time are ever consulted:
 * exactly-once holds across all history without holding all history in memory.
 */
export class RequestIndex {
  private readonly byMonth = new Map<string, MonthIndex>();

  constructor(private readonly months: MonthSegments) {}

  findRequest(h: Hash64, ts: number): RowRef | undefined {
    for (const month of candidateMonths(ts)) {
      const id = this.monthIndex(month)?.requests.get(h);
      if (id !== undefined) return { month, id };
    }
    return undefined;
  }

  /** The group's counted copy near `ts`, or from `since` on when its copies may carry new times. */
  findGroup(h: Hash64, ts: number, since?: number): GroupRef | undefined {
    let found: GroupRef | undefined;
    const months = since === undefined || since >= ts ? candidateMonths(ts) : [...new Set([...candidateMonths(ts), ...monthsBetween(since, ts)])];
    for (const month of months) {
      const value = this.monthIndex(month)?.groups.get(h);
      if (value === undefined) continue;
      const ref = { month, id: Math.floor(value / 2), primary: value % 2 === 1 };
      if (ref.primary) return ref;
      found ??= ref;
    }
    return found;
  }

  /** Keeps the index in step with a row just written (the same rule the scan applies). */
  apply(month: string, id: number, req: Hash64, grp: Hash64 | undefined, delta: number, primary: boolean): void {
    applyRow(this.ensure(month), id, req, grp, delta, primary);
  }

  /** Forgets months whose segment was closed (they are scanned again when needed). */
  forget(months: Iterable<string>): void {
    for (const month of months) this.byMonth.delete(month);
  }

  private monthIndex(month: string): MonthIndex | undefined {
    if (!this.byMonth.has(month) && !this.months.has(month)) return undefined;
    return this.ensure(month);
  }

  private ensure(month: string): MonthIndex {
    let index = this.byMonth.get(month);
    if (!index) {
      index = this.months.has(month) ? scanMonth(this.months.db(month)) : { requests: new HashIndex(), groups: new HashIndex() };
      this.byMonth.set(month, index);
    }
    return index;
  }
}

function scanMonth(db: Database): MonthIndex {
  const count = Number(db.exec('SELECT COUNT(*) FROM usage_events')[0]!.values[0]![0]);
  const index = { requests: new HashIndex(count), groups: new HashIndex(count) };
  const statement = db.prepare(SCAN);
  try {
    while (statement.step()) {
      const r = statement.get() as (number | null)[];
      const grp = r[3] === null ? undefined : { hi: r[3]! | 0, lo: r[4]! | 0 };
      applyRow(index, r[0]!, { hi: r[1]! | 0, lo: r[2]! | 0 }, grp, r[5]!, (r[6]! & ATTR_PRIMARY) !== 0);
    }
  } finally {
    statement.free();
  }
  return index;
}

/**
 * A +1 row becomes its request's counted snapshot and, for an alias group, the group's
 * counted request (a primary copy is never displaced by a replica). A −1 row withdraws the
 * request and, when it was a replica, frees the group.
 */
function applyRow(index: MonthIndex, id: number, req: Hash64, grp: Hash64 | undefined, delta: number, primary: boolean): void {
  if (delta > 0) {
    index.requests.set(req, id);
    if (grp) {
      const current = index.groups.get(grp);
      if (primary || current === undefined || current % 2 === 0) index.groups.set(grp, id * 2 + (primary ? 1 : 0));
    }
    return;
  }
  index.requests.delete(req);
  if (grp && !primary) {
    const current = index.groups.get(grp);
    if (current !== undefined && current % 2 === 0) index.groups.delete(grp);
  }
}

import { DAY_MS } from '../core/time';
import { monthOf } from './month';
import type { MonthSegments } from './month-segments';
import { ATTR_PRIMARY, type RowRef } from './request-index';

/** A +1 row still counted: no later −1 row of its request in its month withdraws it. */
interface LiveRow extends RowRef {
  req: string;
  grp: string | undefined;
  primary: boolean;
}

const ROWS_BETWEEN = `SELECT id, req >> 32, req & 4294967295, grp >> 32, grp & 4294967295, message_delta, attrs
  FROM usage_events WHERE ts >= ? AND ts < ? ORDER BY id`;

/**
 * The counted rows that a month restored to its previous version now duplicates across its
 * boundaries. A request whose newer copy crossed into the next month was withdrawn (−1, at its
 * old time) in the old month and counted (+1) in the new one; restoring the old month without
 * that −1 counts it twice, and re-reading the transcripts cannot tell, as each copy finds its own
 * month's row. The same holds for an alias group whose replica gave way to its primary. Returns
 * the older row of each such pair (the one the lost −1 withdrew), to be withdrawn again.
 */
export function boundaryDuplicates(months: MonthSegments, month: string): RowRef[] {
  const start = Date.parse(`${month}-01T00:00:00Z`);
  const end = Date.UTC(new Date(start).getUTCFullYear(), new Date(start).getUTCMonth() + 1, 1);
  const stale: RowRef[] = [];
  const own = liveRows(months, month, [start, end]);
  // The newer copy, counted in the neighbour, was looked up from within two days of the boundary
  // (candidateMonths); the copy it withdrew may be anywhere in this month.
  const sides = [[monthOf(start - 1), [start - 2 * DAY_MS, start]], [monthOf(end), [end, end + 2 * DAY_MS]]] as const;
  for (const [neighbour, window] of sides) {
    if (months.has(neighbour)) stale.push(...settle(own, liveRows(months, neighbour, window)));
  }
  return stale;
}

/** The rows to withdraw so that each request, and each alias group's replica, counts once across the two months. */
function settle(a: LiveRow[], b: LiveRow[]): RowRef[] {
  const stale = new Set<LiveRow>();
  const byReq = new Map(b.map((r) => [r.req, r]));
  for (const row of a) {
    const other = byReq.get(row.req);
    if (other) stale.add(row.id < other.id ? row : other);
  }
  const groupsOf = (rows: LiveRow[]) => rows.filter((r) => r.grp !== undefined && !stale.has(r));
  const byGroup = new Map<string, LiveRow[]>();
  for (const r of groupsOf(b)) byGroup.set(r.grp!, [...(byGroup.get(r.grp!) ?? []), r]);
  for (const row of groupsOf(a)) {
    for (const other of byGroup.get(row.grp!) ?? []) {
      if (row.primary && other.primary) continue; // two requests of one group, each counted on its own
      // A primary copy is never displaced by a replica; of two replicas, the later one is the counted one.
      const loser = row.primary ? other : other.primary ? row : row.id < other.id ? row : other;
      stale.add(loser);
    }
  }
  return [...stale].map(({ month, id }) => ({ month, id }));
}

function liveRows(months: MonthSegments, month: string, [from, to]: readonly [number, number]): LiveRow[] {
  const live = new Map<string, LiveRow>();
  const statement = months.db(month).prepare(ROWS_BETWEEN, [from, to]);
  try {
    while (statement.step()) {
      const [id, reqHi, reqLo, grpHi, grpLo, delta, attrs] = statement.get() as number[];
      const key = `${reqHi}:${reqLo}`;
      if (delta! > 0) live.set(key, { month, id: id!, req: key, grp: grpHi === null ? undefined : `${grpHi}:${grpLo}`, primary: (attrs! & ATTR_PRIMARY) !== 0 });
      else live.delete(key);
    }
  } finally {
    statement.free();
  }
  return [...live.values()];
}

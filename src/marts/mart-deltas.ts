import type { DayClock } from '../core/time';
import { DAY_MARTS } from './registry';

/** The measures every mart carries, in column order (see measures.ts). */
export const MEASURE_COUNT = 8;

/** One key's accumulated change: measures, and the span of event times. */
export interface KeyDelta {
  values: (string | number)[];
  measures: number[];
  firstTs: number;
  lastTs: number;
}

export interface SessionDelta extends KeyDelta {
  agent: string;
  /** The project of the session's earliest event (by time, then id). */
  projectId: number;
  earliest: [ts: number, id: number];
}

/** An event row as read from a month segment, with its agent (from the session) and local day. */
export interface EventFields {
  id: number; session_id: number; project_id: number; model_id: number; agent: string; speed: string; day: string; ts: number;
  /** input, output, cache writes 5m/1h, cache read, reasoning, cost, messages: signed. */
  measures: number[];
}

/**
 * The change a batch of events makes to every mart, per key, computed in one pass. Both the
 * incremental fold (upserts) and Rebuild Marts (bulk inserts) apply the same deltas, so both
 * give the same tables; every figure is a sum, a minimum or a maximum, so the order of batches
 * does not matter.
 */
export class MartDeltas {
  readonly days = DAY_MARTS.map(() => new Map<string, KeyDelta>());
  /** Per day mart: key + session → net requests of that session under the key. */
  readonly members = DAY_MARTS.map(() => new Map<string, { values: (string | number)[]; session: number; messages: number }>());
  readonly sessions = new Map<number, SessionDelta>();
  readonly sessionModels = new Map<string, { session: number; model: number; cost: number; tokens: number }>();
  readonly projectMembers = new Map<string, { project: number; session: number; messages: number }>();
  readonly projects = new Set<number>();
  rows = 0;
  maxId = 0;

  add(e: EventFields): void {
    this.rows++;
    if (e.id > this.maxId) this.maxId = e.id;
    DAY_MARTS.forEach((mart, i) => {
      const values: (string | number)[] = [e.day, ...mart.keys.map((k) => e[k])];
      const key = values.join('\u0001');
      accumulate(this.days[i]!, key, values, e);
      const memberKey = `${key}\u0001${e.session_id}`;
      const member = this.members[i]!.get(memberKey);
      if (member) member.messages += e.measures[7]!;
      else this.members[i]!.set(memberKey, { values, session: e.session_id, messages: e.measures[7]! });
    });
    this.addSession(e);
    const sm = `${e.session_id}\u0001${e.model_id}`;
    const tokens = e.measures[0]! + e.measures[1]! + e.measures[2]! + e.measures[3]! + e.measures[4]!;
    const model = this.sessionModels.get(sm);
    if (model) { model.cost += e.measures[6]!; model.tokens += tokens; }
    else this.sessionModels.set(sm, { session: e.session_id, model: e.model_id, cost: e.measures[6]!, tokens });
    const pm = `${e.project_id}\u0001${e.session_id}`;
    const member = this.projectMembers.get(pm);
    if (member) member.messages += e.measures[7]!;
    else this.projectMembers.set(pm, { project: e.project_id, session: e.session_id, messages: e.measures[7]! });
    this.projects.add(e.project_id);
  }

  private addSession(e: EventFields): void {
    let s = this.sessions.get(e.session_id);
    if (!s) {
      s = { values: [e.session_id], measures: new Array(MEASURE_COUNT).fill(0), firstTs: e.ts, lastTs: e.ts, agent: e.agent, projectId: e.project_id, earliest: [e.ts, e.id] };
      this.sessions.set(e.session_id, s);
    }
    addMeasures(s, e);
    if (e.ts < s.earliest[0] || (e.ts === s.earliest[0] && e.id < s.earliest[1])) {
      s.earliest = [e.ts, e.id];
      s.projectId = e.project_id;
    }
  }
}

function accumulate(map: Map<string, KeyDelta>, key: string, values: (string | number)[], e: EventFields): void {
  let d = map.get(key);
  if (!d) {
    d = { values, measures: new Array(MEASURE_COUNT).fill(0), firstTs: e.ts, lastTs: e.ts };
    map.set(key, d);
  }
  addMeasures(d, e);
}

function addMeasures(d: KeyDelta, e: EventFields): void {
  for (let k = 0; k < MEASURE_COUNT; k++) d.measures[k] += e.measures[k]!;
  if (e.ts < d.firstTs) d.firstTs = e.ts;
  if (e.ts > d.lastTs) d.lastTs = e.ts;
}

/** Reads a month segment's events above `after` into `deltas`, with local days from `clock`. */
export function readMonthInto(
  month: import('sql.js').Database, after: number, clock: DayClock, agentOf: (session: number) => string, deltas: MartDeltas,
): void {
  const statement = month.prepare(`SELECT id, session_id, project_id, model_id, attrs, ts, input, output, cache_write_5m, cache_write_1h,
    cache_read, reasoning, cost_nanos, message_delta FROM usage_events WHERE id > ?`, [after]);
  try {
    while (statement.step()) {
      const r = statement.get() as number[];
      deltas.add({
        id: r[0]!, session_id: r[1]!, project_id: r[2]!, model_id: r[3]!, agent: agentOf(r[1]!), speed: (r[4]! & 1) !== 0 ? 'fast' : 'standard',
        ts: r[5]!, day: clock.dayOf(r[5]!), measures: r.slice(6, 14),
      });
    }
  } finally {
    statement.free();
  }
}

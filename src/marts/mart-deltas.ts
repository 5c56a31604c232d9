import type { Database } from 'sql.js';
import { DAY_MS, type DayClock } from '../core/time';
import type { Speed, TokenCounts } from '../core/usage';
import { EVENT_MEASURE_COLUMNS, MEASURE_COUNT, measureIndex } from './measures';
import { DAY_MARTS } from './registry';

const COST = measureIndex('cost_nanos');
const MESSAGES = measureIndex('messages');
/** The token kinds a price applies to (reasoning is inside output), for ranking a session's models. */
const PRICED_TOKENS = ['input_tokens', 'output_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'cache_read_tokens'].map(measureIndex);
/** The token kinds in TokenCounts, by measure position, for re-pricing an event. */
const TOKEN_FIELDS: ReadonlyArray<readonly [keyof TokenCounts, number]> = [
  ['input', measureIndex('input_tokens')],
  ['output', measureIndex('output_tokens')],
  ['cacheWrite5m', measureIndex('cache_write_5m_tokens')],
  ['cacheWrite1h', measureIndex('cache_write_1h_tokens')],
  ['cacheRead', measureIndex('cache_read_tokens')],
  ['reasoning', measureIndex('reasoning_tokens')],
];

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
}

/** Events of one session at one (day, project, model, speed): the finest grain every mart is made of. */
interface Cell extends KeyDelta {
  day: number;
  project: number;
  model: number;
  fast: boolean;
}

interface SessionCells {
  agent: string;
  cells: Map<number, Cell>;
  earliest: [ts: number, id: number];
  projectId: number;
}

/** Prices an event row again (Rebuild Marts): the model's name for its id, and the cost function. */
export interface Repricing {
  modelName(id: number): string;
  price(tokens: TokenCounts, model: string, speed: Speed): number;
  /** Rows whose stored cost differs from the new price: [cost, id], to write back. */
  changed: [number, number][];
}

/**
 * The change a batch of events makes to every mart, per key. Events are first summed per
 * session and (day, project, model, speed) with numeric keys (one map look-up per event), then
 * expanded into each mart's keys by `finish()`. Both the incremental fold (upserts) and Rebuild
 * Marts (bulk inserts) apply the same deltas; every figure is a sum, a minimum or a maximum, so
 * the order of batches does not matter.
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
  private readonly bySession = new Map<number, SessionCells>();
  private readonly dayNames = new Map<number, string>();

  /** Adds one event: its ids, time, local day number, signed measures. */
  add(id: number, session: number, agent: string, project: number, model: number, fast: boolean, ts: number, day: number, measures: ArrayLike<number>): void {
    this.rows++;
    if (id > this.maxId) this.maxId = id;
    let s = this.bySession.get(session);
    if (!s) this.bySession.set(session, (s = { agent, cells: new Map(), earliest: [ts, id], projectId: project }));
    if (ts < s.earliest[0] || (ts === s.earliest[0] && id < s.earliest[1])) {
      s.earliest = [ts, id];
      s.projectId = project;
    }
    // day < 2^16, project < 2^16, model < 2^16, speed 1 bit: an exact integer key below 2^53.
    const key = ((day * 65536 + project) * 65536 + model) * 2 + (fast ? 1 : 0);
    let cell = s.cells.get(key);
    if (!cell) s.cells.set(key, (cell = { values: [], measures: new Array(MEASURE_COUNT).fill(0), firstTs: ts, lastTs: ts, day, project, model, fast }));
    for (let k = 0; k < MEASURE_COUNT; k++) cell.measures[k] += measures[k]!;
    if (ts < cell.firstTs) cell.firstTs = ts;
    if (ts > cell.lastTs) cell.lastTs = ts;
  }

  /** Expands the cells into every mart's keys; call once, after the last `add`. */
  finish(): this {
    for (const [session, s] of this.bySession) {
      for (const cell of s.cells.values()) this.expand(session, s.agent, cell);
      const d = this.sessions.get(session)!;
      d.projectId = s.projectId;
    }
    this.bySession.clear();
    return this;
  }

  private expand(session: number, agent: string, cell: Cell): void {
    const fields = { day: this.dayName(cell.day), project_id: cell.project, agent, model_id: cell.model, speed: cell.fast ? 'fast' : 'standard' };
    DAY_MARTS.forEach((mart, i) => {
      const values: (string | number)[] = [fields.day, ...mart.keys.map((k) => fields[k])];
      const key = values.join('\u0001');
      merge(this.days[i]!, key, values, cell);
      const memberKey = `${key}\u0001${session}`;
      const member = this.members[i]!.get(memberKey);
      if (member) member.messages += cell.measures[MESSAGES]!;
      else this.members[i]!.set(memberKey, { values, session, messages: cell.measures[MESSAGES]! });
    });
    let s = this.sessions.get(session);
    if (!s) this.sessions.set(session, (s = { values: [session], measures: new Array(MEASURE_COUNT).fill(0), firstTs: cell.firstTs, lastTs: cell.lastTs, agent, projectId: 0 }));
    addInto(s, cell);
    let tokens = 0;
    for (const k of PRICED_TOKENS) tokens += cell.measures[k]!;
    const sm = `${session}\u0001${cell.model}`;
    const model = this.sessionModels.get(sm);
    if (model) { model.cost += cell.measures[COST]!; model.tokens += tokens; }
    else this.sessionModels.set(sm, { session, model: cell.model, cost: cell.measures[COST]!, tokens });
    const pm = `${cell.project}\u0001${session}`;
    const member = this.projectMembers.get(pm);
    if (member) member.messages += cell.measures[MESSAGES]!;
    else this.projectMembers.set(pm, { project: cell.project, session, messages: cell.measures[MESSAGES]! });
    this.projects.add(cell.project);
  }

  private dayName(day: number): string {
    let name = this.dayNames.get(day);
    if (name === undefined) this.dayNames.set(day, (name = new Date(day * DAY_MS).toISOString().slice(0, 10)));
    return name;
  }
}

function merge(map: Map<string, KeyDelta>, key: string, values: (string | number)[], cell: KeyDelta): void {
  const d = map.get(key);
  if (d) addInto(d, cell);
  else map.set(key, { values, measures: [...cell.measures], firstTs: cell.firstTs, lastTs: cell.lastTs });
}

function addInto(d: KeyDelta, cell: KeyDelta): void {
  for (let k = 0; k < MEASURE_COUNT; k++) d.measures[k] += cell.measures[k]!;
  if (cell.firstTs < d.firstTs) d.firstTs = cell.firstTs;
  if (cell.lastTs > d.lastTs) d.lastTs = cell.lastTs;
}

/** The row's columns before its measures. */
const FIRST_MEASURE = 6;
const ROWS = `SELECT id, session_id, project_id, model_id, attrs, ts, ${EVENT_MEASURE_COLUMNS} FROM usage_events WHERE id > ?`;

/**
 * Reads a month segment's events above `after` into `deltas`, with local days from `clock`.
 * With `repricing`, every event is priced again on the way (one pass for Rebuild Marts).
 */
export function readMonthInto(
  month: Database, after: number, clock: DayClock, agentOf: (session: number) => string, deltas: MartDeltas, repricing?: Repricing,
): void {
  const statement = month.prepare(ROWS, [after]);
  const measures = new Array<number>(MEASURE_COUNT);
  const tokens: TokenCounts = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, reasoning: 0 };
  try {
    while (statement.step()) {
      const r = statement.get() as number[];
      for (let k = 0; k < MEASURE_COUNT; k++) measures[k] = r[FIRST_MEASURE + k]!;
      const fast = (r[4]! & 1) !== 0;
      if (repricing) {
        // A retraction (negative message delta) carries negated tokens; it is priced as its request, negated.
        const sign = measures[MESSAGES]! < 0 ? -1 : 1;
        for (let t = 0; t < TOKEN_FIELDS.length; t++) tokens[TOKEN_FIELDS[t]![0]] = sign * measures[TOKEN_FIELDS[t]![1]]!;
        const cost = sign * repricing.price(tokens, repricing.modelName(r[3]!), fast ? 'fast' : 'standard');
        if (cost !== measures[COST]) repricing.changed.push([cost, r[0]!]);
        measures[COST] = cost;
      }
      deltas.add(r[0]!, r[1]!, agentOf(r[1]!), r[2]!, r[3]!, fast, r[5]!, clock.dayNumber(r[5]!), measures);
    }
  } finally {
    statement.free();
  }
}

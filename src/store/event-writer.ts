import { billableTotal, sameTokens, type Speed, type TokenCounts, type UsageRecord } from '../core/usage';
import { Dimensions } from './dimensions';
import { hash64, type Hash64 } from './key-hash';
import { monthOf } from './month';
import type { EventRow, MonthSegments } from './month-segments';
import { ATTR_FAST, ATTR_PRIMARY, type GroupRef, type RequestIndex, type RowRef } from './request-index';
import type { Statements } from './statement-cache';

/** Prices a request (a complete snapshot) in integer nano-dollars. */
export type PriceRequest = (tokens: TokenCounts, model: string, speed: Speed) => number;

export interface WriteCounts {
  /** New requests counted. */
  requests: number;
  /** Requests seen again with a snapshot that replaces the counted one (larger, or a newer copy). */
  grown: number;
  /** Copies that changed nothing (same or smaller snapshot, re-reads, archived copies). */
  duplicates: number;
  /** Replica copies of a request whose primary copy is counted: not counted. */
  replicaReplays: number;
  /** Replica copies counted earlier and withdrawn when the primary copy arrived. */
  retracted: number;
}

export function zeroCounts(): WriteCounts {
  return { requests: 0, grown: 0, duplicates: 0, replicaReplays: 0, retracted: 0 };
}

/** A counted snapshot, read back from its +1 row. */
interface Snapshot {
  req: Hash64;
  grp: Hash64 | undefined;
  ts: number;
  session: number;
  project: number;
  model: number;
  attrs: number;
  tokens: TokenCounts;
  cost: number;
  reported: number | null;
}

export interface WriterContext {
  months: MonthSegments;
  index: RequestIndex;
  statements: Statements;
  price: PriceRequest;
  allocateId(): number;
}

const SELECT_ROW = `SELECT req >> 32, req & 4294967295, grp >> 32, grp & 4294967295, ts, session_id, project_id, model_id, attrs,
  input, output, cache_write_5m, cache_write_1h, cache_read, reasoning, cost_nanos, reported_nanos FROM usage_events WHERE id = ?`;

/**
 * Applies usage records exactly once per request, across every file and all history, by the
 * record's own rule (see `RepeatRule` and `AliasGroup` in core/usage.ts). Events are signed
 * snapshots: replacing a counted snapshot writes a −1 row withdrawing it (at its own time)
 * and a +1 row with the new one (at the new line's time, so a request is counted on the day
 * of the copy that was kept).
 */
export class EventWriter {
  readonly counts = zeroCounts();
  private readonly dims: Dimensions;
  private readonly modelNames = new Map<number, string>();

  constructor(private readonly ctx: WriterContext) {
    this.dims = new Dimensions(ctx.statements);
  }

  write(record: UsageRecord): void {
    const req = hash64(record.key);
    const grp = record.alias ? hash64(record.alias.group) : undefined;
    const counted = this.ctx.index.findRequest(req, record.ts);
    if (counted) {
      if (grp && this.copyOfAnother(record, counted, grp)) return;
      this.writeRepeat(record, this.read(counted), grp);
      return;
    }
    const group = grp ? this.ctx.index.findGroup(grp, record.ts, record.alias!.since) : undefined;
    if (group && this.writeAliasCopy(record, group)) return;
    this.insert(record, req, grp);
    this.counts.requests++;
  }

  /** Withdraws a row counted twice (see boundary-duplicates.ts): a −1 copy of it, at its own time. */
  withdrawRow(ref: RowRef): void {
    this.withdraw(this.read(ref));
    this.counts.retracted++;
  }

  /**
   * A request counted before its group was known (an OpenCode message read while it streamed) whose
   * group another request already holds, as copies only: it was a copy all along (a fork's copy read
   * first), so it is withdrawn and the group's request stays counted once.
   */
  private copyOfAnother(record: UsageRecord, counted: RowRef, grp: Hash64): boolean {
    if (record.alias?.primary !== false) return false;
    const holder = this.ctx.index.findGroup(grp, record.ts, record.alias.since);
    if (!holder || holder.primary || (holder.month === counted.month && holder.id === counted.id)) return false;
    const snapshot = this.read(counted);
    if (sameHash(grp, snapshot.grp)) return false;
    this.withdraw(snapshot);
    this.counts.retracted++;
    return true;
  }

  /** True when the alias rule settled the record; false when it is a new request to count. */
  private writeAliasCopy(record: UsageRecord, group: GroupRef): boolean {
    if (record.alias!.primary) {
      if (group.primary) return false; // another request of the same group, counted on its own
      this.withdraw(this.read(group));
      this.counts.retracted++;
      return false;
    }
    if (group.primary) {
      this.counts.replicaReplays++;
      return true;
    }
    this.writeRepeat(record, this.read(group)); // one more replica: the same request as the first
    return true;
  }

  /**
   * `grp`: the group the record names, which the request takes when it differs from the one it
   * has (an OpenCode message's copies are told by its finished state, unknown while it streams).
   */
  private writeRepeat(record: UsageRecord, counted: Snapshot, grp?: Hash64): void {
    const countedPrimary = (counted.attrs & ATTR_PRIMARY) !== 0;
    if (record.alias && !record.alias.primary && countedPrimary) {
      this.counts.replicaReplays++;
      return;
    }
    const regroup = grp !== undefined && !sameHash(grp, counted.grp);
    if (!this.replaces(record, counted)) {
      this.counts.duplicates++;
      if (regroup) {
        this.withdraw(counted); // the same snapshot again, under its group
        this.writeRow({ ...counted, grp }, 1);
      }
      return;
    }
    this.withdraw(counted);
    this.insert(record, counted.req, grp ?? counted.grp);
    this.counts.grown++;
  }

  private replaces(record: UsageRecord, counted: Snapshot): boolean {
    switch (record.repeat) {
      case 'once':
        return false;
      case 'largest':
        return billableTotal(record.tokens) > billableTotal(counted.tokens);
      case 'last':
        return !sameTokens(record.tokens, counted.tokens) || record.ts !== counted.ts || record.model !== this.modelName(counted.model);
    }
  }

  private insert(record: UsageRecord, req: Hash64, grp: Hash64 | undefined): void {
    const attrs = (record.speed === 'fast' ? ATTR_FAST : 0) | (record.alias?.primary ? ATTR_PRIMARY : 0) | (record.flags << 8);
    const model = this.dims.modelId(record.model);
    this.modelNames.set(model, record.model);
    const reported = record.reportedCostUsd === undefined ? null : Math.round(record.reportedCostUsd * 1e9);
    this.writeRow({
      req, grp, ts: record.ts,
      session: this.dims.sessionId(record.agent, record.sessionId), project: this.dims.projectId(record.project), model, attrs,
      tokens: record.tokens, cost: this.ctx.price(record.tokens, record.model, record.speed), reported,
    }, 1);
  }

  private withdraw(counted: Snapshot): void {
    this.writeRow(counted, -1);
  }

  private writeRow(s: Snapshot, delta: 1 | -1): void {
    const id = this.ctx.allocateId();
    const month = monthOf(s.ts);
    const t = s.tokens;
    const row: EventRow = [
      id, s.req.hi, s.req.lo >>> 0, s.grp ? s.grp.hi : null, s.grp ? s.grp.lo >>> 0 : null, s.ts, s.session, s.project, s.model, s.attrs, delta,
      delta * t.input, delta * t.output, delta * t.cacheWrite5m, delta * t.cacheWrite1h, delta * t.cacheRead, delta * t.reasoning,
      delta * s.cost, s.reported === null ? null : delta * s.reported,
    ];
    this.ctx.months.insert(month, row);
    this.ctx.index.apply(month, id, s.req, s.grp, delta, (s.attrs & ATTR_PRIMARY) !== 0);
  }

  private read(ref: RowRef): Snapshot {
    const r = this.ctx.months.rowOfEvent(ref.month, SELECT_ROW, ref.id) as (number | null)[] | undefined;
    if (!r) throw new Error(`request index points at a missing event ${ref.id} in ${ref.month}`);
    return {
      req: { hi: r[0]! | 0, lo: r[1]! | 0 },
      grp: r[2] === null ? undefined : { hi: r[2]! | 0, lo: r[3]! | 0 },
      ts: r[4]!, session: r[5]!, project: r[6]!, model: r[7]!, attrs: r[8]!,
      tokens: { input: r[9]!, output: r[10]!, cacheWrite5m: r[11]!, cacheWrite1h: r[12]!, cacheRead: r[13]!, reasoning: r[14]! },
      cost: r[15]!, reported: r[16] ?? null,
    };
  }

  private modelName(id: number): string {
    let name = this.modelNames.get(id);
    if (name === undefined) {
      name = String(this.ctx.statements.row('SELECT name FROM dim_model WHERE id = ?', [id])?.[0] ?? '');
      this.modelNames.set(id, name);
    }
    return name;
  }
}

function sameHash(a: Hash64, b: Hash64 | undefined): boolean {
  return b !== undefined && a.hi === b.hi && a.lo === b.lo;
}

import { billableTotal, type Speed, type TokenCounts, type UsageRecord } from '../core/usage';
import { Dimensions } from './dimensions';
import { RequestLedger, type LedgerEntry } from './request-ledger';
import type { Statements } from './statement-cache';

/** Prices a request (a cumulative snapshot) in integer nano-dollars. */
export type PriceRequest = (tokens: TokenCounts, model: string, speed: Speed) => number;

/** The attributes every row of one request shares: those of its first sight. */
interface Origin {
  agent: string;
  sessionRef: number;
  projectRef: number;
  modelRef: number;
  model: string;
  speed: Speed;
  ts: number;
  flags: number;
}

export interface WriteCounts {
  /** New requests counted. */
  requests: number;
  /** Repeats of a request with a larger snapshot: counted as growth rows. */
  grown: number;
  /** Repeats that added nothing (same or smaller snapshot, re-reads, archived copies). */
  duplicates: number;
  /** Sidechain replays of a parent's message: not counted. */
  sidechainReplays: number;
  /** Sidechain copies counted earlier and withdrawn when the parent's entry arrived. */
  retracted: number;
}

const INSERT_EVENT = `INSERT INTO usage_events (id, agent, session_id, project_id, model_id, speed, ts,
  input, output, cache_write_5m, cache_write_1h, cache_read, reasoning, cost_nanos,
  message_delta, origin_id, flags, file_id, file_offset) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;
const SELECT_ORIGIN = `SELECT e.agent, e.session_id, e.project_id, e.model_id, m.name, e.speed, e.ts, e.flags
  FROM usage_events e JOIN dim_model m ON m.id = e.model_id WHERE e.id = ?`;

/**
 * Applies usage records to the request ledger and usage_events, exactly once per request:
 * a new request adds a row; a larger snapshot (by total tokens: the largest line wins, as
 * in ccusage) of a known one adds the difference as a growth row; anything else adds
 * nothing. Every row is additive, so per-kind differences may be negative.
 */
export class EventWriter {
  readonly counts: WriteCounts = { requests: 0, grown: 0, duplicates: 0, sidechainReplays: 0, retracted: 0 };
  private readonly dims: Dimensions;
  private readonly ledger: RequestLedger;
  private readonly origins = new Map<number, Origin>();
  private nextId: number;

  constructor(
    private readonly statements: Statements,
    private readonly price: PriceRequest,
  ) {
    this.dims = new Dimensions(statements);
    this.ledger = new RequestLedger(statements);
    this.nextId = Number(statements.row('SELECT COALESCE(MAX(id), 0) FROM usage_events', [])![0]) + 1;
  }

  write(record: UsageRecord, fileId: number): void {
    const entry = this.ledger.get(record.key);
    if (entry) this.writeRepeat(record, entry, fileId);
    else this.writeNew(record, fileId);
  }

  private writeNew(record: UsageRecord, fileId: number): void {
    if (record.alias) {
      const siblings = this.ledger.keysOfGroup(record.alias.group);
      if (!record.alias.primary && siblings.length > 0) {
        this.writeSidechainCopy(record, siblings, fileId);
        return;
      }
      if (record.alias.primary) this.retractSidechainCopies(siblings, record, fileId);
    }
    const origin: Origin = {
      agent: record.agent,
      sessionRef: this.dims.sessionId(record.agent, record.sessionId),
      projectRef: this.dims.projectId(record.project),
      modelRef: this.dims.modelId(record.model),
      model: record.model,
      speed: record.speed,
      ts: record.ts,
      flags: record.flags,
    };
    const id = this.insertRow(origin, record.tokens, this.price(record.tokens, record.model, record.speed), 1, null, fileId, record.offset);
    this.origins.set(id, origin);
    this.ledger.put(record.key, { originEventId: id, sidechain: isReplica(record), retracted: false, tokens: record.tokens }, record.alias?.group);
    this.counts.requests++;
  }

  /**
   * A sidechain line whose message is already known: a replay of the parent's entry
   * (not counted), or another copy of a sidechain message (one request, the largest).
   */
  private writeSidechainCopy(record: UsageRecord, siblings: string[], fileId: number): void {
    if (siblings.some((key) => !this.ledger.get(key)!.sidechain)) {
      this.counts.sidechainReplays++;
      return;
    }
    const key = siblings[0]!;
    this.writeRepeat({ ...record, key }, this.ledger.get(key)!, fileId);
  }

  /** The same request again: it replaces what was counted only when its snapshot is larger. */
  private writeRepeat(record: UsageRecord, entry: LedgerEntry, fileId: number): void {
    if (isReplica(record) && !entry.sidechain) {
      this.counts.sidechainReplays++;
      return;
    }
    if (entry.retracted || billableTotal(record.tokens) <= billableTotal(entry.tokens)) {
      this.counts.duplicates++;
      return;
    }
    const origin = this.origin(entry.originEventId);
    const cost = this.price(record.tokens, origin.model, origin.speed) - this.price(entry.tokens, origin.model, origin.speed);
    this.insertRow(origin, difference(record.tokens, entry.tokens), cost, 0, entry.originEventId, fileId, record.offset);
    this.ledger.put(record.key, { ...entry, tokens: record.tokens }, record.alias?.group);
    this.counts.grown++;
  }

  /** A parent's entry arrived after a sidechain copy of it was counted: withdraw the copy. */
  private retractSidechainCopies(siblings: string[], record: UsageRecord, fileId: number): void {
    for (const key of siblings) {
      const copy = this.ledger.get(key)!;
      if (!copy.sidechain || copy.retracted) continue;
      const origin = this.origin(copy.originEventId);
      const cost = -this.price(copy.tokens, origin.model, origin.speed);
      this.insertRow(origin, negate(copy.tokens), cost, -1, copy.originEventId, fileId, record.offset);
      this.ledger.put(key, { ...copy, retracted: true }, record.alias?.group);
      this.counts.retracted++;
    }
  }

  private insertRow(
    origin: Origin,
    t: TokenCounts,
    costNanos: number,
    messageDelta: number,
    originId: number | null,
    fileId: number,
    offset: number,
  ): number {
    const id = this.nextId++;
    this.statements.run(INSERT_EVENT, [
      id, origin.agent, origin.sessionRef, origin.projectRef, origin.modelRef, origin.speed, origin.ts,
      t.input, t.output, t.cacheWrite5m, t.cacheWrite1h, t.cacheRead, t.reasoning, costNanos,
      messageDelta, originId, origin.flags, fileId, offset,
    ]);
    return id;
  }

  private origin(eventId: number): Origin {
    let origin = this.origins.get(eventId);
    if (!origin) {
      const row = this.statements.row(SELECT_ORIGIN, [eventId]);
      if (!row) throw new Error(`request ledger points at missing event ${eventId}`);
      origin = {
        agent: String(row[0]),
        sessionRef: Number(row[1]),
        projectRef: Number(row[2]),
        modelRef: Number(row[3]),
        model: String(row[4]),
        speed: row[5] === 'fast' ? 'fast' : 'standard',
        ts: Number(row[6]),
        flags: Number(row[7]),
      };
      this.origins.set(eventId, origin);
    }
    return origin;
  }
}

function difference(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    input: a.input - b.input,
    output: a.output - b.output,
    cacheWrite5m: a.cacheWrite5m - b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h - b.cacheWrite1h,
    cacheRead: a.cacheRead - b.cacheRead,
    reasoning: a.reasoning - b.reasoning,
  };
}

function negate(t: TokenCounts): TokenCounts {
  return difference({ input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, reasoning: 0 }, t);
}

function isReplica(record: UsageRecord): boolean {
  return record.alias !== undefined && !record.alias.primary;
}

import { addDays, DayClock, monthStart, weekStart } from '../core/time';
import type { AgentId, Speed } from '../core/usage';
import { costOf, isPriced } from '../pricing/cost';
import { nanosToUsd } from '../pricing/nanos';
import type { LedgerDb } from '../store/ledger-db';
import { canFilter, whereOf, type FilterColumns } from './filters';
import type {
  AgentRow, DailyModelRow, ModelRow, PeriodRow, ProjectRow, ReportFilter, SessionRow, SpendSummary, TokenTotals, UnpricedModel,
} from './types';

const SUMS = `SUM(input_tokens) AS i, SUM(output_tokens) AS o, SUM(cache_write_5m_tokens) AS w5,
  SUM(cache_write_1h_tokens) AS w1, SUM(cache_read_tokens) AS r, SUM(reasoning_tokens) AS rs,
  SUM(cost_nanos) AS c, SUM(messages) AS n, SUM(reported_nanos) AS rp`;

interface SumsRow { i: number; o: number; w5: number; w1: number; r: number; rs: number; c: number; n: number; rp: number }

const DAILY: FilterColumns = { day: 'day', agent: 'agent', project: 'project_id' };
const PROVIDER_DAY: FilterColumns = { day: 'day', agent: 'agent' };
const MODEL_DAY: FilterColumns = { day: 'day' };

function totals(row: SumsRow): TokenTotals {
  const t = {
    inputTokens: row.i ?? 0,
    outputTokens: row.o ?? 0,
    cacheWrite5mTokens: row.w5 ?? 0,
    cacheWrite1hTokens: row.w1 ?? 0,
    cacheReadTokens: row.r ?? 0,
    reasoningTokens: row.rs ?? 0,
    totalTokens: 0,
    costUsd: nanosToUsd(row.c ?? 0),
    reportedCostUsd: nanosToUsd(row.rp ?? 0),
    messages: row.n ?? 0,
  };
  t.totalTokens = t.inputTokens + t.outputTokens + t.cacheWrite5mTokens + t.cacheWrite1hTokens + t.cacheReadTokens;
  return t;
}

/** What cache reads saved: the input rate they would have cost, minus the read rate. */
function cacheSavings(model: string, speed: Speed, cacheRead: number): number {
  const none = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
  const atInput = costOf({ ...none, input: cacheRead }, model, speed).usd;
  const atRead = costOf({ ...none, cacheRead }, model, speed).usd;
  return Math.max(0, atInput - atRead);
}

/** Read-only queries over the marts, returning plain objects. */
export class Readers {
  constructor(
    private readonly db: LedgerDb,
    private readonly clock: DayClock,
  ) {}

  get timeZone(): string {
    return this.clock.timeZone;
  }

  today(now = Date.now()): string {
    return this.clock.today(now);
  }

  /** Today, this week (from Monday), this month and all time, in USD, and what caching saved. */
  summary(filter: Omit<ReportFilter, 'since' | 'until'> = {}, now = Date.now()): SpendSummary {
    const today = this.clock.today(now);
    const [todayUsd, weekUsd, monthUsd, allTimeUsd] = this.spendSince([today, weekStart(today), monthStart(today), undefined], filter);
    return {
      today, todayUsd: todayUsd!, weekUsd: weekUsd!, monthUsd: monthUsd!, allTimeUsd: allTimeUsd!,
      cacheSavingsUsd: this.models(filter).reduce((sum, m) => sum + m.cacheSavingsUsd, 0),
    };
  }

  /** USD spent from each of these days on (`undefined`: all time), in one query. */
  spendSince(starts: readonly (string | undefined)[], filter: Omit<ReportFilter, 'since' | 'until'> = {}): number[] {
    const [table, columns] = canFilter(filter, PROVIDER_DAY) ? ['provider_day_mart', PROVIDER_DAY] as const : ['daily_mart', DAILY] as const;
    const where = whereOf(filter, columns);
    const sums = starts.map((day, i) => `SUM(${day === undefined ? 'cost_nanos' : 'CASE WHEN day >= ? THEN cost_nanos ELSE 0 END'}) AS s${i}`);
    const params = starts.filter((day) => day !== undefined);
    const row = this.db.get<Record<string, number | null>>(`SELECT ${sums.join(', ')} FROM ${table} ${where.sql}`, [...params, ...where.params])!;
    return starts.map((_, i) => nanosToUsd(row[`s${i}`] ?? 0));
  }

  /** USD per project over the filter, costliest first: one query. */
  spendByProject(filter: ReportFilter = {}): { project: string; costUsd: number }[] {
    const where = whereOf(filter, DAILY);
    return this.db
      .all<{ project: string; c: number }>(
        `SELECT d.path AS project, SUM(t.cost_nanos) AS c FROM daily_mart t JOIN dim_project d ON d.id = t.project_id
         ${where.sql} GROUP BY t.project_id ORDER BY c DESC, d.path`,
        where.params,
      )
      .map((r) => ({ project: r.project, costUsd: nanosToUsd(r.c) }));
  }

  /** Sum over the filter. */
  periodTotals(filter: ReportFilter = {}): TokenTotals {
    const [table, columns] = canFilter(filter, PROVIDER_DAY) ? ['provider_day_mart', PROVIDER_DAY] as const : ['daily_mart', DAILY] as const;
    const where = whereOf(filter, columns);
    return totals(this.db.get<SumsRow>(`SELECT ${SUMS} FROM ${table} ${where.sql}`, where.params)!);
  }

  /** One row per day and model (fast mode apart), oldest first. */
  dailyByModel(filter: ReportFilter = {}): DailyModelRow[] {
    const [table, columns] = canFilter(filter, MODEL_DAY) ? ['model_day_mart', MODEL_DAY] as const : ['daily_mart', DAILY] as const;
    const where = whereOf(filter, columns);
    return this.db
      .all<SumsRow & { day: string; model: string; speed: Speed }>(
        `SELECT t.day, m.name AS model, t.speed, ${SUMS} FROM ${table} t JOIN dim_model m ON m.id = t.model_id
         ${where.sql} GROUP BY t.day, m.name, t.speed ORDER BY t.day, c DESC, m.name`,
        where.params,
      )
      .map((r) => ({ day: r.day, model: r.model, speed: r.speed, ...totals(r) }));
  }

  /** Totals per day or per month ('YYYY-MM'), oldest first. */
  periods(grain: 'day' | 'month', filter: ReportFilter = {}): PeriodRow[] {
    const [table, columns] = canFilter(filter, PROVIDER_DAY) ? ['provider_day_mart', PROVIDER_DAY] as const : ['daily_mart', DAILY] as const;
    const where = whereOf(filter, columns);
    const period = grain === 'day' ? 'day' : 'substr(day, 1, 7)';
    return this.db
      .all<SumsRow & { period: string }>(`SELECT ${period} AS period, ${SUMS} FROM ${table} ${where.sql} GROUP BY 1 ORDER BY 1`, where.params)
      .map((r) => ({ period: r.period, ...totals(r) }));
  }

  /** Per project, costliest first. All time from project_mart; a date range from daily_mart. */
  projects(filter: ReportFilter = {}): ProjectRow[] {
    if (!filter.since && !filter.until && !filter.agent) {
      const where = whereOf(filter, { project: 'p.project_id' });
      return this.db
        .all<SumsRow & { project: string; sessions: number; first: number; last: number; model: string }>(
          `SELECT d.path AS project, p.sessions, p.first_ts AS first, p.last_ts AS last, m.name AS model, ${SUMS}
           FROM project_mart p JOIN dim_project d ON d.id = p.project_id JOIN dim_model m ON m.id = p.primary_model_id
           ${where.sql} GROUP BY p.project_id ORDER BY c DESC, d.path`,
          where.params,
        )
        .map((r) => ({ project: r.project, sessions: r.sessions, firstTs: r.first, lastTs: r.last, primaryModel: r.model, ...totals(r) }));
    }
    const where = whereOf(filter, DAILY);
    // Sums, distinct sessions and the costliest model per project, each grouped once.
    return this.db
      .all<SumsRow & { project: string; sessions: number | null; first: number; last: number; model: string | null }>(
        `SELECT d.path AS project, p.*, s.sessions, pm.model
         FROM (SELECT project_id, MIN(first_ts) AS first, MAX(last_ts) AS last, ${SUMS} FROM daily_mart ${where.sql} GROUP BY project_id) p
         JOIN dim_project d ON d.id = p.project_id
         LEFT JOIN (SELECT project_id, COUNT(DISTINCT session_id) AS sessions FROM daily_mart_sessions ${where.sql} GROUP BY project_id) s
           ON s.project_id = p.project_id
         LEFT JOIN (SELECT project_id, model FROM (
             SELECT t.project_id, m.name AS model,
               ROW_NUMBER() OVER (PARTITION BY t.project_id ORDER BY SUM(t.cost_nanos) DESC, m.name) AS rank
             FROM daily_mart t JOIN dim_model m ON m.id = t.model_id ${where.sql} GROUP BY t.project_id, t.model_id)
           WHERE rank = 1) pm ON pm.project_id = p.project_id
         ORDER BY p.c DESC, d.path`,
        [...where.params, ...where.params, ...where.params],
      )
      .map((r) => ({
        project: r.project, sessions: r.sessions ?? 0, firstTs: r.first, lastTs: r.last, primaryModel: r.model ?? '', ...totals(r),
      }));
  }

  /** Sessions active in the range, costliest first (or most recent first). Totals are whole-session. */
  sessions(filter: ReportFilter = {}, options: { limit?: number; orderBy?: 'cost' | 'recent' } = {}): SessionRow[] {
    const clauses = ['s.messages > 0'];
    const params: (string | number)[] = [];
    if (filter.since) { clauses.push('s.last_ts >= ?'); params.push(this.dayStart(filter.since)); }
    if (filter.until) { clauses.push('s.first_ts < ?'); params.push(this.dayStart(addDays(filter.until, 1))); }
    if (filter.agent) { clauses.push('s.agent = ?'); params.push(filter.agent); }
    if (filter.project) { clauses.push('s.project_id = (SELECT id FROM dim_project WHERE path = ?)'); params.push(filter.project); }
    const order = options.orderBy === 'recent' ? 's.last_ts DESC' : 's.cost_nanos DESC, s.last_ts DESC';
    params.push(options.limit ?? -1);
    return this.db
      .all<SumsRow & { key: string; agent: AgentId; project: string; first: number; last: number; model: string }>(
        `SELECT k.session_key AS key, s.agent, d.path AS project, s.first_ts AS first, s.last_ts AS last, m.name AS model,
           s.input_tokens AS i, s.output_tokens AS o, s.cache_write_5m_tokens AS w5, s.cache_write_1h_tokens AS w1,
           s.cache_read_tokens AS r, s.reasoning_tokens AS rs, s.cost_nanos AS c, s.messages AS n, s.reported_nanos AS rp
         FROM session_mart s JOIN dim_session k ON k.id = s.session_id JOIN dim_project d ON d.id = s.project_id
           JOIN dim_model m ON m.id = s.primary_model_id
         WHERE ${clauses.join(' AND ')} ORDER BY ${order} LIMIT ?`,
        params,
      )
      .map((r) => ({ sessionId: r.key, agent: r.agent, project: r.project, firstTs: r.first, lastTs: r.last, primaryModel: r.model, ...totals(r) }));
  }

  /** Per model (fast mode apart), costliest first, with whether it is priced and what caching saved. */
  models(filter: ReportFilter = {}): ModelRow[] {
    return this.groupByModel(filter).map((r) => ({
      ...r,
      priced: isPriced(r.model),
      cacheSavingsUsd: cacheSavings(r.model, r.speed, r.cacheReadTokens),
    }));
  }

  /** Per agent, costliest first. */
  agents(filter: ReportFilter = {}): AgentRow[] {
    const [table, members, columns] = canFilter(filter, PROVIDER_DAY)
      ? ['provider_day_mart', 'provider_day_mart_sessions', PROVIDER_DAY] as const
      : ['daily_mart', 'daily_mart_sessions', DAILY] as const;
    const where = whereOf(filter, columns);
    return this.db
      .all<SumsRow & { agent: AgentId; sessions: number | null }>(
        `SELECT a.*, s.sessions
         FROM (SELECT agent, ${SUMS} FROM ${table} ${where.sql} GROUP BY agent) a
         LEFT JOIN (SELECT agent, COUNT(DISTINCT session_id) AS sessions FROM ${members} ${where.sql} GROUP BY agent) s ON s.agent = a.agent
         ORDER BY a.c DESC, a.agent`,
        [...where.params, ...where.params],
      )
      .map((r) => ({ agent: r.agent, sessions: r.sessions ?? 0, ...totals(r) }));
  }

  /** Models seen that the price table does not know: they cost $0 until priced. */
  unpricedModels(): UnpricedModel[] {
    const unpriced = this.groupByModel({}).filter((r) => !isPriced(r.model));
    if (unpriced.length === 0) return [];
    const spans = new Map(this.db
      .all<{ model: string; first: string; last: string }>(
        'SELECT m.name AS model, MIN(t.day) AS first, MAX(t.day) AS last FROM model_day_mart t JOIN dim_model m ON m.id = t.model_id WHERE t.messages > 0 GROUP BY t.model_id',
      )
      .map((r) => [r.model, r]));
    return unpriced.map((r) => ({ model: r.model, totalTokens: r.totalTokens, firstDay: spans.get(r.model)!.first, lastDay: spans.get(r.model)!.last }));
  }

  private groupByModel(filter: ReportFilter): (TokenTotals & { model: string; speed: Speed })[] {
    const [table, columns] = canFilter(filter, MODEL_DAY) ? ['model_day_mart', MODEL_DAY] as const : ['daily_mart', DAILY] as const;
    const where = whereOf(filter, columns);
    return this.db
      .all<SumsRow & { model: string; speed: Speed }>(
        `SELECT m.name AS model, t.speed, ${SUMS} FROM ${table} t JOIN dim_model m ON m.id = t.model_id
         ${where.sql} GROUP BY m.name, t.speed ORDER BY c DESC, m.name`,
        where.params,
      )
      .map((r) => ({ model: r.model, speed: r.speed, ...totals(r) }));
  }

  /** First instant (epoch ms) of a local day: the smallest quarter hour whose day is `day`. */
  private dayStart(day: string): number {
    return this.clock.startOf(day);
  }
}

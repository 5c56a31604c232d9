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
  SUM(cost_nanos) AS c, SUM(messages) AS n`;

interface SumsRow { i: number; o: number; w5: number; w1: number; r: number; rs: number; c: number; n: number }

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

  /** Today, this week (from Monday), this month and all time, in USD. */
  summary(filter: Omit<ReportFilter, 'since' | 'until'> = {}, now = Date.now()): SpendSummary {
    const today = this.clock.today(now);
    const spend = (since?: string) => this.periodTotals({ ...filter, since }).costUsd;
    return {
      today,
      todayUsd: spend(today),
      weekUsd: spend(weekStart(today)),
      monthUsd: spend(monthStart(today)),
      allTimeUsd: spend(undefined),
      cacheSavingsUsd: this.models(filter).reduce((sum, m) => sum + m.cacheSavingsUsd, 0),
      lastEventTs: this.db.scalar('SELECT MAX(last_ts) FROM provider_day_mart') as number | undefined ?? undefined,
    };
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
    const rows = this.db.all<SumsRow & { project_id: number; project: string; first: number; last: number }>(
      `SELECT t.project_id, d.path AS project, MIN(t.first_ts) AS first, MAX(t.last_ts) AS last, ${SUMS}
       FROM daily_mart t JOIN dim_project d ON d.id = t.project_id ${where.sql} GROUP BY t.project_id ORDER BY c DESC, d.path`,
      where.params,
    );
    return rows.map((r) => ({
      project: r.project,
      sessions: Number(this.db.scalar(
        `SELECT COUNT(DISTINCT session_id) FROM daily_mart_sessions ${whereOf({ ...filter, project: undefined }, DAILY).sql} AND project_id = ?`,
        [...whereOf({ ...filter, project: undefined }, DAILY).params, r.project_id],
      )),
      firstTs: r.first,
      lastTs: r.last,
      primaryModel: this.primaryModel(filter, r.project_id),
      ...totals(r),
    }));
  }

  /** Sessions active in the range, costliest first (or most recent first). Totals are whole-session. */
  sessions(filter: ReportFilter = {}, options: { limit?: number; orderBy?: 'cost' | 'recent' } = {}): SessionRow[] {
    const clauses = ['1 = 1'];
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
           s.cache_read_tokens AS r, s.reasoning_tokens AS rs, s.cost_nanos AS c, s.messages AS n
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
      .all<SumsRow & { agent: AgentId }>(`SELECT agent, ${SUMS} FROM ${table} ${where.sql} GROUP BY agent ORDER BY c DESC`, where.params)
      .map((r) => ({
        agent: r.agent,
        sessions: Number(this.db.scalar(`SELECT COUNT(DISTINCT session_id) FROM ${members} ${where.sql} AND agent = ?`, [...where.params, r.agent])),
        ...totals(r),
      }));
  }

  /** Models seen that the price table does not know: they cost $0 until priced. */
  unpricedModels(): UnpricedModel[] {
    return this.groupByModel({})
      .filter((r) => !isPriced(r.model))
      .map((r) => {
        const span = this.db.get<{ first: string; last: string }>(
          'SELECT MIN(day) AS first, MAX(day) AS last FROM model_day_mart WHERE model_id = (SELECT id FROM dim_model WHERE name = ?)',
          [r.model],
        )!;
        return { model: r.model, totalTokens: r.totalTokens, firstDay: span.first, lastDay: span.last };
      });
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

  private primaryModel(filter: ReportFilter, projectId: number): string {
    const where = whereOf({ ...filter, project: undefined }, DAILY);
    return String(this.db.scalar(
      `SELECT m.name FROM daily_mart t JOIN dim_model m ON m.id = t.model_id ${where.sql} AND t.project_id = ?
       GROUP BY t.model_id ORDER BY SUM(t.cost_nanos) DESC, m.name LIMIT 1`,
      [...where.params, projectId],
    ) ?? '');
  }

  /** First instant (epoch ms) of a local day: the smallest quarter hour whose day is `day`. */
  private dayStart(day: string): number {
    const quarter = 15 * 60_000;
    let { lo, hi } = DayClock.utcWindow(day);
    lo = Math.floor(lo / quarter);
    hi = Math.ceil(hi / quarter);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.clock.dayOf(mid * quarter) < day) lo = mid + 1;
      else hi = mid;
    }
    return lo * quarter;
  }
}

/**
 * The readers the status bar and the panel use: one query per figure (no query per row), and
 * the same results as the per-row queries they replace, on a generated corpus.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LedgerEngine } from '../../src/pipeline/engine';
import { DEFAULT_FILTER } from '../../src/protocol/panel-protocol';
import { nanosToUsd } from '../../src/pricing/nanos';
import { whereOf } from '../../src/readers/filters';
import type { ReportFilter } from '../../src/readers/types';
import { panelSnapshot } from '../../src/ui/panel-snapshot';
import { statusSnapshot } from '../../src/ui/status-snapshot';
import { generateCorpus } from '../fixtures/corpus-generator';
import { memoryEngine } from '../fixtures/engine-harness';

const NOW = Date.parse('2026-03-10T15:00:00Z');
const DAILY = { day: 'day', agent: 'agent', project: 'project_id' };

/** Counts the SQL statements (sql.js prepare/run/exec) the engine's database runs while `work` runs. */
function countQueries(engine: LedgerEngine, work: () => void): number {
  const sql = engine.db.sql as unknown as Record<string, (...args: unknown[]) => unknown>;
  let count = 0;
  const methods = ['prepare', 'run', 'exec'];
  for (const m of methods) {
    const fn = sql[m]!;
    sql[m] = (...args: unknown[]) => { count++; return fn.apply(engine.db.sql, args); };
  }
  try {
    work();
  } finally {
    for (const m of methods) delete sql[m];
  }
  return count;
}

/** The per-row reference: distinct sessions and the costliest model of one project, one query each. */
function projectOracle(engine: LedgerEngine, filter: ReportFilter, path: string): { sessions: number; primaryModel: string } {
  const where = whereOf({ ...filter, project: path }, DAILY);
  const sessions = Number(engine.db.scalar(`SELECT COUNT(DISTINCT session_id) FROM daily_mart_sessions ${where.sql}`, where.params));
  const model = engine.db.scalar(
    `SELECT m.name FROM daily_mart t JOIN dim_model m ON m.id = t.model_id ${where.sql} GROUP BY t.model_id ORDER BY SUM(t.cost_nanos) DESC, m.name LIMIT 1`,
    where.params,
  );
  return { sessions, primaryModel: String(model ?? '') };
}

describe('readers: one query per figure, same results', () => {
  let dir: string;
  let engine: LedgerEngine;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-readers-'));
    const corpus = generateCorpus(dir, { targetBytes: 3 * 1024 * 1024, seed: 5, days: 45, endAt: NOW });
    engine = (await memoryEngine(undefined, { timeZone: 'Europe/Paris' })).engine;
    await engine.ingest({ roots: { claude: [corpus.claudeRoot], codex: [corpus.codexHome] } });
  });
  after(() => {
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the status bar snapshot runs four queries however many projects, agents and models there are', () => {
    // "Today" is the day with the most projects (a small corpus has quiet days).
    const busiest = engine.readers.periods('day').map((p) => ({ day: p.period, projects: engine.readers.projects({ since: p.period, until: p.period }) }))
      .sort((a, b) => b.projects.length - a.projects.length)[0]!;
    assert.ok(busiest.projects.length >= 3, `${busiest.projects.length} projects on ${busiest.day}`);
    const now = Date.parse(`${busiest.day}T12:00:00Z`);
    const queries = countQueries(engine, () => statusSnapshot(engine.readers, [busiest.projects[0]!.project], now));
    assert.equal(queries, 4, 'today + month, workspace projects, agents, models');
  });

  test('projects() and agents() run one query for any filter', () => {
    for (const filter of [{ since: '2026-02-09', until: '2026-03-10' }, { agent: 'codex' as const }, {}]) {
      assert.equal(countQueries(engine, () => engine.readers.projects(filter)), 1, `projects ${JSON.stringify(filter)}`);
      assert.equal(countQueries(engine, () => engine.readers.agents(filter)), 1, `agents ${JSON.stringify(filter)}`);
    }
  });

  test('the panel snapshot runs a fixed number of queries', () => {
    const queries = countQueries(engine, () => panelSnapshot(engine.readers, { ...DEFAULT_FILTER, range: '30d' }, NOW));
    assert.ok(queries <= 10, `${queries} queries`);
  });

  test('projects() and agents() give what the per-row queries gave', () => {
    const paths = engine.readers.projects({}).map((p) => p.project);
    const filters: ReportFilter[] = [
      { since: '2026-03-10', until: '2026-03-10' }, { since: '2026-02-09' }, { until: '2026-02-20' }, { agent: 'claude' },
      { agent: 'codex', since: '2026-03-01' }, { project: paths[1], since: '2026-03-03', until: '2026-03-09' }, { since: '2030-01-01' },
    ];
    for (const filter of filters) {
      const rows = engine.readers.projects(filter);
      for (const row of rows) {
        assert.deepEqual({ sessions: row.sessions, primaryModel: row.primaryModel }, projectOracle(engine, filter, row.project), `${row.project} ${JSON.stringify(filter)}`);
      }
      for (const row of engine.readers.agents(filter)) {
        const where = whereOf({ ...filter, agent: row.agent }, DAILY);
        assert.equal(row.sessions, Number(engine.db.scalar(`SELECT COUNT(DISTINCT session_id) FROM daily_mart_sessions ${where.sql}`, where.params)));
        assert.equal(row.costUsd, nanosToUsd(Number(engine.db.scalar(`SELECT SUM(cost_nanos) FROM daily_mart ${where.sql}`, where.params))));
      }
    }
  });

  test('spend since each day equals the period totals', () => {
    const r = engine.readers;
    const starts = ['2026-03-10', '2026-03-09', '2026-03-01', undefined];
    for (const scope of [{}, { agent: 'codex' as const }, { project: r.projects({}).at(2)!.project }]) {
      assert.deepEqual(r.spendSince(starts, scope), starts.map((since) => r.periodTotals({ ...scope, since }).costUsd));
    }
  });
});

import type { LedgerDb } from '../store/ledger-db';
import { Statements } from '../store/statement-cache';
import type { MartDeltas } from './mart-deltas';
import { addExcluded, MART_MEASURE_COLUMNS, MEASURE_COUNT } from './measures';
import { aggregateProjects } from './project-mart';
import { DAY_MARTS, type DayMart } from './registry';

const params = (n: number) => Array(n).fill('?').join(', ');

/** Folds a batch's deltas into the marts as they are: per key, one upsert (an incremental refresh). */
export function applyDeltas(db: LedgerDb, deltas: MartDeltas): void {
  const statements = new Statements(db.sql);
  try {
    DAY_MARTS.forEach((mart, i) => applyDayMart(statements, mart, deltas, i));
    applySessions(statements, deltas);
    for (const m of deltas.projectMembers.values()) {
      statements.run(`INSERT INTO project_mart_sessions (project_id, session_id, messages) VALUES (?, ?, ?)
        ON CONFLICT (project_id, session_id) DO UPDATE SET messages = messages + excluded.messages`, [m.project, m.session, m.messages]);
    }
  } finally {
    statements.free();
  }
  aggregateProjects(db, [...deltas.projects]);
}

function applyDayMart(statements: Statements, mart: DayMart, deltas: MartDeltas, i: number): void {
  const keys = ['day', ...mart.keys];
  const keyList = keys.join(', ');
  const sameKey = keys.map((k) => `${k} = ?`).join(' AND ');
  const upsert = `INSERT INTO ${mart.table} (${keyList}, ${MART_MEASURE_COLUMNS}, sessions, first_ts, last_ts)
    VALUES (${params(keys.length + MEASURE_COUNT + 3)})
    ON CONFLICT (${keyList}) DO UPDATE SET ${addExcluded()}, first_ts = MIN(first_ts, excluded.first_ts), last_ts = MAX(last_ts, excluded.last_ts)`;
  for (const d of deltas.days[i]!.values()) statements.run(upsert, [...d.values, ...d.measures, 0, d.firstTs, d.lastTs]);
  const member = `INSERT INTO ${mart.table}_sessions (${keyList}, session_id, messages) VALUES (${params(keys.length + 2)})
    ON CONFLICT (${keyList}, session_id) DO UPDATE SET messages = messages + excluded.messages`;
  for (const m of deltas.members[i]!.values()) statements.run(member, [...m.values, m.session, m.messages]);
  const recount = `UPDATE ${mart.table} SET sessions = (SELECT COUNT(*) FROM ${mart.table}_sessions WHERE ${sameKey} AND messages > 0) WHERE ${sameKey}`;
  for (const d of deltas.days[i]!.values()) statements.run(recount, [...d.values, ...d.values]);
}

function applySessions(statements: Statements, deltas: MartDeltas): void {
  for (const m of deltas.sessionModels.values()) {
    statements.run(`INSERT INTO session_model_mart (session_id, model_id, cost_nanos, tokens) VALUES (?, ?, ?, ?)
      ON CONFLICT (session_id, model_id) DO UPDATE SET cost_nanos = cost_nanos + excluded.cost_nanos, tokens = tokens + excluded.tokens`,
    [m.session, m.model, m.cost, m.tokens]);
  }
  for (const s of deltas.sessions.values()) {
    statements.run(`INSERT INTO session_mart (session_id, agent, project_id, ${MART_MEASURE_COLUMNS}, first_ts, last_ts, primary_model_id)
      VALUES (${params(3 + MEASURE_COUNT + 3)})
      ON CONFLICT (session_id) DO UPDATE SET ${addExcluded()},
        project_id = CASE WHEN excluded.first_ts < first_ts THEN excluded.project_id ELSE project_id END,
        first_ts = MIN(first_ts, excluded.first_ts), last_ts = MAX(last_ts, excluded.last_ts)`,
    [s.values[0]!, s.agent, s.projectId, ...s.measures, s.firstTs, s.lastTs, 0]);
    statements.run(`UPDATE session_mart SET primary_model_id = (SELECT model_id FROM session_model_mart WHERE session_id = ?
      ORDER BY cost_nanos DESC, tokens DESC, model_id LIMIT 1) WHERE session_id = ?`, [s.values[0]!, s.values[0]!]);
  }
}

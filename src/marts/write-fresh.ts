import type { LedgerDb } from '../store/ledger-db';
import type { MartDeltas } from './mart-deltas';
import { MART_MEASURE_COLUMNS } from './measures';
import { aggregateProjects } from './project-mart';
import { DAY_MARTS } from './registry';

const CHUNK = 200;

/**
 * Writes the deltas of all history into emptied marts with multi-row inserts (Rebuild Marts):
 * the same tables `applyDeltas` builds batch by batch, with the session counts and primary
 * models worked out here instead of by SQL per key.
 */
export function writeFresh(db: LedgerDb, deltas: MartDeltas): void {
  DAY_MARTS.forEach((mart, i) => {
    const keys = ['day', ...mart.keys];
    const sessions = new Map<string, number>();
    const members: unknown[][] = [];
    for (const m of deltas.members[i]!.values()) {
      members.push([...m.values, m.session, m.messages]);
      if (m.messages > 0) {
        const key = m.values.join('\u0001');
        sessions.set(key, (sessions.get(key) ?? 0) + 1);
      }
    }
    const rows = [...deltas.days[i]!.values()].map((d) => [...d.values, ...d.measures, sessions.get(d.values.join('\u0001')) ?? 0, d.firstTs, d.lastTs]);
    insertRows(db, mart.table, [...keys, ...MART_MEASURE_COLUMNS.split(', '), 'sessions', 'first_ts', 'last_ts'], rows);
    insertRows(db, `${mart.table}_sessions`, [...keys, 'session_id', 'messages'], members);
  });
  insertRows(db, 'session_model_mart', ['session_id', 'model_id', 'cost_nanos', 'tokens'],
    [...deltas.sessionModels.values()].map((m) => [m.session, m.model, m.cost, m.tokens]));
  const primary = primaryModels(deltas);
  insertRows(db, 'session_mart', ['session_id', 'agent', 'project_id', ...MART_MEASURE_COLUMNS.split(', '), 'first_ts', 'last_ts', 'primary_model_id'],
    [...deltas.sessions.values()].map((s) => [s.values[0]!, s.agent, s.projectId, ...s.measures, s.firstTs, s.lastTs, primary.get(s.values[0] as number) ?? 0]));
  insertRows(db, 'project_mart_sessions', ['project_id', 'session_id', 'messages'],
    [...deltas.projectMembers.values()].map((m) => [m.project, m.session, m.messages]));
  aggregateProjects(db, undefined);
}

/** Each session's costliest model (then most tokens, then lowest id), as session_mart's SQL picks it. */
function primaryModels(deltas: MartDeltas): Map<number, number> {
  const best = new Map<number, { model: number; cost: number; tokens: number }>();
  for (const m of deltas.sessionModels.values()) {
    const b = best.get(m.session);
    if (!b || m.cost > b.cost || (m.cost === b.cost && (m.tokens > b.tokens || (m.tokens === b.tokens && m.model < b.model)))) best.set(m.session, m);
  }
  return new Map([...best].map(([session, b]) => [session, b.model]));
}

function insertRows(db: LedgerDb, table: string, columns: string[], rows: unknown[][]): void {
  const one = `(${columns.map(() => '?').join(', ')})`;
  const sql = (n: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(n).fill(one).join(', ')}`;
  const full = db.sql.prepare(sql(CHUNK));
  try {
    let i = 0;
    for (; i + CHUNK <= rows.length; i += CHUNK) full.run(rows.slice(i, i + CHUNK).flat() as never);
    if (i < rows.length) db.run(sql(rows.length - i), rows.slice(i).flat() as never);
  } finally {
    full.free();
  }
}

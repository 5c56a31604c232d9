import type { MartBuilder } from './mart-builder';
import { addExcluded, EVENT_TOKENS_EXPR, MART_MEASURE_COLUMNS, MART_ROW_IS_EMPTY, sumEventMeasures } from './measures';
import { BATCH_TABLE } from './staging';

/**
 * One row per session, folded in batch by batch: measures add up, the project is that of the
 * session's earliest event, the primary model the costliest (from session_model_mart).
 */
export const sessionMart: MartBuilder = {
  name: 'session_mart',
  tables: ['session_mart', 'session_model_mart'],
  apply(db) {
    db.run(
      `INSERT INTO session_model_mart (session_id, model_id, cost_nanos, tokens)
       SELECT session_id, model_id, SUM(cost_nanos), SUM${EVENT_TOKENS_EXPR} FROM ${BATCH_TABLE} GROUP BY session_id, model_id
       ON CONFLICT (session_id, model_id) DO UPDATE SET cost_nanos = cost_nanos + excluded.cost_nanos, tokens = tokens + excluded.tokens`,
    );
    db.run(
      `INSERT INTO session_mart (session_id, agent, project_id, ${MART_MEASURE_COLUMNS}, first_ts, last_ts, primary_model_id)
       SELECT b.session_id, MIN(b.agent),
         (SELECT f.project_id FROM ${BATCH_TABLE} f WHERE f.session_id = b.session_id ORDER BY f.ts, f.id LIMIT 1),
         ${sumEventMeasures('b')}, MIN(b.ts), MAX(b.ts), 0
       FROM ${BATCH_TABLE} b WHERE true GROUP BY b.session_id
       ON CONFLICT (session_id) DO UPDATE SET ${addExcluded()},
         project_id = CASE WHEN excluded.first_ts < first_ts THEN excluded.project_id ELSE project_id END,
         first_ts = MIN(first_ts, excluded.first_ts), last_ts = MAX(last_ts, excluded.last_ts)`,
    );
    const touched = `session_id IN (SELECT DISTINCT session_id FROM ${BATCH_TABLE})`;
    db.run(`DELETE FROM session_model_mart WHERE cost_nanos = 0 AND tokens = 0 AND ${touched}`);
    db.run(`DELETE FROM session_mart WHERE ${MART_ROW_IS_EMPTY} AND ${touched}`);
    db.run(
      `UPDATE session_mart SET primary_model_id = (SELECT m.model_id FROM session_model_mart m WHERE m.session_id = session_mart.session_id
         ORDER BY m.cost_nanos DESC, m.tokens DESC, m.model_id LIMIT 1)
       WHERE session_id IN (SELECT DISTINCT session_id FROM ${BATCH_TABLE})`,
    );
  },
};

import type { MartBuilder } from './mart-builder';
import { MART_MEASURE_COLUMNS, MART_TOKENS_EXPR, sumMartMeasures } from './measures';
import { BATCH_TABLE } from './staging';

/**
 * One row per project, re-aggregated for the projects a batch touched from daily_mart
 * (which must be refreshed first), with distinct sessions from a membership table.
 */
export const projectMart: MartBuilder = {
  name: 'project_mart',
  tables: ['project_mart', 'project_mart_sessions'],
  apply(db) {
    db.run(
      `INSERT INTO project_mart_sessions (project_id, session_id, messages)
       SELECT project_id, session_id, SUM(message_delta) FROM ${BATCH_TABLE} WHERE true GROUP BY project_id, session_id
       ON CONFLICT (project_id, session_id) DO UPDATE SET messages = messages + excluded.messages`,
    );
    db.run(`DELETE FROM project_mart_sessions WHERE messages <= 0 AND project_id IN (SELECT DISTINCT project_id FROM ${BATCH_TABLE})`);
    db.run(`DELETE FROM project_mart WHERE project_id IN (SELECT DISTINCT project_id FROM ${BATCH_TABLE})`);
    db.run(
      `INSERT OR REPLACE INTO project_mart (project_id, ${MART_MEASURE_COLUMNS}, sessions, first_ts, last_ts, primary_model_id)
       SELECT d.project_id, ${sumMartMeasures('d')},
         (SELECT COUNT(*) FROM project_mart_sessions s WHERE s.project_id = d.project_id),
         MIN(d.first_ts), MAX(d.last_ts),
         (SELECT m.model_id FROM daily_mart m WHERE m.project_id = d.project_id GROUP BY m.model_id
          ORDER BY SUM(m.cost_nanos) DESC, SUM${MART_TOKENS_EXPR.replace(/(\w+)/g, 'm.$1')} DESC, m.model_id LIMIT 1)
       FROM daily_mart d
       WHERE d.project_id IN (SELECT DISTINCT project_id FROM ${BATCH_TABLE})
       GROUP BY d.project_id`,
    );
  },
};

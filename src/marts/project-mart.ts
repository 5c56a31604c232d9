import type { LedgerDb } from '../store/ledger-db';
import { MART_MEASURE_COLUMNS, MART_TOKENS_EXPR, sumMartMeasures } from './measures';

/**
 * project_mart, re-aggregated from daily_mart (which must be folded first) for the given
 * projects (all when undefined), with distinct sessions from project_mart_sessions.
 */
export function aggregateProjects(db: LedgerDb, projects: readonly number[] | undefined): void {
  if (projects && projects.length === 0) return;
  const only = projects ? `WHERE d.project_id IN (${projects.join(',')})` : '';
  db.run(
    `INSERT OR REPLACE INTO project_mart (project_id, ${MART_MEASURE_COLUMNS}, sessions, first_ts, last_ts, primary_model_id)
     SELECT d.project_id, ${sumMartMeasures('d')},
       (SELECT COUNT(*) FROM project_mart_sessions s WHERE s.project_id = d.project_id AND s.messages > 0),
       MIN(d.first_ts), MAX(d.last_ts),
       (SELECT m.model_id FROM daily_mart m WHERE m.project_id = d.project_id GROUP BY m.model_id
        ORDER BY SUM(m.cost_nanos) DESC, SUM${MART_TOKENS_EXPR.replace(/(\w+)/g, 'm.$1')} DESC, m.model_id LIMIT 1)
     FROM daily_mart d ${only}
     GROUP BY d.project_id`,
  );
}

import type { MartBuilder } from './mart-builder';
import { EVENT_TOKENS_EXPR, MART_MEASURE_COLUMNS, sumEventMeasures } from './measures';
import { BATCH_TABLE } from './staging';

/**
 * One row per session, re-aggregated from usage_events for the sessions a batch touched.
 * The project is that of the session's first event; the primary model the costliest one.
 */
export const sessionMart: MartBuilder = {
  name: 'session_mart',
  tables: ['session_mart'],
  apply(db) {
    db.run(
      `INSERT OR REPLACE INTO session_mart (session_id, agent, project_id, ${MART_MEASURE_COLUMNS},
         first_ts, last_ts, primary_model_id)
       SELECT e.session_id, MIN(e.agent),
         (SELECT f.project_id FROM usage_events f WHERE f.session_id = e.session_id ORDER BY f.ts, f.id LIMIT 1),
         ${sumEventMeasures('e')}, MIN(e.ts), MAX(e.ts),
         (SELECT g.model_id FROM usage_events g WHERE g.session_id = e.session_id GROUP BY g.model_id
          ORDER BY SUM(g.cost_nanos) DESC, SUM${EVENT_TOKENS_EXPR.replace(/(\w+)/g, 'g.$1')} DESC, g.model_id LIMIT 1)
       FROM usage_events e
       WHERE e.session_id IN (SELECT DISTINCT session_id FROM ${BATCH_TABLE})
       GROUP BY e.session_id`,
    );
  },
};

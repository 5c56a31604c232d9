import type { MartBuilder } from './mart-builder';
import { addExcluded, MART_MEASURE_COLUMNS, sumEventMeasures } from './measures';
import { BATCH_TABLE } from './staging';

/**
 * A mart keyed by day and some dimensions. Measures are added increment by increment;
 * distinct sessions are kept exact through a membership table (key + session), recounted
 * only for the keys the batch touched.
 */
export function additiveDayMart(name: string, keys: readonly string[]): MartBuilder {
  const table = name;
  const members = `${name}_sessions`;
  const keyList = keys.join(', ');
  const sameKey = (a: string, b: string) => keys.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  return {
    name,
    tables: [table, members],
    apply(db) {
      db.run(
        `INSERT INTO ${table} (${keyList}, ${MART_MEASURE_COLUMNS}, sessions, first_ts, last_ts)
         SELECT ${keyList}, ${sumEventMeasures()}, 0, MIN(ts), MAX(ts)
         FROM ${BATCH_TABLE} WHERE true GROUP BY ${keyList}
         ON CONFLICT (${keyList}) DO UPDATE SET ${addExcluded()},
           first_ts = MIN(first_ts, excluded.first_ts), last_ts = MAX(last_ts, excluded.last_ts)`,
      );
      db.run(`INSERT OR IGNORE INTO ${members} (${keyList}, session_id) SELECT DISTINCT ${keyList}, session_id FROM ${BATCH_TABLE}`);
      db.run(
        `UPDATE ${table} SET sessions = (SELECT COUNT(*) FROM ${members} m WHERE ${sameKey('m', table)})
         WHERE (${keyList}) IN (SELECT DISTINCT ${keyList} FROM ${BATCH_TABLE})`,
      );
    },
  };
}

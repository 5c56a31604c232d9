import type { MartBuilder } from './mart-builder';
import { addExcluded, MART_MEASURE_COLUMNS, MART_ROW_IS_EMPTY, sumEventMeasures } from './measures';
import { BATCH_TABLE } from './staging';

/**
 * A mart keyed by day and some dimensions. Measures are added batch by batch; distinct
 * sessions come from a membership table that counts each session's requests under the key,
 * recounted only for the keys the batch touched. A key whose measures net out to zero (its
 * requests were withdrawn or moved to another day) is removed, as if it had never been seen.
 */
export function additiveDayMart(name: string, keys: readonly string[]): MartBuilder {
  const table = name;
  const members = `${name}_sessions`;
  const keyList = keys.join(', ');
  const sameKey = (a: string, b: string) => keys.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  const touched = `(${keyList}) IN (SELECT DISTINCT ${keyList} FROM ${BATCH_TABLE})`;
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
      db.run(
        `INSERT INTO ${members} (${keyList}, session_id, messages)
         SELECT ${keyList}, session_id, SUM(message_delta) FROM ${BATCH_TABLE} WHERE true GROUP BY ${keyList}, session_id
         ON CONFLICT (${keyList}, session_id) DO UPDATE SET messages = messages + excluded.messages`,
      );
      db.run(`DELETE FROM ${members} WHERE messages <= 0 AND ${touched}`);
      db.run(`DELETE FROM ${table} WHERE ${MART_ROW_IS_EMPTY} AND ${touched}`);
      db.run(
        `UPDATE ${table} SET sessions = (SELECT COUNT(*) FROM ${members} m WHERE ${sameKey('m', table)})
         WHERE ${touched}`,
      );
    },
  };
}

/**
 * The marts. Day marts are keyed by the local day and some dimensions, each with a membership
 * table counting every session's requests under a key; session_mart (with session_model_mart
 * for the primary model) and project_mart (with its membership) complete the set.
 */
export interface DayMart {
  table: string;
  /** Key columns after `day`, as event fields (see EventFields in mart-deltas.ts). */
  keys: readonly ('project_id' | 'agent' | 'model_id' | 'speed')[];
}

export const DAY_MARTS: readonly DayMart[] = [
  { table: 'daily_mart', keys: ['project_id', 'agent', 'model_id', 'speed'] },
  { table: 'provider_day_mart', keys: ['agent'] },
  { table: 'model_day_mart', keys: ['model_id', 'speed'] },
];

/** Every mart table, emptied by a rebuild. */
export const MART_TABLES: readonly string[] = [
  ...DAY_MARTS.flatMap((m) => [m.table, `${m.table}_sessions`]),
  'session_mart', 'session_model_mart', 'project_mart', 'project_mart_sessions',
];

/** Measure columns every mart carries, in one place: [mart column, usage_events column]. */
export const TOKEN_MEASURES: ReadonlyArray<readonly [string, string]> = [
  ['input_tokens', 'input'],
  ['output_tokens', 'output'],
  ['cache_write_5m_tokens', 'cache_write_5m'],
  ['cache_write_1h_tokens', 'cache_write_1h'],
  ['cache_read_tokens', 'cache_read'],
  ['reasoning_tokens', 'reasoning'],
  ['cost_nanos', 'cost_nanos'],
  ['messages', 'message_delta'],
  // What the agents themselves recorded as cost, where they do (shown as "reported", never priced from).
  ['reported_nanos', 'reported_nanos'],
];

export const MART_MEASURE_COLUMNS = TOKEN_MEASURES.map(([mart]) => mart).join(', ');

/** How many measures a mart row, and a delta, carries (in TOKEN_MEASURES order). */
export const MEASURE_COUNT = TOKEN_MEASURES.length;

/** A measure's position in that order. */
export function measureIndex(martColumn: string): number {
  const index = TOKEN_MEASURES.findIndex(([mart]) => mart === martColumn);
  if (index < 0) throw new Error(`no measure ${martColumn}`);
  return index;
}

/** The usage_events columns behind the measures, in the same order, for a SELECT (no reported cost counts 0). */
export const EVENT_MEASURE_COLUMNS = TOKEN_MEASURES.map(([, event]) => `COALESCE(${event}, 0)`).join(', ');

/** `SUM(input_tokens), …` over mart columns (re-aggregating a finer mart). */
export function sumMartMeasures(alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return TOKEN_MEASURES.map(([mart]) => `SUM(${prefix}${mart})`).join(', ');
}

/** `input_tokens = input_tokens + excluded.input_tokens, …` for additive upserts. */
export function addExcluded(): string {
  return TOKEN_MEASURES.map(([mart]) => `${mart} = ${mart} + excluded.${mart}`).join(', ');
}

/** Priced tokens of a mart row (reasoning is inside output), for ranking models. */
export const MART_TOKENS_EXPR =
  '(input_tokens + output_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens)';

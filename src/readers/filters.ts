import type { ReportFilter } from './types';

export interface Where {
  sql: string;
  params: (string | number)[];
}

/** Which filterable columns a mart has (`undefined`: the mart cannot filter on it). */
export interface FilterColumns {
  day?: string;
  agent?: string;
  project?: string;
}

/** Whether a mart with these columns can answer the filter. */
export function canFilter(filter: ReportFilter, columns: FilterColumns): boolean {
  return (!filter.agent || !!columns.agent) && (!filter.project || !!columns.project) &&
    (!(filter.since || filter.until) || !!columns.day);
}

/** A WHERE clause (always starting with `WHERE`) for the filter over one mart's columns. */
export function whereOf(filter: ReportFilter, columns: FilterColumns): Where {
  // Mart rows and memberships whose requests all moved away or were withdrawn stay in the
  // tables (every figure is a sum); what is shown is what counts now.
  const clauses: string[] = ['messages > 0'];
  const params: (string | number)[] = [];
  if (filter.since && columns.day) {
    clauses.push(`${columns.day} >= ?`);
    params.push(filter.since);
  }
  if (filter.until && columns.day) {
    clauses.push(`${columns.day} <= ?`);
    params.push(filter.until);
  }
  if (filter.agent && columns.agent) {
    clauses.push(`${columns.agent} = ?`);
    params.push(filter.agent);
  }
  if (filter.project && columns.project) {
    clauses.push(`${columns.project} = (SELECT id FROM dim_project WHERE path = ?)`);
    params.push(filter.project);
  }
  return { sql: `WHERE ${clauses.join(' AND ')}`, params };
}

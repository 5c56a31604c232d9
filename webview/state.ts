/** UI state kept by VS Code across reloads (getState/setState): the filter and each table's sort. */
import type { PanelFilter, RangePreset } from '../src/protocol/panel-protocol';
import { readState, writeState } from './vscode-api';

export type SortDir = 'asc' | 'desc';
export interface SortState {
  key: string;
  dir: SortDir;
}

export interface SavedState {
  filter?: PanelFilter;
  sort: Record<string, SortState>;
}

/** Mirrors DEFAULT_FILTER in the protocol (the webview imports types only). */
export const FALLBACK_FILTER: PanelFilter = { range: '30d', agent: 'all', project: 'all', sessionLimit: 25 };

export const RANGE_PRESETS: readonly RangePreset[] = ['today', '7d', '30d', 'month', 'all', 'custom'];
export const SESSION_LIMITS: readonly number[] = [10, 25, 100];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Accepts a filter from older or foreign state only if every field has the right shape. */
export function sanitizeFilter(v: unknown): PanelFilter | undefined {
  if (!isRecord(v)) return undefined;
  const { range, since, until, agent, project, sessionLimit } = v;
  if (typeof range !== 'string' || !RANGE_PRESETS.includes(range as RangePreset)) return undefined;
  if (typeof agent !== 'string' || typeof project !== 'string') return undefined;
  const filter: PanelFilter = {
    range: range as RangePreset,
    agent: agent as PanelFilter['agent'],
    project,
    sessionLimit: typeof sessionLimit === 'number' && sessionLimit > 0 ? sessionLimit : FALLBACK_FILTER.sessionLimit,
  };
  if (filter.range === 'custom') {
    if (typeof since === 'string' && DAY.test(since)) filter.since = since;
    if (typeof until === 'string' && DAY.test(until)) filter.until = until;
  }
  return filter;
}

function sanitizeSort(v: unknown): Record<string, SortState> {
  const out: Record<string, SortState> = {};
  if (!isRecord(v)) return out;
  for (const [table, s] of Object.entries(v)) {
    if (isRecord(s) && typeof s.key === 'string' && (s.dir === 'asc' || s.dir === 'desc')) out[table] = { key: s.key, dir: s.dir };
  }
  return out;
}

let current: SavedState = (() => {
  const raw = readState();
  return isRecord(raw) ? { filter: sanitizeFilter(raw.filter), sort: sanitizeSort(raw.sort) } : { sort: {} };
})();

export function savedState(): Readonly<SavedState> {
  return current;
}

export function saveFilter(filter: PanelFilter): void {
  current = { ...current, filter };
  writeState(current);
}

export function saveSort(table: string, sort: SortState): void {
  current = { ...current, sort: { ...current.sort, [table]: sort } };
  writeState(current);
}

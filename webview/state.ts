/** UI state kept by VS Code across reloads (getState/setState): the filter and each table's sort. */
import { sanitizeFilter } from '../src/protocol/panel-filter';
import type { PanelFilter } from '../src/protocol/panel-protocol';
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

export const SESSION_LIMITS: readonly number[] = [10, 25, 100];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
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

/**
 * The panel's filter as it crosses between the webview and the host, checked on both sides: the
 * webview restores it from saved state, the host takes it from the webview's messages. Pure and
 * free of imports but types and the default, so the webview bundles it too.
 */
import { DEFAULT_FILTER, type PanelFilter, type RangePreset } from './panel-protocol';

export const RANGE_PRESETS: readonly RangePreset[] = ['today', '7d', '30d', 'month', 'all', 'custom'];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** A filter only if every field has the right shape (a day is `YYYY-MM-DD`; a bad session limit becomes the default). */
export function sanitizeFilter(v: unknown): PanelFilter | undefined {
  if (!isRecord(v)) return undefined;
  const { range, since, until, agent, project, sessionLimit } = v;
  if (typeof range !== 'string' || !RANGE_PRESETS.includes(range as RangePreset)) return undefined;
  if (typeof agent !== 'string' || typeof project !== 'string') return undefined;
  const filter: PanelFilter = {
    range: range as RangePreset,
    agent,
    project,
    sessionLimit: typeof sessionLimit === 'number' && Number.isInteger(sessionLimit) && sessionLimit > 0 ? sessionLimit : DEFAULT_FILTER.sessionLimit,
  };
  if (filter.range === 'custom') {
    if (typeof since === 'string' && DAY.test(since)) filter.since = since;
    if (typeof until === 'string' && DAY.test(until)) filter.until = until;
  }
  return filter;
}

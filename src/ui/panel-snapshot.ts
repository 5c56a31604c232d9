/**
 * Builds the cost panel's full data snapshot from the readers. No `vscode` import:
 * the host sends what this returns, and unit tests call it directly.
 */
import { addDays, monthStart } from '../core/time';
import { AGENT_IDS, AGENT_PRESENTATION } from '../normalizers/registry';
import type { PanelData, PanelFilter } from '../protocol/panel-protocol';
import type { Readers } from '../readers/readers';
import type { ReportFilter } from '../readers/types';
import { editorQuotaHints } from './limit-status';

/** The inclusive days a filter covers (undefined = unbounded). */
export function resolveRange(filter: PanelFilter, today: string): { since?: string; until?: string } {
  switch (filter.range) {
    case 'today':
      return { since: today, until: today };
    case '7d':
      return { since: addDays(today, -6), until: today };
    case '30d':
      return { since: addDays(today, -29), until: today };
    case 'month':
      return { since: monthStart(today), until: today };
    case 'custom':
      return { since: filter.since || undefined, until: filter.until || undefined };
    default:
      return {};
  }
}

function reportFilterOf(filter: PanelFilter, today: string): ReportFilter {
  return {
    ...resolveRange(filter, today),
    agent: filter.agent === 'all' ? undefined : filter.agent,
    project: filter.project === 'all' ? undefined : filter.project,
  };
}

export function panelSnapshot(readers: Readers, filter: PanelFilter, now = Date.now()): PanelData {
  const today = readers.today(now);
  const report = reportFilterOf(filter, today);
  const scope = { agent: report.agent, project: report.project };
  const summary = readers.summary(scope, now);
  return {
    filter,
    since: report.since,
    until: report.until,
    today,
    timeZone: readers.timeZone,
    generatedAt: now,
    headline: {
      todayUsd: summary.todayUsd,
      weekUsd: summary.weekUsd,
      monthUsd: summary.monthUsd,
      allTimeUsd: summary.allTimeUsd,
      cacheSavingsUsd: summary.cacheSavingsUsd,
    },
    daily: readers.dailyByModel(report),
    projects: readers.projects(report),
    sessions: readers.sessions(report, { limit: Math.max(1, filter.sessionLimit) }),
    models: readers.models(report),
    agents: readers.agents(report),
    composition: readers.periodTotals(report),
    agentOptions: [...AGENT_IDS],
    agentInfo: AGENT_PRESENTATION.map((a) => ({ ...a })),
    quotaHints: editorQuotaHints(),
    projectOptions: readers.projects({}).map((p) => p.project).sort(),
  };
}

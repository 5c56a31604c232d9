/**
 * What the status bar shows, as plain data and text. No `vscode` import: unit-tested in Node.
 */
import { monthStart } from '../core/time';
import { displayModel } from '../readers/ccusage-format';
import type { Readers } from '../readers/readers';
import type { AgentId } from '../core/usage';
import { agentLabel } from '../normalizers/registry';

export type StatusShows = 'today' | 'month' | 'workspace';
export type BudgetLevel = 'ok' | 'warning' | 'error';

export interface StatusSnapshot {
  today: string;
  todayUsd: number;
  monthUsd: number;
  workspaceTodayUsd: number;
  byAgentToday: { agent: AgentId; usd: number }[];
  byModelToday: { model: string; usd: number }[];
  /** The first read was cancelled: some transcripts are not counted until Refresh Now. */
  readingPaused?: boolean;
  /** No agent's folder exists where Agent Ledger looks (the panel lists them). */
  noFolders?: boolean;
  /** Another window is reading the transcripts for the first time; nothing is saved yet to show. */
  awaitingFirstSave?: boolean;
}

/** Whether a project path lies in one of the workspace folders. */
export function inWorkspace(project: string, folders: readonly string[]): boolean {
  const normalized = project.replace(/\\/g, '/').replace(/\/+$/, '');
  return folders.some((folder) => {
    const f = folder.replace(/\\/g, '/').replace(/\/+$/, '');
    return normalized === f || normalized.startsWith(`${f}/`);
  });
}

/** Only the figures the status bar and its tooltip show: one query each. */
export function statusSnapshot(readers: Readers, workspaceFolders: readonly string[], now = Date.now()): StatusSnapshot {
  const today = readers.today(now);
  const todayOnly = { since: today, until: today };
  const [todayUsd, monthUsd] = readers.spendSince([today, monthStart(today)]);
  return {
    today,
    todayUsd: todayUsd!,
    monthUsd: monthUsd!,
    workspaceTodayUsd: readers
      .spendByProject(todayOnly)
      .filter((p) => inWorkspace(p.project, workspaceFolders))
      .reduce((sum, p) => sum + p.costUsd, 0),
    byAgentToday: readers.agents(todayOnly).map((a) => ({ agent: a.agent, usd: a.costUsd })),
    byModelToday: readers.models(todayOnly).map((m) => ({ model: displayModel(m.model, m.speed), usd: m.costUsd })),
  };
}

export function formatUsd(usd: number): string {
  return usd.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function statusText(s: StatusSnapshot, shows: StatusShows): string {
  switch (shows) {
    case 'month':
      return `$(pulse) ${formatUsd(s.monthUsd)} this month`;
    case 'workspace':
      return `$(pulse) ${formatUsd(s.workspaceTodayUsd)} here today`;
    default:
      return `$(pulse) ${formatUsd(s.todayUsd)} today`;
  }
}

/** What the status bar's text says, in words a screen reader speaks (it would read the tooltip's Markdown). */
export function spokenStatus(s: StatusSnapshot, shows: StatusShows, budget: number, quota: string): string {
  const spent = shows === 'month' ? `${formatUsd(s.monthUsd)} spent this month` : shows === 'workspace' ? `${formatUsd(s.workspaceTodayUsd)} spent in this workspace today` : `${formatUsd(s.todayUsd)} spent today`;
  return [
    `Agent Ledger: ${spent}`,
    budget > 0 ? `${Math.round((s.todayUsd / budget) * 100)}% of the daily budget` : '',
    quota,
    s.readingPaused ? 'the first read was cancelled, some transcripts are not counted yet' : '',
  ].filter(Boolean).join('; ');
}

export function budgetLevel(todayUsd: number, budget: number): BudgetLevel {
  if (budget <= 0) return 'ok';
  if (todayUsd > budget) return 'error';
  return todayUsd >= 0.8 * budget ? 'warning' : 'ok';
}

/** Escapes text for Markdown (model names and paths come from transcripts). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, '\\$&');
}

export function tooltipMarkdown(s: StatusSnapshot, budget: number, updatedAt: Date): string {
  const row = (label: string, usd: number) => `| ${escapeMarkdown(label)} | ${formatUsd(usd)} |`;
  const lines = [
    `**Agent Ledger** — today (${s.today})`,
    '',
    '| Agent | Cost |',
    '|:--|--:|',
    ...(s.byAgentToday.length ? s.byAgentToday.map((a) => row(agentLabel(a.agent), a.usd)) : ['| _no usage yet_ | |']),
    '',
    '| Model | Cost |',
    '|:--|--:|',
    ...(s.byModelToday.length ? s.byModelToday.slice(0, 8).map((m) => row(m.model, m.usd)) : ['| _no usage yet_ | |']),
    '',
    `This month: **${formatUsd(s.monthUsd)}** · This workspace today: **${formatUsd(s.workspaceTodayUsd)}**`,
  ];
  if (budget > 0) lines.push('', `Daily budget: ${formatUsd(budget)} (${Math.round((s.todayUsd / budget) * 100)}% used)`);
  lines.push('', `Updated ${updatedAt.toLocaleTimeString()} · [Open cost panel](command:agentLedger.openPanel)`);
  return lines.join('\n');
}

/**
 * The quota part of the status bar: text, colour level and tooltip lines, from a LimitsView.
 * No `vscode` import: unit-tested in Node.
 */
import type { PaceLevel } from '../core/limit-pace';
import { agentLabel, quotaOrigins } from '../normalizers/registry';
import type { LimitsView, LimitWindowView } from '../readers/limit-types';
import { escapeMarkdown } from './status-snapshot';

/** The titles of the commands that set up (and undo) an agent's status line, as package.json names them. */
export const showQuotaTitle = (label: string): string => `Agent Ledger: Show ${label} Quota`;
export const hideQuotaTitle = (label: string): string => `Agent Ledger: Stop Showing ${label} Quota`;

/**
 * Where quota readings come from, one clause per agent, for the panel's "no readings yet":
 * an agent whose files carry them says so; for one that hands them to its status line, the command to run.
 */
export function editorQuotaHints(): string[] {
  return quotaOrigins().map((o) => (o.statusLine ? `for ${o.label}, run "${showQuotaTitle(o.label)}"` : o.clause));
}

/** ` · 5h 62%` for the tightest official window, ` · 5h ~40%` for an estimate when nothing is official. */
export function limitStatusSuffix(view: LimitsView | undefined): string {
  const w = shownWindow(view);
  if (!w) return '';
  return w.source === 'official' ? ` · ${w.label} ${Math.round(w.usedPercent)}%` : ` · ${w.label} ~${Math.round(w.usedPercent)}%`;
}

/** The status bar's quota part for a screen reader: `Codex 5h quota 62% used`. */
export function limitSpoken(view: LimitsView | undefined): string {
  const w = shownWindow(view);
  if (!w) return '';
  return `${agentLabel(w.agent)} ${w.label} quota ${w.source === 'official' ? '' : 'about '}${Math.round(w.usedPercent)}% used`;
}

export function limitLevel(view: LimitsView | undefined): PaceLevel {
  const w = shownWindow(view);
  return w && w.source === 'official' ? w.level : 'ok';
}

function shownWindow(view: LimitsView | undefined): LimitWindowView | undefined {
  if (!view) return undefined;
  if (view.tightest !== undefined) return view.windows[view.tightest];
  return view.windows.find((w) => w.source === 'estimate');
}

const PACE_WORDS: Record<PaceLevel, string> = { ok: 'on pace', warning: 'ahead of pace', error: 'nearly used up' };

/** Markdown lines for the tooltip: every window with its reset and projected run-out. */
export function limitTooltipLines(view: LimitsView | undefined, time: (ms: number) => string): string[] {
  if (!view || view.windows.length === 0) return [];
  const rows = view.windows.map((w) => {
    const used = `${w.source === 'estimate' ? '~' : ''}${Math.round(w.usedPercent)}%`;
    const reset = w.stale ? `reset at ${time(w.resetsAt)} (no reading since)` : time(w.resetsAt);
    const runOut = w.stale ? '' : w.runOutAt !== undefined ? `runs out ${time(w.runOutAt)}` : w.source === 'estimate' ? 'estimate' : PACE_WORDS[w.level];
    return `| ${escapeMarkdown(agentLabel(w.agent))} | ${escapeMarkdown(w.label)}${w.source === 'estimate' ? ' (estimate)' : ''} | ${used} (pace ${Math.round(w.expectedPercent)}%) | ${escapeMarkdown(reset)} | ${escapeMarkdown(runOut)} |`;
  });
  const lines = ['', '| Quota | Window | Used | Resets | At this pace |', '|:--|:--|--:|:--|:--|', ...rows];
  if (view.windows.some((w) => w.source === 'estimate')) lines.push('', '_Estimate: the active 5-hour block against your largest block of the last 30 days (no official figure for this agent)._');
  return lines;
}

/**
 * Messages between the cost panel's host (src/ui) and its webview (webview/).
 * Types only: both sides import this file, and it imports nothing but reader row types.
 */
import type { AgentId } from '../core/usage';
import type { BlockView, LimitsView, LimitWindowView } from '../readers/limit-types';
import type { AgentRow, DailyModelRow, ModelRow, ProjectRow, SessionRow, TokenTotals } from '../readers/types';

export type { AgentId, AgentRow, BlockView, DailyModelRow, LimitsView, LimitWindowView, ModelRow, ProjectRow, SessionRow, TokenTotals };

export type RangePreset = 'today' | '7d' | '30d' | 'month' | 'all' | 'custom';

/** What the user picked in the panel; kept in webview state and restored after a reload. */
export interface PanelFilter {
  range: RangePreset;
  /** 'YYYY-MM-DD', used when range is 'custom'. */
  since?: string;
  until?: string;
  agent: AgentId | 'all';
  /** A project path, or 'all'. */
  project: string;
  /** How many sessions the sessions table shows. */
  sessionLimit: number;
}

export const DEFAULT_FILTER: PanelFilter = { range: '30d', agent: 'all', project: 'all', sessionLimit: 25 };

export interface Headline {
  todayUsd: number;
  weekUsd: number;
  monthUsd: number;
  allTimeUsd: number;
  cacheSavingsUsd: number;
}

/** A full snapshot of what the panel shows: the host always sends all of it, never deltas. */
export interface PanelData {
  filter: PanelFilter;
  /** The days the filter resolved to (inclusive; absent = unbounded). */
  since?: string;
  until?: string;
  today: string;
  timeZone: string;
  generatedAt: number;
  /** Headline cards: today/week/month/all time follow agent and project filters, not the range. */
  headline: Headline;
  /** Per day and model within the range, for the stacked chart. */
  daily: DailyModelRow[];
  projects: ProjectRow[];
  sessions: SessionRow[];
  models: ModelRow[];
  agents: AgentRow[];
  /** Token composition of the range. */
  composition: TokenTotals;
  /** Choices for the filter drop-downs. */
  agentOptions: AgentId[];
  /** Every agent's name and colour class, from the registry (the webview knows no agent). */
  agentInfo: { agent: AgentId; label: string; colour: string }[];
  projectOptions: string[];
  /** Quota windows and active blocks (not filtered: a quota is the account's). */
  limits?: LimitsView;
  /** Where quota readings come from, one clause per agent that reports its quota, from the registry (shown while there are none). */
  quotaHints: string[];
  /** Every folder the last full read looked in, when none of them exists (a first run with no agent, or agents kept elsewhere). */
  foldersNotFound?: string[];
}

/** Webview → host. */
export type PanelRequest =
  | { type: 'ready'; filter?: PanelFilter }
  | { type: 'setFilter'; filter: PanelFilter }
  | { type: 'refresh' }
  | { type: 'export'; format: 'csv' | 'json' }
  | { type: 'showLog' };

/** Host → webview. */
export type PanelMessage =
  | { type: 'data'; data: PanelData }
  | { type: 'busy'; busy: boolean; message?: string }
  | { type: 'error'; message: string };

import type { AgentId, Speed } from '../core/usage';

/** What a report covers. Days are 'YYYY-MM-DD' in the engine's time zone, inclusive. */
export interface ReportFilter {
  since?: string;
  until?: string;
  agent?: AgentId;
  /** A project path as shown in reports. */
  project?: string;
}

export interface TokenTotals {
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  reasoningTokens: number;
  /** input + output + cache writes + cache reads (reasoning is inside output). */
  totalTokens: number;
  costUsd: number;
  /** The cost the agents recorded themselves, where they do (Cline, Roo, Kilo, OpenCode…); 0 elsewhere. */
  reportedCostUsd: number;
  messages: number;
}

export interface DailyModelRow extends TokenTotals {
  day: string;
  model: string;
  speed: Speed;
}

export interface PeriodRow extends TokenTotals {
  /** A day ('YYYY-MM-DD') or a month ('YYYY-MM'). */
  period: string;
}

export interface ProjectRow extends TokenTotals {
  project: string;
  sessions: number;
  firstTs: number;
  lastTs: number;
  primaryModel: string;
}

export interface SessionRow extends TokenTotals {
  sessionId: string;
  agent: AgentId;
  project: string;
  firstTs: number;
  lastTs: number;
  primaryModel: string;
}

export interface ModelRow extends TokenTotals {
  model: string;
  speed: Speed;
  priced: boolean;
  /** What the cache reads saved against paying the input rate for them. */
  cacheSavingsUsd: number;
}

export interface AgentRow extends TokenTotals {
  agent: AgentId;
  sessions: number;
}

export interface SpendSummary {
  today: string;
  todayUsd: number;
  weekUsd: number;
  monthUsd: number;
  allTimeUsd: number;
  cacheSavingsUsd: number;
}

export interface UnpricedModel {
  model: string;
  totalTokens: number;
  firstDay: string;
  lastDay: string;
}

import * as vscode from 'vscode';
import type { WindowKind } from '../core/limits';
import { systemTimeZone, isValidTimeZone } from '../core/time';
import type { ChainMode } from '../statusline/statusline-config';
import type { AgentId } from '../core/usage';
import type { IngestOptions } from '../pipeline/ingest';
import { NORMALIZERS } from '../normalizers/registry';
import { missingRootWarnings, raisedToWarnLevel } from './setting-checks';

export type StatusBarShows = 'today' | 'month' | 'workspace';

/** The `agentLedger.*` settings, typed once (mirrors package.json `contributes.configuration`). */
export interface Settings {
  enabled: Record<AgentId, boolean>;
  extraRoots: Record<AgentId, string[]>;
  timeZone: string;
  /** The configured zone, when it is not an IANA time zone (the system's is used instead). */
  invalidTimeZone?: string;
  dailyBudget: number;
  statusBarShows: StatusBarShows;
  limits: LimitSettings;
}

/** `agentLedger.limits.*`. */
export interface LimitSettings {
  kinds: WindowKind[];
  statusBar: boolean;
  warnAt: number;
  criticalAt: number;
  notifications: boolean;
  chain: ChainMode;
}

export const SECTION = 'agentLedger';

export function readSettings(log: { warn(m: string): void }): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const zone = config.get<string>('timeZone', '').trim();
  if (zone && !isValidTimeZone(zone)) log.warn(`agentLedger.timeZone "${zone}" is not an IANA time zone; using the system's`);
  const enabled = {} as Record<AgentId, boolean>;
  const extraRoots = {} as Record<AgentId, string[]>;
  for (const { agent } of NORMALIZERS) {
    enabled[agent] = config.get<boolean>(`${agent}.enabled`, true);
    extraRoots[agent] = config.get<string[]>(`${agent}.extraRoots`, []).filter((r) => typeof r === 'string' && r.trim());
  }
  for (const warning of missingRootWarnings(SECTION, extraRoots)) log.warn(warning);
  return {
    enabled,
    extraRoots,
    timeZone: zone && isValidTimeZone(zone) ? zone : systemTimeZone(),
    ...(zone && !isValidTimeZone(zone) ? { invalidTimeZone: zone } : {}),
    dailyBudget: Math.max(0, config.get<number>('dailyBudget', 0) || 0),
    statusBarShows: config.get<StatusBarShows>('statusBar.show', 'today'),
    limits: readLimitSettings(config, log),
  };
}

function readLimitSettings(config: vscode.WorkspaceConfiguration, log: { warn(m: string): void }): LimitSettings {
  const percent = (key: string, fallback: number) => {
    const v = config.get<number>(key, fallback);
    return typeof v === 'number' && v > 0 && v <= 100 ? v : fallback;
  };
  const warnAt = percent('limits.warnAt', 80);
  const kinds = config.get<WindowKind[]>('limits.windows', ['5h', 'weekly', 'other']).filter((k) => ['5h', 'weekly', 'other'].includes(k));
  const chain = config.get<ChainMode>('limits.claudeStatusLine.previousCommand', 'after');
  return {
    kinds,
    statusBar: config.get<boolean>('limits.statusBar', true),
    warnAt,
    criticalAt: raisedToWarnLevel(SECTION, warnAt, percent('limits.criticalAt', 95), log),
    notifications: config.get<boolean>('limits.notifications', true),
    chain: chain === 'instead' || chain === 'off' ? chain : 'after',
  };
}

/**
 * What to read: the enabled agents, each from its environment variables or default roots plus
 * the extra roots from settings; the editor's own globalStorage folder (the parent of this
 * extension's `globalStorageUri`) is where VS Code extensions among the agents keep their tasks.
 */
export function ingestOptionsOf(settings: Settings, editorStorageRoot: string): Pick<IngestOptions, 'extraRoots' | 'agents' | 'editorStorageRoots'> {
  const extraRoots: Partial<Record<AgentId, string[]>> = {};
  const agents: AgentId[] = [];
  for (const normalizer of NORMALIZERS) {
    if (!settings.enabled[normalizer.agent]) continue;
    agents.push(normalizer.agent);
    extraRoots[normalizer.agent] = settings.extraRoots[normalizer.agent];
  }
  return { extraRoots, agents, editorStorageRoots: [editorStorageRoot] };
}


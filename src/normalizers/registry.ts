import type { AgentId } from '../core/usage';
import type { AnyNormalizer, StatusLineSupport } from './agent-normalizer';
import { claudeNormalizer } from './claude';
import { clineNormalizer } from './cline';
import { codexNormalizer } from './codex';
import { geminiNormalizer } from './gemini';
import { kiloNormalizer } from './kilo';
import type { LimitSource } from './limit-source';
import { opencodeNormalizer } from './opencode';
import { qwenNormalizer } from './qwen';
import { rooNormalizer } from './roo';

/** Every supported agent. A new agent is one normalizer file and one line here. */
export const NORMALIZERS: readonly AnyNormalizer[] = [
  claudeNormalizer,
  codexNormalizer,
  geminiNormalizer,
  qwenNormalizer,
  clineNormalizer,
  rooNormalizer,
  kiloNormalizer,
  opencodeNormalizer,
];

export const AGENT_IDS: readonly AgentId[] = NORMALIZERS.map((n) => n.agent);

export function findNormalizer(agent: AgentId): AnyNormalizer | undefined {
  return NORMALIZERS.find((n) => n.agent === agent);
}

export function normalizerFor(agent: AgentId): AnyNormalizer {
  const found = findNormalizer(agent);
  if (!found) throw new Error(`no normalizer for agent ${agent}`);
  return found;
}

/** What users see of an agent: its name and colour (plain data, for the panel and status bar). */
export interface AgentPresentation {
  agent: AgentId;
  label: string;
  colour: string;
}

export const AGENT_PRESENTATION: readonly AgentPresentation[] = NORMALIZERS.map((n) => ({
  agent: n.agent,
  label: n.label,
  colour: n.colour ?? 'c-purple',
}));

export function agentLabel(agent: AgentId): string {
  return findNormalizer(agent)?.label ?? agent;
}

/** An agent whose status line `agent-ledger statusline` serves. */
export type StatusLineAgent = AnyNormalizer & { readonly statusLine: StatusLineSupport };

/** The agent whose status line `agent-ledger statusline` serves (the first that declares one). */
export function statusLineAgent(): StatusLineAgent | undefined {
  return NORMALIZERS.find((n): n is StatusLineAgent => n.statusLine !== undefined);
}

/** The status-line agent, for code that only runs for one (set-up, journal, `agent-ledger statusline`). */
export function servedAgent(): StatusLineAgent {
  const agent = statusLineAgent();
  if (!agent) throw new Error('no agent in the registry has a status line');
  return agent;
}

/** Every quota journal a status line writes into the ledger's folder. */
export const LIMIT_SOURCES: readonly LimitSource[] = NORMALIZERS.flatMap((n) => (n.statusLine ? [n.statusLine.journal] : []));

/** Where an agent's own quota readings come from, in users' words. */
export interface QuotaOrigin {
  agent: AgentId;
  label: string;
  /** Short, for help texts: `Codex`, `Claude Code status line`. */
  source: string;
  /** A clause for "no readings yet": `Codex writes them into its rollouts`. */
  clause: string;
  /** The readings come from its status line (set up from the editor). */
  statusLine: boolean;
}

/** Every agent that reports its own quota: those whose files carry it, then those whose status line is handed it. */
export function quotaOrigins(): QuotaOrigin[] {
  const fromFiles = NORMALIZERS.filter((n) => n.readLimits).map((n): QuotaOrigin => {
    const hint = n.limitsHint ?? { name: n.label, how: 'writes them into its transcripts' };
    return { agent: n.agent, label: n.label, source: hint.name, clause: `${hint.name} ${hint.how}`, statusLine: false };
  });
  const fromStatusLines = NORMALIZERS.filter((n) => n.statusLine).map((n): QuotaOrigin => (
    { agent: n.agent, label: n.label, source: `${n.label} status line`, clause: `${n.label} gives them to its status line`, statusLine: true }
  ));
  return [...fromFiles, ...fromStatusLines];
}

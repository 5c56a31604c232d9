import type { AgentId } from '../core/usage';
import type { AnyNormalizer } from './agent-normalizer';
import { claudeNormalizer } from './claude';
import { clineNormalizer } from './cline';
import { codexNormalizer } from './codex';
import { geminiNormalizer } from './gemini';
import { kiloNormalizer } from './kilo';
import { opencodeNormalizer } from './opencode';
import { qwenNormalizer } from './qwen';
import { rooNormalizer } from './roo';

/** Every supported agent. A new agent is one normalizer file and one line here. */
export const NORMALIZERS: readonly AnyNormalizer[] = [
  { ...claudeNormalizer, colour: 'c-orange', rootHint: 'a Claude root holding projects/' },
  { ...codexNormalizer, colour: 'c-blue', rootHint: 'a Codex home holding sessions/' },
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
  const found = NORMALIZERS.find((n) => n.agent === agent);
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
  return NORMALIZERS.find((n) => n.agent === agent)?.label ?? agent;
}

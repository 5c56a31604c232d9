import type { AgentId } from '../core/usage';
import type { AnyNormalizer } from './agent-normalizer';
import { claudeNormalizer } from './claude';
import { codexNormalizer } from './codex';

/** Every supported agent. A new agent is one normalizer file and one line here. */
export const NORMALIZERS: readonly AnyNormalizer[] = [claudeNormalizer, codexNormalizer];

export const AGENT_IDS: readonly AgentId[] = NORMALIZERS.map((n) => n.agent);

export function findNormalizer(agent: AgentId): AnyNormalizer | undefined {
  return NORMALIZERS.find((n) => n.agent === agent);
}

export function normalizerFor(agent: AgentId): AnyNormalizer {
  const found = NORMALIZERS.find((n) => n.agent === agent);
  if (!found) throw new Error(`no normalizer for agent ${agent}`);
  return found;
}

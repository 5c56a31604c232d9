import type { AgentId } from '../core/usage';
import type { LedgerEngine } from '../pipeline/engine';
import { AGENT_IDS } from '../normalizers/registry';
import { blockEntries, chainedBlockEntries } from '../readers/block-events';
import { toCcusageBlock } from '../readers/blocks-format';
import { blockTotalTokens, BLOCK_MS, identifyBlocks, recentBlocks, type SessionBlock } from '../readers/session-blocks';
import { formatInt, formatUsd, renderTable } from './text-table';

export interface BlocksOptions {
  agent?: AgentId;
  active: boolean;
  recent: boolean;
  json: boolean;
}

const RECENT_DAYS = 3;

/** One agent's blocks: the whole history, or only as far back as `--active`/`--recent` need. */
function agentBlocks(engine: LedgerEngine, agent: AgentId, options: Pick<BlocksOptions, 'active' | 'recent'>, now: number): SessionBlock[] {
  const window = options.active ? BLOCK_MS : options.recent ? RECENT_DAYS * 86_400_000 : undefined;
  const entries = window === undefined ? blockEntries(engine.ledger, { agent }) : chainedBlockEntries(engine.ledger, now - window, agent);
  const blocks = identifyBlocks(entries, now);
  if (options.active) return blocks.filter((b) => b.isActive);
  return options.recent ? recentBlocks(blocks, now, RECENT_DAYS) : blocks;
}

/**
 * `agent-ledger blocks`: ccusage's 5-hour blocks, per agent (each agent's quota is its own).
 * JSON is ccusage's `claude blocks --json` with one more field per block, `agent`.
 */
export function blocksReport(engine: LedgerEngine, options: BlocksOptions, now = Date.now()): string {
  const agents = options.agent ? [options.agent] : AGENT_IDS;
  const blocks = agents.flatMap((agent) => agentBlocks(engine, agent, options, now).map((b) => ({ agent, b })));
  blocks.sort((x, y) => x.b.startTime - y.b.startTime || (x.agent < y.agent ? -1 : 1));
  if (options.json) return JSON.stringify({ blocks: blocks.map(({ agent, b }) => ({ ...toCcusageBlock(b, now), agent })) }, null, 2);
  if (blocks.length === 0) return options.active ? 'No active 5-hour block.' : 'No usage recorded.';
  const rows = blocks.map(({ agent, b }) => [
    agent,
    `${new Date(b.startTime).toISOString().slice(0, 16).replace('T', ' ')}`,
    b.isGap ? `gap until ${new Date(b.endTime).toISOString().slice(0, 16).replace('T', ' ')}` : b.isActive ? `ACTIVE, ${remaining(b.endTime - now)} left` : duration((b.actualEndTime ?? b.startTime) - b.startTime),
    b.models.join(', '),
    b.isGap ? '' : formatInt(blockTotalTokens(b.tokens)),
    b.isGap ? '' : formatUsd(b.costUsd),
  ]);
  return renderTable(['Agent', 'Block start (UTC)', 'Duration / status', 'Models', 'Tokens', 'Cost (USD)'], rows, [false, false, false, false, true, true]) +
    '\n(5-hour blocks as ccusage estimates them: a local estimate, not the provider\'s quota)';
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

const remaining = duration;

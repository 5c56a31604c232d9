import * as path from 'node:path';
import type { TokenCounts, UsageRecord } from '../core/usage';
import { asObject, asString, parseTimestamp, tokenCount, usageTime, type AgentNormalizer } from './agent-normalizer';
import { claudeStatusLine } from './claude-status-line';

const SUBAGENTS_FOLDER = /(^|[\\/])subagents([\\/]|$)/;

/**
 * Claude Code: `<root>/projects/<slug>/<session>.jsonl` (and `<session>/subagents/agent-*.jsonl`).
 * Only `assistant` lines carry usage. A streamed message repeats its (message.id, requestId)
 * on several lines; the key makes every repeat the same request, and the store keeps the
 * largest snapshot. Claude needs no per-file state.
 */
export const claudeNormalizer: AgentNormalizer<null> = {
  agent: 'claude',
  label: 'Claude Code',
  colour: 'c-orange',
  rootHint: 'a Claude root holding projects/',
  layout: {
    envVar: 'CLAUDE_CONFIG_DIR',
    defaultRoots: ['.config/claude', '.claude'],
    transcriptDirs: ['projects'],
  },
  // Every usage object has `…_tokens` keys. A marker that starts with a rare byte is found about
  // twice as fast as `"usage"` (quotes are everywhere in JSON, and the search keys on the first byte).
  markers: ['_tokens"'],
  // Its quota reaches us only through its status line (nothing else keeps it).
  statusLine: claudeStatusLine,

  fileRank(relativePath) {
    return SUBAGENTS_FOLDER.test(relativePath) ? 1 : 0;
  },

  initialState() {
    return null;
  },

  legacyAlias(key, replica) {
    const messageId = /^c:([^:]+):/.exec(key)?.[1];
    return messageId && messageId !== 'uuid' && messageId !== 'at' ? { group: `c:${messageId}`, primary: !replica } : undefined;
  },

  normalize(line, offset, _state, filePath): UsageRecord | undefined {
    const entry = asObject(line);
    const message = asObject(entry?.message);
    // Claude Code marks a reply `type: "assistant"`; a line with no type at all (older or
    // hand-written transcripts, as in ccusage's own fixtures) is one when its message says so.
    const type = entry?.type ?? message?.role;
    if (!entry || type !== 'assistant') return undefined;
    const usage = asObject(message?.usage);
    const model = asString(message?.model);
    if (!message || !usage || !model || model === '<synthetic>') return undefined;
    const ts = usageTime(parseTimestamp(entry.timestamp));

    const messageId = asString(message.id);
    const requestId = asString(entry.requestId);
    return {
      agent: 'claude',
      key: requestKey(messageId, requestId, entry, filePath, offset),
      repeat: 'largest',
      // A sub-agent (sidechain) line may replay a parent's message under a new request id.
      alias: messageId ? { group: `c:${messageId}`, primary: entry.isSidechain !== true } : undefined,
      sessionId: asString(entry.sessionId) ?? path.basename(filePath, '.jsonl'),
      project: asString(entry.cwd) ?? projectSlug(filePath),
      model,
      flags: 0,
      speed: usage.speed === 'fast' ? 'fast' : 'standard',
      ts,
      tokens: claudeTokens(usage),
      offset,
    };
  },
};

function requestKey(
  messageId: string | undefined,
  requestId: string | undefined,
  entry: Record<string, unknown>,
  filePath: string,
  offset: number,
): string {
  if (messageId) return `c:${messageId}:${requestId ?? ''}`;
  // Without a message id a line is its own request; its uuid still makes a re-read idempotent.
  const uuid = asString(entry.uuid);
  return uuid ? `c:uuid:${uuid}` : `c:at:${filePath}:${offset}`;
}

function claudeTokens(usage: Record<string, unknown>): TokenCounts {
  const split = asObject(usage.cache_creation);
  return {
    input: tokenCount(usage.input_tokens),
    output: tokenCount(usage.output_tokens),
    cacheWrite5m: split ? tokenCount(split.ephemeral_5m_input_tokens) : tokenCount(usage.cache_creation_input_tokens),
    cacheWrite1h: split ? tokenCount(split.ephemeral_1h_input_tokens) : 0,
    cacheRead: tokenCount(usage.cache_read_input_tokens),
    reasoning: 0,
  };
}

/** The lossy project slug (`-home-me-repo`) from the path, when a line has no `cwd`. */
function projectSlug(filePath: string): string {
  const parts = filePath.split(/[\\/]/);
  const at = parts.lastIndexOf('projects');
  return at >= 0 && at + 1 < parts.length - 1 ? parts[at + 1]! : 'unknown';
}

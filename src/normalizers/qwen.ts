import * as path from 'node:path';
import { RecordFlag, type TokenCounts, type UsageRecord } from '../core/usage';
import { asObject, asString, folderAbove, NO_LINES, parseTimestamp, tokenCount, usageTime, type AgentNormalizer } from './agent-normalizer';

const AGENT = 'qwen';

/**
 * Qwen Code: `~/.qwen/projects/<sanitized cwd>/chats/<sessionId>.jsonl`, append-only.
 * `/branch` copies records verbatim into a new session (new `sessionId`, same `uuid`): the
 * key is the uuid, so a branch counts once.
 */
export const qwenNormalizer: AgentNormalizer<null> = {
  ...NO_LINES,
  agent: AGENT,
  label: 'Qwen Code',
  colour: 'c-purple',
  rootHint: 'a runtime folder holding projects/ (like ~/.qwen)',
  fileSets: [{
    kind: 'lines',
    dirs: ['projects'],
    roots: { env: [{ name: 'QWEN_RUNTIME_DIR' }, { name: 'QWEN_DATA_DIR' }], home: ['.qwen'] },
    match: /^[^/]+\/chats\/[^/]+\.jsonl$/,
  }],
  markers: ['"usageMetadata"'],

  normalize(line, offset, _state, filePath): UsageRecord | undefined {
    const entry = asObject(line);
    const usage = asObject(entry?.usageMetadata);
    if (!entry || entry.type !== 'assistant' || !usage) return undefined;
    const ts = usageTime(parseTimestamp(entry.timestamp));
    const model = asString(entry.model);
    const uuid = asString(entry.uuid);
    return {
      agent: AGENT,
      key: uuid ? `q:${uuid}` : `q:at:${filePath}:${offset}`,
      repeat: 'once',
      sessionId: asString(entry.sessionId) ?? path.basename(filePath, '.jsonl'),
      project: asString(entry.cwd) ?? folderAbove(filePath, 'chats'),
      model: model ?? 'unknown',
      flags: (model ? 0 : RecordFlag.ModelFallback) | (isSplitEstimate(usage) ? RecordFlag.Estimated : 0),
      speed: 'standard',
      ts,
      tokens: qwenTokens(usage),
      offset,
    };
  },
};

/**
 * OpenAI-style counts: the prompt includes the cached part and the candidates include the
 * thoughts (Qwen may estimate those from the reasoning text, but they are never added to the
 * bill, so an estimate changes nothing billed). A prompt smaller than its cached part cannot be
 * inclusive: then it is the fresh part. A total of prompt + candidates + thoughts means the
 * thoughts were apart (the Gemini API path): then they are output too.
 */
export function qwenTokens(usage: Record<string, unknown>): TokenCounts {
  const prompt = tokenCount(usage.promptTokenCount);
  const cached = tokenCount(usage.cachedContentTokenCount);
  const candidates = tokenCount(usage.candidatesTokenCount);
  const thoughts = tokenCount(usage.thoughtsTokenCount);
  const total = tokenCount(usage.totalTokenCount);
  const thoughtsApart = thoughts > 0 && total === prompt + candidates + thoughts;
  return {
    input: cached > prompt ? prompt : prompt - cached,
    output: candidates + (thoughtsApart ? thoughts : 0),
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: cached,
    reasoning: thoughts,
  };
}

/**
 * When the provider reports only a total, Qwen writes a 70/30 prompt/candidates split of it
 * (openaiContentGenerator/converter.ts) without saying so. Those counts are the agent's estimate.
 */
function isSplitEstimate(usage: Record<string, unknown>): boolean {
  const total = tokenCount(usage.totalTokenCount);
  const prompt = tokenCount(usage.promptTokenCount);
  return total > 0 && tokenCount(usage.cachedContentTokenCount) === 0 && prompt === Math.round(total * 0.7)
    && tokenCount(usage.candidatesTokenCount) === total - prompt;
}

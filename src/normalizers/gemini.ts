import * as path from 'node:path';
import { RecordFlag, type TokenCounts, type UsageRecord } from '../core/usage';
import { asObject, asString, eachSound, folderAbove, parseTimestamp, tokenCount, usageTime, type AgentNormalizer, type DocumentFileSet, type InvalidItem, type LineFileSet } from './agent-normalizer';

/** What a Gemini JSONL session told us in its first (metadata) line. */
export interface GeminiFileState {
  sessionId: string;
}

const AGENT = 'gemini';
const UNKNOWN_MODEL = 'unknown';

/** `GEMINI_CLI_HOME` replaces the home folder: files live under `<home>/.gemini/tmp/<project>/chats/`. */
const roots = { env: [{ name: 'GEMINI_CLI_HOME' }], home: [''] };

const sessions: LineFileSet = {
  kind: 'lines',
  dirs: ['.gemini/tmp'],
  roots,
  match: /(^|\/)chats\/(.+\/)?[^/]+\.jsonl$/,
};

/** Gemini CLI ≤0.38 wrote each session as one JSON document, rewritten whole. */
const legacySessions: DocumentFileSet = {
  kind: 'document',
  dirs: ['.gemini/tmp'],
  roots,
  match: /(^|\/)chats\/(.+\/)?session-[^/]*\.json$/,
  read(document, input) {
    const session = asObject(document);
    const messages = Array.isArray(session?.messages) ? session.messages : [];
    const sessionId = asString(session?.sessionId) ?? path.basename(input.path, '.json');
    const invalid: InvalidItem[] = [];
    const records = eachSound(messages, (message, index) => messageRecord(message, index, sessionId, input.path), invalid);
    return { records, invalid };
  },
};

/**
 * Gemini CLI: `~/.gemini/tmp/<project>/chats/session-*.jsonl` (0.39+), where a message is
 * appended again, whole, every time it changes (the last copy wins), and the legacy whole-JSON
 * `session-*.json`. Resuming a legacy session copies its messages into a `.jsonl` twin and
 * keeps the `.json`: the key is the message id alone, so the twins count once.
 */
export const geminiNormalizer: AgentNormalizer<GeminiFileState> = {
  agent: AGENT,
  label: 'Gemini CLI',
  colour: 'c-teal',
  rootHint: 'a home folder holding .gemini/ (like GEMINI_CLI_HOME)',
  fileSets: [sessions, legacySessions],
  markers: ['"tokens"', '"sessionId"'],

  fileRank() {
    return 0;
  },

  initialState(filePath) {
    return { sessionId: path.basename(filePath, '.jsonl') };
  },

  normalize(line, offset, state, filePath) {
    const entry = asObject(line);
    if (!entry) return undefined;
    if (entry.type === undefined && asString(entry.sessionId) && entry.tokens === undefined) {
      state.sessionId = asString(entry.sessionId)!;
      return undefined;
    }
    return messageRecord(entry, offset, state.sessionId, filePath);
  },
};

function messageRecord(value: unknown, offset: number, sessionId: string, filePath: string): UsageRecord | undefined {
  const message = asObject(value);
  const tokens = asObject(message?.tokens);
  const id = asString(message?.id);
  if (!message || message.type !== 'gemini' || !tokens || !id) return undefined;
  const ts = usageTime(parseTimestamp(message.timestamp));
  const model = asString(message.model);
  return {
    agent: AGENT,
    key: `g:${id}`,
    repeat: 'last',
    sessionId,
    project: folderAbove(filePath, 'chats'), // `tmp/<project>/chats/…`; the real path is only in a marker file
    model: model ?? UNKNOWN_MODEL,
    flags: model ? 0 : RecordFlag.ModelFallback,
    speed: 'standard',
    ts,
    tokens: geminiTokens(tokens),
    offset,
  };
}

/**
 * `input` is the whole prompt (cached part included) and `tool` the tool-use prompt billed
 * beside it; `thoughts` are billed as output but reported apart from it. Files that stored net
 * input have `total` = input + output + thoughts + tool + cached: then nothing is subtracted.
 */
export function geminiTokens(t: Record<string, unknown>): TokenCounts {
  const input = tokenCount(t.input);
  const output = tokenCount(t.output);
  const cached = tokenCount(t.cached);
  const thoughts = tokenCount(t.thoughts);
  const tool = tokenCount(t.tool);
  const total = tokenCount(t.total);
  const netInput = cached > 0 && total === input + output + thoughts + tool + cached;
  const cacheRead = netInput ? cached : Math.min(cached, input);
  return {
    input: (netInput ? input : input - cacheRead) + tool,
    output: output + thoughts,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead,
    reasoning: thoughts,
  };
}

import * as path from 'node:path';
import { RecordFlag, type TokenCounts, type UsageRecord } from '../core/usage';
import { asObject, asString, asUsd, eachSound, NO_LINES, parseEpochOrIso, tokenCount, usageTime, type AgentNormalizer, type DocumentFileSet, type InvalidItem } from './agent-normalizer';
import { HISTORY_FILE, HISTORY_ITEM_FILE, TASK_METADATA_FILE, taskMetadataModels, taskWorkspace } from './task-sidecars';
import { taskStoreFileSet } from './task-store';

const AGENT = 'cline';
const EXTENSION_FOLDER = 'saoudrizwan.claude-dev';

/** The VS Code extension's task store (Cline ≤4.0.12 and the 4.1 "legacy" bundle). */
const tasks = taskStoreFileSet(EXTENSION_FOLDER, [TASK_METADATA_FILE, HISTORY_FILE, HISTORY_ITEM_FILE], (input) => ({
  agent: AGENT,
  keyPrefix: 'cl',
  semantics: 'cline',
  // Cline's getApiMetrics sums restores' totals too: a restore that deletes an earlier one's total includes it.
  totalsInclude: 'totals',
  modelAt: taskMetadataModels(input),
  projectOf: taskWorkspace,
}));

/**
 * The SDK session store (Cline 4.x SDK bundle and CLI): `<sessions>/<id>/<id>.messages.json`,
 * rewritten whole, with `metrics` on the terminal assistant message of each turn. A fork starts
 * with a copy of its parent's messages: the key is the message id, so copies count once.
 */
const sdkSessions: DocumentFileSet = {
  kind: 'document',
  dirs: ['data/sessions'],
  roots: {
    env: [{ name: 'CLINE_SESSION_DATA_DIR', dirs: [''] }, { name: 'CLINE_DATA_DIR', dirs: ['sessions'] }, { name: 'CLINE_DIR' }],
    home: ['.cline'],
    userDirs: ['data/sessions'],
  },
  match: /^([^/]+)\/\1\.messages\.json$/,
  sidecars: (documentPath) => [`${path.basename(documentPath, '.messages.json')}.json`],
  read(document, input) {
    const session = asObject(document);
    const sessionId = asString(session?.sessionId) ?? path.basename(input.path, '.messages.json');
    const manifest = parseManifest(input.sidecars[`${path.basename(input.path, '.messages.json')}.json`]);
    const fallbackTs = parseEpochOrIso(session?.updated_at);
    const messages = Array.isArray(session?.messages) ? session.messages : [];
    const invalid: InvalidItem[] = [];
    const records = eachSound(messages, (value, index) => sdkRecord(asObject(value), index, sessionId, manifest, fallbackTs), invalid);
    return { records, invalid };
  },
};

export const clineNormalizer: AgentNormalizer<null> = {
  ...NO_LINES,
  agent: AGENT,
  label: 'Cline',
  colour: 'c-green',
  rootHint: "an editor's globalStorage folder, or a Cline home like ~/.cline",
  fileSets: [tasks, sdkSessions],
};

interface Manifest {
  cwd?: string;
  model?: string;
}

function parseManifest(text: string | undefined): Manifest {
  if (!text) return {};
  try {
    const manifest = asObject(JSON.parse(text));
    return { cwd: asString(manifest?.cwd) ?? asString(manifest?.workspace_root), model: asString(manifest?.model) };
  } catch {
    return {};
  }
}

function sdkRecord(message: Record<string, unknown> | undefined, index: number, sessionId: string, manifest: Manifest, fallbackTs: number | undefined): UsageRecord | undefined {
  const metrics = asObject(message?.metrics);
  const id = asString(message?.id);
  if (!message || message.role !== 'assistant' || !metrics || !id) return undefined;
  const ts = usageTime(parseEpochOrIso(message.ts) ?? fallbackTs);
  const model = asString(asObject(message.modelInfo)?.id) ?? manifest.model;
  return {
    agent: AGENT,
    key: `cs:${id}`,
    repeat: 'last',
    sessionId,
    project: manifest.cwd ?? 'unknown',
    model: model ?? 'unknown',
    flags: model ? 0 : RecordFlag.ModelFallback,
    speed: 'standard',
    ts,
    tokens: sdkTokens(metrics),
    reportedCostUsd: asUsd(metrics.cost),
    offset: index,
  };
}

/** SDK `inputTokens` is the full request, cache reads and writes included. */
function sdkTokens(metrics: Record<string, unknown>): TokenCounts {
  const cacheRead = tokenCount(metrics.cacheReadTokens);
  const cacheWrite = tokenCount(metrics.cacheWriteTokens);
  return {
    input: Math.max(0, tokenCount(metrics.inputTokens) - cacheRead - cacheWrite),
    output: tokenCount(metrics.outputTokens),
    cacheWrite5m: cacheWrite,
    cacheWrite1h: 0,
    cacheRead,
    reasoning: 0,
  };
}

/**
 * The task store that Cline, Roo Code and Kilo Code share in the editor's globalStorage:
 * `tasks/<taskId>/ui_messages.json`, a JSON array rewritten whole on every save.
 *
 * One API request is one `say: "api_req_started"` message whose `text` is a JSON string with
 * `tokensIn, tokensOut, cacheWrites, cacheReads, cost`; it is updated in place as usage
 * arrives, so `(taskId, ts)` is its identity and the last copy wins. Two more `say` types carry
 * usage: `subagent_usage` (Cline: a sub-agent batch's total, no model) and the total a checkpoint
 * restore writes of the messages it deleted (`deleted_api_reqs` in Cline, `api_req_deleted` in
 * Roo and Kilo): the sum of their requests (in Cline also of sub-agent batches and earlier
 * restores' totals: `totalsInclude`).
 *
 * Checkpoint restores, exactly once: the store never withdraws a request it counted, so a
 * restore's total must add only the part we never saw. The file's state remembers what each
 * counted record held (a total: also its sum as written); when a total first appears, the
 * records that disappeared since they were counted (each to the first new total stamped at or
 * after it) are subtracted from it, and the rest is counted. That value is kept in the state, so
 * later reads emit the same record. A record that disappeared with no total after it stays
 * remembered for one more read: a restore saves the shortened file and then, in a second save,
 * its total (a record gone for another reason, an older copy of the file put back, is not taken
 * from a later, unrelated restore).
 */
import * as path from 'node:path';
import { RecordFlag, type AgentId, type TokenCounts, type UsageRecord } from '../core/usage';
import { asObject, asString, asUsd, eachSound, parseEpochOrIso, tokenCount, usageTime, type DocumentFileSet, type DocumentInput, type DocumentRead, type InvalidItem } from './agent-normalizer';

/** How the agent's `tokensIn` relates to the cache counts (agents.md §1.3 T1). */
export type InputSemantics = 'cline' | 'roo';

export interface TaskStoreOptions {
  agent: AgentId;
  /** Prefix of request keys (unique per agent). */
  keyPrefix: string;
  semantics: InputSemantics;
  /** What a restore's total sums of the messages it deletes: requests and sub-agent batches only, or earlier totals too. */
  totalsInclude: 'requests' | 'totals';
  /** The model of the `index`-th request, stamped `ts`, from the task's sidecar files; undefined when unknown. */
  modelAt(ts: number, index: number): string | undefined;
  /** The task's workspace folder, from its sidecar files. */
  projectOf(input: DocumentInput): string | undefined;
}

/**
 * What a task file's reads counted, per record key: [ts, input, output, cacheWrite, cacheRead],
 * and for a restore's total, its four sums as written (what a later restore's total includes).
 */
export interface TaskFileState {
  counted: Record<string, number[]>;
  /** Records gone at the last read with no total after them yet: kept for the next read only. */
  vanished?: Record<string, number[]>;
}

/** A usage-bearing message as found in the document, before its time and counts are checked. */
interface FoundMessage {
  kind: 'request' | 'subagents' | 'deleted';
  /** Its place in the document. */
  index: number;
  ts: number | undefined;
  info: Record<string, unknown>;
  message: Record<string, unknown>;
}

/** A message whose time and counts are sound. */
interface UsageMessage extends Omit<FoundMessage, 'ts'> {
  ts: number;
  tokens: TokenCounts;
  /** A request's place among the document's requests with counts (damaged ones included): which model mark is its. */
  requestIndex?: number;
}

/**
 * The store's file set for one extension: `<globalStorage>/<extension id>/tasks/<taskId>/ui_messages.json`
 * (or a custom storage path holding `tasks/`), read whole with the named sidecar files beside it.
 * `optionsFor` is asked once per read, so it can parse the task's sidecars once.
 */
export function taskStoreFileSet(
  extensionFolder: string,
  sidecars: readonly string[],
  optionsFor: (input: DocumentInput) => TaskStoreOptions,
): DocumentFileSet {
  return {
    kind: 'document',
    dirs: [`${extensionFolder}/tasks`],
    roots: { editorStorage: true, userDirs: [`${extensionFolder}/tasks`, 'tasks'] },
    match: /^[^/]+\/ui_messages\.json$/,
    sidecars: () => sidecars,
    read: (document, input) => readTaskFile(document, input, optionsFor(input)),
  };
}

function readTaskFile(document: unknown, input: DocumentInput, options: TaskStoreOptions): DocumentRead {
  const taskId = path.basename(path.dirname(input.path));
  const state = input.state as TaskFileState | undefined;
  const previous = state?.counted ?? {};
  const invalid: InvalidItem[] = [];
  const messages = usageMessages(document, invalid, options.semantics);
  const project = options.projectOf(input) ?? 'unknown';
  const records: UsageRecord[] = [];
  let lastModel: string | undefined;
  for (const usage of messages) {
    if (usage.kind === 'deleted') continue;
    const model = usage.kind === 'request' ? modelOf(usage.message) ?? options.modelAt(usage.ts, usage.requestIndex!) : undefined;
    if (model) lastModel = model;
    const record = baseRecord(usage, taskId, options, model ?? lastModel, project);
    record.tokens = usage.tokens;
    if (usage.kind === 'subagents') record.flags |= RecordFlag.ModelFallback;
    records.push(record);
  }
  const restores = checkpointTotals(messages, records, previous, state?.vanished ?? {}, taskId, options, lastModel, project);
  const counted: TaskFileState['counted'] = {};
  for (const r of records) counted[r.key] = [r.ts, ...tokenCounts(r.tokens)];
  for (const { record, written } of restores.totals) counted[record.key] = [record.ts, ...tokenCounts(record.tokens), ...written];
  records.push(...restores.totals.map((t) => t.record));
  const vanished = Object.keys(restores.unsettled).length > 0 ? { vanished: restores.unsettled } : {};
  return { records, invalid, state: { counted, ...vanished } satisfies TaskFileState };
}

const tokenCounts = (t: TokenCounts): number[] => [t.input, t.output, t.cacheWrite5m, t.cacheRead];

/**
 * What a later restore's total includes of a counted record: of a request, what was counted; of an
 * earlier total, its sums as written where totals sum totals, else nothing.
 */
function includedInTotal(entry: number[], totalsInclude: TaskStoreOptions['totalsInclude']): number[] {
  if (entry.length < 9) return entry.slice(1, 5); // a request (or a total remembered by an older version)
  return totalsInclude === 'totals' ? entry.slice(5, 9) : [0, 0, 0, 0];
}

interface RestoreTotals {
  totals: { record: UsageRecord; written: number[] }[];
  /** Records gone from the file at this read that no total covers yet: remembered for the next read. */
  unsettled: TaskFileState['counted'];
}

/** Each restore's total, less what we had already counted of the messages it covers. */
function checkpointTotals(
  messages: UsageMessage[],
  present: UsageRecord[],
  previous: TaskFileState['counted'],
  vanishedBefore: Record<string, number[]>,
  taskId: string,
  options: TaskStoreOptions,
  model: string | undefined,
  project: string,
): RestoreTotals {
  const totals = messages.filter((m) => m.kind === 'deleted');
  const presentKeys = new Set(present.map((r) => r.key));
  for (const total of totals) presentKeys.add(keyOf(options, taskId, total.ts));
  const gone = (entries: Record<string, number[]>, carried: boolean) =>
    Object.entries(entries)
      .filter(([key]) => !presentKeys.has(key))
      .map(([key, entry]) => ({ key, entry, carried, ts: entry[0]!, counts: includedInTotal(entry, options.totalsInclude) }));
  const vanished = [...gone(previous, false), ...gone(vanishedBefore, true)].sort((a, b) => a.ts - b.ts);
  const fresh = totals.filter((t) => previous[keyOf(options, taskId, t.ts)] === undefined).sort((a, b) => a.ts - b.ts);
  const seenBefore = new Map<UsageMessage, number[]>(fresh.map((t) => [t, [0, 0, 0, 0]]));
  const unsettled: TaskFileState['counted'] = {};
  for (const v of vanished) {
    const owner = fresh.find((t) => t.ts >= v.ts);
    if (owner) seenBefore.get(owner)!.forEach((_, i, sums) => (sums[i]! += v.counts[i]!));
    else if (!v.carried) unsettled[v.key] = v.entry;
  }
  const counted = totals.map((total) => {
    const record = baseRecord(total, taskId, options, model, project);
    // A total is settled the first time it is counted: read again without our memory of the
    // task (after a ledger repair), nothing would be subtracted and it would grow.
    record.repeat = 'once';
    const written = tokenCounts(total.tokens);
    const stored = previous[record.key];
    if (stored) {
      record.tokens = countsToTokens(stored.slice(1, 5));
    } else {
      const seen = seenBefore.get(total)!;
      record.tokens = countsToTokens(written.map((n, i) => n - seen[i]!));
    }
    return { record, written };
  });
  return { totals: counted, unsettled };
}

function countsToTokens(counts: number[]): TokenCounts {
  const [input, output, cacheWrite, cacheRead] = counts.map((n) => Math.max(0, n ?? 0));
  return { input: input!, output: output!, cacheWrite5m: cacheWrite!, cacheWrite1h: 0, cacheRead: cacheRead!, reasoning: 0 };
}

function keyOf(options: TaskStoreOptions, taskId: string, ts: number): string {
  return `${options.keyPrefix}:${taskId}:${ts}`;
}

function baseRecord(usage: UsageMessage, taskId: string, options: TaskStoreOptions, model: string | undefined, project: string): UsageRecord {
  return {
    agent: options.agent,
    key: keyOf(options, taskId, usage.ts),
    repeat: 'last',
    sessionId: taskId,
    project,
    model: model ?? 'unknown',
    flags: (model ? 0 : RecordFlag.ModelFallback) | (isEstimatedPath(usage.message, model) ? RecordFlag.Estimated : 0),
    speed: 'standard',
    ts: usage.ts,
    tokens: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, reasoning: 0 },
    reportedCostUsd: asUsd(usage.info.cost),
    offset: 0,
  };
}

/**
 * The usage-bearing messages in file order. Tasks from before 2024 put the counts on a separate
 * `api_req_finished` message after its `api_req_started`: they are merged into it. A placeholder
 * that never received counts is skipped; a cancelled or failed request with counts is kept.
 */
function usageMessages(document: unknown, invalid: InvalidItem[], semantics: InputSemantics): UsageMessage[] {
  const list = Array.isArray(document) ? document : [];
  const found: FoundMessage[] = [];
  let open: FoundMessage | undefined;
  for (const [index, value] of list.entries()) {
    const message = asObject(value);
    if (!message || message.type !== 'say') continue;
    const ts = parseEpochOrIso(message.ts); // checked below, once its counts are known
    const info = asObject(parseText(message.text));
    if (!info) continue;
    if (message.say === 'api_req_finished' && open && !hasCounts(open.info)) {
      open.info = { ...open.info, ...info };
      continue;
    }
    const kind = KINDS.get(message.say as string);
    if (!kind) continue;
    const usage: FoundMessage = { kind, index, ts, info, message };
    found.push(usage);
    open = kind === 'request' ? usage : undefined;
  }
  // A message with damaged counts or time is left out (and reported); the task's others still count.
  // Requests are numbered first, so a damaged one keeps its place among the model marks.
  let requests = 0;
  return eachSound(found.filter((u) => hasCounts(u.info)), (u): UsageMessage => {
    const requestIndex = u.kind === 'request' ? requests++ : undefined;
    return { ...u, ts: usageTime(u.ts), tokens: tokensOf(u.info, u.message, semantics), requestIndex };
  }, invalid, (u) => u.index);
}

/** The `say` types that carry usage. A restore's total is `deleted_api_reqs` in Cline, `api_req_deleted` in Roo and Kilo. */
const KINDS = new Map<string, FoundMessage['kind']>([
  ['api_req_started', 'request'],
  ['subagent_usage', 'subagents'],
  ['deleted_api_reqs', 'deleted'],
  ['api_req_deleted', 'deleted'],
]);

function parseText(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function hasCounts(info: Record<string, unknown>): boolean {
  return ['tokensIn', 'tokensOut', 'cacheWrites', 'cacheReads'].some((k) => typeof info[k] === 'number');
}

/**
 * `tokensIn` meaning (agents.md §1.3 T1):
 * - Roo/Kilo: since Roo 3.29.5 the total input, cache reads and writes included, for both
 *   protocols; before that the provider's raw input (inclusive for `openai`, exclusive for
 *   `anthropic`). A file does not say which version wrote it: an `anthropic` record whose
 *   `tokensIn` is smaller than its cache counts cannot be inclusive, so it is taken as is.
 * - Cline: excludes the cache, except the "OpenAI Compatible" provider (`providerId: openai`),
 *   whose `tokensIn` includes cache reads and whose `cacheWrites` are really cache misses
 *   (already inside `tokensIn`).
 */
function tokensOf(info: Record<string, unknown>, message: Record<string, unknown>, semantics: InputSemantics): TokenCounts {
  const tokensIn = tokenCount(info.tokensIn);
  const cacheReads = tokenCount(info.cacheReads);
  let cacheWrites = tokenCount(info.cacheWrites);
  let input = tokensIn;
  if (semantics === 'roo') {
    const inclusive = info.apiProtocol === 'openai' || tokensIn >= cacheReads + cacheWrites;
    if (inclusive) input = Math.max(0, tokensIn - cacheReads - cacheWrites);
  } else if (asString(asObject(message.modelInfo)?.providerId) === 'openai' && tokensIn >= cacheReads) {
    input = tokensIn - cacheReads;
    cacheWrites = 0;
  }
  return { input, output: tokenCount(info.tokensOut), cacheWrite5m: cacheWrites, cacheWrite1h: 0, cacheRead: cacheReads, reasoning: 0 };
}

/** Cline ≥ Nov 2025 stamps the model on every message. */
function modelOf(message: Record<string, unknown>): string | undefined {
  return asString(asObject(message.modelInfo)?.modelId);
}

/** Cline paths whose "exact" counts are estimates (agents.md §1.3 T3). */
function isEstimatedPath(message: Record<string, unknown>, model: string | undefined): boolean {
  const provider = asString(asObject(message.modelInfo)?.providerId);
  return provider === 'vscode-lm' || (provider === 'bedrock' && (model ?? '').toLowerCase().includes('deepseek'));
}

/**
 * An OpenCode assistant message (also Kilo CLI's, an OpenCode fork): the `data` JSON of a
 * `message` row in `opencode.db`, or a legacy `storage/message/<session>/<id>.json` file.
 * The row is upserted while the reply streams, so the last copy wins; the legacy file and the
 * database row share the message id, so a message in both counts once. A fork copies a
 * session's messages with new ids and all else kept (`Session.fork`): a finished message's
 * copies are told by its times, model, mode, counts and cost, and count once.
 */
import { RecordFlag, type AgentId, type AliasGroup, type TokenCounts, type UsageRecord } from '../core/usage';
import { asObject, asString, asUsd, parseEpochOrIso, RejectedLine, tokenCount, usageTime, type SqliteFileSet } from './agent-normalizer';

export interface MessageContext {
  agent: AgentId;
  keyPrefix: string;
  /** Row id (the database) or file name (the legacy store), used when the data has no `id`. */
  id: string | undefined;
  sessionId: string | undefined;
  directory: string | undefined;
  offset: number;
}

export function opencodeRecord(value: unknown, context: MessageContext): UsageRecord | undefined {
  const data = asObject(value);
  const tokens = asObject(data?.tokens);
  if (!data || !tokens || (data.role !== undefined && data.role !== 'assistant')) return undefined;
  const id = asString(data.id) ?? context.id;
  const time = asObject(data.time);
  if (!id) return undefined;
  const ts = usageTime(parseEpochOrIso(time?.created));
  const nested = asObject(data.model);
  const model = asString(data.modelID) ?? asString(nested?.id);
  const cost = asUsd(data.cost);
  const counts = opencodeTokens(tokens);
  const alias = forkCopies(context.keyPrefix, data, time, counts);
  return {
    agent: context.agent,
    key: `${context.keyPrefix}:${id}`,
    repeat: 'last',
    ...(alias ? { alias } : {}),
    sessionId: asString(data.sessionID) ?? context.sessionId ?? 'unknown',
    project: context.directory ?? asString(asObject(data.path)?.root) ?? asString(asObject(data.path)?.cwd) ?? 'unknown',
    model: model ?? 'unknown',
    flags: model ? 0 : RecordFlag.ModelFallback,
    speed: 'standard',
    ts,
    tokens: counts,
    reportedCostUsd: cost !== undefined && cost > 0 ? cost : undefined,
    offset: context.offset,
  };
}

/**
 * The copies of one finished message (the original and its forks' copies): every copy is a
 * replica, so the first one read counts and the others are its duplicates. A message still
 * streaming has no group yet: its counts may change; the store records the group once it has one.
 */
function forkCopies(prefix: string, data: Record<string, unknown>, time: Record<string, unknown> | undefined, t: TokenCounts): AliasGroup | undefined {
  if (time?.completed === undefined || time.completed === null) return undefined;
  const fingerprint = [time.created, time.completed, data.modelID, data.providerID, data.mode ?? data.agent, t.input, t.output, t.reasoning, t.cacheRead, t.cacheWrite5m, data.cost];
  return { group: `${prefix}:copies:${JSON.stringify(fingerprint)}`, primary: false };
}

/**
 * `input` excludes the cache. Current OpenCode keeps `reasoning` apart from `output` (billed
 * as output too); before the fix for anomalyco/opencode#17566 `output` already held it. The
 * two are told apart by `total`: input + output + cache = total means reasoning was inside.
 */
export function opencodeTokens(t: Record<string, unknown>): TokenCounts {
  const cache = asObject(t.cache);
  const input = tokenCount(t.input);
  const output = tokenCount(t.output);
  const reasoning = tokenCount(t.reasoning);
  const cacheRead = tokenCount(cache?.read);
  const cacheWrite = tokenCount(cache?.write);
  const reasoningInside = reasoning > 0 && tokenCount(t.total) === input + output + cacheRead + cacheWrite;
  return {
    input,
    output: reasoningInside ? output : output + reasoning,
    cacheWrite5m: cacheWrite,
    cacheWrite1h: 0,
    cacheRead,
    reasoning,
  };
}

/**
 * The database file set of an OpenCode-format store. Rows changed since the last read come
 * back (by `time_updated`, which an upsert moves); older schemas without it are read whole.
 */
export function opencodeDatabase(
  agent: AgentId,
  keyPrefix: string,
  match: RegExp,
  dirs: readonly string[],
  roots: SqliteFileSet['roots'],
): SqliteFileSet {
  return {
    kind: 'sqlite',
    dirs,
    roots,
    match,
    maxDepth: 0,
    queries: [
      `SELECT m.id AS id, m.session_id AS session_id, m.time_updated AS watermark, m.data AS data, s.directory AS directory
         FROM message m LEFT JOIN session s ON s.id = m.session_id WHERE m.time_updated >= $since`,
      'SELECT id, session_id, 0 AS watermark, data, NULL AS directory FROM message',
      'SELECT id, session_id, 0 AS watermark, data, NULL AS directory FROM session_message',
    ],
    watermark: (row) => (typeof row.watermark === 'number' ? row.watermark : 0),
    rowId: (row) => asString(row.id),
    readRow(row) {
      let data: unknown;
      try {
        data = typeof row.data === 'string' ? JSON.parse(row.data) : undefined;
      } catch {
        throw new RejectedLine('invalid JSON');
      }
      return opencodeRecord(data, {
        agent,
        keyPrefix,
        id: asString(row.id),
        sessionId: asString(row.session_id),
        directory: asString(row.directory),
        offset: 0,
      });
    },
  };
}

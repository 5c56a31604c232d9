import * as path from 'node:path';
import { RecordFlag, type AliasGroup, type Speed, type UsageRecord } from '../core/usage';
import { forkReplay, isInherited, onTurnStarted, type ForkReplay } from './codex-fork';
import { asObject, asString, MAX_TOKENS_PER_REQUEST, parseTimestamp, RejectedLine, tokenCount, usageTime, type AgentNormalizer } from './agent-normalizer';
import { codexLimits } from './codex-limits';

const CODEX_FALLBACK_MODEL = 'gpt-5';

interface Totals {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  total: number;
}

/** What a Codex file has told us so far; persisted with the file's offset. */
export interface CodexFileState {
  sessionId: string;
  cwd: string;
  model: string | undefined;
  speed: Speed;
  /** Cumulative totals as of the previous token_count event of this file. */
  previous: Totals | undefined;
  /** Whether the file's own session_meta was read (later ones are copied ancestors'). */
  metaSeen?: boolean;
  /** The session whose running totals this file continues: the parent a fork copied, else its own. */
  lineage?: string;
  /** Set in a forked file until its copy of the parent's history ends. */
  fork?: ForkReplay;
}

/**
 * Codex CLI: `<home>/sessions/YYYY/MM/DD/rollout-*.jsonl` (and `archived_sessions/`).
 * Usage is cumulative per session: a turn is the change in `total_token_usage` since the
 * previous token_count of the file. An event's key is its timestamp, model and counts
 * (as ccusage's), so the same event in an archived copy or a re-read file counts once.
 */
export const codexNormalizer: AgentNormalizer<CodexFileState> = {
  agent: 'codex',
  label: 'Codex CLI',
  colour: 'c-blue',
  rootHint: 'a Codex home holding sessions/',
  layout: {
    envVar: 'CODEX_HOME',
    defaultRoots: ['.codex'],
    transcriptDirs: ['sessions', 'archived_sessions'],
  },
  // The ends of the line types read (token_count, turn_context, session_meta, thread_settings_applied,
  // task_started, turn_started): each still finds its lines, and a search keyed on `_` skips faster than on `"`.
  markers: ['_count"', '_context"', '_meta"', '_applied"', '_started"'],

  // Sessions are read in the order they began (the time in a rollout's name), live or archived:
  // a parent before its forks, so a fork's copy of its history finds the parent's events.
  fileRank(relativePath) {
    const began = ROLLOUT_TIME.exec(relativePath);
    return began ? Number(began.slice(1).join('')) : Number.MAX_SAFE_INTEGER;
  },

  initialState(filePath) {
    return {
      sessionId: sessionIdFromName(filePath),
      cwd: '',
      model: undefined,
      speed: 'standard',
      previous: undefined,
    };
  },

  normalize(line, offset, state): UsageRecord | undefined {
    const entry = asObject(line);
    const payload = asObject(entry?.payload);
    if (!entry || !payload) return undefined;
    switch (entry.type) {
      case 'session_meta':
        if (!state.metaSeen) readSessionMeta(entry, payload, state);
        return undefined;
      case 'turn_context':
        readTurnContext(payload, state);
        return undefined;
      case 'event_msg':
        if (payload.type === 'thread_settings_applied') readServiceTier(payload, state);
        if (state.fork && (payload.type === 'task_started' || payload.type === 'turn_started')) onTurnStarted(state.fork, payload.started_at);
        return payload.type === 'token_count' ? tokenCountRecord(entry, payload, offset, state) : undefined;
      default:
        return undefined;
    }
  },

  readLimits: codexLimits,
  limitsHint: { name: 'Codex', how: 'writes them into its rollouts' },
};

function readSessionMeta(entry: Record<string, unknown>, payload: Record<string, unknown>, state: CodexFileState): void {
  state.metaSeen = true;
  state.sessionId = asString(payload.id) ?? state.sessionId;
  state.lineage = asString(payload.forked_from_id) ?? state.sessionId;
  state.cwd = asString(payload.cwd) ?? state.cwd;
  const subagent = asObject(asObject(payload.source)?.subagent);
  const spawned = subagent !== undefined && (subagent.thread_spawn !== undefined || subagent.threadSpawn !== undefined);
  const start = parseTimestamp(payload.timestamp) ?? parseTimestamp(entry.timestamp);
  if ((spawned || asString(payload.forked_from_id) !== undefined) && start !== undefined) state.fork = forkReplay(start);
}

function readTurnContext(payload: Record<string, unknown>, state: CodexFileState): void {
  state.model = asString(payload.model) ?? state.model;
  state.cwd = asString(payload.cwd) ?? state.cwd;
  readServiceTier(payload, state);
}

/** Priority processing ("fast"/"priority" service tier) is billed at the model's fast multiplier. */
function readServiceTier(payload: Record<string, unknown>, state: CodexFileState): void {
  const tier = asString(payload.service_tier);
  if (tier !== undefined) state.speed = tier === 'fast' || tier === 'priority' ? 'fast' : 'standard';
}

function tokenCountRecord(
  entry: Record<string, unknown>,
  payload: Record<string, unknown>,
  offset: number,
  state: CodexFileState,
): UsageRecord | undefined {
  const info = asObject(payload.info);
  if (!info) return undefined;
  const ts = usageTime(parseTimestamp(entry.timestamp));
  const totals = readTotals(info.total_token_usage, SESSION_TOTAL_LIMIT);
  const last = readTotals(info.last_token_usage, MAX_TOKENS_PER_REQUEST);
  if (!totals && !last) return undefined;

  const turn = turnUsage(totals, last, state.previous);
  if (turn) checkTurn(turn);
  state.previous = totals ?? (last ? add(state.previous, last) : state.previous);
  if (state.fork && isInherited(state.fork, ts)) return undefined;
  if (!turn || turn.total === 0) return undefined;

  const model = asString(info.model) ?? state.model;
  const resolvedModel = model ?? CODEX_FALLBACK_MODEL;
  return {
    agent: 'codex',
    key: `x:${String(entry.timestamp)}:${resolvedModel}:${turn.input}:${turn.cached}:${turn.output}:${turn.reasoning}:${turn.total}`,
    repeat: 'once',
    alias: totals ? replayAlias(state, totals) : undefined,
    sessionId: state.sessionId,
    project: state.cwd || 'unknown',
    model: resolvedModel,
    flags: model === undefined ? RecordFlag.ModelFallback : 0,
    speed: state.speed,
    ts,
    tokens: {
      input: Math.max(0, turn.input - turn.cached),
      output: turn.output,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheRead: Math.min(turn.cached, turn.input),
      reasoning: turn.reasoning,
    },
    offset,
  };
}

/** This turn's usage: the change in running totals, or `last_token_usage` when totals are absent or went back. */
function turnUsage(totals: Totals | undefined, last: Totals | undefined, previous: Totals | undefined): Totals | undefined {
  if (!totals) return last;
  if (!previous) return totals;
  if (totals.total < previous.total || totals.input < previous.input || totals.output < previous.output) return last;
  return {
    input: totals.input - previous.input,
    cached: Math.max(0, totals.cached - previous.cached),
    output: totals.output - previous.output,
    reasoning: Math.max(0, totals.reasoning - previous.reasoning),
    total: totals.total - previous.total,
  };
}

/** Totals when an event gave only this turn's usage: the running sum must not fall behind. */
function add(previous: Totals | undefined, turn: Totals): Totals {
  if (!previous) return turn;
  return {
    input: previous.input + turn.input,
    cached: previous.cached + turn.cached,
    output: previous.output + turn.output,
    reasoning: previous.reasoning + turn.reasoning,
    total: previous.total + turn.total,
  };
}

/** Cumulative session totals may pass the per-request bound; they must stay exact integers. */
const SESSION_TOTAL_LIMIT = Number.MAX_SAFE_INTEGER;

function readTotals(value: unknown, limit: number): Totals | undefined {
  const usage = asObject(value);
  if (!usage) return undefined;
  const input = tokenCount(usage.input_tokens, limit);
  const output = tokenCount(usage.output_tokens, limit);
  return {
    input,
    cached: tokenCount(usage.cached_input_tokens, limit),
    output,
    reasoning: tokenCount(usage.reasoning_output_tokens, limit),
    total: tokenCount(usage.total_tokens, limit) || input + output,
  };
}

/** One turn is one request: bounded like any request's counts. */
function checkTurn(turn: Totals): void {
  if (Object.values(turn).some((n) => n >= MAX_TOKENS_PER_REQUEST)) throw new RejectedLine('token count out of range');
}

const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i;

/**
 * A fork may copy its parent's history with new timestamps and no marker (so the file alone
 * cannot tell the copy from new turns), but each copied event repeats the parent's running
 * totals. Events of one lineage with the same totals are one request, counted once in any file.
 */
function replayGroup(state: CodexFileState, t: Totals): string {
  return `x:${state.lineage ?? state.sessionId}:${t.input}:${t.cached}:${t.output}:${t.reasoning}:${t.total}`;
}

/**
 * A fork's copies of its parent's events may carry new times, in a later month than the
 * parent's: the store looks for them from the parent's start, which its id tells (Codex session
 * ids are UUIDv7s, whose first 48 bits are the creation time in epoch ms).
 */
function replayAlias(state: CodexFileState, totals: Totals): AliasGroup {
  const group = replayGroup(state, totals);
  const parentStart = state.lineage && state.lineage !== state.sessionId ? uuidV7Time(state.lineage) : undefined;
  return parentStart === undefined ? { group, primary: false } : { group, primary: false, since: parentStart };
}

function uuidV7Time(id: string): number | undefined {
  const v7 = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-/i.exec(id);
  return v7 ? parseInt(v7[1]! + v7[2]!, 16) : undefined;
}

/** `rollout-2026-11-20T10-05-00-<id>.jsonl`: the session's start, as the digits of a sortable number. */
const ROLLOUT_TIME = /rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})/;

function sessionIdFromName(filePath: string): string {
  return UUID_AT_END.exec(filePath)?.[1] ?? path.basename(filePath, '.jsonl');
}

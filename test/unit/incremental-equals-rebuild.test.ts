import assert from 'node:assert/strict';
import { boundaryDuplicates } from '../../src/store/boundary-duplicates';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { LedgerEngine } from '../../src/pipeline/engine';
import { MART_TABLES } from '../../src/marts/registry';
import { eventsDb, eventTotals, memoryEngine } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, codexMeta, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

/** One line of the corpus timeline: which file it goes to and its text. */
interface TimedLine { file: string; text: string }

const CLAUDE_MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-6', 'claude-haiku-4-5-20251001', 'claude-opus-4-9'];
const CODEX_MODELS = ['gpt-5-codex', 'gpt-5.4', 'gpt-5'];
const ZONES = ['UTC', 'Asia/Kolkata', 'America/New_York', 'Pacific/Chatham'];

const claudeMessage = fc.record({
  model: fc.constantFrom(...CLAUDE_MODELS),
  input: fc.integer({ min: 0, max: 300_000 }),
  output: fc.integer({ min: 1, max: 5_000 }),
  cacheRead: fc.integer({ min: 0, max: 100_000 }),
  split: fc.option(fc.record({ m5: fc.integer({ min: 0, max: 5000 }), h1: fc.integer({ min: 0, max: 5000 }) }), { nil: undefined }),
  fast: fc.boolean(),
  repeats: fc.integer({ min: 1, max: 3 }),
  hourOffset: fc.integer({ min: 0, max: 72 }),
  copiedToResume: fc.boolean(),
  replayedInSidechain: fc.boolean(),
});

const codexTurn = fc.record({
  input: fc.integer({ min: 1, max: 400_000 }),
  cachedShare: fc.double({ min: 0, max: 1, noNaN: true }),
  output: fc.integer({ min: 0, max: 5_000 }),
  reEmit: fc.boolean(),
  nullInfo: fc.boolean(),
  switchModel: fc.option(fc.constantFrom(...CODEX_MODELS), { nil: undefined }),
  hourOffset: fc.integer({ min: 0, max: 72 }),
});

const corpusArb = fc.record({
  claudeSessions: fc.array(fc.array(claudeMessage, { minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 3 }),
  codexSessions: fc.array(fc.array(codexTurn, { minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 2 }),
  zone: fc.constantFrom(...ZONES),
  interleave: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
});

type Corpus = typeof corpusArb extends fc.Arbitrary<infer T> ? T : never;
// Three days from 29 November 22:58:30 UTC: streamed snapshots cross midnight, and months close mid-ingest.
const BASE = Date.UTC(2026, 10, 29, 22, 58, 30);
const iso = (hours: number, seconds = 0) => new Date(BASE + hours * 3_600_000 + seconds * 1000).toISOString();

/** Per-session line sequences, in the order each session writes them (causal order). */
function sessionTimelines(corpus: Corpus, dir: TranscriptDir): TimedLine[][] {
  const timelines: TimedLine[][] = [];
  corpus.claudeSessions.forEach((messages, s) => {
    const main = dir.claudePath(`-work-p${s}/s${s}.jsonl`);
    const resumed = dir.claudePath(`-work-p${s}/s${s}-resumed.jsonl`);
    const sub = dir.claudePath(`-work-p${s}/s${s}/subagents/agent-${s}.jsonl`);
    const lines: TimedLine[] = [];
    messages.forEach((m, i) => {
      const base = { messageId: `msg_${s}_${i}`, requestId: `req_${s}_${i}`, sessionId: `s${s}`, cwd: `/work/p${s}`, model: m.model,
        ts: iso(m.hourOffset, i), input: m.input, cacheRead: m.cacheRead, split: m.split, speed: m.fast ? 'fast' as const : undefined };
      // A streamed message's later snapshots come a little later: near midnight they fall on the next day (and month).
      const snapshot = (r: number) => claudeAssistant({ ...base, ts: iso(m.hourOffset, i + (r - 1) * 97), output: m.output * r });
      for (let r = 1; r <= m.repeats; r++) lines.push({ file: main, text: snapshot(r) });
      const last = snapshot(m.repeats);
      if (m.copiedToResume) lines.push({ file: resumed, text: last });
      if (m.replayedInSidechain) {
        lines.push({ file: sub, text: claudeAssistant({ ...base, requestId: `req_side_${s}_${i}`, sidechain: true, output: m.output + 7 }) });
        lines.push({ file: sub, text: claudeAssistant({ ...base, messageId: `msg_side_${s}_${i}`, requestId: `req_own_${s}_${i}`, sidechain: true, output: 3 }) });
      }
    });
    timelines.push(lines);
  });
  corpus.codexSessions.forEach((turns, s) => {
    const id = `0199a213-81c0-7800-8aa1-${String(s).padStart(12, '0')}`;
    const file = dir.codexPath(`sessions/2026/11/19/rollout-2026-11-19T00-00-00-${id}.jsonl`);
    const lines: TimedLine[] = [{ file, text: codexMeta(iso(0), id, `/work/codex${s}`) }, { file, text: codexTurnContext(iso(0), 'gpt-5-codex', `/work/codex${s}`) }];
    const total = { input: 0, cached: 0, output: 0 };
    turns.forEach((t, i) => {
      if (t.switchModel) lines.push({ file, text: codexTurnContext(iso(t.hourOffset, i), t.switchModel, `/work/codex${s}`) });
      total.input += t.input;
      total.cached += Math.floor(t.input * t.cachedShare);
      total.output += t.output;
      lines.push({ file, text: codexTokenCount(iso(t.hourOffset, i), { ...total }) });
      if (t.reEmit) lines.push({ file, text: codexTokenCount(iso(t.hourOffset, i + 0.5), { ...total }) });
      if (t.nullInfo) lines.push({ file, text: codexTokenCount(iso(t.hourOffset, i + 0.7), null) });
    });
    timelines.push(lines);
  });
  return timelines;
}

/** Interleaves the sessions' lines (each session keeps its own order). */
function interleave(timelines: TimedLine[][], picks: number[]): TimedLine[] {
  const queues = timelines.map((t) => [...t]);
  const out: TimedLine[] = [];
  let k = 0;
  for (;;) {
    const open = queues.filter((q) => q.length > 0);
    if (open.length === 0) return out;
    out.push(open[picks[k++ % picks.length]! % open.length]!.shift()!);
  }
}

/** A mart row whose measures netted to zero (its requests moved to another key or were withdrawn): kept, never shown. */
function isEmpty(row: Record<string, unknown>): boolean {
  if ('input_tokens' in row) return ['input_tokens', 'output_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'cache_read_tokens', 'reasoning_tokens', 'cost_nanos', 'messages'].every((k) => row[k] === 0);
  if ('tokens' in row) return row.tokens === 0 && row.cost_nanos === 0;
  return 'messages' in row && (row.messages as number) <= 0;
}

/**
 * Every mart table with ids replaced by the names they stand for, rows sorted. Two ledgers that
 * saw the lines in different slices differ where a snapshot was replaced: the withdrawn copy's
 * time stays in a key's span, and a key it left keeps an empty row. `asShown` compares what
 * readers show (no empty rows, no activity times); the default compares every byte.
 */
function martSnapshot(engine: LedgerEngine, asShown = false): Record<string, string[]> {
  const names = (table: string, column: string) =>
    new Map(engine.db.all<{ id: number; v: string }>(`SELECT id, ${column} AS v FROM ${table}`).map((r) => [r.id, r.v]));
  const projects = names('dim_project', 'path');
  const models = names('dim_model', 'name');
  const sessions = names('dim_session', "agent || ':' || session_key");
  const resolve: Record<string, Map<number, string>> = { project_id: projects, model_id: models, primary_model_id: models, session_id: sessions };
  const snapshot: Record<string, string[]> = {};
  for (const table of MART_TABLES) {
    snapshot[table] = engine.db
      .all(`SELECT * FROM ${table}`)
      .filter((row) => !asShown || !isEmpty(row))
      .map((row) => JSON.stringify(Object.entries(row).filter(([k]) => !asShown || !k.endsWith('_ts')).map(([k, v]) => [k, resolve[k]?.get(v as number) ?? v])))
      .sort();
  }
  return snapshot;
}

function assertMartsSumToEvents(engine: LedgerEngine): void {
  const t = eventTotals(engine);
  const events = t.messages === 0 && t.input === 0 ? { i: null, o: null, r: null, c: null, n: null } : { i: t.input, o: t.output, r: t.cr, c: t.cost, n: t.messages };
  for (const table of ['daily_mart', 'provider_day_mart', 'model_day_mart', 'session_mart', 'project_mart']) {
    const mart = engine.db.get(`SELECT SUM(input_tokens) i, SUM(output_tokens) o, SUM(cache_read_tokens) r, SUM(cost_nanos) c, SUM(messages) n FROM ${table}`)!;
    assert.deepEqual(mart, events, `${table} sums equal usage_events sums`);
  }
}

test('marts refreshed after every random slice equal one full ingest and rebuild', async () => {
  await fc.assert(
    fc.asyncProperty(corpusArb, async (corpus) => {
      const dir = new TranscriptDir('agent-ledger-prop-');
      const incremental = (await memoryEngine(undefined, { timeZone: corpus.zone })).engine;
      const oneShot = (await memoryEngine(undefined, { timeZone: corpus.zone })).engine;
      try {
        const timeline = interleave(sessionTimelines(corpus, dir), corpus.interleave);
        const bytes = timeline.map((l) => ({ file: l.file, data: Buffer.from(`${l.text}\n`) }));
        const total = bytes.reduce((n, b) => n + b.data.length, 0);
        const cuts = [...new Set(corpus.cuts.map((c) => Math.floor(c * total))), total].sort((a, b) => a - b);
        let written = 0;
        let cursor = 0; // index into bytes
        let within = 0; // bytes of bytes[cursor] already written
        for (const cut of cuts) {
          while (written < cut) {
            const piece = bytes[cursor]!;
            const take = Math.min(piece.data.length - within, cut - written);
            fs.mkdirSync(path.dirname(piece.file), { recursive: true });
            fs.appendFileSync(piece.file, piece.data.subarray(within, within + take));
            written += take;
            within += take;
            if (within === piece.data.length) { cursor++; within = 0; }
          }
          await incremental.ingest({ roots: dir.roots });
          incremental.save(); // commits and closes the months it no longer writes: later copies must find them on disk
        }
        await oneShot.ingest({ roots: dir.roots });
        oneShot.rebuildMarts();
        assert.deepEqual(martSnapshot(incremental, true), martSnapshot(oneShot, true), 'sliced ingest = one ingest, as shown');
        assertMartsSumToEvents(incremental);
        assertMartsSumToEvents(oneShot);
        for (const engine of [incremental, oneShot]) {
          for (const month of engine.ledger.months.months()) {
            assert.deepEqual(boundaryDuplicates(engine.ledger.months, month), [], `a sound ledger counts nothing twice across ${month}'s boundaries`);
          }
        }
        const before = martSnapshot(incremental);
        incremental.rebuildMarts();
        assert.deepEqual(martSnapshot(incremental), before, 'rebuilding in place changes nothing');
      } finally {
        incremental.close();
        oneShot.close();
        dir.dispose();
      }
    }),
    { numRuns: 60 },
  );
});

/** One step of a whole-file agent's life: a task file or a database written again. */
const wholeFileStep = fc.record({
  newRequest: fc.boolean(),
  grow: fc.nat({ max: 5 }),
  input: fc.integer({ min: 1, max: 50_000 }),
  output: fc.integer({ min: 0, max: 3_000 }),
  cacheRead: fc.integer({ min: 0, max: 20_000 }),
  checkpoint: fc.boolean(),
  walOnly: fc.boolean(),
});

interface WholeRequest { ts: number; input: number; output: number; cacheRead: number }

test('whole documents and SQLite databases: every rewrite adds exactly the difference; incremental equals one read and a rebuild', async () => {
  const { AgentDir } = await import('../fixtures/agent-dir');
  const { opencodeDb, upsertMessage } = await import('../fixtures/opencode-db');
  const { asWalMode, walFor } = await import('../fixtures/sqlite-wal-writer');
  await fc.assert(
    fc.asyncProperty(fc.array(wholeFileStep, { minLength: 1, maxLength: 8 }), fc.constantFrom(...ZONES), async (steps, zone) => {
      const dir = new AgentDir();
      const incremental = (await memoryEngine(undefined, { timeZone: zone })).engine;
      const oneShot = (await memoryEngine(undefined, { timeZone: zone })).engine;
      const db = await opencodeDb();
      const dbFile = path.join(dir.opencodeData, 'opencode.db');
      const task = dir.task('rooveterinaryinc.roo-cline', 'task-1');
      const requests: WholeRequest[] = [];
      let checkpoint: Uint8Array | undefined;
      try {
        for (const [i, step] of steps.entries()) {
          if (step.newRequest || requests.length === 0) requests.push({ ts: BASE + i * 3_600_000, input: step.input, output: step.output, cacheRead: step.cacheRead });
          const last = requests[requests.length - 1]!;
          last.output += step.grow;
          last.input += step.grow;
          // The task file: api_req_started messages updated in place, rewritten whole.
          const messages = requests.map((r) => ({ ts: r.ts, type: 'say', say: 'api_req_started',
            text: JSON.stringify({ tokensIn: r.input + r.cacheRead, tokensOut: r.output, cacheReads: r.cacheRead, cacheWrites: 0, apiProtocol: 'anthropic' }) }));
          if (fs.existsSync(task)) dir.replaceJson(task, messages);
          else dir.writeJson(task, messages);
          // The database: the same requests upserted; committed to the WAL, or checkpointed into the main file.
          requests.forEach((r, n) => upsertMessage(db, `msg_${n}`, r.ts, r.ts + i, { input: r.input, output: r.output, read: r.cacheRead }));
          const image = db.export();
          if (step.walOnly && checkpoint) {
            dir.writeText(`${dbFile}-wal`, walFor(checkpoint, [image]));
          } else {
            checkpoint = asWalMode(image);
            dir.writeText(dbFile, checkpoint);
            fs.rmSync(`${dbFile}-wal`, { force: true });
          }
          // Each step is a later write, also when a fast loop lands two in the same millisecond.
          for (const f of [dbFile, `${dbFile}-wal`]) if (fs.existsSync(f)) fs.utimesSync(f, new Date(BASE + i * 1000), new Date(BASE + i * 1000));
          await incremental.ingest(dir.options);
        }
        await oneShot.ingest(dir.options);
        oneShot.rebuildMarts();
        assert.deepEqual(martSnapshot(incremental, true), martSnapshot(oneShot, true));
        assertMartsSumToEvents(incremental);
        const expected = requests.reduce((s, r) => ({ input: s.input + r.input, output: s.output + r.output }), { input: 0, output: 0 });
        for (const agent of ['roo', 'opencode']) {
          const got = eventsDb(incremental).get<{ i: number; o: number; n: number }>('SELECT SUM(input) i, SUM(output) o, SUM(message_delta) n FROM usage_events WHERE agent = ?', [agent])!;
          assert.deepEqual(got, { i: expected.input, o: expected.output, n: requests.length }, agent);
        }
      } finally {
        db.close();
        incremental.close();
        oneShot.close();
        dir.dispose();
      }
    }),
    { numRuns: 25 },
  );
});

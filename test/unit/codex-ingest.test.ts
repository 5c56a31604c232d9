import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventTotals, ingestAll, ledgerPerTest } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { codexMeta, codexResponseItem, codexTokenCount as tokens, codexTurnContext } from '../fixtures/transcript-lines';

const ID = '0199a213-81c0-7800-8aa1-bbab2a035a53';
const FILE = `sessions/2026/11/20/rollout-2026-11-20T10-00-00-${ID}.jsonl`;
const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, s)).toISOString();

describe('Codex counting rules', () => {
  const ctx = ledgerPerTest(() => new TranscriptDir());

  test('turns are deltas of cumulative totals; re-emits and info:null count zero', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexTurnContext(at(1), 'gpt-5-codex'),
      codexResponseItem(at(1), 'token_count is mentioned in text only'),
      tokens(at(2), { input: 1000, cached: 400, output: 100, reasoning: 50 }),
      tokens(at(3), { input: 1000, cached: 400, output: 100, reasoning: 50 }),
      tokens(at(4), null),
      tokens(at(5), { input: 3000, cached: 2000, output: 300, reasoning: 60 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const t = eventTotals(ctx.engine);
    // Non-cached input = input − cached; cached input is a cache read.
    assert.deepEqual([t.input, t.cr, t.output, t.messages], [1000, 2000, 300, 2]);
    // gpt-5-codex: $1.25 input, $0.125 cached, $10 output per M.
    assert.equal(ctx.engine.readers.periodTotals().costUsd, (1000 * 1.25 + 2000 * 0.125 + 300 * 10) / 1e6);
    assert.equal(ctx.engine.readers.periodTotals().reasoningTokens, 60);
  });

  test('the model in force follows turn_context; none yet means gpt-5, flagged', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      tokens(at(1), { input: 100, output: 10 }),
      codexTurnContext(at(2), 'gpt-5.1-codex'),
      tokens(at(3), { input: 300, output: 30 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(
      ctx.engine.readers.models().map((m) => [m.model, m.inputTokens]).sort(),
      [['gpt-5', 100], ['gpt-5.1-codex', 200]],
    );
    const fallbackRows = ctx.engine.ledger.months.months().map((m) => Number(ctx.engine.ledger.months.db(m).exec('SELECT COUNT(*) FROM usage_events WHERE (attrs >> 8) & 1')[0]!.values[0]![0]));
    assert.equal(fallbackRows.reduce((a, b) => a + b, 0), 1);
  });

  test('last_token_usage is used when totals are absent', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [codexMeta(at(0), ID), codexTurnContext(at(0), 'gpt-5'), tokens(at(1), null, { input: 50, output: 5 })]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).input, 50);
  });

  test('a copy in archived_sessions adds nothing; an archive-only session counts', async () => {
    const lines = [codexMeta(at(0), ID), codexTurnContext(at(0), 'gpt-5'), tokens(at(1), { input: 1000, output: 100 })];
    ctx.dir.write(ctx.dir.codexPath(FILE), lines);
    ctx.dir.write(ctx.dir.codexPath(`archived_sessions/rollout-2026-11-20T10-00-00-${ID}.jsonl`), lines);
    const other = '0199a213-81c0-7800-8aa1-000000000001';
    ctx.dir.write(ctx.dir.codexPath(`archived_sessions/rollout-2026-11-19T10-00-00-${other}.jsonl`), [
      codexMeta(at(0), other), codexTurnContext(at(0), 'gpt-5'), tokens(at(9), { input: 7, output: 1 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).input, 1007);
  });

  test("a forked sub-agent's replayed burst is not new usage; its own turns are", async () => {
    const child = '0199a213-81c0-7800-8aa1-00000000c41d';
    ctx.dir.write(ctx.dir.codexPath(`sessions/2026/11/20/rollout-2026-11-20T10-05-00-${child}.jsonl`), [
      codexMeta(at(30), child, '/work/cli', { source: { subagent: { thread_spawn: { parent_thread_id: ID, depth: 1 } } } }),
      codexTurnContext(at(30), 'gpt-5'),
      tokens(at(30), { input: 1000, output: 100 }),
      tokens(at(30), { input: 2000, output: 200 }),
      tokens(at(40), { input: 2500, output: 250 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual([eventTotals(ctx.engine).input, eventTotals(ctx.engine).output], [500, 50]);
  });

  for (const [forkDay, parentFolder] of [['2026-10-25', 'sessions/2026/10/20'], ['2026-11-10', 'sessions/2026/10/20'], ['2027-01-05', 'sessions/2026/10/20'], ['2026-11-10', 'archived_sessions']] as const) {
    test(`a fork whose copy of its parent's history has new times counts only its own turn (fork ${forkDay}, parent in ${parentFolder.split('/')[0]})`, async () => {
      // The parent's id is a UUIDv7 of 2026-10-20 (its first 48 bits are its creation time).
      const parent = `${Date.parse('2026-10-20T10:00:00Z').toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-7800-8aa1-000000000001`;
      const fork = '0199a213-81c0-7800-8aa1-000000000002';
      ctx.dir.write(ctx.dir.codexPath(`${parentFolder}/rollout-2026-10-20T10-00-00-${parent}.jsonl`), [
        codexMeta('2026-10-20T10:00:00.000Z', parent), codexTurnContext('2026-10-20T10:00:00.000Z', 'gpt-5'),
        tokens('2026-10-20T10:01:00.000Z', { input: 100, output: 10 }),
        tokens('2026-10-20T10:02:00.000Z', { input: 250, output: 20 }),
      ]);
      ctx.dir.write(ctx.dir.codexPath(`sessions/${forkDay.replaceAll('-', '/')}/rollout-${forkDay}T10-00-00-${fork}.jsonl`), [
        codexMeta(`${forkDay}T10:00:00.000Z`, fork, '/work/cli', { forked_from_id: parent }), codexTurnContext(`${forkDay}T10:00:00.000Z`, 'gpt-5'),
        tokens(`${forkDay}T10:00:01.000Z`, { input: 100, output: 10 }), // the copy, written with new times
        tokens(`${forkDay}T10:00:02.000Z`, { input: 250, output: 20 }),
        tokens(`${forkDay}T10:05:00.000Z`, { input: 400, output: 30 }), // the fork's own turn: 150 / 10
      ]);
      await ingestAll(ctx.engine, ctx.dir);
      assert.deepEqual([eventTotals(ctx.engine).input, eventTotals(ctx.engine).output], [400, 30]);
    });
  }

  test('an absurd Codex count skips the event (logged), and the next turn is counted from the last sound totals', async () => {
    const file = ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexTurnContext(at(0), 'gpt-5'),
      tokens(at(1), { input: 1000, output: 100 }),
      tokens(at(2), { input: 2 ** 62, output: 200 }),
      tokens(at(3), { input: 1500, output: 150 }, { input: 1e12, output: 50 }),
      tokens(at(4), { input: 1800, output: 160 }),
    ]);
    const report = await ctx.engine.ingest({ roots: ctx.dir.roots });
    assert.equal(report.invalidLines, 2);
    assert.ok(ctx.log.has('warn', `${file}: token count out of range at byte`), ctx.log.lines.join('\n'));
    assert.deepEqual([eventTotals(ctx.engine).input, eventTotals(ctx.engine).output], [1800, 160]);
  });

  test('a fork: a live event exactly 1 s after its one replayed row is live (CodexBar harness-smoke: 15/2)', async () => {
    const ts = (s: number) => `2026-07-11T12:00:0${s}Z`;
    const usage = (input: number, output: number) => ({ input_tokens: input, cached_input_tokens: 0, output_tokens: output });
    const row = (s: number, last: [number, number], total: [number, number]) => JSON.stringify({ type: 'event_msg', timestamp: ts(s),
      payload: { type: 'token_count', info: { model: 'gpt-5', last_token_usage: usage(...last), total_token_usage: usage(...total) } } });
    ctx.dir.write(ctx.dir.codexPath('sessions/2026/07/11/parent.jsonl'), [
      JSON.stringify({ type: 'session_meta', timestamp: ts(0), payload: { id: 'parent-session' } }),
      row(1, [10, 1], [10, 1]),
    ]);
    ctx.dir.write(ctx.dir.codexPath('archived_sessions/child.jsonl'), [
      JSON.stringify({ type: 'session_meta', timestamp: ts(2), payload: { id: 'child-session', forked_from_id: 'parent-session' } }),
      JSON.stringify({ type: 'turn_context', timestamp: ts(2), payload: { model: 'gpt-5' } }),
      row(3, [10, 1], [10, 1]),
      row(4, [5, 1], [15, 2]),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual([eventTotals(ctx.engine).input, eventTotals(ctx.engine).output], [15, 2]);
  });

  test('a fork: inherited turns (started before the fork) count nothing however long the replay; the ancestor\'s session_meta changes nothing', async () => {
    const leaf = '0199a213-81c0-7800-8aa1-00000000f0c1';
    const line = (ts: string, type: string, payload: Record<string, unknown>) => JSON.stringify({ timestamp: ts, type, payload });
    const started = (ts: string, startedAt: string) => line(ts, 'event_msg', { type: 'task_started', turn_id: ts, started_at: Date.parse(startedAt) / 1000 });
    const total = (ts: string, input: number, cached: number, output: number) => line(ts, 'event_msg', { type: 'token_count',
      info: { total_token_usage: { input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: 0 } } });
    ctx.dir.write(ctx.dir.codexPath(`sessions/2026/06/08/rollout-2026-06-08T11-39-04-${leaf}.jsonl`), [
      line('2026-06-08T11:39:04.000Z', 'session_meta', { id: leaf, timestamp: '2026-06-08T11:39:04.000Z', cwd: '/work/leaf', forked_from_id: 'p' }),
      line('2026-06-08T11:39:04.001Z', 'session_meta', { id: 'p', timestamp: '2026-04-01T00:00:00.000Z', cwd: '/work/ancestor' }),
      started('2026-06-08T11:39:04.100Z', '2026-04-01T00:00:00Z'),
      total('2026-06-08T11:39:04.900Z', 100_000, 80_000, 1000),
      started('2026-06-08T11:39:05.200Z', '2026-04-01T01:00:00Z'),
      total('2026-06-08T11:39:06.100Z', 236_700, 200_000, 2000),
      started('2026-06-08T12:00:00.000Z', '2026-06-08T12:00:00Z'),
      total('2026-06-08T12:01:00.000Z', 241_700, 203_000, 2500),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.input, t.cr, t.output], [2000, 3000, 500]);
    assert.deepEqual(ctx.engine.readers.sessions().map((s) => [s.sessionId, s.project]), [[leaf, '/work/leaf']]);
  });

  test('totals missing or not numeric mid-session: each turn counts once (like ccusage)', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexTurnContext(at(0), 'gpt-5'),
      tokens(at(1), { input: 1000, output: 100 }, { input: 1000, output: 100 }),
      tokens(at(2), null, { input: 500, output: 50 }),
      tokens(at(3), { input: 2300, output: 230 }, { input: 800, output: 80 }),
      JSON.stringify({ timestamp: at(4), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: 'n/a', last_token_usage: { input_tokens: 200, output_tokens: 20 } } } }),
      tokens(at(5), { input: 2600, output: 260 }, { input: 100, output: 10 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual([eventTotals(ctx.engine).input, eventTotals(ctx.engine).output], [2600, 260]);
  });

  test('priority service tier bills at the fast multiplier', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexTurnContext(at(0), 'gpt-5.3-codex', '/work/cli', { service_tier: 'priority' }),
      tokens(at(1), { input: 1_000_000, output: 0 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(ctx.engine.readers.periodTotals().costUsd, 1.75 * 2);
  });

  test('tailing resumes with the saved per-file state (previous totals, model)', async () => {
    const file = ctx.dir.write(ctx.dir.codexPath(FILE), [codexMeta(at(0), ID), codexTurnContext(at(0), 'gpt-5.1-codex'), tokens(at(1), { input: 100, output: 10 })]);
    await ingestAll(ctx.engine, ctx.dir);
    ctx.dir.append(file, `${tokens(at(2), { input: 250, output: 30 })}\n`);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual([eventTotals(ctx.engine).input, eventTotals(ctx.engine).output], [250, 30]);
    assert.deepEqual(ctx.engine.readers.models().map((m) => m.model), ['gpt-5.1-codex']);
  });

  test('project is the session cwd', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [codexMeta(at(0), ID, '/home/me/cli'), codexTurnContext(at(0), 'gpt-5', '/home/me/cli'), tokens(at(1), { input: 1, output: 1 })]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(ctx.engine.readers.projects().map((p) => p.project), ['/home/me/cli']);
    assert.deepEqual(ctx.engine.readers.sessions().map((s) => [s.sessionId, s.agent]), [[ID, 'codex']]);
  });
});

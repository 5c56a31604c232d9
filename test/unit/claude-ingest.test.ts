import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventTotals, ingestAll, ledgerPerTest } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant as line, claudeUser } from '../fixtures/transcript-lines';

const T = '2026-11-20T10:00:00.000Z';

describe('Claude counting rules', () => {
  const ctx = ledgerPerTest(() => new TranscriptDir());

  test('a streamed message counts once, with its largest snapshot, whatever the order', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 50 }),
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 200 }),
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 10 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.input, t.output, t.messages], [100, 200, 1]);
    assert.equal(ctx.engine.readers.periodTotals().outputTokens, 200);
  });

  test('the largest line wins as a whole, even when another field shrinks', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, input: 100, output: 200 }),
      line({ messageId: 'm1', requestId: 'r1', ts: T, input: 500, output: 10 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.input, t.output], [500, 10]);
  });

  test('the (message, request) pair is global across files (resumed sessions)', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, output: 10 })]);
    ctx.dir.write(ctx.dir.claudePath('-work-app/s2.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 200, sessionId: 's2' }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, output: 5, sessionId: 's2' }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.output, t.messages], [205, 2]);
  });

  test('a sidechain replay of a parent message is not counted; own sidechain messages are', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, output: 10 })]);
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1/subagents/agent-a.jsonl'), [
      line({ messageId: 'm1', requestId: 'rS', ts: T, output: 500, sidechain: true }),
      line({ messageId: 'm9', requestId: 'r9', ts: T, output: 7, sidechain: true }),
    ]);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.replicaReplays, 1);
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.output, t.messages], [17, 2]);
  });

  test('a sidechain copy counted before its parent is withdrawn when the parent arrives', async () => {
    const sub = ctx.dir.claudePath('-work-app/s1/subagents/agent-a.jsonl');
    ctx.dir.write(sub, [line({ messageId: 'm1', requestId: 'rS', ts: T, output: 500, sidechain: true })]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 500);
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, output: 20 })]);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.retracted, 1);
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.output, t.messages], [20, 1]);
    assert.equal(ctx.engine.readers.periodTotals().outputTokens, 20);
    assert.equal(ctx.engine.readers.periodTotals().messages, 1);
  });

  test('two sidechain copies of one message without a parent count once, the larger', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1/subagents/agent-a.jsonl'), [
      line({ messageId: 'm1', requestId: 'rS', ts: T, output: 100, sidechain: true }),
      line({ messageId: 'm1', requestId: 'rT', ts: T, output: 500, sidechain: true }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual([eventTotals(ctx.engine).output, eventTotals(ctx.engine).messages], [500, 1]);
  });

  test('<synthetic> lines and non-assistant lines are not usage', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [
      claudeUser('hello', T),
      line({ messageId: 'm1', requestId: 'r1', ts: T, model: '<synthetic>', output: 999 }),
      JSON.stringify({ type: 'summary', summary: 'usage of tokens', leafUuid: 'x' }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, output: 3 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 3);
  });

  test('lines without a message id each count once, and re-reading them adds nothing', async () => {
    const file = ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [
      line({ ts: T, output: 1, uuid: 'a' }),
      line({ ts: T, output: 2, uuid: 'b' }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    ctx.dir.write(file, [line({ ts: T, output: 1, uuid: 'a' }), line({ ts: T, output: 2, uuid: 'b' }), line({ ts: T, output: 4, uuid: 'c' })]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 7);
  });

  test('cache writes split by TTL when the split is present, else all 5-minute; priced accordingly', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, input: 0, output: 0, split: { m5: 1_000_000, h1: 1_000_000 } }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, input: 0, output: 0, cacheWrite: 1_000_000 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.cw5, t.cw1], [2_000_000, 1_000_000]);
    // Sonnet 4.5: 5m $3.75/M, 1h $6/M. Each request is 1M–2M tokens of cache writes, so the
    // 200k tier applies to the whole request: 5m $7.50, 1h $12 → 7.5 + 12 + 7.5.
    assert.equal(ctx.engine.readers.periodTotals().costUsd, 27);
  });

  test('fast mode multiplies the price and keeps the model apart', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, model: 'claude-opus-4-6', input: 1_000_000, output: 0, speed: 'fast' }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, model: 'claude-opus-4-6', input: 1_000_000, output: 0 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const models = ctx.engine.readers.models();
    assert.deepEqual(
      models.map((m) => [m.model, m.speed, m.costUsd]),
      [['claude-opus-4-6', 'fast', 30], ['claude-opus-4-6', 'standard', 5]],
    );
  });

  test('a null inside tool input does not drop the line', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 9, content: [{ type: 'tool_use', id: 'toolu_1', name: 'Edit', input: { id: null, model: null, version: null } }] }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 9);
  });

  test('a line written with spaces after the colons and commas counts (ccusage skips it)', async () => {
    // As Python's json.dumps writes it (real corpus: claude-code-log's sidechain_integrated.jsonl).
    const spaced = (text: string) => JSON.stringify(JSON.parse(text), null, 1).replace(/\n\s*/g, ' ').replace(/([[{]) /g, '$1').replace(/ ([\]}])/g, '$1');
    const text = spaced(line({ messageId: 'm1', requestId: 'r1', ts: T, input: 7, output: 11 }));
    assert.match(text, /"usage": \{"input_tokens": 7, /);
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [text]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual([eventTotals(ctx.engine).input, eventTotals(ctx.engine).output], [7, 11]);
  });

  test('costUSD in old transcripts is not used: tokens are priced from the table', async () => {
    const old = JSON.parse(line({ messageId: 'm1', requestId: 'r1', ts: T, model: 'claude-sonnet-4-20250514', input: 1000, output: 100 }));
    old.costUSD = 99;
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [JSON.stringify(old)]);
    await ingestAll(ctx.engine, ctx.dir);
    // Sonnet 4: $3 input, $15 output per million.
    assert.equal(ctx.engine.readers.periodTotals().costUsd, (1000 * 3 + 100 * 15) / 1e6);
  });

  test('project comes from cwd; without cwd from the folder slug; the session from sessionId', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, cwd: '/home/me/my.repo', sessionId: 'abc' })]);
    const noCwd = JSON.parse(line({ messageId: 'm2', requestId: 'r2', ts: T, sessionId: 'def' }));
    delete noCwd.cwd;
    ctx.dir.write(ctx.dir.claudePath('-home-me-other/def.jsonl'), [JSON.stringify(noCwd)]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(ctx.engine.readers.projects().map((p) => p.project).sort(), ['-home-me-other', '/home/me/my.repo']);
    assert.deepEqual(ctx.engine.readers.sessions().map((s) => s.sessionId).sort(), ['abc', 'def']);
  });

  test('unknown models cost $0, keep their tokens and are listed as unpriced', async () => {
    ctx.dir.write(ctx.dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, model: 'claude-opus-4-9', output: 40 })]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(ctx.engine.readers.periodTotals().costUsd, 0);
    assert.equal(ctx.engine.readers.periodTotals().outputTokens, 40);
    assert.deepEqual(ctx.engine.readers.unpricedModels().map((m) => m.model), ['claude-opus-4-9']);
    assert.ok(!ctx.log.has('error', ''), 'no errors logged');
  });
});

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { LedgerEngine } from '../../src/pipeline/engine';
import type { MemoryLogger } from '../../src/core/log';
import { eventTotals, ingestAll, memoryEngine } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant as line, claudeUser } from '../fixtures/transcript-lines';

const T = '2026-11-20T10:00:00.000Z';

describe('Claude counting rules', () => {
  let dir: TranscriptDir;
  let engine: LedgerEngine;
  let log: MemoryLogger;
  beforeEach(async () => {
    dir = new TranscriptDir();
    ({ engine, log } = await memoryEngine());
  });
  afterEach(() => {
    engine.close();
    dir.dispose();
  });

  test('a streamed message counts once, with its largest snapshot, whatever the order', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 50 }),
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 200 }),
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 10 }),
    ]);
    await ingestAll(engine, dir);
    const t = eventTotals(engine);
    assert.deepEqual([t.input, t.output, t.messages], [100, 200, 1]);
    assert.equal(engine.readers.periodTotals().outputTokens, 200);
  });

  test('the largest line wins as a whole, even when another field shrinks', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, input: 100, output: 200 }),
      line({ messageId: 'm1', requestId: 'r1', ts: T, input: 500, output: 10 }),
    ]);
    await ingestAll(engine, dir);
    const t = eventTotals(engine);
    assert.deepEqual([t.input, t.output], [500, 10]);
  });

  test('the (message, request) pair is global across files (resumed sessions)', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, output: 10 })]);
    dir.write(dir.claudePath('-work-app/s2.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 200, sessionId: 's2' }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, output: 5, sessionId: 's2' }),
    ]);
    await ingestAll(engine, dir);
    const t = eventTotals(engine);
    assert.deepEqual([t.output, t.messages], [205, 2]);
  });

  test('a sidechain replay of a parent message is not counted; own sidechain messages are', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, output: 10 })]);
    dir.write(dir.claudePath('-work-app/s1/subagents/agent-a.jsonl'), [
      line({ messageId: 'm1', requestId: 'rS', ts: T, output: 500, sidechain: true }),
      line({ messageId: 'm9', requestId: 'r9', ts: T, output: 7, sidechain: true }),
    ]);
    const report = await ingestAll(engine, dir);
    assert.equal(report.replicaReplays, 1);
    const t = eventTotals(engine);
    assert.deepEqual([t.output, t.messages], [17, 2]);
  });

  test('a sidechain copy counted before its parent is withdrawn when the parent arrives', async () => {
    const sub = dir.claudePath('-work-app/s1/subagents/agent-a.jsonl');
    dir.write(sub, [line({ messageId: 'm1', requestId: 'rS', ts: T, output: 500, sidechain: true })]);
    await ingestAll(engine, dir);
    assert.equal(eventTotals(engine).output, 500);
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, output: 20 })]);
    const report = await ingestAll(engine, dir);
    assert.equal(report.retracted, 1);
    const t = eventTotals(engine);
    assert.deepEqual([t.output, t.messages], [20, 1]);
    assert.equal(engine.readers.periodTotals().outputTokens, 20);
    assert.equal(engine.readers.periodTotals().messages, 1);
  });

  test('two sidechain copies of one message without a parent count once, the larger', async () => {
    dir.write(dir.claudePath('-work-app/s1/subagents/agent-a.jsonl'), [
      line({ messageId: 'm1', requestId: 'rS', ts: T, output: 100, sidechain: true }),
      line({ messageId: 'm1', requestId: 'rT', ts: T, output: 500, sidechain: true }),
    ]);
    await ingestAll(engine, dir);
    assert.deepEqual([eventTotals(engine).output, eventTotals(engine).messages], [500, 1]);
  });

  test('<synthetic> lines and non-assistant lines are not usage', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      claudeUser('hello', T),
      line({ messageId: 'm1', requestId: 'r1', ts: T, model: '<synthetic>', output: 999 }),
      JSON.stringify({ type: 'summary', summary: 'usage of tokens', leafUuid: 'x' }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, output: 3 }),
    ]);
    await ingestAll(engine, dir);
    assert.equal(eventTotals(engine).output, 3);
  });

  test('lines without a message id each count once, and re-reading them adds nothing', async () => {
    const file = dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      line({ ts: T, output: 1, uuid: 'a' }),
      line({ ts: T, output: 2, uuid: 'b' }),
    ]);
    await ingestAll(engine, dir);
    dir.write(file, [line({ ts: T, output: 1, uuid: 'a' }), line({ ts: T, output: 2, uuid: 'b' }), line({ ts: T, output: 4, uuid: 'c' })]);
    await ingestAll(engine, dir);
    assert.equal(eventTotals(engine).output, 7);
  });

  test('cache writes split by TTL when the split is present, else all 5-minute; priced accordingly', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, input: 0, output: 0, split: { m5: 1_000_000, h1: 1_000_000 } }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, input: 0, output: 0, cacheWrite: 1_000_000 }),
    ]);
    await ingestAll(engine, dir);
    const t = eventTotals(engine);
    assert.deepEqual([t.cw5, t.cw1], [2_000_000, 1_000_000]);
    // Sonnet 4.5: 5m $3.75/M, 1h $6/M. Each request is 1M–2M tokens of cache writes, so the
    // 200k tier applies to the whole request: 5m $7.50, 1h $12 → 7.5 + 12 + 7.5.
    assert.equal(engine.readers.periodTotals().costUsd, 27);
  });

  test('fast mode multiplies the price and keeps the model apart', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, model: 'claude-opus-4-6', input: 1_000_000, output: 0, speed: 'fast' }),
      line({ messageId: 'm2', requestId: 'r2', ts: T, model: 'claude-opus-4-6', input: 1_000_000, output: 0 }),
    ]);
    await ingestAll(engine, dir);
    const models = engine.readers.models();
    assert.deepEqual(
      models.map((m) => [m.model, m.speed, m.costUsd]),
      [['claude-opus-4-6', 'fast', 30], ['claude-opus-4-6', 'standard', 5]],
    );
  });

  test('a null inside tool input does not drop the line', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      line({ messageId: 'm1', requestId: 'r1', ts: T, output: 9, content: [{ type: 'tool_use', id: 'toolu_1', name: 'Edit', input: { id: null, model: null, version: null } }] }),
    ]);
    await ingestAll(engine, dir);
    assert.equal(eventTotals(engine).output, 9);
  });

  test('a line written with spaces after the colons and commas counts (ccusage skips it)', async () => {
    // As Python's json.dumps writes it (real corpus: claude-code-log's sidechain_integrated.jsonl).
    const spaced = (text: string) => JSON.stringify(JSON.parse(text), null, 1).replace(/\n\s*/g, ' ').replace(/([[{]) /g, '$1').replace(/ ([\]}])/g, '$1');
    const text = spaced(line({ messageId: 'm1', requestId: 'r1', ts: T, input: 7, output: 11 }));
    assert.match(text, /"usage": \{"input_tokens": 7, /);
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [text]);
    await ingestAll(engine, dir);
    assert.deepEqual([eventTotals(engine).input, eventTotals(engine).output], [7, 11]);
  });

  test('costUSD in old transcripts is not used: tokens are priced from the table', async () => {
    const old = JSON.parse(line({ messageId: 'm1', requestId: 'r1', ts: T, model: 'claude-sonnet-4-20250514', input: 1000, output: 100 }));
    old.costUSD = 99;
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [JSON.stringify(old)]);
    await ingestAll(engine, dir);
    // Sonnet 4: $3 input, $15 output per million.
    assert.equal(engine.readers.periodTotals().costUsd, (1000 * 3 + 100 * 15) / 1e6);
  });

  test('project comes from cwd; without cwd from the folder slug; the session from sessionId', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, cwd: '/home/me/my.repo', sessionId: 'abc' })]);
    const noCwd = JSON.parse(line({ messageId: 'm2', requestId: 'r2', ts: T, sessionId: 'def' }));
    delete noCwd.cwd;
    dir.write(dir.claudePath('-home-me-other/def.jsonl'), [JSON.stringify(noCwd)]);
    await ingestAll(engine, dir);
    assert.deepEqual(engine.readers.projects().map((p) => p.project).sort(), ['-home-me-other', '/home/me/my.repo']);
    assert.deepEqual(engine.readers.sessions().map((s) => s.sessionId).sort(), ['abc', 'def']);
  });

  test('unknown models cost $0, keep their tokens and are listed as unpriced', async () => {
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [line({ messageId: 'm1', requestId: 'r1', ts: T, model: 'claude-opus-4-9', output: 40 })]);
    await ingestAll(engine, dir);
    assert.equal(engine.readers.periodTotals().costUsd, 0);
    assert.equal(engine.readers.periodTotals().outputTokens, 40);
    assert.deepEqual(engine.readers.unpricedModels().map((m) => m.model), ['claude-opus-4-9']);
    assert.ok(!log.has('error', ''), 'no errors logged');
  });
});

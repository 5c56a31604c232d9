import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { RecordFlag } from '../../src/core/usage';
import { qwenNormalizer } from '../../src/normalizers/qwen';
import { AgentDir, agentTotals, SAMPLES } from '../fixtures/agent-dir';
import { ledgerPerTest } from '../fixtures/engine-harness';

const record = (uuid: string | undefined, sessionId: string, usage: Record<string, number>) => ({
  uuid, parentUuid: null, sessionId, timestamp: '2026-02-23T14:24:56.857Z', type: 'assistant', cwd: '/work/q', version: '0.9.0',
  model: 'qwen3-coder-plus', message: { role: 'model', parts: [{ text: 'hidden' }] }, usageMetadata: usage,
});
const USAGE = { promptTokenCount: 1000, candidatesTokenCount: 200, thoughtsTokenCount: 50, cachedContentTokenCount: 600, totalTokenCount: 1200 };

describe('Qwen Code', () => {
  const ctx = ledgerPerTest(() => new AgentDir());
  const totals = () => agentTotals(ctx.engine, 'qwen');

  test('a /branch copy (new sessionId, same uuid, forkedFrom) counts once', async () => {
    ctx.dir.writeLines(ctx.dir.qwenChat('-work-q', 's1'), [record('u1', 's1', USAGE), record('u2', 's1', USAGE)]);
    ctx.dir.writeLines(ctx.dir.qwenChat('-work-q', 's2'), [
      { ...record('u1', 's2', USAGE), forkedFrom: 's1' }, { ...record('u2', 's2', USAGE), forkedFrom: 's1' }, record('u3', 's2', USAGE),
    ]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(totals().requests, 3);
  });

  test('the prompt includes the cached part; candidates include the thoughts (not added twice)', async () => {
    ctx.dir.writeLines(ctx.dir.qwenChat('-work-q', 's1'), [record('u1', 's1', USAGE)]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.input, t.cr, t.output, t.reasoning], [400, 600, 200, 50]);
  });

  test('a prompt smaller than its cached part is the fresh part (it cannot include it)', () => {
    const r = qwenNormalizer.normalize(record('u', 's', { promptTokenCount: 1508, candidatesTokenCount: 205, thoughtsTokenCount: 50, cachedContentTokenCount: 4864 }), 0, null, '/x/chats/s.jsonl');
    assert.deepEqual([r?.tokens.input, r?.tokens.cacheRead], [1508, 4864]);
  });

  test('thoughts reported beside the candidates (total = prompt + candidates + thoughts) are output too', () => {
    const r = qwenNormalizer.normalize(record('u', 's', { promptTokenCount: 100, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 150 }), 0, null, '/x/chats/s.jsonl');
    assert.equal(r?.tokens.output, 50);
  });

  test("Qwen's own 70/30 split of a bare total is flagged as estimated; exact counts are not", () => {
    const split = qwenNormalizer.normalize(record('u', 's', { promptTokenCount: 700, candidatesTokenCount: 300, totalTokenCount: 1000 }), 0, null, '/x/chats/s.jsonl');
    assert.equal((split!.flags & RecordFlag.Estimated) !== 0, true);
    const exact = qwenNormalizer.normalize(record('u', 's', USAGE), 0, null, '/x/chats/s.jsonl');
    assert.equal(exact!.flags & RecordFlag.Estimated, 0);
  });

  test('the tokscale sample (no uuid): each line once, also when the file is read again after growing', async () => {
    const file = ctx.dir.writeText(ctx.dir.qwenChat('p', 'chat'), fs.readFileSync(path.join(SAMPLES, 'qwen-code', 'chat.tokscale-test.jsonl')));
    await ctx.engine.ingest(ctx.dir.options);
    fs.appendFileSync(file, '');
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.requests, t.input, t.cr, t.output], [2, 12414 + 1508, 4864, 76 + 205]);
  });
});

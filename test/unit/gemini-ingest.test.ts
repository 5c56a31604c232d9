import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { geminiNormalizer, geminiTokens } from '../../src/normalizers/gemini';
import { costOf } from '../../src/pricing/cost';
import { AgentDir, agentTotals, SAMPLES } from '../fixtures/agent-dir';
import { ledgerPerTest } from '../fixtures/engine-harness';

const META = { sessionId: 'sess-1', projectHash: 'p', startTime: '2026-05-17T11:00:00.000Z' };
const message = (id: string, tokens: Record<string, number> | undefined, extra: Record<string, unknown> = {}) => ({
  id, timestamp: '2026-05-17T11:07:32.000Z', type: 'gemini', model: 'gemini-2.5-pro', content: 'hidden', ...(tokens ? { tokens } : {}), ...extra,
});
const T1 = { input: 1000, output: 50, cached: 400, thoughts: 30, tool: 5, total: 1085 };

describe('Gemini CLI', () => {
  const ctx = ledgerPerTest(() => new AgentDir());
  const totals = () => agentTotals(ctx.engine, 'gemini');

  test('a message re-emitted whole on every change counts once, with its last copy', async () => {
    const file = ctx.dir.geminiChat('proj', 'session-2026-05-17T11-07-aaaa.jsonl');
    ctx.dir.writeLines(file, [META, message('m1', undefined), message('m1', { ...T1, output: 10, total: 1045 })]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.appendLines(file, [message('m1', T1, { toolCalls: [{ status: 'done' }] }), message('m1', T1), { $set: { lastUpdated: 'x' } }]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.equal(t.requests, 1, 'one request, not one per copy');
    assert.equal(t.output, 50 + 30, 'the last copy: output 50 plus 30 thoughts');
    assert.equal(geminiNormalizer.normalize(message('m1', T1), 0, { sessionId: 's' }, file)?.repeat, 'last');
  });

  test('a legacy .json session and its migrated .jsonl twin count once', async () => {
    const legacy = { ...META, lastUpdated: 'x', messages: [message('m1', T1), message('m2', T1), { id: 'u1', type: 'user', content: 'hi' }] };
    ctx.dir.writeJson(ctx.dir.geminiChat('proj', 'session-2026-05-17T11-07-aaaa.json'), legacy);
    ctx.dir.writeLines(ctx.dir.geminiChat('proj', 'session-2026-05-17T11-07-aaaa.jsonl'), [META, message('m1', T1), message('m2', T1), message('m3', T1)]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(totals().requests, 3);
    assert.equal(totals().input, 3 * (1000 - 400 + 5));
  });

  test('input includes the cached part; the tool-use prompt is input too; thoughts are billed as output and kept as reasoning', async () => {
    ctx.dir.writeLines(ctx.dir.geminiChat('proj', 'session-a.jsonl'), [META, message('m1', T1)]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.input, t.cr, t.output, t.reasoning], [1000 - 400 + 5, 400, 80, 30]);
    const expected = costOf({ input: 605, output: 80, cacheRead: 400, cacheWrite5m: 0, cacheWrite1h: 0 }, 'gemini-2.5-pro', 'standard').usd;
    assert.equal(t.cost, Math.round(expected * 1e9), 'thoughts priced at the output rate');
  });

  test('a file that stored net input (total counts the cached part again) is not reduced twice', () => {
    const net = geminiTokens({ input: 600, output: 50, cached: 400, thoughts: 30, tool: 5, total: 1085 });
    assert.deepEqual([net.input, net.cacheRead], [605, 400]);
    const inclusive = geminiTokens({ input: 1000, output: 50, cached: 400, thoughts: 30, tool: 5, total: 1085 });
    assert.deepEqual([inclusive.input, inclusive.cacheRead], [605, 400]);
  });

  test('a rewind hides messages from the chat but their tokens were spent', async () => {
    ctx.dir.writeLines(ctx.dir.geminiChat('proj', 'session-a.jsonl'), [META, message('m1', T1), message('m2', T1), { $rewindTo: 'm1' }]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(totals().requests, 2);
  });

  test('subagent chats below chats/<parent>/ are read; files outside chats/ are not', async () => {
    ctx.dir.writeLines(ctx.dir.geminiChat('proj', 'sess-1/sub-1.jsonl'), [{ ...META, sessionId: 'sub-1' }, message('s1', T1)]);
    ctx.dir.writeLines(path.join(ctx.dir.geminiHome, '.gemini', 'tmp', 'proj', 'logs.jsonl'), [message('x1', T1)]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(totals().requests, 1);
    assert.equal(ctx.engine.db.get<{ k: string }>("SELECT session_key k FROM dim_session WHERE agent = 'gemini'")?.k, 'sub-1');
  });

  test('the ccusage sample: cached split off the input, thoughts added to output', async () => {
    const sample = fs.readFileSync(path.join(SAMPLES, 'gemini-cli', 'session-a.ccusage-test.jsonl'));
    ctx.dir.writeText(ctx.dir.geminiChat('project-a', 'session-a.jsonl'), sample);
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.input, t.output, t.cr, t.reasoning], [15327 - 11526 + 7, 23 + 919, 11526, 919]);
    assert.equal(t.cost, 5_306_300, 'gemini-3-flash-preview: the same $0.0053063 as ccusage');
  });
});

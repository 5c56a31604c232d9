/** Cline, Roo Code and Kilo Code task stores (`tasks/<id>/ui_messages.json`, rewritten whole). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { RecordFlag } from '../../src/core/usage';
import { AgentDir, agentTotals, SAMPLES } from '../fixtures/agent-dir';
import { eventsDb, ledgerPerTest, memoryEngine } from '../fixtures/engine-harness';

const CLINE = 'saoudrizwan.claude-dev';
const ROO = 'rooveterinaryinc.roo-cline';
const KILO = 'kilocode.kilo-code';
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);

type Info = { tokensIn?: number; tokensOut?: number; cacheReads?: number; cacheWrites?: number; cost?: number; apiProtocol?: string; cancelReason?: string };
const say = (kind: string, ts: number, info: Info, extra: Record<string, unknown> = {}) => ({ ts, type: 'say', say: kind, text: JSON.stringify(info), ...extra });
const req = (n: number, info: Info, extra: Record<string, unknown> = {}) => say('api_req_started', T0 + n * 1000, info, extra);
const text = (n: number) => ({ ts: T0 + n * 1000 + 500, type: 'say', say: 'text', text: 'hidden answer' });
const cline = (model: string, providerId = 'anthropic') => ({ modelInfo: { modelId: model, providerId, mode: 'act' } });
const usage = (tokensIn: number, tokensOut: number, cacheReads = 0, cacheWrites = 0): Info => ({ tokensIn, tokensOut, cacheReads, cacheWrites, cost: 0.01 });

describe('Cline legacy task store', () => {
  const ctx = ledgerPerTest(() => new AgentDir());
  const totals = () => agentTotals(ctx.engine, 'cline');
  const file = () => ctx.dir.task(CLINE, 'task-1');

  test('api_req_started is updated in place: (task, ts) counts once, with its last counts', async () => {
    ctx.dir.writeJson(file(), [req(1, { apiProtocol: 'anthropic' } as Info, cline('claude-sonnet-4-5-20250929'))]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(totals().requests, 0, 'a placeholder without counts is not a request yet');
    ctx.dir.replaceJson(file(), [req(1, usage(10, 5), cline('claude-sonnet-4-5-20250929'))]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [req(1, usage(10, 40, 100, 20), cline('claude-sonnet-4-5-20250929')), text(1)]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.requests, t.input, t.output, t.cr, t.cw], [1, 10, 40, 100, 20]);
  });

  test('a checkpoint restore after we counted the deleted requests adds nothing', async () => {
    const three = [req(1, usage(10, 1), cline('claude-sonnet-4-5')), req(2, usage(20, 2), cline('claude-sonnet-4-5')), req(3, usage(30, 3), cline('claude-sonnet-4-5'))];
    ctx.dir.writeJson(file(), three);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [three[0], say('deleted_api_reqs', T0 + 9000, usage(50, 5), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.input, t.output], [60, 6], 'requests 2 and 3 were counted already; their total is not counted again');
  });

  test('a checkpoint restore counted once stays as counted when a ledger repair reads the task again from nothing', async () => {
    const three = [req(1, usage(10, 1), cline('claude-sonnet-4-5')), req(2, usage(20, 2), cline('claude-sonnet-4-5')), req(3, usage(30, 3), cline('claude-sonnet-4-5'))];
    const ledger = ctx.engine.ledger.dir;
    ctx.dir.writeJson(file(), three);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.engine.save();
    ctx.dir.replaceJson(file(), [three[0], say('deleted_api_reqs', T0 + 9000, usage(50, 5), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.engine.save();
    ctx.engine.close();
    fs.writeFileSync(path.join(ledger, 'manifest.json'), '{damaged');
    const reopened = await memoryEngine(ledger);
    ctx.engine = reopened.engine; // closed after the test
    await ctx.engine.ingest(ctx.dir.options);
    assert.ok(reopened.log.has('error', 'manifest'), 'the repair happened');
    assert.deepEqual([totals().input, totals().output], [60, 6], 'the total is not counted again');
  });

  test('a checkpoint restore whose requests we never saw: the total is all we have, and it counts', async () => {
    ctx.dir.writeJson(file(), [req(1, usage(10, 1), cline('claude-sonnet-4-5')), say('deleted_api_reqs', T0 + 9000, usage(50, 5), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [req(1, usage(10, 1), cline('claude-sonnet-4-5')), say('deleted_api_reqs', T0 + 9000, usage(50, 5), cline('claude-sonnet-4-5')), req(10, usage(7, 7), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.input, t.output], [67, 13]);
  });

  test('a task file caught half-written between two reads keeps what the earlier read counted: a restore after it adds nothing', async () => {
    const three = [req(1, usage(10, 1), cline('claude-sonnet-4-5')), req(2, usage(20, 2), cline('claude-sonnet-4-5')), req(3, usage(30, 3), cline('claude-sonnet-4-5'))];
    ctx.dir.writeJson(file(), three);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.writeText(file(), JSON.stringify(three).slice(0, 50));
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [three[0], say('deleted_api_reqs', T0 + 9000, usage(50, 5), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().input, totals().output], [60, 6], 'requests 2 and 3 were counted before the damaged read');
  });

  test('a second restore, whose total includes the first restore\'s total, adds only what was never counted', async () => {
    const sonnet = cline('claude-sonnet-4-5');
    const [r1, r2, r3, r4] = [req(1, usage(100, 1), sonnet), req(2, usage(200, 2), sonnet), req(3, usage(300, 3), sonnet), req(20, usage(1000, 10), sonnet)];
    ctx.dir.writeJson(file(), [r1, r2, r3]);
    await ctx.engine.ingest(ctx.dir.options);
    const d1 = say('deleted_api_reqs', T0 + 9000, usage(500, 5), sonnet);
    ctx.dir.replaceJson(file(), [r1, d1]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [r1, d1, r4]);
    await ctx.engine.ingest(ctx.dir.options);
    // Restoring to r1 again deletes d1 and r4: Cline's new total sums them (getApiMetrics counts totals too).
    ctx.dir.replaceJson(file(), [r1, say('deleted_api_reqs', T0 + 30_000, usage(1500, 15), sonnet)]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().input, totals().output], [1600, 16], 'every request was counted once already');
  });

  test('a read between the two saves of a restore (the shortened file, then its total) counts nothing twice', async () => {
    const sonnet = cline('claude-sonnet-4-5');
    const three = [req(1, usage(10, 1), sonnet), req(2, usage(20, 2), sonnet), req(3, usage(30, 3), sonnet)];
    ctx.dir.writeJson(file(), three);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [three[0]]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [three[0], say('deleted_api_reqs', T0 + 9000, usage(50, 5), sonnet)]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().input, totals().output], [60, 6]);
  });

  test('a task remembered by the previous version is read again after the upgrade, so a second restore still counts nothing twice', async () => {
    const sonnet = cline('claude-sonnet-4-5');
    const [r1, r2, r3] = [req(1, usage(100, 1), sonnet), req(2, usage(200, 2), sonnet), req(3, usage(300, 3), sonnet)];
    const d1 = say('deleted_api_reqs', T0 + 9000, usage(500, 5), sonnet);
    ctx.dir.writeJson(file(), [r1, r2, r3]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [r1, d1]);
    await ctx.engine.ingest(ctx.dir.options);
    // As the previous version left it: the total remembered by what was counted of it only, migration 6 not applied.
    const { id, parser_state: saved } = ctx.engine.db.get<{ id: number; parser_state: string }>("SELECT id, parser_state FROM source_files WHERE parser_state LIKE '{\"counted\":%'")!;
    const counted = Object.fromEntries(Object.entries(JSON.parse(saved).counted as Record<string, number[]>).map(([k, v]) => [k, v.slice(0, 5)]));
    ctx.engine.db.run('UPDATE source_files SET parser_state = ? WHERE id = ?', [JSON.stringify({ counted }), id]);
    ctx.engine.db.run('DELETE FROM schema_migrations WHERE version = 6');
    const ledger = ctx.engine.ledger.dir;
    ctx.engine.save();
    ctx.engine.close();
    ctx.engine = (await memoryEngine(ledger)).engine; // the upgrade
    await ctx.engine.ingest(ctx.dir.options); // the task file has not changed since
    // r4 (1000, 10) is made, then a second restore to r1 deletes d1 and r4 before our next read: Cline's total is 1500.
    ctx.dir.replaceJson(file(), [r1, say('deleted_api_reqs', T0 + 30_000, usage(1500, 15), sonnet)]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().input, totals().output], [1600, 16]);
  });

  test('requests gone for another reason (an older copy of the task put back) are not taken from a later, unrelated restore', async () => {
    const sonnet = cline('claude-sonnet-4-5');
    const [r1, r2, r3, r4] = [req(1, usage(10, 1), sonnet), req(2, usage(20, 2), sonnet), req(3, usage(30, 3), sonnet), req(20, usage(1000, 10), sonnet)];
    ctx.dir.writeJson(file(), [r1, r2, r3]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [r1]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [r1, r4]);
    await ctx.engine.ingest(ctx.dir.options);
    // r5 (400, 4) is made, then a restore to r1 deletes r4 and r5 before our next read: its total is r4 + r5.
    ctx.dir.replaceJson(file(), [r1, say('deleted_api_reqs', T0 + 30_000, usage(1400, 14), sonnet)]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().input, totals().output], [1460, 20]);
  });

  test('a restore that deleted one request we saw and one we did not: only the unseen part of the total counts', async () => {
    ctx.dir.writeJson(file(), [req(1, usage(10, 1), cline('claude-sonnet-4-5')), req(2, usage(20, 2), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    // Request 3 (30, 3) was written and then deleted by the restore before our next read.
    ctx.dir.replaceJson(file(), [req(1, usage(10, 1), cline('claude-sonnet-4-5')), say('deleted_api_reqs', T0 + 9000, usage(50, 5), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().input, totals().output], [60, 6]);
  });

  test('sub-agent batches count, flagged for the model they borrow; cancelled requests with counts count', async () => {
    ctx.dir.writeJson(file(), [
      req(1, usage(10, 1), cline('claude-sonnet-4-5')),
      say('subagent_usage', T0 + 5000, { ...usage(100, 10), source: 'subagents' } as Info),
      req(6, { ...usage(3, 2), cancelReason: 'user_cancelled' }, cline('claude-sonnet-4-5')),
    ]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().requests, totals().input], [3, 113]);
    const flags = eventsDb(ctx.engine).all<{ flags: number }>("SELECT flags FROM usage_events WHERE agent = 'cline' ORDER BY ts").map((r) => r.flags);
    assert.deepEqual(flags.map((f) => (f & RecordFlag.ModelFallback) !== 0), [false, true, false]);
  });

  test("the OpenAI Compatible provider's tokensIn includes cache reads; other providers' does not", async () => {
    ctx.dir.writeJson(file(), [
      req(1, usage(1000, 10, 600, 400), cline('deepseek-chat', 'openai')),
      req(2, usage(1000, 10, 600, 400), cline('claude-sonnet-4-5', 'anthropic')),
    ]);
    await ctx.engine.ingest(ctx.dir.options);
    const rows = eventsDb(ctx.engine).all<{ input: number; cw: number; cr: number }>("SELECT input, cache_write_5m cw, cache_read cr FROM usage_events WHERE agent = 'cline' ORDER BY ts");
    assert.deepEqual(rows, [{ input: 400, cw: 0, cr: 600 }, { input: 1000, cw: 400, cr: 600 }]);
  });

  test('estimated counts (VS Code LM API, Bedrock DeepSeek-R1) are flagged', async () => {
    ctx.dir.writeJson(file(), [req(1, usage(10, 1), cline('copilot-gpt-4o', 'vscode-lm')), req(2, usage(10, 1), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    const flags = eventsDb(ctx.engine).all<{ flags: number }>("SELECT flags FROM usage_events WHERE agent = 'cline' ORDER BY ts").map((r) => r.flags & RecordFlag.Estimated);
    assert.deepEqual(flags, [RecordFlag.Estimated, 0]);
  });

  test("without modelInfo the model comes from task_metadata.json; the agent's cost is kept only as reported", async () => {
    ctx.dir.writeJson(file(), [req(1, usage(10, 1)), req(20, usage(10, 1))]);
    ctx.dir.writeJson(ctx.dir.task(CLINE, 'task-1', 'task_metadata.json'), { model_usage: [{ ts: T0, model_id: 'claude-sonnet-4-5', model_provider_id: 'anthropic', mode: 'act' }, { ts: T0 + 10_000, model_id: 'claude-opus-4-6', model_provider_id: 'anthropic', mode: 'act' }] });
    await ctx.engine.ingest(ctx.dir.options);
    const models = eventsDb(ctx.engine).all<{ name: string }>("SELECT m.name FROM usage_events e JOIN dim_model m ON m.id = e.model_id WHERE agent = 'cline' ORDER BY ts").map((r) => r.name);
    assert.deepEqual(models, ['claude-sonnet-4-5', 'claude-opus-4-6']);
  });

  test('a task file caught half-written is one warning, read again once it changes', async () => {
    ctx.dir.writeText(file(), '[{"ts": 1, "type": "say", "say": "api_req_st');
    await ctx.engine.ingest(ctx.dir.options);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(ctx.log.lines.filter((l) => l.includes('unreadable document')).length, 1, ctx.log.lines.join('\n'));
    ctx.dir.replaceJson(file(), [req(1, usage(10, 1), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(totals().requests, 1);
  });

  test('the tokscale sample (ISO ts, no model): counted, model unknown and flagged', async () => {
    ctx.dir.writeText(file(), fs.readFileSync(path.join(SAMPLES, 'cline', 'legacy-ui_messages.tokscale-test.json')));
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.requests, t.input, t.output, t.cr, t.cw, t.cost], [1, 40, 15, 7, 3, 0]);
  });
});

describe('Cline SDK sessions', () => {
  const ctx = ledgerPerTest(() => new AgentDir());

  const sdkSession = (sessionId: string, messages: unknown[]) => ({ version: 1, updated_at: '2026-04-22T17:42:10.123Z', agent: 'lead', sessionId, messages });
  const turn = (id: string, inputTokens: number) => ({
    id, role: 'assistant', ts: 1745343731456, modelInfo: { id: 'claude-sonnet-4-6', provider: 'anthropic' },
    metrics: { inputTokens, outputTokens: 8, cacheReadTokens: 3, cacheWriteTokens: 1, cost: 0.13 }, content: [{ type: 'text', text: 'hidden' }],
  });

  test('the fixture: inputTokens include cache reads and writes', async () => {
    const sample = fs.readFileSync(path.join(SAMPLES, 'cline', 'sdk-success.messages.json'));
    ctx.dir.writeText(ctx.dir.clineSession('fixture-success-01'), sample);
    ctx.dir.writeText(path.join(path.dirname(ctx.dir.clineSession('fixture-success-01')), 'fixture-success-01.json'), fs.readFileSync(path.join(SAMPLES, 'cline', 'sdk-session.manifest.json')));
    await ctx.engine.ingest(ctx.dir.options);
    const t = agentTotals(ctx.engine, 'cline');
    assert.deepEqual([t.requests, t.input, t.output, t.cr, t.cw], [1, 21 - 3 - 1, 8, 3, 1]);
    assert.equal(ctx.engine.db.get<{ path: string }>('SELECT path FROM dim_project')?.path, '/Users/example/dev/cline', 'cwd from the manifest');
  });

  test('a fork starts with a copy of its parent\'s messages: they count once', async () => {
    ctx.dir.writeJson(ctx.dir.clineSession('parent'), sdkSession('parent', [turn('msg_1', 100), turn('msg_2', 100)]));
    ctx.dir.writeJson(ctx.dir.clineSession('fork'), sdkSession('fork', [turn('msg_1', 100), turn('msg_2', 100), turn('msg_3', 100)]));
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(agentTotals(ctx.engine, 'cline').requests, 3);
  });
});

describe('Roo Code and Kilo Code task stores', () => {
  const ctx = ledgerPerTest(() => new AgentDir());
  const history = (entries: [number, string][]) =>
    entries.map(([ts, model]) => ({ role: 'user', ts, content: [{ type: 'text', text: 'task' }, { type: 'text', text: `<environment_details>\n# Current Time\n<model>${model}</model>\n</environment_details>` }] }));

  test('tokensIn includes cache reads and writes (Roo ≥3.29.5): subtracted, not counted twice', async () => {
    ctx.dir.writeJson(ctx.dir.task(ROO, 't1'), [req(1, { ...usage(1000, 50, 600, 300), apiProtocol: 'anthropic' }), req(2, { ...usage(2855, 10, 0, 2853), apiProtocol: 'openai' })]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = agentTotals(ctx.engine, 'roo');
    assert.deepEqual([t.input, t.cr, t.cw], [100 + 2, 600, 300 + 2853]);
  });

  test('an older anthropic record whose tokensIn is below its cache counts is exclusive: taken as is', async () => {
    ctx.dir.writeJson(ctx.dir.task(ROO, 't1'), [req(1, { ...usage(12, 50, 6000, 300), apiProtocol: 'anthropic' })]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(agentTotals(ctx.engine, 'roo').input, 12);
  });

  test("the model of each request is its own environment block's, not the task's first or last", async () => {
    ctx.dir.writeJson(ctx.dir.task(ROO, 't1'), [req(1, { ...usage(10, 1), apiProtocol: 'anthropic' }), req(60, { ...usage(10, 1), apiProtocol: 'anthropic' })]);
    ctx.dir.writeJson(ctx.dir.task(ROO, 't1', 'api_conversation_history.json'), history([[T0 + 1200, 'claude-sonnet-4-5'], [T0 + 60_100, 'claude-opus-4-6']]));
    ctx.dir.writeJson(ctx.dir.task(ROO, 't1', 'history_item.json'), { id: 't1', workspace: '/work/roo-project' });
    await ctx.engine.ingest(ctx.dir.options);
    const rows = eventsDb(ctx.engine).all<{ name: string; path: string }>("SELECT m.name, p.path FROM usage_events e JOIN dim_model m ON m.id = e.model_id JOIN dim_project p ON p.id = e.project_id WHERE agent = 'roo' ORDER BY ts");
    assert.deepEqual(rows, [{ name: 'claude-sonnet-4-5', path: '/work/roo-project' }, { name: 'claude-opus-4-6', path: '/work/roo-project' }]);
  });

  test('without times on the model marks, a request takes the mark of its place, also after a damaged request is left out', async () => {
    const mark = (model: string) => ({ role: 'user', content: [{ type: 'text', text: `<environment_details>\n<model>${model}</model>\n</environment_details>` }] });
    ctx.dir.writeJson(ctx.dir.task(ROO, 't1'), [
      req(1, { ...usage(10, 1), apiProtocol: 'anthropic' }), req(2, { ...usage(-1, 1), apiProtocol: 'anthropic' }), req(3, { ...usage(30, 3), apiProtocol: 'anthropic' }),
    ]);
    ctx.dir.writeJson(ctx.dir.task(ROO, 't1', 'api_conversation_history.json'), [mark('claude-sonnet-4-5'), mark('claude-haiku-4-5'), mark('claude-opus-4-6')]);
    const report = await ctx.engine.ingest(ctx.dir.options);
    assert.equal(report.invalidLines, 1);
    const rows = eventsDb(ctx.engine).all<{ name: string }>("SELECT m.name FROM usage_events e JOIN dim_model m ON m.id = e.model_id WHERE agent = 'roo' ORDER BY ts");
    assert.deepEqual(rows.map((r) => r.name), ['claude-sonnet-4-5', 'claude-opus-4-6']);
  });

  test("Roo's restore total (api_req_deleted) counts what it deleted before we saw it, and nothing we saw", async () => {
    const anthropic = (tokensIn: number, tokensOut: number) => ({ ...usage(tokensIn, tokensOut), apiProtocol: 'anthropic' });
    const file = ctx.dir.task(ROO, 't1');
    ctx.dir.writeJson(file, [req(1, anthropic(10, 1)), req(2, anthropic(20, 2))]);
    await ctx.engine.ingest(ctx.dir.options);
    // Request 3 (30, 3) was written and deleted by a restore before our next read; the total covers 2 and 3.
    ctx.dir.replaceJson(file, [req(1, anthropic(10, 1)), say('api_req_deleted', T0 + 9000, anthropic(50, 5))]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = agentTotals(ctx.engine, 'roo');
    assert.deepEqual([t.input, t.output], [60, 6]);
  });

  test("Roo's second restore: its total sums requests only (Roo's getApiMetrics), so the first restore's total is not taken from it", async () => {
    const anthropic = (tokensIn: number, tokensOut: number) => ({ ...usage(tokensIn, tokensOut), apiProtocol: 'anthropic' });
    const file = ctx.dir.task(ROO, 't1');
    const [r1, r2, r3, r4] = [req(1, anthropic(100, 1)), req(2, anthropic(200, 2)), req(3, anthropic(300, 3)), req(20, anthropic(1000, 10))];
    ctx.dir.writeJson(file, [r1, r2, r3]);
    await ctx.engine.ingest(ctx.dir.options);
    const d1 = say('api_req_deleted', T0 + 9000, anthropic(500, 5));
    ctx.dir.replaceJson(file, [r1, d1]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file, [r1, d1, r4]);
    await ctx.engine.ingest(ctx.dir.options);
    // r5 (400, 4) is made, then a restore to r1 deletes d1, r4 and r5 before our next read: Roo's total is r4 + r5.
    ctx.dir.replaceJson(file, [r1, say('api_req_deleted', T0 + 30_000, anthropic(1400, 14))]);
    await ctx.engine.ingest(ctx.dir.options);
    const t = agentTotals(ctx.engine, 'roo');
    assert.deepEqual([t.input, t.output], [2000, 20]);
  });

  test("the file missing during Roo's save is read later; what it counted stays counted", async () => {
    const file = ctx.dir.task(ROO, 't1');
    ctx.dir.writeJson(file, [req(1, { ...usage(10, 1), apiProtocol: 'openai' })]);
    await ctx.engine.ingest(ctx.dir.options);
    // safeWriteJson: the live file is renamed to a backup before the new one is renamed in.
    fs.renameSync(file, path.join(path.dirname(file), '.ui_messages.json.bak_123.tmp'));
    ctx.dir.writeText(path.join(path.dirname(file), '.ui_messages.json.new_123.tmp'), JSON.stringify([req(1, { ...usage(10, 1), apiProtocol: 'openai' }), req(2, { ...usage(20, 2), apiProtocol: 'openai' })]));
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([agentTotals(ctx.engine, 'roo').requests, agentTotals(ctx.engine, 'roo').input], [1, 10], 'nothing lost, temp files not read');
    assert.ok(!ctx.log.lines.some((l) => l.startsWith('error') || l.startsWith('warn')), ctx.log.lines.join('\n'));
    fs.renameSync(path.join(path.dirname(file), '.ui_messages.json.new_123.tmp'), file);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([agentTotals(ctx.engine, 'roo').requests, agentTotals(ctx.engine, 'roo').input], [2, 30]);
  });

  test('the tokscale samples: Roo (anthropic, model from the environment text) and Kilo (openai)', async () => {
    ctx.dir.writeText(ctx.dir.task(ROO, 't1'), fs.readFileSync(path.join(SAMPLES, 'roo-code', 'ui_messages.tokscale-test.json')));
    ctx.dir.writeText(ctx.dir.task(ROO, 't1', 'api_conversation_history.json'), fs.readFileSync(path.join(SAMPLES, 'roo-code', 'api_conversation_history.tokscale-test.txt')));
    ctx.dir.writeText(ctx.dir.task(KILO, 't1'), fs.readFileSync(path.join(SAMPLES, 'kilo-code', 'legacy-ui_messages.tokscale-test.json')));
    await ctx.engine.ingest(ctx.dir.options);
    const roo = agentTotals(ctx.engine, 'roo');
    const kilo = agentTotals(ctx.engine, 'kilo');
    assert.deepEqual([roo.input, roo.output, roo.cr, roo.cw], [100 - 20 - 5, 50, 20, 5]);
    assert.deepEqual([kilo.input, kilo.output, kilo.cr, kilo.cw], [40 - 7 - 3, 15, 7, 3]);
    assert.equal(eventsDb(ctx.engine).get<{ name: string }>("SELECT m.name FROM usage_events e JOIN dim_model m ON m.id = e.model_id WHERE agent = 'roo'")?.name, 'claude-sonnet-4');
  });
});

describe('task files that are not regular files', { skip: process.platform === 'win32' && 'no FIFOs', timeout: 30_000 }, () => {
  const ctx = ledgerPerTest(() => new AgentDir());
  const file = () => ctx.dir.task(CLINE, 'task-1');
  const fifoAt = (link: string) => {
    const fifo = path.join(ctx.dir.base, `fifo-${path.basename(link)}`);
    execFileSync('mkfifo', [fifo]);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(fifo, link);
  };
  const mentions = (name: string) => ctx.log.lines.filter((l) => l.includes(name)).length;

  test('a task file that leads to a FIFO is skipped with one line, never waited on; the other tasks count', async () => {
    fifoAt(file());
    ctx.dir.writeJson(ctx.dir.task(CLINE, 'task-2'), [req(1, usage(10, 1), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(agentTotals(ctx.engine, 'cline').input, 10);
    assert.equal(ctx.log.lines.filter((l) => l.includes('task-1') && l.includes('not a regular file')).length, 1, ctx.log.lines.join('\n'));
  });

  test('a sidecar that leads to a FIFO: the task is read without it, and that is said once', async () => {
    fifoAt(ctx.dir.task(CLINE, 'task-1', 'task_metadata.json'));
    ctx.dir.writeJson(file(), [req(1, usage(10, 1), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    ctx.dir.replaceJson(file(), [req(1, usage(10, 1), cline('claude-sonnet-4-5')), req(2, usage(20, 2), cline('claude-sonnet-4-5'))]);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(agentTotals(ctx.engine, 'cline').input, 30);
    assert.equal(mentions('task_metadata.json beside it is not a regular file'), 1, ctx.log.lines.join('\n'));
  });
});

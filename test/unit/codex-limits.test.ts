import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { latestLimits, limitHistory } from '../../src/store/limit-store';
import { eventTotals, ingestAll, ledgerPerTest } from '../fixtures/engine-harness';
import { REAL_CORPUS } from '../fixtures/shared';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { codexMeta, codexRateLimits, codexTurnContext } from '../fixtures/transcript-lines';

const ID = '0199a213-81c0-7800-8aa1-bbab2a035a53';
const FILE = `sessions/2026/11/20/rollout-2026-11-20T10-00-00-${ID}.jsonl`;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const sec = (minutes: number) => (T0 + minutes * 60_000) / 1000;

describe('Codex quota windows', () => {
  const ctx = ledgerPerTest(() => new TranscriptDir());

  const windows = () => latestLimits(ctx.engine.db).map((l) => [l.windowMinutes, l.usedPercent, new Date(l.resetsAt).toISOString(), l.planType]);

  test('both windows, classified by length whatever the slot; info:null events count; usage unchanged', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexTurnContext(at(0), 'gpt-5'),
      codexRateLimits(at(1), { used: 10, minutes: 10080, resetsAt: sec(5000) }, { used: 40, minutes: 300, resetsAt: sec(200) }, { plan_type: 'plus' }),
      codexRateLimits(at(2), { used: 12.5, minutes: 10080, resetsAt: sec(5000) }, { used: 45, minutes: 300, resetsAt: sec(200) }, { plan_type: 'plus' }, { input: 100, output: 10 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(windows(), [
      [300, 45, new Date((sec(200)) * 1000).toISOString(), 'plus'],
      [10080, 12.5, new Date(sec(5000) * 1000).toISOString(), 'plus'],
    ]);
    assert.equal(latestLimits(ctx.engine.db)[0]!.observedAt, Date.parse(at(2)));
    assert.equal(latestLimits(ctx.engine.db)[0]!.source, 'official');
    assert.equal(eventTotals(ctx.engine).messages, 1);
  });

  test('older rollouts: resets_in_seconds counts from the event time', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexRateLimits(at(10), { used: 5, minutes: 299, resetsIn: 3600 }, { used: 1, minutes: 10079, resetsIn: 86_400 }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(windows(), [
      [299, 5, new Date(T0 + 10 * 60_000 + 3600_000).toISOString(), undefined],
      [10079, 1, new Date(T0 + 10 * 60_000 + 86_400_000).toISOString(), undefined],
    ]);
  });

  test('a plan without a 5-hour window: the weekly one in the primary slot, secondary null', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexRateLimits(at(1), { used: 1, minutes: 10080, resetsAt: sec(9000) }, null, { limit_id: 'codex', plan_type: 'pro' }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(windows(), [[10080, 1, new Date(sec(9000) * 1000).toISOString(), 'pro']]);
  });

  test('history keeps changes only, and a reset starts a new instance', async () => {
    const five = (used: number, resetAtMinute: number) => ({ used, minutes: 300, resetsAt: sec(resetAtMinute) });
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexRateLimits(at(1), five(10, 300), null),
      codexRateLimits(at(2), five(10, 300), null),
      codexRateLimits(at(3), five(20, 300), null),
      codexRateLimits(at(4), five(20, 300), null),
      codexRateLimits(at(301), five(0, 601), null),
      codexRateLimits(at(302), five(3, 601), null),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    const history = limitHistory(ctx.engine.db, { agent: 'codex', limitId: 'codex', windowMinutes: 300 }, 0);
    assert.deepEqual(history.map((p) => [p.observedAt, p.usedPercent]), [
      [Date.parse(at(1)), 10], [Date.parse(at(3)), 20], [Date.parse(at(301)), 0], [Date.parse(at(302)), 3],
    ]);
    assert.deepEqual(windows(), [[300, 3, new Date(sec(601) * 1000).toISOString(), undefined]]);
  });

  test('an older file read later does not replace a newer reading; appended lines are read', async () => {
    const other = `sessions/2026/11/19/rollout-2026-11-19T10-00-00-${ID.replace('a53', 'a54')}.jsonl`;
    const file = ctx.dir.write(ctx.dir.codexPath(FILE), [codexMeta(at(0), ID), codexRateLimits(at(50), { used: 30, minutes: 300, resetsAt: sec(300) }, null)]);
    await ingestAll(ctx.engine, ctx.dir);
    ctx.dir.write(ctx.dir.codexPath(other), [codexRateLimits(at(5), { used: 2, minutes: 300, resetsAt: sec(300) }, null)]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(windows().map((w) => w[1]), [30]);
    ctx.dir.append(file, `${codexRateLimits(at(60), { used: 33, minutes: 300, resetsAt: sec(300) }, null)}\n`);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(windows().map((w) => w[1]), [33]);
    assert.equal(limitHistory(ctx.engine.db, { agent: 'codex', limitId: 'codex', windowMinutes: 300 }, 0).length, 3);
  });

  test('zero-length windows and the flat pre-2025 shape are skipped', async () => {
    ctx.dir.write(ctx.dir.codexPath(FILE), [
      codexMeta(at(0), ID),
      codexRateLimits(at(1), { used: 0, minutes: 0, resetsIn: 0 }, { used: 0, minutes: 0, resetsIn: 0 }),
      JSON.stringify({ timestamp: at(2), type: 'event_msg', payload: { type: 'token_count', info: null, rate_limits: { primary_used_percent: 4, primary_window_minutes: 300 } } }),
    ]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(windows(), []);
  });

  const REAL = path.join(REAL_CORPUS, 'fixtures/agent-sessions-schema/codex');
  test('a real Codex 0.146 rollout (agent-sessions fixture): its weekly window', { skip: !fs.existsSync(REAL) && 'shared corpus absent' }, async () => {
    await ctx.engine.ingest({ roots: { codex: [REAL] }, agents: ['codex'] });
    assert.deepEqual(windows(), [[10080, 1, new Date(1785958530 * 1000).toISOString(), 'pro']]);
  });
});

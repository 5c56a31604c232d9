import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockEntries } from '../../src/readers/block-events';
import { toCcusageBlock } from '../../src/readers/blocks-format';
import { burnRate, identifyBlocks, projectBlock, recentBlocks, type BlockEntry } from '../../src/readers/session-blocks';
import { memoryEngine } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, codexMeta, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

const H = 3600_000;
const T = Date.UTC(2026, 10, 20, 10, 25, 0);
const entry = (ts: number, model = 'claude-sonnet-4-5', tokens = 1000): BlockEntry =>
  ({ ts, model, input: tokens / 10, output: tokens / 10, cacheCreation: 0, cacheRead: (tokens * 8) / 10, costUsd: tokens / 1e5 });

describe('5-hour blocks (ccusage semantics)', () => {
  test('a block starts at its first request\'s hour; more than 5 h from the start or a 5 h gap starts another; gaps are blocks', () => {
    const blocks = identifyBlocks([entry(T), entry(T + 2 * H), entry(T + 4.5 * H), entry(T + 4.6 * H), entry(T + 11 * H, 'claude-opus-4-6')], T + 100 * H);
    assert.deepEqual(blocks.map((b) => [new Date(b.startTime).toISOString(), new Date(b.endTime).toISOString(), b.isGap, b.entries]), [
      ['2026-11-20T10:00:00.000Z', '2026-11-20T15:00:00.000Z', false, 3],
      ['2026-11-20T15:00:00.000Z', '2026-11-20T20:00:00.000Z', false, 1], // 10:25 + 4.6 h = 15:01: more than 5 h after 10:00
      ['2026-11-20T20:01:00.000Z', '2026-11-20T21:25:00.000Z', true, 0], // last request + 5 h … next request
      ['2026-11-20T21:00:00.000Z', '2026-11-21T02:00:00.000Z', false, 1],
    ]);
    assert.deepEqual(blocks[3]!.models, ['claude-opus-4-6']);
    assert.equal(toCcusageBlock(blocks[2]!, T).id, 'gap-2026-11-20T20:01:00.000Z');
    assert.equal(toCcusageBlock(blocks[0]!, T).burnRate, null, 'inactive blocks carry no burn rate, as in ccusage');
  });

  test('the active block: burn rate from first to last request, projection to the block end', () => {
    const now = Date.UTC(2026, 11, 1, 23, 29, 52);
    const first = now - 60 * 60_000;
    const blocks = identifyBlocks([0, 10, 20, 30].map((m) => ({ ...entry(first + m * 60_000), input: 100, output: 50, cacheCreation: 1000, cacheRead: 2000, costUsd: 0.0054 })), now);
    const b = blocks[0]!;
    assert.equal(b.isActive, true);
    const rate = burnRate(b)!;
    assert.equal(rate.tokensPerMinute, 420);
    assert.equal(rate.tokensPerMinuteForIndicator, 20);
    assert.ok(Math.abs(rate.costPerHour - 0.0432) < 1e-12);
    const json = toCcusageBlock(b, now);
    assert.deepEqual(json.projection, projectBlock(b, now));
    // 3 h 30 min 8 s to the block's end: ccusage 20.0.24 projects over the 210 whole minutes it prints.
    assert.equal(json.projection!.remainingMinutes, 210);
    assert.equal(json.projection!.totalTokens, 12_600 + 420 * 210);
    assert.deepEqual(Object.keys(json), ['actualEndTime', 'burnRate', 'costUSD', 'endTime', 'entries', 'id', 'isActive', 'isGap', 'models', 'projection', 'startTime', 'tokenCounts', 'totalTokens']);
  });

  test('a block is no longer active 5 h after its last request or past its end; --recent keeps 3 days and the active one', () => {
    const blocks = identifyBlocks([entry(T - 4 * 86_400_000), entry(T - H)], T);
    assert.deepEqual(blocks.map((b) => b.isActive), [false, false, true]);
    assert.deepEqual(recentBlocks(blocks, T).map((b) => b.isGap), [false]);
    assert.equal(identifyBlocks([entry(T - H)], T - H + 5 * H + 1)[0]!.isActive, false);
  });
});

describe('block entries from the ledger', () => {
  test('can be read between the files of an ingest (the Limits view during a refresh), with the agent filter, and again after', async () => {
    const dir = new TranscriptDir();
    const { engine } = await memoryEngine();
    try {
      for (let i = 0; i < 4; i++) {
        const model = i === 3 ? 'claude-opus-4-1-20250805' : 'claude-sonnet-4-5-20250929';
        dir.write(dir.claudePath(`-w/s${i}.jsonl`), [claudeAssistant({ messageId: `m${i}`, requestId: `r${i}`, ts: `2026-11-20T1${i}:00:00.000Z`, output: 100, model })]);
      }
      dir.write(dir.codexPath('sessions/2026/11/20/rollout-2026-11-20T09-00-00-x.jsonl'), [
        codexMeta('2026-11-20T09:00:00.000Z', 'x'), codexTurnContext('2026-11-20T09:00:01.000Z', 'gpt-5'), codexTokenCount('2026-11-20T09:01:00.000Z', { input: 10, output: 5 }),
      ]);
      const during: number[] = [];
      const failures: string[] = [];
      await engine.ingest({
        roots: dir.roots,
        onProgress: () => {
          try {
            during.push(blockEntries(engine.ledger).length);
          } catch (error) {
            failures.push((error as Error).message);
          }
        },
      });
      assert.deepEqual(failures, []);
      assert.equal(during.at(-1), 5, 'the last file read counts');
      assert.equal(blockEntries(engine.ledger).length, 5);
      assert.deepEqual(blockEntries(engine.ledger, { agent: 'claude' }).map((e) => e.model), [...Array(3).fill('claude-sonnet-4-5-20250929'), 'claude-opus-4-1-20250805']);
      assert.equal(blockEntries(engine.ledger, { agent: 'codex', sinceMs: Date.parse('2026-11-20T09:00:00Z') }).length, 1);
      // A larger copy of request 3 at the same time, under a model seen before (a smaller id): the kept snapshot's model is shown.
      dir.append(dir.claudePath('-w/s3.jsonl'), `${claudeAssistant({ messageId: 'm3', requestId: 'r3', ts: '2026-11-20T13:00:00.000Z', output: 500 })}\n`);
      await engine.ingest({ roots: dir.roots });
      const kept = blockEntries(engine.ledger, { agent: 'claude' }).find((e) => e.ts === Date.parse('2026-11-20T13:00:00.000Z'));
      assert.deepEqual([kept?.model, kept?.output], ['claude-sonnet-4-5-20250929', 500]);
    } finally {
      engine.close();
      dir.dispose();
    }
  });
});

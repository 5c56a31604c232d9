import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { limitsView } from '../../src/readers/limits-view';
import { ledgerPerTest } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, codexMeta, codexRateLimits } from '../fixtures/transcript-lines';

const ID = '0199a213-81c0-7800-8aa1-bbab2a035a53';
const NOW = Date.UTC(2026, 10, 20, 12, 30, 0);
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
const OPTIONS = { kinds: ['5h', 'weekly', 'other'] as const, warnAt: 80, criticalAt: 95, agents: ['claude', 'codex'] };

describe('the limits view (status bar and panel)', () => {
  const ctx = ledgerPerTest(() => new TranscriptDir());

  test('official Codex windows with the current instance\'s fill; Claude, with no official reading, gets the block estimate', async () => {
    const reset5h = Math.floor((NOW + 100 * 60_000) / 1000);
    const resetWeek = Math.floor((NOW + 3 * 86_400_000) / 1000);
    ctx.dir.write(ctx.dir.codexPath(`sessions/2026/11/20/rollout-2026-11-20T10-00-00-${ID}.jsonl`), [
      codexMeta(at(300), ID),
      codexRateLimits(at(400), { used: 90, minutes: 300, resetsAt: Math.floor((NOW - 100 * 60_000) / 1000) }, null), // the previous instance
      codexRateLimits(at(150), { used: 20, minutes: 300, resetsAt: reset5h }, { used: 30, minutes: 10080, resetsAt: resetWeek }),
      codexRateLimits(at(60), { used: 45, minutes: 300, resetsAt: reset5h }, { used: 31, minutes: 10080, resetsAt: resetWeek }),
    ]);
    const claude = (ts: string, id: string, output: number) => claudeAssistant({ ts, messageId: id, requestId: `r${id}`, input: 0, output });
    ctx.dir.write(ctx.dir.claudePath('-work-app/s.jsonl'), [
      claude(new Date(NOW - 2 * 86_400_000).toISOString(), 'm1', 100_000), // an earlier block: 100k tokens
      claude(at(30), 'm2', 20_000),
      claude(at(10), 'm3', 20_000),
    ]);
    await ctx.engine.ingest({ roots: ctx.dir.roots });
    const view = limitsView(ctx.engine.ledger, NOW, { ...OPTIONS, kinds: [...OPTIONS.kinds] });
    const summary = view.windows.map((w) => [w.agent, w.label, w.usedPercent, w.source, w.history.map((p) => p[1])]);
    assert.deepEqual(summary, [
      ['codex', '5h', 45, 'official', [20, 45]],
      ['codex', 'weekly', 31, 'official', [30, 31]],
      ['claude', '5h', 40, 'estimate', []],
    ]);
    assert.equal(view.tightest, 0);
    const five = view.windows[0]!;
    assert.equal(Math.round(five.expectedPercent), Math.round((200 / 300) * 100));
    assert.equal(five.level, 'ok');
    const block = view.blocks.find((b) => b.agent === 'claude')!;
    assert.equal(block.totalTokens, 40_000);
    assert.ok(block.tokensPerMinute! > 0 && block.projectedCost! > block.costUsd);

    const weeklyOnly = limitsView(ctx.engine.ledger, NOW, { ...OPTIONS, kinds: ['weekly'] });
    assert.deepEqual(weeklyOnly.windows.map((w) => w.label), ['weekly']);
  });
});

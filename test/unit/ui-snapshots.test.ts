import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LedgerEngine } from '../../src/pipeline/engine';
import { DEFAULT_FILTER } from '../../src/protocol/panel-protocol';
import { panelCsv, panelJson } from '../../src/ui/panel-export';
import { panelSnapshot, resolveRange } from '../../src/ui/panel-snapshot';
import { budgetLevel, escapeMarkdown, inWorkspace, spokenStatus, statusSnapshot, statusText, tooltipMarkdown } from '../../src/ui/status-snapshot';
import { ingestAll, memoryEngine } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, codexMeta, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

const NOW = Date.parse('2026-11-20T15:00:00.000Z');

describe('status bar and panel data', () => {
  let dir: TranscriptDir;
  let engine: LedgerEngine;
  before(async () => {
    dir = new TranscriptDir();
    ({ engine } = await memoryEngine());
    const today = '2026-11-20T10:00:00.000Z';
    dir.write(dir.claudePath('-w-app/s1.jsonl'), [
      // Sonnet 4.5, 1M output = $15 today, in /w/app.
      claudeAssistant({ messageId: 'a', requestId: 'a', ts: today, cwd: '/w/app', input: 0, output: 1_000_000 }),
      // Haiku 4.5 1M input = $1 yesterday, in /w/app.
      claudeAssistant({ messageId: 'b', requestId: 'b', ts: '2026-11-19T10:00:00.000Z', cwd: '/w/app', model: 'claude-haiku-4-5-20251001', input: 1_000_000, output: 0 }),
      // A path that must be escaped everywhere it is shown.
      claudeAssistant({ messageId: 'c', requestId: 'c', ts: today, cwd: '/w/<b>*x*,"y"', input: 0, output: 0, cacheRead: 1_000_000 }),
    ]);
    const id = '0199a213-81c0-7800-8aa1-00000000beef';
    dir.write(dir.codexPath(`sessions/2026/11/20/rollout-${id}.jsonl`), [
      codexMeta(today, id, '/w/app/sub'), codexTurnContext(today, 'gpt-5', '/w/app/sub'), codexTokenCount(today, { input: 1_000_000, output: 0 }),
    ]);
    await ingestAll(engine, dir);
  });
  after(() => {
    engine.close();
    dir.dispose();
  });

  test("today's spend, by agent and model, and the workspace's share", () => {
    const s = statusSnapshot(engine.readers, ['/w/app'], NOW);
    // $15 (Sonnet output) + $0.60 (Sonnet 1M cache read: over 200k input, so the tier rate) + $1.25 (gpt-5 1M input).
    assert.equal(s.todayUsd.toFixed(2), '16.85');
    assert.equal(s.monthUsd.toFixed(2), '17.85');
    assert.equal(s.workspaceTodayUsd.toFixed(2), '16.25', '/w/app and /w/app/sub, not the other project');
    assert.deepEqual(s.byAgentToday.map((a) => a.agent), ['claude', 'codex']);
    assert.equal(statusText(s, 'today'), '$(pulse) $16.85 today');
    assert.equal(statusText(s, 'month'), '$(pulse) $17.85 this month');
    assert.equal(statusText(s, 'workspace'), '$(pulse) $16.25 here today');
    // What a screen reader says: the figures in words, never the tooltip's Markdown.
    assert.equal(spokenStatus(s, 'today', 0, ''), 'Agent Ledger: $16.85 spent today');
    assert.equal(spokenStatus(s, 'month', 20, 'Codex 5h quota 62% used'), 'Agent Ledger: $17.85 spent this month; 84% of the daily budget; Codex 5h quota 62% used');
    assert.equal(
      spokenStatus({ ...s, readingPaused: true }, 'workspace', 0, ''),
      'Agent Ledger: $16.25 spent in this workspace today; the first read was cancelled, some transcripts are not counted yet',
    );
  });

  test('budget levels: warning from 80 %, error above 100 %', () => {
    assert.equal(budgetLevel(7.99, 10), 'ok');
    assert.equal(budgetLevel(8, 10), 'warning');
    assert.equal(budgetLevel(10, 10), 'warning');
    assert.equal(budgetLevel(10.01, 10), 'error');
    assert.equal(budgetLevel(1000, 0), 'ok', 'no budget set');
  });

  test('workspace matching is by folder, not by prefix', () => {
    assert.ok(inWorkspace('/w/app/sub', ['/w/app']));
    assert.ok(!inWorkspace('/w/application', ['/w/app']));
    assert.ok(inWorkspace('C:\\w\\app', ['C:/w/app/']));
  });

  test('the tooltip escapes names from transcripts', () => {
    assert.equal(escapeMarkdown('[x](command:evil)'), '\\[x\\]\\(command:evil\\)');
    const md = tooltipMarkdown({ ...statusSnapshot(engine.readers, [], NOW), byModelToday: [{ model: '[x](command:evil)', usd: 1 }] }, 20, new Date(NOW));
    assert.ok(md.includes('\\[x\\]\\(command:evil\\)'), 'the model name is escaped');
    assert.ok(md.includes('Daily budget: $20.00'), 'the budget line is shown');
  });

  test('range presets resolve to inclusive days', () => {
    const today = '2026-11-20';
    assert.deepEqual(resolveRange({ ...DEFAULT_FILTER, range: 'today' }, today), { since: today, until: today });
    assert.deepEqual(resolveRange({ ...DEFAULT_FILTER, range: '7d' }, today), { since: '2026-11-14', until: today });
    assert.deepEqual(resolveRange({ ...DEFAULT_FILTER, range: 'month' }, today), { since: '2026-11-01', until: today });
    assert.deepEqual(resolveRange({ ...DEFAULT_FILTER, range: 'all' }, today), {});
  });

  test('the panel snapshot follows the filters', () => {
    const all = panelSnapshot(engine.readers, { ...DEFAULT_FILTER, range: 'all' }, NOW);
    assert.equal(all.composition.costUsd.toFixed(2), '17.85');
    assert.equal(all.headline.todayUsd.toFixed(2), '16.85');
    const todayCodex = panelSnapshot(engine.readers, { ...DEFAULT_FILTER, range: 'today', agent: 'codex' }, NOW);
    assert.equal(todayCodex.composition.costUsd, 1.25);
    assert.deepEqual(todayCodex.models.map((m) => m.model), ['gpt-5']);
    const oneProject = panelSnapshot(engine.readers, { ...DEFAULT_FILTER, range: '7d', project: '/w/app' }, NOW);
    assert.equal(oneProject.composition.costUsd, 16);
    assert.deepEqual(oneProject.projects.map((p) => p.project), ['/w/app']);
    assert.equal(all.projectOptions.length, 3);
  });

  test('CSV export quotes and defuses fields; JSON export has the ccusage shape', () => {
    const data = panelSnapshot(engine.readers, { ...DEFAULT_FILTER, range: 'all' }, NOW);
    const csv = panelCsv(data).trimEnd().split('\r\n');
    assert.equal(csv[0], 'date,model,input_tokens,output_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cache_read_tokens,total_tokens,cost_usd,reported_cost_usd');
    assert.equal(csv.length, 1 + data.daily.length);
    assert.ok(csv.includes('2026-11-19,claude-haiku-4-5-20251001,1000000,0,0,0,0,1000000,1.000000,0.000000'));
    const json = JSON.parse(panelJson(data));
    assert.deepEqual(Object.keys(json), ['daily', 'totals']);
    assert.deepEqual(Object.keys(json.daily[0]), ['date', 'inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens', 'totalTokens', 'totalCost', 'modelsUsed', 'modelBreakdowns']);
    assert.equal(json.totals.totalCost.toFixed(2), '17.85');
  });
});

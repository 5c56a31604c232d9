import { test } from 'node:test';
import assert from 'node:assert/strict';
import rawTable from '../../src/pricing/price-table.json';
import { costOf, listPrices, priceTableVersion } from '../../src/pricing/cost';
import { resolveModel } from '../../src/pricing/model-matcher';
import type { Speed, TokenUsage } from '../../src/pricing/types';

const ZERO: TokenUsage = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };

function usage(part: Partial<TokenUsage>): TokenUsage {
  return { ...ZERO, ...part };
}

function near(actual: number, expected: number, label: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${label}: got ${actual}, expected ${expected}`);
}

/** Cost in USD of a priced request; fails the test if the model is unpriced. */
function usd(part: Partial<TokenUsage>, model: string, speed: Speed = 'standard'): number {
  const cost = costOf(usage(part), model, speed);
  assert.equal(cost.priced, true, `${model} should be priced`);
  return cost.usd;
}

/** [input, output, 5m write, 1h write, cache read, fast ×], USD per 1M. */
type Row = [number, number, number, number, number, number];

// pricing-facts.md §1, every name listed (dated, aliases, Bedrock), o3/o4-mini at real list price.
const FACT_ROWS: Array<[string[], Row]> = [
  [['claude-opus-4-1-20250805', 'claude-opus-4-1', 'claude-opus-4-20250514', 'claude-3-opus-20240229'], [15, 75, 18.75, 30, 1.5, 1]],
  [['claude-opus-4-5-20251101', 'claude-opus-4-5'], [5, 25, 6.25, 10, 0.5, 1]],
  [['claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-6-20260205', 'claude-opus-4-7-20260416'], [5, 25, 6.25, 10, 0.5, 6]],
  [['claude-opus-4-8', 'claude-opus-5'], [5, 25, 6.25, 10, 0.5, 2]],
  [['claude-sonnet-4-20250514', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'], [3, 15, 3.75, 6, 0.3, 1]],
  [['claude-sonnet-4-6', 'claude-3-7-sonnet-20250219'], [3, 15, 3.75, 6, 0.3, 1]],
  [['claude-sonnet-5'], [2, 10, 2.5, 4, 0.2, 1]],
  [['claude-haiku-4-5-20251001', 'claude-haiku-4-5'], [1, 5, 1.25, 2, 0.1, 1]],
  [['claude-3-5-haiku-20241022'], [0.8, 4, 1, 1.6, 0.08, 1]],
  [['claude-3-haiku-20240307'], [0.25, 1.25, 0.3, 0.5, 0.03, 1]],
  [['claude-fable-5', 'claude-mythos-5', 'claude-mythos-preview'], [10, 50, 12.5, 20, 1, 1]],
  [['claude-fable-5-1', 'claude-mythos-5-1'], [10, 50, 12.5, 20, 0.25, 1]],
  [['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'], [3.3, 16.5, 4.125, 6.6, 0.33, 1]],
  [['gpt-5', 'gpt-5-codex', 'gpt-5.1', 'gpt-5.1-codex', 'gpt-5.1-codex-max'], [1.25, 10, 0, 0, 0.125, 1]],
  [['gpt-5-mini', 'gpt-5.1-codex-mini'], [0.25, 2, 0, 0, 0.025, 1]],
  [['gpt-5.2', 'gpt-5.2-codex'], [1.75, 14, 0, 0, 0.175, 1]],
  [['gpt-5.3-codex'], [1.75, 14, 0, 0, 0.175, 2]],
  [['gpt-5.3-codex-spark', 'gpt-5.3-spark'], [1.75, 14, 0, 0, 0.175, 1]],
  [['gpt-5.4', 'gpt-5.4-2026-03-05'], [2.5, 15, 0, 0, 0.25, 2]],
  [['gpt-5.4-mini'], [0.75, 4.5, 0, 0, 0.075, 1]],
  [['gpt-5.4-nano'], [0.2, 1.25, 0, 0, 0.02, 1]],
  [['gpt-5.5'], [5, 30, 0, 0, 0.5, 2.5]],
  [['gpt-5.6', 'gpt-5.6-sol'], [4, 20, 0, 0, 0.4, 2]],
  [['gpt-5.6-terra'], [2, 12, 0, 0, 0.2, 2]],
  [['gpt-5.6-luna'], [0.2, 1.2, 0, 0, 0.02, 2]],
  [['gpt-6-astra'], [10, 50, 0, 0, 1, 2]],
  [['gpt-4.1'], [2, 8, 0, 0, 0.5, 1]],
  [['o3'], [2, 8, 0, 0, 0.5, 1]],
  [['o4-mini'], [1.1, 4.4, 0, 0, 0.275, 1]],
];

// 100k tokens of one kind stays under every tier threshold; cost × 10 = rate per 1M.
const PROBE = 100_000;
for (const [names, [input, output, w5m, w1h, read, fast]] of FACT_ROWS) {
  for (const name of names) {
    test(`price row: ${name}`, () => {
      near(usd({ input: PROBE }, name) * 10, input, `${name} input`);
      near(usd({ output: PROBE }, name) * 10, output, `${name} output`);
      near(usd({ cacheWrite5m: PROBE }, name) * 10, w5m, `${name} 5m write`);
      near(usd({ cacheWrite1h: PROBE }, name) * 10, w1h, `${name} 1h write`);
      near(usd({ cacheRead: PROBE }, name) * 10, read, `${name} cache read`);
      near(usd({ input: PROBE }, name, 'fast') * 10, input * fast, `${name} fast`);
    });
  }
}

test('version: a date string, equal to the JSON file', () => {
  assert.match(priceTableVersion, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(priceTableVersion, rawTable.version);
});

test('listPrices: one row per JSON key, every key and alias resolves to its row', () => {
  const rows = listPrices();
  assert.deepEqual(rows.map((r) => r.model), Object.keys(rawTable.models));
  for (const row of rows) assert.equal(resolveModel(row.model), row.model);
  const spark = rows.find((r) => r.model === 'gpt-5.3-codex-spark');
  assert.deepEqual(spark?.aliases, ['gpt-5.3-spark']);
  for (const [alias, key] of Object.entries(rawTable.aliases)) assert.equal(resolveModel(alias), key);
});

test('defaults: 1h write = 2× input for Claude (tier too), 0 for OpenAI; fast defaults to 1', () => {
  for (const row of listPrices()) {
    if (row.provider === 'anthropic') {
      assert.equal(row.cacheWrite1h, 2 * row.input, row.model);
      if (row.tier) assert.equal(row.tier.cacheWrite1h, 2 * row.tier.input, `${row.model} tier`);
    } else if (row.provider === 'openai') {
      assert.equal(row.cacheWrite5m, 0, row.model);
      assert.equal(row.cacheWrite1h, 0, row.model);
    } else {
      // No write premium: a token written to an implicit cache is billed as plain input.
      assert.equal(row.cacheWrite5m, row.input, row.model);
      assert.equal(row.cacheWrite1h, 0, row.model);
    }
  }
  assert.equal(listPrices().find((r) => r.model === 'claude-haiku-4-5')?.fastMultiplier, 1);
  assert.equal('cacheWrite1h' in rawTable.models['claude-haiku-4-5'], false, 'default comes from code, not data');
});

test('tiers: only Sonnet 4 / 4.5 (+ Bedrock) have the 200k tier; OpenAI long context is 2× in, 2× cached, 1.5× out', () => {
  const claudeTiers = listPrices()
    .filter((r) => r.tier?.kind === 'anthropic-200k')
    .map((r) => r.model)
    .sort();
  assert.deepEqual(claudeTiers, [
    'au.anthropic.claude-sonnet-4-5',
    'claude-sonnet-4',
    'claude-sonnet-4-5',
    'eu.anthropic.claude-sonnet-4-5',
    'jp.anthropic.claude-sonnet-4-5',
    'us.anthropic.claude-sonnet-4-5',
  ]);
  const openaiTiers = listPrices().filter((r) => r.tier?.kind === 'openai-long-context');
  assert.deepEqual(
    openaiTiers.map((r) => r.model).sort(),
    ['gpt-5.4', 'gpt-5.5', 'gpt-5.6', 'gpt-5.6-luna', 'gpt-5.6-sol', 'gpt-5.6-terra', 'gpt-6-astra'],
  );
  for (const row of openaiTiers) {
    assert.equal(row.tier?.threshold, 272_000);
    near(row.tier?.input ?? 0, 2 * row.input, `${row.model} tier input`);
    near(row.tier?.cacheRead ?? 0, 2 * row.cacheRead, `${row.model} tier cached`);
    near(row.tier?.output ?? 0, 1.5 * row.output, `${row.model} tier output`);
  }
});

test('Anthropic 200k: exactly 200,000 input is base, 200,001 bills the whole request higher', () => {
  near(usd({ input: 200_000 }, 'claude-sonnet-4-5'), 0.6, 'at 200,000');
  near(usd({ input: 200_001 }, 'claude-sonnet-4-5'), (200_001 * 6) / 1e6, 'at 200,001');
  near(usd({ input: 200_001 }, 'claude-sonnet-4-20250514'), (200_001 * 6) / 1e6, 'Sonnet 4');
  near(usd({ input: 200_001 }, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'), (200_001 * 6.6) / 1e6, 'Bedrock us.');
});

test('Anthropic 200k: cache reads and both cache writes count toward the threshold; all kinds switch', () => {
  const mix = { input: 50_000, cacheRead: 100_000, cacheWrite5m: 30_000, cacheWrite1h: 20_000, output: 10_000 };
  // 200,000 total input: base rates.
  near(usd(mix, 'claude-sonnet-4-5'), (50_000 * 3 + 100_000 * 0.3 + 30_000 * 3.75 + 20_000 * 6 + 10_000 * 15) / 1e6, 'base');
  // One more cache read: every kind at the higher rates, output included.
  near(
    usd({ ...mix, cacheRead: 100_001 }, 'claude-sonnet-4-5'),
    (50_000 * 6 + 100_001 * 0.6 + 30_000 * 7.5 + 20_000 * 12 + 10_000 * 22.5) / 1e6,
    'tier',
  );
  // ccusage prices this all-base (no kind passes 200k alone); Anthropic bills it all at tier rates.
  near(
    usd({ input: 150_000, cacheRead: 150_000, cacheWrite5m: 100_000 }, 'claude-sonnet-4-5'),
    (150_000 * 6 + 150_000 * 0.6 + 100_000 * 7.5) / 1e6,
    'prompt size triggers',
  );
});

test('Anthropic 200k: output does not count toward the threshold', () => {
  near(usd({ input: 1_000, output: 300_000 }, 'claude-sonnet-4-5'), (1_000 * 3 + 300_000 * 15) / 1e6, 'big output');
});

test('no tier: Opus 4.6, Sonnet 4.6 and gpt-5 stay flat at 1M tokens', () => {
  near(usd({ input: 1_000_000, cacheRead: 1_000_000 }, 'claude-opus-4-6[1m]'), 5 + 0.5, 'opus 4.6');
  near(usd({ input: 1_000_000, output: 1_000_000 }, 'claude-sonnet-4-6'), 3 + 15, 'sonnet 4.6');
  near(usd({ input: 1_000_000, cacheRead: 500_000 }, 'gpt-5'), 1.25 + 0.0625, 'gpt-5');
});

test('OpenAI long context: 272,000 input incl. cached is base, 272,001 bills the whole request higher', () => {
  const base = { input: 200_000, cacheRead: 72_000, output: 10_000 };
  const over = { ...base, cacheRead: 72_001 };
  const baseUsd = (200_000 * 2.5 + 72_000 * 0.25 + 10_000 * 15) / 1e6;
  const overUsd = (200_000 * 5 + 72_001 * 0.5 + 10_000 * 22.5) / 1e6;
  for (const name of ['gpt-5.4', 'gpt-5.4-2026-03-05', 'openai/gpt-5.4']) {
    near(usd(base, name), baseUsd, `${name} at 272,000`);
    near(usd(over, name), overUsd, `${name} at 272,001`);
  }
  near(usd({ input: 150_000 }, 'gpt-5.4'), (150_000 * 2.5) / 1e6, 'a 150k request is base');
  near(usd({ input: 272_001, output: 1_000 }, 'gpt-6-astra'), (272_001 * 20 + 1_000 * 75) / 1e6, 'gpt-6-astra');
});

test('fast: ×6 for every Opus 4.6 / 4.7 spelling, applied to the whole request', () => {
  const req = { input: 100_000, output: 10_000, cacheRead: 50_000 };
  const standard = (100_000 * 5 + 10_000 * 25 + 50_000 * 0.5) / 1e6;
  const names = [
    'claude-opus-4-6',
    'claude-opus-4-6[1m]',
    'anthropic/claude-opus-4-6',
    'claude-opus-4.6',
    'claude-opus-4-6-thinking',
    'claude-opus-4-6-20260205',
    'claude-opus-4-7[1m]',
  ];
  for (const name of names) {
    near(usd(req, name), standard, `${name} standard`);
    near(usd(req, name, 'fast'), standard * 6, `${name} fast`);
  }
  near(usd(req, 'claude-opus-4-8', 'fast'), standard * 2, 'opus 4.8 ×2');
  near(usd(req, 'claude-opus-4-5', 'fast'), standard, 'opus 4.5 ×1');
});

test('fast: gpt-5.3-codex ×2, spark ×1, gpt-5.5 ×2.5, dated gpt-5.4 inherits ×2', () => {
  near(usd({ input: 1_000_000 }, 'gpt-5.3-codex', 'fast'), 3.5, 'gpt-5.3-codex');
  near(usd({ input: 1_000_000 }, 'gpt-5.3-codex-spark', 'fast'), 1.75, 'spark');
  near(usd({ input: 1_000_000 }, 'gpt-5.3-spark', 'fast'), 1.75, 'spark alias');
  near(usd({ input: 100_000 }, 'gpt-5.5', 'fast'), 0.5 * 2.5, 'gpt-5.5');
  near(usd({ input: 100_000 }, 'gpt-5.4-2026-03-05', 'fast'), 0.25 * 2, 'dated gpt-5.4');
});

test('fast applies after the tier', () => {
  const over = { input: 272_001, output: 10_000 };
  near(usd(over, 'gpt-5.4', 'fast'), ((272_001 * 5 + 10_000 * 22.5) / 1e6) * 2, 'gpt-5.4 long context fast');
});

test('o3 and o4-mini use the real list price, not the batch price ccusage lands on', () => {
  near(usd({ input: 1_000_000, output: 1_000_000, cacheRead: 1_000_000 }, 'o3'), 2 + 8 + 0.5, 'o3');
  near(usd({ input: 1_000_000, output: 1_000_000, cacheRead: 1_000_000 }, 'o4-mini'), 1.1 + 4.4 + 0.275, 'o4-mini');
  near(usd({ input: 1_000_000 }, 'openai/o3'), 2, 'openai/o3');
});

test('matching: spellings of one model resolve to its key', () => {
  const cases: Array<[string, string]> = [
    ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
    ['anthropic/claude-opus-4-6', 'claude-opus-4-6'],
    ['claude-opus-4.6', 'claude-opus-4-6'],
    ['claude-opus-4-6-thinking', 'claude-opus-4-6'],
    ['Claude-Opus-4-6', 'claude-opus-4-6'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-20990101', 'claude-sonnet-4'],
    ['claude-opus-4-20250514', 'claude-opus-4'],
    ['claude-3-opus-20240229', 'claude-3-opus'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us.anthropic.claude-sonnet-4-5'],
    ['jp.anthropic.claude-sonnet-4-5-20250929-v1:0', 'jp.anthropic.claude-sonnet-4-5'],
    ['au.anthropic.claude-sonnet-4-5-20250929-v1:0', 'au.anthropic.claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku'],
    ['gpt-5.4', 'gpt-5.4'],
    ['gpt-5.4-2026-03-05', 'gpt-5.4'],
    ['openai/gpt-5.4', 'gpt-5.4'],
    ['gpt-5.1-codex-max', 'gpt-5.1-codex-max'],
    ['gpt-5.3-spark', 'gpt-5.3-codex-spark'],
    ['openai/gpt-5.3-spark', 'gpt-5.3-codex-spark'],
    ['gpt-5-2025-08-07', 'gpt-5'],
  ];
  for (const [name, key] of cases) assert.equal(resolveModel(name), key, name);
});

test('matching: a number after a key is a new version, never the older key', () => {
  for (const name of ['claude-opus-4-9', 'claude-sonnet-4-7', 'claude-haiku-5', 'gpt-5.7', 'gpt-7', 'claude-opus-4-6-1']) {
    assert.equal(resolveModel(name), undefined, name);
  }
  assert.notEqual(resolveModel('gpt-5.4'), 'gpt-5');
  assert.notEqual(resolveModel('claude-opus-4-1'), 'claude-opus-4');
});

test('matching: size words after a key name a different model; names are not matched inside keys', () => {
  for (const name of ['gpt-5-nano', 'gpt-5-codex-mini', 'gpt-5.2-pro', 'o3-mini', 'o3-pro', 'claude', 'opus-4-6', '', '  ']) {
    assert.equal(resolveModel(name), undefined, JSON.stringify(name));
  }
});

test('matching: memoized results are stable', () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(resolveModel('anthropic/claude-opus-4.6'), 'claude-opus-4-6');
    assert.equal(resolveModel('claude-opus-4-9'), undefined);
  }
});

test('unknown models: $0 and unpriced; known model with no tokens: $0 and priced', () => {
  const tokens = usage({ input: 1_000, output: 1_000 });
  for (const name of ['claude-opus-4-9', 'claude-sonnet-4-7', 'claude-haiku-5', 'gpt-5.7', 'gpt-7', 'codex-mini-latest', '']) {
    assert.deepEqual(costOf(tokens, name, 'standard'), { usd: 0, priced: false }, name);
    assert.deepEqual(costOf(tokens, name, 'fast'), { usd: 0, priced: false }, name);
  }
  assert.deepEqual(costOf(ZERO, 'claude-opus-4-6', 'fast'), { usd: 0, priced: true });
});

test('costOf accepts core TokenCounts (extra reasoning field is not priced again)', () => {
  const counts = { input: 0, output: 1_000_000, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, reasoning: 500_000 };
  near(costOf(counts, 'gpt-5', 'standard').usd, 10, 'reasoning inside output');
});

test("other agents' model ids: vendor and routing prefixes, Claude's version dots, no prefix match across versions", () => {
  const resolved: [string, string | undefined][] = [
    ['anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5'],
    ['openrouter/anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5'],
    ['claude-sonnet-4.6', 'claude-sonnet-4-6'],
    ['copilot/claude-sonnet-4', 'claude-sonnet-4'],
    ['google/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['gemini-3-flash-preview', 'gemini-3-flash-preview'],
    ['gemini-3-pro', 'gemini-3-pro-preview'],
    ['qwen3-coder-plus', 'qwen3-coder-plus'],
    ['qwen3-max-2026-01-23', 'qwen3-max'],
    ['deepseek/deepseek-chat', 'deepseek-chat'],
    ['z-ai/glm-4.6', 'glm-4.6'],
    ['moonshotai/kimi-k2.5', 'kimi-k2.5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us.anthropic.claude-sonnet-4-5'],
    // A different version or size is a different model: unknown, never the neighbour's price.
    ['deepseek/deepseek-chat-v3.1', undefined],
    ['cline-free/glm-5.2', undefined],
    ['qwen3-coder-plus-2025-09-23', 'qwen3-coder-plus'],
    ['qwen3-coder', undefined],
    ['kimi-for-coding', undefined],
    ['gemini-2.5-pro-2', undefined],
  ];
  for (const [name, key] of resolved) assert.equal(resolveModel(name), key, name);
});

test('Gemini Pro: a prompt (input + cached) over 200k bills the whole request at the tier rates', () => {
  near(usd({ input: 150_000, cacheRead: 50_000, output: 1_000 }, 'gemini-2.5-pro'), 0.15 * 1.25 + 0.05 * 0.125 + 0.001 * 10, 'at 200k: base');
  near(usd({ input: 150_001, cacheRead: 50_000, output: 1_000 }, 'gemini-2.5-pro'), 0.150001 * 2.5 + 0.05 * 0.25 + 0.001 * 15, 'past 200k: tier');
});

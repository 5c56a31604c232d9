import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MemoryLogger } from '../../src/core/log';
import { Ledger } from '../../src/store/ledger';
import { BACKUP_DIR, MANIFEST_FILE } from '../../src/store/ledger-layout';
import { readManifest } from '../../src/store/manifest';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, claudeUser, codexMeta, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

const REPO = path.resolve(__dirname, '../..');
const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A throwaway HOME etc., so that no test ever reads the real ~/.claude or ~/.codex. */
const sandbox = new TranscriptDir('agent-ledger-cli-home-');

/** `node --import tsx src/cli.ts ...args`, with the environment pointed at the sandbox. */
async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: sandbox.base,
    USERPROFILE: sandbox.base,
    XDG_DATA_HOME: path.join(sandbox.base, 'xdg'),
    AGENT_LEDGER_DB: path.join(sandbox.base, 'default-ledger.sqlite'),
    TZ: 'UTC',
  };
  delete env.CLAUDE_CONFIG_DIR;
  delete env.CODEX_HOME;
  delete env.NODE_TEST_CONTEXT;
  Object.assign(env, extraEnv);
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO, env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string; killed?: boolean };
    if (typeof e.code !== 'number') throw error; // spawn failure or timeout
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

/** Exit 1, nothing on stdout, exactly one line on stderr; returns that line. */
function oneLineFailure(result: CliResult): string {
  assert.equal(result.code, 1, `exit code; stdout: ${result.stdout}; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const errorLines = lines(result.stderr);
  assert.equal(errorLines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  return errorLines[0]!;
}

after(() => sandbox.dispose());

describe('argument errors: exit 1 with one line on stderr, nothing opened', { concurrency: 4 }, () => {
  const db = () => path.join(sandbox.base, 'never-created.sqlite');
  after(() => assert.equal(fs.existsSync(db()), false, 'no database was created by a rejected command line'));

  const badDates: [string, string][] = [
    ['--since', '2026-13-01'],
    ['--until', '20261399'],
    ['--since', 'yesterday'],
    ['--until', '2026-1-5'],
    ['--since', '2026/11/20'],
  ];
  for (const [flag, value] of badDates) {
    test(`${flag} ${value}`, async () => {
      const line = oneLineFailure(await cli(['--db', db(), 'daily', flag, value]));
      assert.ok(line.includes(flag), `names ${flag}: ${line}`);
      assert.ok(line.includes(value), `quotes ${value}: ${line}`);
      assert.match(line, /YYYY-MM-DD/);
    });
  }

  for (const [flag, value] of [['--since', '2026-02-30'], ['--until', '2026-04-31']] as const) {
    test(`${flag} ${value} (a day that does not exist)`, async () => {
      const line = oneLineFailure(await cli(['--db', db(), 'daily', flag, value]));
      assert.ok(line.includes(flag), `names ${flag}: ${line}`);
    });
  }

  test('--since after --until', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'daily', '--since', '20261121', '--until', '2026-11-20']));
    assert.ok(line.includes('--since') && line.includes('--until'), `names both flags: ${line}`);
  });

  test('unknown command', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'weekly']));
    assert.match(line, /unknown command "weekly"/);
  });

  test('a second positional argument', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'daily', 'monthly']));
    assert.match(line, /monthly/);
  });

  test('unknown option', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'daily', '--frobnicate']));
    assert.equal(line, 'agent-ledger: unknown option --frobnicate; see --help');
  });

  test('an option without its value', async () => {
    const line = oneLineFailure(await cli(['daily', '--db']));
    assert.equal(line, 'agent-ledger: option --db needs a value; see --help');
    assert.equal(oneLineFailure(await cli(['--db', db(), 'daily', '--no-ingest', '-z'])), 'agent-ledger: option --timezone (-z) needs a value; see --help');
  });

  test('a value given to a switch', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'daily', '--json=false']));
    assert.equal(line, 'agent-ledger: option --json takes no value; see --help');
  });

  test('--version prints the version', async () => {
    const result = await cli(['--version']);
    assert.equal(result.code, 0, result.stderr);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.equal(result.stdout, `${pkg.version}\n`);
  });

  for (const args of [['ingest', '--since', '2026-01-01'], ['prices', '--agent', 'codex'], ['rebuild-marts', '--json'], ['limits', '--recent']]) {
    test(`an option the command does not read is refused: ${args.join(' ')}`, async () => {
      const line = oneLineFailure(await cli(['--db', db(), ...args]));
      assert.equal(line, `agent-ledger: ${args[1]} does not apply to ${args[0]}; see --help`);
    });
  }

  test('`help` as a command prints the usage; --db "" asks for a path', async () => {
    const help = await cli(['help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: agent-ledger/);
    assert.equal(oneLineFailure(await cli(['--db', '', 'daily'])), 'agent-ledger: --db needs a path; see --help');
  });

  test('a value that reads "statusline" is a value: the command stays the one named', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'daily', '--claude-dir', 'statusline']));
    assert.match(line, /^agent-ledger: no transcripts found \(looked in .*statusline/);
  });

  test('--agent given twice is refused', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'daily', '--agent', 'claude', '--agent', 'codex']));
    assert.equal(line, 'agent-ledger: --agent is given more than once; name one agent');
  });

  test('unknown agent', async () => {
    const line = oneLineFailure(await cli(['--db', db(), 'daily', '--agent', 'cursor']));
    assert.ok(line.includes('--agent') && line.includes('cursor'), `names the flag and value: ${line}`);
    assert.match(line, /claude/);
    assert.match(line, /codex/);
  });

  for (const zone of [['-z', 'Mars/Olympus'], ['--timezone', 'UTC+25']]) {
    test(`bad time zone ${zone.join(' ')}`, async () => {
      const line = oneLineFailure(await cli(['--db', db(), 'daily', ...zone]));
      assert.ok(line.includes('--timezone') && line.includes(zone[1]!), `names the flag and value: ${line}`);
    });
  }

  test('--help prints the usage and every command', async () => {
    const result = await cli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: agent-ledger/);
    for (const command of ['ingest', 'daily', 'monthly', 'session', 'projects', 'rebuild-marts', 'prices']) {
      assert.ok(result.stdout.includes(command), `usage lists ${command}`);
    }
    for (const where of ['CLAUDE_CONFIG_DIR', '~/.config/claude', '~/.claude', 'CODEX_HOME', '~/.codex', 'AGENT_LEDGER_DB', '--version']) {
      assert.ok(result.stdout.includes(where), `usage names ${where}:\n${result.stdout}`);
    }
    const lines = result.stdout.split('\n').filter((l) => l.trim());
    assert.deepEqual(lines.filter((l, i) => lines.indexOf(l) !== i), [], 'no line of the usage is printed twice');
  });
});

describe('no transcripts found', { concurrency: 4 }, () => {
  let empty: TranscriptDir;
  before(() => {
    empty = new TranscriptDir('agent-ledger-cli-empty-');
    fs.mkdirSync(empty.claudeRoot);
    fs.mkdirSync(empty.codexHome);
  });
  after(() => empty.dispose());

  for (const command of ['ingest', 'daily', 'session']) {
    test(`${command} with empty roots`, async () => {
      const db = path.join(empty.base, `${command}.sqlite`);
      const line = oneLineFailure(await cli(['--db', db, command, '--claude-dir', empty.claudeRoot, '--codex-dir', empty.codexHome]));
      assert.match(line, /no transcripts found/);
      assert.ok(line.includes(empty.claudeRoot) && line.includes(empty.codexHome), `names the roots: ${line}`);
      assert.equal(fs.existsSync(db), false, 'no empty ledger folder is left behind');
    });
  }

  test('rebuild-marts where there is no ledger yet: refused, nothing created', async () => {
    const db = path.join(empty.base, 'never');
    const line = oneLineFailure(await cli(['--db', db, 'rebuild-marts']));
    assert.match(line, /there is no ledger at .*never yet: nothing to rebuild/);
    assert.equal(fs.existsSync(db), false);
  });

  test('an empty projects/ folder: says where it looked', async () => {
    const root = path.join(empty.base, 'claude-empty');
    fs.mkdirSync(path.join(root, 'projects'), { recursive: true });
    const line = oneLineFailure(await cli(['--db', path.join(empty.base, 'e.sqlite'), 'daily', '--claude-dir', root]));
    assert.match(line, /no transcripts found/);
    assert.ok(line.includes(root), `names the root: ${line}`);
  });

  test('roots that do not exist', async () => {
    const missing = path.join(empty.base, 'nowhere');
    const line = oneLineFailure(await cli(['--db', path.join(empty.base, 'x.sqlite'), 'ingest', '--claude-dir', missing]));
    assert.match(line, /no transcripts found/);
    assert.ok(line.includes(missing), `names the root: ${line}`);
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny corpus whose numbers are computed by hand from /work/shared/pricing-facts.md
// (USD per million tokens), not with the project's pricing code.
//
// 2026-11-20
//   claude-sonnet-4-5-20250929 (in 3, out 15, 5m 3.75, 1h 6, read 0.30), one message streamed
//   as three lines; the largest (output 300) counts:
//     1000×3 + 300×15 + 2000×3.75 + 1000×6 + 5000×0.30 = 3000+4500+7500+6000+1500 = 22500 µ$ = $0.0225
//   gpt-5-codex (in 1.25, cached 0.125, out 10), first turn: input 10000 of which 4000 cached:
//     6000×1.25 + 4000×0.125 + 1000×10 = 7500+500+10000 = 18000 µ$ = $0.018
//   (a re-emit of the same totals counts zero)
// 2026-11-21
//   claude-haiku-4-5-20251001 (in 1, out 5, 5m 1.25, read 0.10), no TTL split → all 5-minute:
//     2000×1 + 500×5 + 4000×1.25 + 10000×0.10 = 2000+2500+5000+1000 = 10500 µ$ = $0.0105
//   gpt-5-codex second turn: totals 15000/6000/1500 minus 10000/4000/1000 → 5000 in (2000 cached), 500 out:
//     3000×1.25 + 2000×0.125 + 500×10 = 3750+250+5000 = 9000 µ$ = $0.009
//   claude-opus-4-9: unpriced (pricing-facts: "came back unpriced") → $0, tokens 100 in, 50 out.
// ---------------------------------------------------------------------------------------------

const CODEX_ID = '0199a213-81c0-7800-8aa1-000000000001';

function writeTinyCorpus(dir: TranscriptDir): string[] {
  const sonnet = { messageId: 'm1', requestId: 'r1', sessionId: 's1', cwd: '/work/app', model: 'claude-sonnet-4-5-20250929', input: 1000, split: { m5: 2000, h1: 1000 }, cacheRead: 5000 };
  return [
    dir.write(dir.claudePath('-work-app/s1.jsonl'), [
      claudeUser('hi', '2026-11-20T09:59:00.000Z', 's1'),
      claudeAssistant({ ...sonnet, ts: '2026-11-20T10:00:00.000Z', output: 100 }),
      claudeAssistant({ ...sonnet, ts: '2026-11-20T10:00:01.000Z', output: 200 }),
      claudeAssistant({ ...sonnet, ts: '2026-11-20T10:00:02.000Z', output: 300 }),
      claudeAssistant({
        messageId: 'm2', requestId: 'r2', sessionId: 's1', cwd: '/work/app', model: 'claude-haiku-4-5-20251001',
        ts: '2026-11-21T08:00:00.000Z', input: 2000, output: 500, cacheWrite: 4000, cacheRead: 10000,
      }),
    ]),
    dir.write(dir.claudePath('-work-other/s2.jsonl'), [
      claudeAssistant({ messageId: 'm3', requestId: 'r3', sessionId: 's2', cwd: '/work/other', model: 'claude-opus-4-9', ts: '2026-11-21T12:00:00.000Z', input: 100, output: 50 }),
    ]),
    dir.write(dir.codexPath(`sessions/2026/11/20/rollout-2026-11-20T11-00-00-${CODEX_ID}.jsonl`), [
      codexMeta('2026-11-20T11:00:00.000Z', CODEX_ID, '/work/cli'),
      codexTurnContext('2026-11-20T11:00:00.000Z', 'gpt-5-codex', '/work/cli'),
      codexTokenCount('2026-11-20T11:05:00.000Z', { input: 10000, cached: 4000, output: 1000 }, { input: 10000, cached: 4000, output: 1000 }),
      codexTokenCount('2026-11-20T11:05:01.000Z', { input: 10000, cached: 4000, output: 1000 }, { input: 10000, cached: 4000, output: 1000 }),
      codexTokenCount('2026-11-21T09:00:00.000Z', { input: 15000, cached: 6000, output: 1500 }, { input: 5000, cached: 2000, output: 500 }),
    ]),
  ];
}

interface Breakdown { modelName: string; inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; cost: number; missingPricing?: true }
interface Totals { inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; totalTokens: number; totalCost: number }
type Period = Totals & { date?: string; month?: string; modelsUsed: string[]; modelBreakdowns: Breakdown[] };

const b = (modelName: string, inputTokens: number, outputTokens: number, cacheCreationTokens: number, cacheReadTokens: number, cost: number): Breakdown =>
  ({ modelName, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, cost });
const sum = (parts: Breakdown[]): Totals => {
  const t = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0, totalCost: 0 };
  for (const p of parts) {
    t.inputTokens += p.inputTokens;
    t.outputTokens += p.outputTokens;
    t.cacheCreationTokens += p.cacheCreationTokens;
    t.cacheReadTokens += p.cacheReadTokens;
    t.totalCost += p.cost;
  }
  t.totalTokens = t.inputTokens + t.outputTokens + t.cacheCreationTokens + t.cacheReadTokens;
  return t;
};

const SONNET = b('claude-sonnet-4-5-20250929', 1000, 300, 3000, 5000, 0.0225);
const CODEX_1 = b('gpt-5-codex', 6000, 1000, 0, 4000, 0.018);
const HAIKU = b('claude-haiku-4-5-20251001', 2000, 500, 4000, 10000, 0.0105);
const CODEX_2 = b('gpt-5-codex', 3000, 500, 0, 2000, 0.009);
const OPUS_4_9 = { ...b('claude-opus-4-9', 100, 50, 0, 0, 0), missingPricing: true as const };
const DAY_1 = [SONNET, CODEX_1];
const DAY_2 = [HAIKU, CODEX_2, OPUS_4_9];

// ccusage@20.0.24 `claude daily --json` (and `monthly`, with `month`), checked by running it.
const ROW_KEYS = ['cacheCreationTokens', 'cacheReadTokens', 'inputTokens', 'modelBreakdowns', 'modelsUsed', 'outputTokens', 'totalCost', 'totalTokens'];
const BREAKDOWN_KEYS = ['cacheCreationTokens', 'cacheReadTokens', 'cost', 'inputTokens', 'modelName', 'outputTokens'];
const TOTAL_KEYS = ['cacheCreationTokens', 'cacheReadTokens', 'inputTokens', 'outputTokens', 'totalCost', 'totalTokens'];
const sorted = (o: object) => Object.keys(o).sort();

function closeTo(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
}

function assertTotals(actual: Totals, expected: Totals, what: string): void {
  for (const key of ['inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens', 'totalTokens'] as const) {
    assert.equal(actual[key], expected[key], `${what} ${key}`);
  }
  closeTo(actual.totalCost, expected.totalCost, `${what} totalCost`);
}

function assertPeriod(row: Period, key: 'date' | 'month', value: string, parts: Breakdown[]): void {
  assert.deepEqual(sorted(row), [...ROW_KEYS, key].sort(), `keys of ${value}`);
  assert.equal(row[key], value);
  assertTotals(row, sum(parts), value);
  assert.deepEqual([...row.modelsUsed].sort(), [...new Set(parts.map((p) => p.modelName))].sort(), `modelsUsed of ${value}`);
  const byName = new Map<string, Breakdown>();
  for (const p of parts) {
    const seen = byName.get(p.modelName);
    byName.set(p.modelName, !seen ? p : {
      ...p,
      inputTokens: seen.inputTokens + p.inputTokens,
      outputTokens: seen.outputTokens + p.outputTokens,
      cacheCreationTokens: seen.cacheCreationTokens + p.cacheCreationTokens,
      cacheReadTokens: seen.cacheReadTokens + p.cacheReadTokens,
      cost: seen.cost + p.cost,
    });
  }
  assert.equal(row.modelBreakdowns.length, byName.size, `one breakdown per model in ${value}`);
  const costs = row.modelBreakdowns.map((m) => m.cost);
  assert.deepEqual(costs, [...costs].sort((x, y) => y - x), 'breakdowns costliest first, like ccusage');
  for (const actual of row.modelBreakdowns) {
    const expected = byName.get(actual.modelName);
    assert.ok(expected, `unexpected model ${actual.modelName}`);
    const keys = expected.missingPricing ? [...BREAKDOWN_KEYS, 'missingPricing'].sort() : BREAKDOWN_KEYS;
    assert.deepEqual(sorted(actual), keys, `breakdown keys of ${actual.modelName}`);
    for (const k of ['inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens'] as const) {
      assert.equal(actual[k], expected[k], `${value} ${actual.modelName} ${k}`);
    }
    closeTo(actual.cost, expected.cost, `${value} ${actual.modelName} cost`);
    if (expected.missingPricing) assert.equal(actual.missingPricing, true);
  }
}

// Each test has a database of its own, so that the tests can run side by side.
describe('commands on a tiny corpus', { concurrency: 4 }, () => {
  let dir: TranscriptDir;
  let files: string[];
  const dbFile = (name: string) => path.join(dir.base, `${name}.sqlite`);
  const roots = (name: string) => ['--db', dbFile(name), '--claude-dir', dir.claudeRoot, '--codex-dir', dir.codexHome, '-z', 'UTC'];
  const json = async (args: string[]) => {
    const result = await cli(args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  before(() => {
    dir = new TranscriptDir('agent-ledger-cli-');
    files = writeTinyCorpus(dir);
  });
  after(() => dir.dispose());

  test('ingest prints files, bytes, events and seconds; a second ingest reads nothing', async () => {
    const first = await cli(['ingest', ...roots('ingest')]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '');
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const out = lines(first.stdout);
    assert.equal(out[0], 'files: 3 (3 with new data)');
    assert.match(out[1]!, new RegExp(`^bytes: ${bytes.toLocaleString('en-US')} \\(`));
    // 3 Claude messages (one streamed in 3 lines) and 2 Codex turns (the re-emit is not one).
    assert.match(out[2]!, /^events: 5 new requests, \d+ grown, \d+ duplicates skipped, 0 replayed copies skipped$/);
    assert.equal(out[3], 'invalid lines: 0');
    assert.match(out[4]!, /^seconds: \d+\.\d{3}$/);
    assert.ok(fs.existsSync(path.join(dbFile('ingest'), 'manifest.json')), 'the ledger was saved');

    const second = await cli(['ingest', ...roots('ingest')]);
    assert.equal(second.code, 0, second.stderr);
    const again = lines(second.stdout);
    assert.equal(again[0], 'files: 3 (0 with new data)');
    assert.match(again[1]!, /^bytes: 0 \(/);
    assert.match(again[2]!, /^events: 0 new requests, 0 grown/);
  });

  test('daily --json -z UTC: ccusage shape, numbers as computed by hand', async () => {
    const report = (await json(['daily', '--json', ...roots('daily')])) as { daily: Period[]; totals: Totals };
    assert.deepEqual(Object.keys(report), ['daily', 'totals']);
    assert.equal(report.daily.length, 2);
    assertPeriod(report.daily[0]!, 'date', '2026-11-20', DAY_1);
    assertPeriod(report.daily[1]!, 'date', '2026-11-21', DAY_2);
    // 7000+1300+3000+9000 = 20300 and 5100+1050+4000+12000 = 22150 tokens; $0.0405 + $0.0195 = $0.06.
    assert.equal(report.daily[0]!.totalTokens, 20300);
    assert.equal(report.daily[1]!.totalTokens, 22150);
    assertTotals(report.totals, { inputTokens: 12100, outputTokens: 2350, cacheCreationTokens: 7000, cacheReadTokens: 21000, totalTokens: 42450, totalCost: 0.06 }, 'totals');
    assert.deepEqual(sorted(report.totals).filter((k) => k !== 'unpricedModels'), TOTAL_KEYS);
  });

  test('daily --json over priced models only: totals have exactly ccusage keys', async () => {
    const report = (await json(['daily', '--json', '--until', '2026-11-20', ...roots('daily-priced')])) as { daily: Period[]; totals: Totals };
    assert.equal(report.daily.length, 1);
    assertPeriod(report.daily[0]!, 'date', '2026-11-20', DAY_1);
    assert.deepEqual(sorted(report.totals), TOTAL_KEYS);
    assertTotals(report.totals, sum(DAY_1), 'totals');
  });

  test('daily --json lists unpriced models in totals, as ccusage does', async () => {
    const report = (await json(['daily', '--json', ...roots('daily-unpriced')])) as { totals: Totals & { unpricedModels?: string[] } };
    assert.deepEqual(sorted(report.totals), [...TOTAL_KEYS, 'unpricedModels'].sort());
    assert.deepEqual(report.totals.unpricedModels, ['claude-opus-4-9']);
  });

  test('daily filters: --since (YYYYMMDD) and --agent', async () => {
    const since = (await json(['daily', '--json', '--since', '20261121', ...roots('filters')])) as { daily: Period[]; totals: Totals };
    assert.deepEqual(since.daily.map((d) => d.date), ['2026-11-21']);
    assertPeriod(since.daily[0]!, 'date', '2026-11-21', DAY_2);
    assertTotals(since.totals, sum(DAY_2), 'since totals');

    const codex = (await json(['daily', '--json', '--agent', 'codex', ...roots('filters')])) as { daily: Period[]; totals: Totals };
    assertPeriod(codex.daily[0]!, 'date', '2026-11-20', [CODEX_1]);
    assertPeriod(codex.daily[1]!, 'date', '2026-11-21', [CODEX_2]);
    assertTotals(codex.totals, sum([CODEX_1, CODEX_2]), 'codex totals');
  });

  test('a folder option naming a folder that does not exist is warned about, also when the ledger has data', async () => {
    const missing = path.join(dir.base, 'typo');
    const result = await cli([...roots('missing-dir'), 'daily', '--codex-dir', missing]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, `warning: ${missing} (given by --codex-dir) does not exist\n`);
  });

  test('ingest --agent reads that agent only', async () => {
    const env = { CLAUDE_CONFIG_DIR: dir.claudeRoot, CODEX_HOME: dir.codexHome };
    const ingest = await cli(['--db', dbFile('agent-only'), 'ingest', '--agent', 'codex', '-z', 'UTC'], env);
    assert.equal(ingest.code, 0, ingest.stderr);
    const report = await cli(['--db', dbFile('agent-only'), 'daily', '--json', '--no-ingest', '-z', 'UTC'], env);
    assert.equal(report.code, 0, report.stderr);
    const { totals } = JSON.parse(report.stdout) as { totals: Totals };
    assertTotals(totals, sum([CODEX_1, CODEX_2]), 'only Codex was read');
  });

  test('daily as a table', async () => {
    const result = await cli(['daily', ...roots('table')]);
    assert.equal(result.code, 0, result.stderr);
    const out = lines(result.stdout);
    assert.match(out[0]!, /^Date\s+Models\s+Input\s+Output\s+Cache write\s+Cache read\s+Total tokens\s+Cost \(USD\)$/);
    assert.match(out.find((l) => l.startsWith('2026-11-20'))!, /7,000\s+1,300\s+3,000\s+9,000\s+20,300\s+\$0\.04$/);
    assert.match(out.find((l) => l.startsWith('Total'))!, /12,100\s+2,350\s+7,000\s+21,000\s+42,450\s+\$0\.06$/);
    assert.equal(out.at(-2), '(days in UTC)');
    assert.ok(out.some((l) => l.startsWith('2026-') && l.includes('claude-opus-4-9*')), 'the unpriced model is marked');
    assert.equal(out.at(-1), '* no price in the table, counted at $0: claude-opus-4-9 (see `agent-ledger prices`)');
  });

  test('monthly --json: one month, in ccusage shape', async () => {
    const report = (await json(['monthly', '--json', ...roots('monthly')])) as { monthly: Period[]; totals: Totals };
    assert.deepEqual(Object.keys(report), ['monthly', 'totals']);
    assert.equal(report.monthly.length, 1);
    assertPeriod(report.monthly[0]!, 'month', '2026-11', [...DAY_1, ...DAY_2]);
    assertTotals(report.totals, sum([...DAY_1, ...DAY_2]), 'totals');

    const table = await cli(['monthly', ...roots('monthly')]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(lines(table.stdout).find((l) => l.startsWith('2026-11'))!, /42,450\s+\$0\.06$/);
  });

  test('session: one row per session, most recent first, whole-session totals', async () => {
    const { sessions } = (await json(['session', '--json', ...roots('session')])) as {
      sessions: { sessionId: string; agent: string; project: string; totalTokens: number; costUsd: number; messages: number; primaryModel: string; lastTs: number }[];
    };
    assert.deepEqual(sessions.map((s) => s.sessionId), ['s2', CODEX_ID, 's1'], 'ordered by last activity (12:00, 09:00, 08:00 on the 21st)');
    const [s2, codex, s1] = sessions;
    assert.deepEqual([s1!.agent, s1!.project, s1!.primaryModel, s1!.totalTokens, s1!.messages], ['claude', '/work/app', SONNET.modelName, 9300 + 16500, 2]);
    closeTo(s1!.costUsd, 0.0225 + 0.0105, 's1 cost');
    assert.deepEqual([codex!.agent, codex!.project, codex!.primaryModel, codex!.totalTokens, codex!.messages], ['codex', '/work/cli', 'gpt-5-codex', 11000 + 5500, 2]);
    closeTo(codex!.costUsd, 0.018 + 0.009, 'codex cost');
    assert.deepEqual([s2!.agent, s2!.project, s2!.primaryModel, s2!.totalTokens, s2!.costUsd], ['claude', '/work/other', 'claude-opus-4-9', 150, 0]);
    assert.equal(s1!.lastTs, Date.parse('2026-11-21T08:00:00.000Z'));

    const table = await cli(['session', ...roots('session')]);
    assert.equal(table.code, 0, table.stderr);
    const out = lines(table.stdout);
    assert.match(out[0]!, /^Session\s+Agent\s+Project\s+Last activity\s+Model\s+Total tokens\s+Cost \(USD\)$/);
    assert.match(out.find((l) => l.startsWith('s1 '))!, /claude\s+\/work\/app\s+2026-11-21 08:00\s+claude-sonnet-4-5-20250929\s+25,800\s+\$0\.03$/);
    assert.equal(out.at(-1), '(times in UTC)');

    const newYork = lines((await cli(['session', ...roots('session'), '-z', 'America/New_York'])).stdout);
    assert.match(newYork.find((l) => l.startsWith('s1 '))!, /\s2026-11-21 03:00\s/, 'the last activity in the zone asked for');
    assert.equal(newYork.at(-1), '(times in America/New_York)');
  });

  test('projects: costliest first, sessions counted', async () => {
    const { projects } = (await json(['projects', '--json', ...roots('projects')])) as {
      projects: { project: string; sessions: number; primaryModel: string; totalTokens: number; costUsd: number }[];
    };
    assert.deepEqual(projects.map((p) => [p.project, p.sessions, p.primaryModel, p.totalTokens]), [
      ['/work/app', 1, SONNET.modelName, 25800],
      ['/work/cli', 1, 'gpt-5-codex', 16500],
      ['/work/other', 1, 'claude-opus-4-9', 150],
    ]);
    closeTo(projects[0]!.costUsd, 0.033, '/work/app');
    closeTo(projects[1]!.costUsd, 0.027, '/work/cli');
    assert.equal(projects[2]!.costUsd, 0);

    const table = await cli(['projects', ...roots('projects')]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(lines(table.stdout).find((l) => l.startsWith('/work/cli'))!, /1\s+gpt-5-codex\s+16,500\s+\$0\.03$/);
  });

  test('prices: the table in force and the unpriced model seen', async () => {
    await cli(['ingest', ...roots('prices')]);
    const table = await cli(['prices', ...roots('prices')]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^USD per million tokens\n/);
    const [, unpriced] = table.stdout.split('Unpriced models seen (counted at $0):\n');
    assert.ok(unpriced, `an unpriced section: ${table.stdout}`);
    assert.deepEqual(lines(unpriced).map((l) => l.trim()), ['claude-opus-4-9  150 tokens, 2026-11-21 … 2026-11-21']);
    const sonnetRow = lines(table.stdout).find((l) => /^claude-sonnet-4-5\b/.test(l));
    assert.ok(sonnetRow, 'the table lists Sonnet 4.5');
    assert.match(sonnetRow, /\s3\s+15\s+3\.75\s+6\s+0\.3\s/, 'pricing-facts: 3 / 15 / 3.75 / 6 / 0.30');

    const report = (await json(['prices', '--json', ...roots('prices')])) as {
      prices: { model: string; input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }[];
      unpricedModels: unknown[];
    };
    assert.deepEqual(report.unpricedModels, [{ model: 'claude-opus-4-9', totalTokens: 150, firstDay: '2026-11-21', lastDay: '2026-11-21' }]);
    const haiku = report.prices.find((p) => p.model.startsWith('claude-haiku-4-5'));
    assert.deepEqual(haiku && [haiku.input, haiku.output, haiku.cacheWrite5m, haiku.cacheWrite1h, haiku.cacheRead], [1, 5, 1.25, 2, 0.1]);
    assert.ok(!report.prices.some((p) => p.model === 'claude-opus-4-9'), 'claude-opus-4-9 has no price');
  });

  test('rebuild-marts keeps every number identical, and re-derives marts from the events', async () => {
    await cli(['ingest', ...roots('rebuild')]);
    const reports = () =>
      Promise.all(['daily', 'monthly', 'session', 'projects'].map(async (command) => {
        const result = await cli([command, '--json', '--no-ingest', ...roots('rebuild')]);
        assert.equal(result.code, 0, result.stderr);
        return result.stdout;
      }));
    const before = await reports();
    assert.ok(before[0]!.includes('"totalCost": 0.06'), `daily total is $0.06: ${before[0]}`);

    const rebuilt = await cli(['rebuild-marts', ...roots('rebuild')]);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stdout, /^rebuilt the marts from \d+ events up to event \d+ \(\d+ events re-priced\) in \d+\.\d\d s\n$/);
    assert.deepEqual(await reports(), before);

    // Wipe the marts behind the engine's back: rebuild-marts must derive them again from usage_events.
    const ledger = await Ledger.open({ location: { dir: dbFile('rebuild') }, log: new MemoryLogger() });
    for (const table of ['daily_mart', 'provider_day_mart', 'model_day_mart', 'session_mart', 'project_mart']) ledger.db.run(`DELETE FROM ${table}`);
    ledger.save();
    ledger.close();
    const wiped = JSON.parse((await cli(['daily', '--json', '--no-ingest', ...roots('rebuild')])).stdout) as { daily: unknown[] };
    assert.deepEqual(wiped.daily, [], 'the reports read the marts');
    assert.equal((await cli(['rebuild-marts', ...roots('rebuild')])).code, 0);
    assert.deepEqual(await reports(), before);
  });
});

describe('--db that cannot be used: exit 1 with one clear line', () => {
  let base: TranscriptDir;
  before(() => {
    base = new TranscriptDir('agent-ledger-cli-db-');
    writeTinyCorpus(base);
  });
  after(() => base.dispose());
  const roots = () => ['--claude-dir', base.claudeRoot, '--codex-dir', base.codexHome];

  test('--db pointing at a directory: refused, and the directory is left alone', async () => {
    const folder = path.join(base.base, 'a-folder');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'keep.txt'), 'user data');
    const line = oneLineFailure(await cli(['--db', folder, 'daily', ...roots()]));
    assert.ok(line.includes(folder), `names the path: ${line}`);
    assert.ok(fs.statSync(folder).isDirectory(), 'the folder is left where it was');
    assert.equal(fs.readFileSync(path.join(folder, 'keep.txt'), 'utf8'), 'user data');
  });

  test('--db below a regular file (a path that can be neither read nor written)', async () => {
    const file = path.join(base.base, 'plain-file');
    fs.writeFileSync(file, 'not a folder');
    const dbPath = path.join(file, 'ledger.sqlite');
    const line = oneLineFailure(await cli(['--db', dbPath, 'daily', ...roots()]));
    assert.ok(line.includes(dbPath) || line.includes(file), `names the path: ${line}`);
    assert.equal(fs.readFileSync(file, 'utf8'), 'not a folder');
  });
});

describe('a report in another zone (-z)', () => {
  test('is a view: what it reads is saved with days in the system zone, and the status line keeps that zone\'s "today"', async () => {
    const base = new TranscriptDir('agent-ledger-cli-zone-');
    const db = path.join(base.base, 'ledger');
    const env = { TZ: 'America/Los_Angeles' };
    const roots = ['--claude-dir', base.claudeRoot];
    const request = (id: string, ts: string) => base.write(base.claudePath(`-w/${id}.jsonl`), [claudeAssistant({ messageId: `m${id}`, requestId: `r${id}`, ts, input: 100, output: 10 })]);
    const days = (out: string) => (JSON.parse(out) as { daily: { date: string; inputTokens: number }[] }).daily.map((d) => `${d.date}:${d.inputTokens}`);
    // Midnight in Los Angeles (PST, UTC−8) falls at 08:00 UTC: the status card's days start there.
    const cardStartsAtLaMidnight = () => {
      const card = JSON.parse(fs.readFileSync(path.join(db, 'status-card.json'), 'utf8')) as { days: { from: number }[] };
      return card.days.every((d) => d.from % 86_400_000 === 8 * 3_600_000);
    };
    try {
      request('a', '2026-11-20T20:00:00Z'); // the 20th in Los Angeles, the 21st in Tokyo
      assert.equal((await cli(['--db', db, 'ingest', ...roots], env)).code, 0);
      assert.ok(cardStartsAtLaMidnight(), 'the status card counts Los Angeles days');

      request('b', '2026-11-22T20:00:00Z');
      const tokyo = await cli(['--db', db, 'daily', '--json', '-z', 'Asia/Tokyo', ...roots], env);
      assert.equal(tokyo.code, 0, tokyo.stderr);
      assert.deepEqual(days(tokyo.stdout), ['2026-11-21:100', '2026-11-23:100'], 'the report shows Tokyo days, the new request read');
      assert.ok(cardStartsAtLaMidnight(), 'the status card still counts Los Angeles days');
      const saved = await cli(['--db', db, 'daily', '--json', '--no-ingest'], env);
      assert.deepEqual(days(saved.stdout), ['2026-11-20:100', '2026-11-22:100'], 'what was saved: the new request, in Los Angeles days');
    } finally {
      base.dispose();
    }
  });

  test('ingest --timezone counts the ledger\'s days in that zone; a report in the zone the ledger counts in keeps it', async () => {
    const base = new TranscriptDir('agent-ledger-cli-zone-');
    const db = path.join(base.base, 'ledger');
    const env = { TZ: 'America/Los_Angeles' };
    const roots = ['--claude-dir', base.claudeRoot];
    // Midnight in Tokyo (UTC+9) falls at 15:00 UTC.
    const cardStartsAtTokyoMidnight = () => (JSON.parse(fs.readFileSync(path.join(db, 'status-card.json'), 'utf8')) as { days: { from: number }[] })
      .days.every((d) => d.from % 86_400_000 === 15 * 3_600_000);
    try {
      base.write(base.claudePath('-w/a.jsonl'), [claudeAssistant({ messageId: 'ma', requestId: 'ra', ts: '2026-11-20T20:00:00Z', input: 100, output: 10 })]);
      assert.equal((await cli(['--db', db, 'ingest', '-z', 'Asia/Tokyo', ...roots], env)).code, 0);
      assert.ok(cardStartsAtTokyoMidnight(), 'the ledger counts Tokyo days');
      base.write(base.claudePath('-w/b.jsonl'), [claudeAssistant({ messageId: 'mb', requestId: 'rb', ts: '2026-11-22T20:00:00Z', input: 100, output: 10 })]);
      const report = await cli(['--db', db, 'daily', '--json', '-z', 'Asia/Tokyo', ...roots], env);
      assert.equal(report.code, 0, report.stderr);
      assert.equal((JSON.parse(report.stdout) as { daily: unknown[] }).daily.length, 2);
      assert.ok(cardStartsAtTokyoMidnight(), 'a Tokyo report kept the zone the ledger counts in (a window\'s setting, say)');
    } finally {
      base.dispose();
    }
  });
});

describe('rebuild-marts meeting a damaged month', () => {
  test('reads the transcripts again before it reports and saves: nothing the damaged file held is lost', async () => {
    const base = new TranscriptDir('agent-ledger-cli-rebuild-');
    const db = path.join(base.base, 'ledger');
    const env = { CLAUDE_CONFIG_DIR: base.claudeRoot, CODEX_HOME: base.codexHome };
    const codexId = '0199a213-81c0-7800-8aa1-00000000abcd';
    const request = (day: string, id: string, input: number) =>
      base.write(base.claudePath(`-w/${id}.jsonl`), [claudeAssistant({ messageId: `m${id}`, requestId: `r${id}`, ts: `2026-${day}T10:00:00Z`, input, output: 10 })]);
    try {
      request('01-10', 'a', 100);
      assert.equal((await cli(['--db', db, 'ingest'], env)).code, 0);
      request('01-11', 'b', 200);
      request('02-03', 'c', 300);
      base.write(base.codexPath(`sessions/2026/01/12/rollout-2026-01-12T10-00-00-${codexId}.jsonl`), [
        codexMeta('2026-01-12T10:00:00Z', codexId), codexTurnContext('2026-01-12T10:00:00Z', 'gpt-5'),
        codexTokenCount('2026-01-12T10:00:01Z', { input: 2000, cached: 500, output: 70 }),
      ]);
      assert.equal((await cli(['--db', db, 'ingest'], env)).code, 0); // January's second version
      const before = await cli(['--db', db, 'daily', '--json', '--no-ingest'], env);
      const manifest = readManifest(path.join(db, MANIFEST_FILE));
      assert.ok(manifest.ok);
      const january = manifest.manifest.months['2026-01']!;
      const newest = path.join(db, january.tail?.name ?? january.name);
      const bytes = fs.readFileSync(newest);
      bytes.fill(0x5a, bytes.length >> 1, Math.min(bytes.length, (bytes.length >> 1) + 4096));
      fs.writeFileSync(newest, bytes);
      fs.rmSync(path.join(db, BACKUP_DIR, `${path.basename(newest)}.gz`), { force: true });

      // Claude's folder given, Codex's from its environment variable: both are read again.
      const rebuilt = await cli(['--db', db, 'rebuild-marts', '--claude-dir', base.claudeRoot], env);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      assert.match(rebuilt.stdout, /^rebuilt the marts from 4 events/);
      assert.match(rebuilt.stderr, /is damaged/);
      const after = await cli(['--db', db, 'daily', '--json', '--no-ingest'], env);
      assert.deepEqual(JSON.parse(after.stdout), JSON.parse(before.stdout), 'every day as before, from what rebuild-marts saved');
    } finally {
      base.dispose();
    }
  });
});

describe('transcripts that are not regular files', { skip: process.platform === 'win32' && 'no FIFOs or /dev/zero' }, () => {
  let base: TranscriptDir;
  before(() => {
    base = new TranscriptDir('agent-ledger-cli-special-');
    writeTinyCorpus(base);
  });
  after(() => base.dispose());

  test('a *.jsonl link to a FIFO or to /dev/zero is skipped with one line each; the rest is read', async () => {
    const fifo = path.join(base.base, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const toFifo = base.claudePath('-work-app/fifo.jsonl');
    const toZero = base.claudePath('-work-app/zero.jsonl');
    fs.symlinkSync(fifo, toFifo);
    fs.symlinkSync('/dev/zero', toZero);
    const started = Date.now();
    const result = await cli(['--db', path.join(base.base, 'special.sqlite'), 'ingest', '--claude-dir', base.claudeRoot]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Date.now() - started < 15_000, 'no hang');
    const warnings = lines(result.stderr);
    assert.equal(warnings.length, 2, result.stderr);
    for (const link of [toFifo, toZero]) {
      assert.ok(warnings.some((l) => l.includes(link) && l.includes('not a regular file')), `one line for ${link}:\n${result.stderr}`);
    }
    assert.match(result.stdout, /events: 3 new requests/);
  });
});

describe('hostile names in text output', () => {
  let base: TranscriptDir;
  const model = 'claude-x\u001b]0;pwned\u0007\nfake row\u009b31m';
  const cwd = '/work/\u001b[31mred\r\nrow\u2028';
  before(() => {
    base = new TranscriptDir('agent-ledger-cli-hostile-');
    base.write(base.claudePath('-work-red/s.jsonl'), [
      claudeAssistant({ messageId: 'm1', requestId: 'r1', sessionId: 's\u0007', cwd, model, ts: '2026-11-20T10:00:00.000Z' }),
    ]);
  });
  after(() => base.dispose());
  const args = (command: string, ...rest: string[]) => ['--db', path.join(base.base, 'hostile.sqlite'), command, '--claude-dir', base.claudeRoot, '-z', 'UTC', ...rest];
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

  for (const command of ['daily', 'monthly', 'session', 'projects', 'prices']) {
    test(`${command}: control characters are escaped, one row per line`, async () => {
      const result = await cli(args(command));
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stdout, CONTROL);
      assert.ok(!lines(result.stdout).some((l) => l.startsWith('fake row') || l.startsWith('row')), result.stdout);
      assert.ok(result.stdout.includes('\\x1b'), result.stdout);
    });
  }

  test('--json keeps the exact strings', async () => {
    const result = await cli(args('projects', '--json'));
    const { projects } = JSON.parse(result.stdout) as { projects: { project: string; primaryModel: string }[] };
    assert.deepEqual([projects[0]!.project, projects[0]!.primaryModel], [cwd, model]);
  });
});

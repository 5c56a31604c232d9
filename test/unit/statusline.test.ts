import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import { LedgerEngine } from '../../src/pipeline/engine';
import { journalPath } from '../../src/statusline/limits-journal';
import { renderStatusLine, untilReset } from '../../src/statusline/render-line';
import { writeStatusLineConfig } from '../../src/statusline/statusline-config';
import { statusInput } from '../../src/cli/statusline';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';
import { ourCli } from '../parity/parity-lib';

const SESSION = '5c7a1d2e-0000-4000-8000-00000000abcd';
const NOW = Date.now();
const RESET_5H = Math.floor(NOW / 1000) + 80 * 60;
const RESET_7D = Math.floor(NOW / 1000) + 3 * 86_400;

/** Claude Code's documented status-line input (2.1.80+, Pro/Max after the first response). */
const INPUT = {
  hook_event_name: 'Status',
  session_id: SESSION,
  transcript_path: `/home/u/.claude/projects/-work-app/${SESSION}.jsonl`,
  cwd: '/work/app',
  model: { id: 'claude-opus-4-6', display_name: 'Opus 4.6' },
  workspace: { current_dir: '/work/app', project_dir: '/work/app' },
  version: '2.1.90',
  cost: { total_cost_usd: 0.01 },
  context_window: { used_percentage: 44.6, context_window_size: 200000, total_input_tokens: 89200 },
  rate_limits: { five_hour: { used_percentage: 62.4, resets_at: RESET_5H }, seven_day: { used_percentage: 18, resets_at: RESET_7D } },
};

function run(args: string[], stdin: string) {
  const cli = ourCli();
  const result = spawnSync(cli.command, [...cli.args, ...args], { input: stdin, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('agent-ledger statusline', () => {
  let dir: TranscriptDir;
  let db: string;
  before(async () => {
    dir = new TranscriptDir();
    db = path.join(dir.base, 'ledger');
    const ts = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
    dir.write(dir.claudePath(`-work-app/${SESSION}.jsonl`), [
      claudeAssistant({ ts: ts(3), sessionId: SESSION, messageId: 'msg_1', requestId: 'req_1', model: 'claude-opus-4-6', input: 1000, output: 1000 }),
      claudeAssistant({ ts: ts(2), sessionId: SESSION, messageId: 'msg_2', requestId: 'req_2', model: 'claude-opus-4-6', input: 1000, output: 1000 }),
    ]);
    dir.write(dir.claudePath('-work-other/other.jsonl'), [
      claudeAssistant({ ts: ts(1), sessionId: 'other', messageId: 'msg_3', requestId: 'req_3', model: 'claude-opus-4-6', input: 2000, output: 2000 }),
    ]);
    const engine = await LedgerEngine.open({ location: { dir: db }, log: new MemoryLogger() });
    await engine.ingest({ roots: dir.roots, agents: ['claude'] });
    engine.save();
    engine.close();
  });
  after(() => dir.dispose());

  test('fed the documented JSON: prints the line, records the reading, and limits --json shows it', () => {
    const result = run(['--db', db, 'statusline'], JSON.stringify(INPUT));
    assert.equal(result.code, 0, result.stderr);
    // Opus 4.6 at $5 in / $25 out per M: this session 2 × $0.03, today $0.12 in all.
    assert.match(result.stdout, /^Opus 4\.6 · session \$0\.06 · today \$0\.12 · 5h 62% ↻1h(19|20)m · ctx 45%\n$/);
    assert.equal(fs.readFileSync(journalPath(db), 'utf8').split('\n').filter(Boolean).length, 1);

    const again = run(['--db', db, 'statusline'], JSON.stringify(INPUT));
    assert.equal(again.code, 0);
    assert.equal(fs.readFileSync(journalPath(db), 'utf8').split('\n').filter(Boolean).length, 1, 'an unchanged reading is not appended again');

    const limits = run(['--db', db, 'limits', '--json', '--claude-dir', dir.claudeRoot], '');
    assert.equal(limits.code, 0, limits.stderr);
    const claude = (JSON.parse(limits.stdout) as { limits: { agent: string; window: string; usedPercent: number; resetsAt: string; source: string }[] }).limits
      .filter((l) => l.agent === 'claude').map((l) => [l.window, l.usedPercent, l.resetsAt, l.source]);
    assert.deepEqual(claude, [
      ['5h', 62.4, new Date(RESET_5H * 1000).toISOString(), 'official'],
      ['weekly', 18, new Date(RESET_7D * 1000).toISOString(), 'official'],
    ]);
  });

  test('malformed input, a missing ledger, a bad option: still one line and exit 0', () => {
    for (const [args, stdin] of [[['--db', db, 'statusline'], '{not json'], [['--db', path.join(dir.base, 'none', 'x.sqlite'), 'statusline'], '{}'], [['statusline', '--bogus'], '']] as const) {
      const result = run([...args], stdin);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.split('\n').filter(Boolean).length, 1, result.stdout);
    }
  });

  test('a --db that is not a ledger is left untouched: one line, a note why, exit 0', () => {
    const folder = path.join(dir.base, 'not-a-ledger');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'keep.txt'), 'keep');
    const file = path.join(dir.base, 'notes.txt');
    fs.writeFileSync(file, 'notes');
    for (const target of [folder, file]) {
      const result = run(['--db', target, 'statusline'], JSON.stringify(INPUT));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'Agent Ledger\n');
      assert.match(result.stderr, /not an Agent Ledger ledger.*; refusing/);
      assert.doesNotMatch(result.stderr, /EEXIST|ENOTDIR/);
    }
    assert.deepEqual(fs.readdirSync(folder), ['keep.txt'], 'nothing written into the folder');
    assert.equal(fs.readFileSync(file, 'utf8'), 'notes');
  });

  test('--help prints the usage without waiting for input', async () => {
    const cli = ourCli();
    // stdin stays open, as at a terminal: the help must not wait for it to end.
    const child = spawn(cli.command, [...cli.args, 'statusline', '--help'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    child.stdin.destroy();
    assert.equal(code, 0, 'exited by itself with status 0');
    assert.match(stdout, /^usage: agent-ledger/im);
  });

  test('chains the previous status-line command with the same input: after ours, or instead', () => {
    const ledgerDir = path.join(dir.base, 'chain');
    fs.mkdirSync(ledgerDir, { recursive: true });
    const chainDb = ledgerDir;
    const previous = `${JSON.stringify(process.execPath)} -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log('prev '+JSON.parse(s).session_id))"`;
    writeStatusLineConfig(ledgerDir, { previousCommand: previous, chain: 'after' });
    const after = run(['--db', chainDb, 'statusline'], JSON.stringify(INPUT));
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(after.stdout.trimEnd().split('\n').map((l) => l.split(' ')[0]), ['Opus', 'prev']);
    assert.ok(after.stdout.includes(`prev ${SESSION}`));
    writeStatusLineConfig(ledgerDir, { previousCommand: previous, chain: 'instead' });
    assert.equal(run(['--db', chainDb, 'statusline'], JSON.stringify(INPUT)).stdout, `prev ${SESSION}\n`);
    writeStatusLineConfig(ledgerDir, { previousCommand: 'exit 3', chain: 'instead' });
    assert.match(run(['--db', chainDb, 'statusline'], JSON.stringify(INPUT)).stdout, /^Opus 4\.6/, 'a failing previous command leaves ours');
  });

  test('the line shows only what is known; without rate_limits the 5-hour part comes from the ledger or is left out', () => {
    const now = Date.UTC(2026, 10, 20, 12);
    const input = statusInput({ model: { id: 'claude-sonnet-4-5' } }, now);
    assert.equal(renderStatusLine(input, { sessionUsd: undefined, todayUsd: 1.5, limits: [] }, now), 'claude-sonnet-4-5 · today $1.50');
    const stored = { agent: 'claude', limitId: 'claude', windowMinutes: 300, usedPercent: 80, resetsAt: now + 30 * 60_000, observedAt: now - 60_000, source: 'official' as const };
    assert.equal(renderStatusLine(input, { sessionUsd: 0.2, todayUsd: 1.5, limits: [stored] }, now), 'claude-sonnet-4-5 · session $0.20 · today $1.50 · 5h 80% ↻30m');
    assert.equal(renderStatusLine(input, { sessionUsd: 0.2, todayUsd: 1.5, limits: [{ ...stored, resetsAt: now - 1 }] }, now), 'claude-sonnet-4-5 · session $0.20 · today $1.50', 'a window past its reset is not shown');
    assert.equal(renderStatusLine(statusInput(undefined, now), { sessionUsd: undefined, todayUsd: undefined, limits: [] }, now), 'Agent Ledger');
    assert.deepEqual([untilReset(45 * 60_000), untilReset(125 * 60_000), untilReset(76 * 3600_000)], ['45m', '2h05m', '3d4h']);
  });
});

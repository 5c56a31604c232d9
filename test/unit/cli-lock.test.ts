import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const REPO = path.resolve(__dirname, '../..');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli.ts'), ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the CLI takes the same writer lock as the windows: it never writes beside a live window, and answers from its last save', async () => {
  const dir = new TranscriptDir('agent-ledger-cli-lock-');
  const ledger = path.join(dir.base, 'ledger');
  dir.write(dir.claudePath('-w/a.jsonl'), [claudeAssistant({ messageId: 'm1', requestId: 'r1', ts: '2026-11-20T10:00:00.000Z', output: 40 })]);
  const window = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'multiwindow', 'window-child.ts'), ledger, dir.claudeRoot, dir.codexHome], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  window.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  try {
    const deadline = Date.now() + 30_000;
    while (!out.includes('"started":"writer"') || !/"changed":40/.test(out)) {
      assert.ok(Date.now() < deadline, `the window started as the writer and read the transcript: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 2_000)); // its save
    dir.write(dir.claudePath('-w/b.jsonl'), [claudeAssistant({ messageId: 'm2', requestId: 'r2', ts: '2026-11-20T11:00:00.000Z', output: 2 })]);

    const ingest = cli(['--db', ledger, 'ingest', '--claude-dir', dir.claudeRoot]);
    assert.equal(ingest.code, 1, 'an explicit ingest is refused while a window writes');
    assert.match(ingest.stderr.trim(), /^agent-ledger: a VS Code window is updating the ledger .*; try again once it is done$/);

    const report = cli(['--db', ledger, 'daily', '--json', '-z', 'UTC', '--claude-dir', dir.claudeRoot]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stderr, /a VS Code window is updating the ledger; showing its last save/);
    assert.ok(JSON.parse(report.stdout).totals.outputTokens >= 40, 'the last save, read-only');
  } finally {
    window.kill('SIGKILL');
    await new Promise((r) => window.once('exit', r));
  }
  // The window is gone (its process no longer exists): the CLI takes over at once.
  const after = cli(['--db', ledger, 'daily', '--json', '-z', 'UTC', '--claude-dir', dir.claudeRoot]);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(JSON.parse(after.stdout).totals.outputTokens, 42, 'both transcripts, each once');
  dir.dispose();
});

test('daily -z ZONE --no-ingest re-buckets the days in the asked zone, never prints them under another zone\'s labels', () => {
  const dir = new TranscriptDir('agent-ledger-cli-zone-');
  const ledger = path.join(dir.base, 'ledger');
  // 23:30 UTC on 20 November is already 21 November in Tokyo.
  dir.write(dir.claudePath('-w/a.jsonl'), [claudeAssistant({ messageId: 'm1', requestId: 'r1', ts: '2026-11-20T23:30:00.000Z', output: 5 })]);
  assert.equal(cli(['--db', ledger, 'ingest', '-z', 'UTC', '--claude-dir', dir.claudeRoot]).code, 0);
  const days = (zone: string) => JSON.parse(cli(['--db', ledger, 'daily', '--json', '--no-ingest', '-z', zone]).stdout).daily.map((d: { date: string }) => d.date);
  assert.deepEqual(days('Asia/Tokyo'), ['2026-11-21']);
  assert.deepEqual(days('UTC'), ['2026-11-20']);
  dir.dispose();
});

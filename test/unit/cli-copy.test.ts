import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { copyCli } from '../../src/statusline/cli-copy';

const REPO = path.resolve(__dirname, '../..');

test('the CLI copied for the status line runs on its own, with every migration folder', { skip: !fs.existsSync(path.join(REPO, 'dist', 'cli.js')) && 'not built' }, () => {
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-cli-copy-')), 'cli');
  const cli = copyCli(REPO, target);
  assert.ok(fs.existsSync(path.join(target, 'migrations', 'segment', '001_events.sql')), 'the month segment schema came along');
  const ledger = path.join(path.dirname(target), 'ledger');
  const input = JSON.stringify({ session_id: 's', model: { display_name: 'Opus 4.6' }, rate_limits: { five_hour: { used_percentage: 12, resets_at: Math.floor(Date.now() / 1000) + 600 } } });
  const run = spawnSync(process.execPath, [cli, '--db', ledger, 'statusline'], { input, encoding: 'utf8', cwd: os.tmpdir() });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Opus 4\.6 · 5h 12% ↻10m\n$/);
  const ingest = spawnSync(process.execPath, [cli, '--db', ledger, 'daily', '--json', '--claude-dir', path.join(ledger, 'none')], { encoding: 'utf8', cwd: os.tmpdir() });
  assert.equal(ingest.status, 1, 'a report runs (and says no transcripts were found)');
  assert.match(ingest.stderr, /no transcripts found/);
  fs.rmSync(path.dirname(target), { recursive: true, force: true });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LedgerEngine } from '../../src/pipeline/engine';
import { generateCorpus } from '../fixtures/corpus-generator';

const REPO = path.resolve(__dirname, '../..');
const RUNS = 12;
/** JSON reports larger than a pipe's buffer, and a text table. */
const COMMANDS = [['daily', '--json'], ['session', '--json'], ['session']];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdoutBytes: number;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs the CLI with stdout on a pipe, as a status line or `| head` does. `closeAfter` bytes
 * read, the reader closes the pipe. A run that has not exited 20 s after starting is killed.
 */
function runPiped(args: string[], closeAfter = Infinity): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: REPO, env: { ...process.env, NODE_TEST_CONTEXT: undefined, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutBytes = 0;
    let stderr = '';
    let timedOut = false;
    if (closeAfter === 0) child.stdout.destroy();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes >= closeAfter) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdoutBytes, stderr, timedOut });
    });
  });
}

describe('the CLI always exits, with stdout on a pipe', () => {
  let base: string;
  let db: string;
  before(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-exit-'));
    db = path.join(base, 'ledger');
    // A year of many small sessions: reports long enough to outgrow a pipe's buffer.
    generateCorpus(base, { targetBytes: 24 * 1024 * 1024, seed: 11, days: 365, contentScale: 0.15 });
    const engine = await LedgerEngine.open({ location: { dir: db }, timeZone: 'UTC' });
    await engine.ingest({ roots: { claude: [path.join(base, 'claude')], codex: [path.join(base, 'codex')] } });
    engine.save();
    engine.close();
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  test(`${RUNS} reports read to the end: each exits 0 with all its output`, async () => {
    const sizes = new Set<number>();
    for (let i = 0; i < RUNS; i++) {
      const command = COMMANDS[i % COMMANDS.length]!;
      const run = await runPiped(['--db', db, ...command, '--no-ingest']);
      assert.equal(run.timedOut, false, `run ${i} (${command.join(' ')}) never exited after printing ${run.stdoutBytes} bytes`);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      if (i < 2) sizes.add(run.stdoutBytes);
    }
    assert.ok([...sizes].every((n) => n > 64 * 1024), `outputs larger than a pipe buffer: ${[...sizes]}`);
  });

  test(`${RUNS} readers that go away early (| head -1): each exits 0, quietly`, async () => {
    for (let i = 0; i < RUNS; i++) {
      const command = COMMANDS[i % COMMANDS.length]!;
      const run = await runPiped(['--db', db, ...command, '--no-ingest'], i % 4 < 2 ? 0 : 1);
      assert.equal(run.timedOut, false, `run ${i} (${command.join(' ')}) never exited`);
      assert.equal(run.stderr, '', `no EPIPE stack trace (run ${i})`);
      assert.equal(run.code, 0);
    }
  });

  test('output that cannot be written (a full disk) is said in one line on stderr, exit 1', { skip: !fs.existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--db', db, 'session', '--no-ingest'], {
          cwd: REPO, env: { ...process.env, NODE_TEST_CONTEXT: undefined, TZ: 'UTC' }, stdio: ['ignore', full, 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^agent-ledger: cannot write the output: .*ENOSPC.*\n$/);
    } finally {
      fs.closeSync(full);
    }
  });
});

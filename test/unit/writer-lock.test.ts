import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { saveIfStillWriter } from '../../src/cli/run-cli';
import { LOCK_STALE_MS, WriterLock } from '../../src/store/writer-lock';
import { memoryEngine, tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const REPO = path.resolve(__dirname, '../..');

/** A lock file cut short, as an older version could leave it on a full disk or when killed while writing it. */
function partlyWrittenLock(dir: string, ageMs: number): string {
  const file = path.join(dir, 'writer.lock');
  fs.writeFileSync(file, '{"token":"4f1c');
  const at = (Date.now() - ageMs) / 1000;
  fs.utimesSync(file, at, at);
  return file;
}

test('a lock no one can read is taken over once it has been unchanged for the stale time, not before', () => {
  const dir = tempLedgerDir();
  fs.mkdirSync(dir, { recursive: true });
  const lock = new WriterLock(partlyWrittenLock(dir, LOCK_STALE_MS / 3), 'test');
  try {
    assert.equal(lock.tryAcquire(), false, 'a lock written moments ago may still be being written');
    assert.equal(fs.readFileSync(path.join(dir, 'writer.lock'), 'utf8'), '{"token":"4f1c', 'and is left alone');
    partlyWrittenLock(dir, LOCK_STALE_MS + 1_000);
    assert.equal(lock.tryAcquire(), true, 'unchanged for longer than the stale time: taken over');
    assert.equal(lock.held(), true);
    assert.deepEqual(fs.readdirSync(dir), ['writer.lock'], 'nothing is left beside it');
  } finally {
    lock.release();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('a lock that a write fails to finish is never left behind: the next run can write', { skip: process.platform !== 'linux' && 'prlimit is Linux-only' }, () => {
  const dir = new TranscriptDir('agent-ledger-lock-');
  const ledger = path.join(dir.base, 'ledger');
  dir.write(dir.claudePath('-w/a.jsonl'), [claudeAssistant({ messageId: 'm1', requestId: 'r1', ts: '2026-11-20T10:00:00Z', output: 7 })]);
  const ingest = (limit?: string) => {
    const argv = [process.execPath, '--import', 'tsx', path.join(REPO, 'src/cli.ts'), '--db', ledger, 'ingest', '--claude-dir', dir.claudeRoot];
    const run = limit ? spawnSync('prlimit', [`--fsize=${limit}`, ...argv], { cwd: REPO, encoding: 'utf8' }) : spawnSync(argv[0]!, argv.slice(1), { cwd: REPO, encoding: 'utf8' });
    return { code: run.status, stderr: run.stderr };
  };
  try {
    assert.equal(ingest().code, 0);
    // Files may grow to 10 bytes: the lock cannot be written whole (nor anything else).
    assert.equal(ingest('10').code, 1);
    assert.equal(fs.existsSync(path.join(ledger, 'writer.lock')), false, 'no partly written lock is left');
    const again = ingest();
    assert.equal(again.code, 0, `with room again, the next run writes: ${again.stderr}`);
  } finally {
    dir.dispose();
  }
});

test('the CLI saves only while the lock is still its own: a run paused past the stale time and taken over saves nothing', async () => {
  const dir = new TranscriptDir('agent-ledger-lock-');
  const ledger = path.join(dir.base, 'ledger');
  dir.write(dir.claudePath('-w/a.jsonl'), [claudeAssistant({ messageId: 'm1', requestId: 'r1', ts: '2026-11-20T10:00:00Z', output: 7 })]);
  const { engine } = await memoryEngine(ledger);
  const cli = new WriterLock(path.join(ledger, 'writer.lock'), 'agent-ledger ingest');
  const window = new WriterLock(path.join(ledger, 'writer.lock'), 'a VS Code window');
  try {
    assert.equal(cli.tryAcquire(), true);
    await engine.ingest({ roots: dir.roots });
    // The run was paused: its heartbeat is past the stale time when the window looks.
    assert.equal(window.tryAcquire(Date.now() + LOCK_STALE_MS + 1_000), true, 'the window took over');
    assert.throws(() => saveIfStillWriter(engine, cli, { dir: ledger }), /a VS Code window took over the ledger .* while this run was paused; nothing was saved/);
    assert.equal(fs.existsSync(path.join(ledger, 'manifest.json')), false, 'nothing was committed');
  } finally {
    engine.close();
    cli.release();
    window.release();
    dir.dispose();
  }
});

test('on a file system without hard links (FAT: the link fails, with EISDIR on Windows), the lock is created in place', () => {
  const dir = tempLedgerDir();
  fs.mkdirSync(dir, { recursive: true });
  const nodeFs = createRequire(__filename)('node:fs') as { linkSync: typeof fs.linkSync };
  const link = nodeFs.linkSync;
  nodeFs.linkSync = () => {
    throw Object.assign(new Error('EISDIR: illegal operation on a directory, link'), { code: 'EISDIR' });
  };
  const first = new WriterLock(path.join(dir, 'writer.lock'), 'test');
  const second = new WriterLock(path.join(dir, 'writer.lock'), 'test');
  try {
    assert.equal(first.tryAcquire(), true);
    assert.equal(second.tryAcquire(), false, 'and stays exclusive');
    assert.deepEqual(fs.readdirSync(dir), ['writer.lock']);
  } finally {
    nodeFs.linkSync = link;
    first.release();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

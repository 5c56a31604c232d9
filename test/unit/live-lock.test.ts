import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import { LiveLedger } from '../../src/pipeline/live-ledger';
import { claimLedgerFolder, LOCK_FILE, MANIFEST_FILE } from '../../src/store/ledger-layout';
import { LOCK_RENEW_MS } from '../../src/store/writer-lock';
import { memoryEngine, tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

// Production timings: the lock is renewed every 5 s. About 5 s.
test('a writer whose lock another window took over (after a sleep, say) steps down to reading at its next renewal', async () => {
  const dir = new TranscriptDir();
  const ledgerDir = tempLedgerDir();
  const log = new MemoryLogger();
  const live = new LiveLedger({ ledgerDir, timeZone: 'UTC', log, ingest: { roots: dir.roots } });
  // The ledger's timers never hold a process open (an editor's host stays up on its own); this test must.
  const hold = setInterval(() => undefined, 1_000);
  try {
    await live.start();
    assert.equal(live.role, 'writer');
    const lockFile = path.join(ledgerDir, LOCK_FILE);
    const other = { token: 'another-window', pid: process.pid, host: os.hostname(), heartbeat: Date.now(), holder: 'another VS Code window' };
    fs.writeFileSync(lockFile, JSON.stringify(other));
    const [role] = await once(live, 'role', { signal: AbortSignal.timeout(LOCK_RENEW_MS + 2_000) });
    assert.equal(role, 'reader');
    assert.equal(live.role, 'reader');
    assert.equal(JSON.parse(fs.readFileSync(lockFile, 'utf8')).token, 'another-window', 'the live lock of the other window is left alone');
    assert.equal(log.lines.filter((l) => l.includes('took over updating the ledger')).length, 1, log.lines.join('\n'));
  } finally {
    clearInterval(hold);
    await live.dispose();
    dir.dispose();
  }
});

test('a window that cannot open the ledger lets another window update it: its writer lock goes at once', async () => {
  const dir = new TranscriptDir();
  const ledgerDir = tempLedgerDir();
  const log = new MemoryLogger();
  const first = new LiveLedger({ ledgerDir, timeZone: 'UTC', log, ingest: { roots: dir.roots } });
  await first.start();
  await first.dispose();
  // A ledger this version cannot open (written by a newer one).
  const manifestFile = path.join(ledgerDir, MANIFEST_FILE);
  fs.writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), version: 99 }));
  const failing = new LiveLedger({ ledgerDir, timeZone: 'UTC', log, ingest: { roots: dir.roots } });
  try {
    await assert.rejects(failing.start(), /newer Agent Ledger/);
    assert.ok(!fs.existsSync(path.join(ledgerDir, LOCK_FILE)), 'no lock is left behind by the failed open');
  } finally {
    await failing.dispose();
    dir.dispose();
  }
  assert.ok(!fs.existsSync(path.join(ledgerDir, LOCK_FILE)));
});

// Production timings: the lock is checked every 5 s. About 14 s.
test('a reading window that cannot take over (the ledger became unreadable to it) keeps what it showed and says so once, not at every lock check', async () => {
  const dir = new TranscriptDir();
  const ledgerDir = tempLedgerDir();
  const writerLog = new MemoryLogger();
  const readerLog = new MemoryLogger();
  const writer = new LiveLedger({ ledgerDir, timeZone: 'UTC', log: writerLog, ingest: { roots: dir.roots } });
  const reader = new LiveLedger({ ledgerDir, timeZone: 'UTC', log: readerLog, ingest: { roots: dir.roots } });
  const hold = setInterval(() => undefined, 1_000);
  try {
    await writer.start();
    await reader.start();
    assert.equal(reader.role, 'reader');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the writer's save is done
    const manifestFile = path.join(ledgerDir, MANIFEST_FILE);
    fs.writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), version: 99 }));
    await writer.dispose(); // its lock goes: the reader tries to take over at each check
    await new Promise((resolve) => setTimeout(resolve, 2 * LOCK_RENEW_MS + 3_000));
    assert.equal(reader.role, 'reader');
    assert.ok(reader.engine, 'it still answers with what it read');
    assert.equal(readerLog.lines.filter((l) => l.startsWith('error') && l.includes('newer Agent Ledger')).length, 1, readerLog.lines.join('\n'));
    assert.ok(!fs.existsSync(path.join(ledgerDir, LOCK_FILE)), 'no lock is kept by the failed attempts');
  } finally {
    clearInterval(hold);
    await reader.dispose();
    dir.dispose();
  }
});

test('a reading window opened before the updating window first saved says it waits for that save, not "$0.00"; the save ends the wait', async () => {
  const dir = new TranscriptDir();
  const ledgerDir = tempLedgerDir();
  claimLedgerFolder(ledgerDir);
  // Another window holds the lock and is still in its first read: nothing saved yet.
  fs.writeFileSync(path.join(ledgerDir, LOCK_FILE), JSON.stringify({ token: 'another-window', pid: process.pid, host: os.hostname(), heartbeat: Date.now(), holder: 'another VS Code window' }));
  const reader = new LiveLedger({ ledgerDir, timeZone: 'UTC', log: new MemoryLogger(), ingest: { roots: dir.roots } });
  const hold = setInterval(() => undefined, 1_000);
  try {
    await reader.start();
    assert.equal(reader.role, 'reader');
    assert.equal(reader.awaitingFirstSave, true);
    // That window's first save.
    dir.write(dir.claudePath('-w/s.jsonl'), [claudeAssistant({ messageId: 'm', requestId: 'r', ts: '2026-11-20T10:00:00.000Z', output: 7 })]);
    const { engine } = await memoryEngine(ledgerDir);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    engine.close();
    await once(reader, 'changed', { signal: AbortSignal.timeout(3_000) }); // the manifest watcher's reload
    assert.equal(reader.awaitingFirstSave, false);
  } finally {
    clearInterval(hold);
    await reader.dispose();
    dir.dispose();
  }
});

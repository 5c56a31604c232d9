import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import type { IngestProgress } from '../../src/pipeline/ingest';
import { LiveLedger } from '../../src/pipeline/live-ledger';
import { eventTotals, tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const T = '2026-11-20T10:00:00.000Z';

/** A folder of `count` sessions, each one reply of one output token. */
function oneReplySessions(count: number): TranscriptDir {
  const dir = new TranscriptDir();
  for (let i = 0; i < count; i++) {
    dir.write(dir.claudePath(`-w-app/s${i}.jsonl`), [claudeAssistant({ messageId: `m${i}`, requestId: `r${i}`, ts: T, output: 1 })]);
  }
  return dir;
}

/** A writer over `dir` whose first read the user cancels once `at` files are read. */
async function cancelledFirstRead(dir: TranscriptDir, at: number): Promise<LiveLedger> {
  const live = new LiveLedger({ ledgerDir: tempLedgerDir(), timeZone: 'UTC', log: new MemoryLogger(), ingest: { roots: dir.roots } });
  const cancel = new AbortController();
  live.on('progress', (p) => {
    if (p && p.filesDone >= at) cancel.abort();
  });
  await live.start(cancel.signal);
  return live;
}

// The host shows progress as "indexing" in the status bar: only the first indexing may report it,
// or every later rescan (each 30 s) would replace today's spend with a spinner.
test('progress is reported for the first indexing only, once per whole percent, then never for later reads', async () => {
  const dir = oneReplySessions(250);
  const live = new LiveLedger({ ledgerDir: tempLedgerDir(), timeZone: 'UTC', log: new MemoryLogger(), ingest: { roots: dir.roots } });
  const events: (IngestProgress | undefined)[] = [];
  live.on('progress', (p) => events.push(p));
  try {
    await live.start();
    assert.equal(live.role, 'writer');
    assert.equal(events.at(-1), undefined, 'the first indexing ends with an undefined progress');
    const reports = events.slice(0, -1) as IngestProgress[];
    assert.ok(reports.length >= 100 && reports.length <= 101, `one report per whole percent, got ${reports.length} for 250 files`);
    assert.deepEqual(reports.at(-1), { filesDone: 250, filesTotal: 250, bytes: reports.at(-1)!.bytes });

    const before = events.length;
    dir.write(dir.claudePath('-w-app/new.jsonl'), [claudeAssistant({ messageId: 'mx', requestId: 'rx', ts: T, output: 1 })]);
    const report = await live.refreshNow();
    assert.equal(report?.requests, 1, 'the refresh read the new file');
    assert.equal(events.length, before, 'a later full read reports no progress');
  } finally {
    await live.dispose();
    dir.dispose();
  }
});

// Production timings: the writer's safety-net rescan runs every 30 s. About 32 s.
test('a cancelled first read stays cancelled: the 30 s rescan does not read the rest, changed files are still read, Refresh Now reads the rest', async () => {
  const dir = oneReplySessions(200);
  const hold = setInterval(() => undefined, 1_000); // the ledger's timers never hold a process open; this test must
  const live = await cancelledFirstRead(dir, 20);
  const outputTokens = () => eventTotals(live.engine!).output;
  try {
    const read = outputTokens();
    assert.ok(read >= 20 && read < 200, `the read stopped part-way (${read} of 200 files)`);
    assert.equal(live.readingPaused, true);

    await new Promise((resolve) => setTimeout(resolve, 31_000));
    assert.equal(outputTokens(), read, 'the rescan did not resume the cancelled read');

    dir.write(dir.claudePath('-w-app/live.jsonl'), [claudeAssistant({ messageId: 'live', requestId: 'live', ts: T, output: 1000 })]);
    live.notifyChanged([dir.claudePath('-w-app/live.jsonl')]); // what the file watcher reports
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(outputTokens(), read + 1000, 'a file that changed is read');
    assert.equal(live.readingPaused, true);

    await live.refreshNow();
    assert.equal(outputTokens(), 200 + 1000, 'Refresh Now read the rest');
    assert.equal(live.readingPaused, false);
  } finally {
    clearInterval(hold);
    await live.dispose();
    dir.dispose();
  }
});

test('with no agent folder where it looks, the writer says which folders it looked in; once one appears, it stops saying so', async () => {
  const dir = new TranscriptDir();
  const missing = `${dir.base}/not-yet`;
  const live = new LiveLedger({ ledgerDir: tempLedgerDir(), timeZone: 'UTC', log: new MemoryLogger(), ingest: { roots: { claude: [missing], codex: [missing] }, agents: ['claude', 'codex'] } });
  try {
    await live.start();
    const folders = live.foldersNotFound ?? [];
    assert.ok(folders.length >= 2 && folders.every((f) => f.startsWith(missing)), folders.join('\n'));
    dir.write(`${missing}/projects/-w-app/s.jsonl`, [claudeAssistant({ messageId: 'm', requestId: 'r', ts: T, output: 1 })]);
    await live.refreshNow();
    assert.equal(live.foldersNotFound, undefined);
  } finally {
    await live.dispose();
    dir.dispose();
  }
});

test('after a cancelled first read, a change of settings (what to read) reads everything: the user asked for more', async () => {
  const dir = oneReplySessions(100);
  const hold = setInterval(() => undefined, 1_000);
  const live = await cancelledFirstRead(dir, 10);
  try {
    assert.equal(live.readingPaused, true);
    live.reconfigure({ roots: dir.roots });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the 75 ms debounce, then the read
    assert.equal(eventTotals(live.engine!).output, 100);
    assert.equal(live.readingPaused, false);
  } finally {
    clearInterval(hold);
    await live.dispose();
    dir.dispose();
  }
});

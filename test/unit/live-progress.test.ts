import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import type { IngestProgress } from '../../src/pipeline/ingest';
import { LiveLedger } from '../../src/pipeline/live-ledger';
import { tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const T = '2026-11-20T10:00:00.000Z';

// The host shows progress as "indexing" in the status bar: only the first indexing may report it,
// or every later rescan (each 30 s) would replace today's spend with a spinner.
test('progress is reported for the first indexing only, once per whole percent, then never for later reads', async () => {
  const dir = new TranscriptDir();
  for (let i = 0; i < 250; i++) {
    dir.write(dir.claudePath(`-w-app/s${i}.jsonl`), [claudeAssistant({ messageId: `m${i}`, requestId: `r${i}`, ts: T, output: 1 })]);
  }
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

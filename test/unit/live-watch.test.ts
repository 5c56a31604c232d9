import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import { LiveLedger } from '../../src/pipeline/live-ledger';
import { tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const T = '2026-11-20T10:00:00.000Z';
const line = (n: number) => claudeAssistant({ messageId: `m${n}`, requestId: `r${n}`, ts: T, output: n });

/** Resolves with the output total once it reaches `want`, or fails after `withinMs`. */
async function outputReaches(live: LiveLedger, want: number, withinMs: number): Promise<void> {
  const deadline = AbortSignal.timeout(withinMs);
  // The ledger's timers never hold a process open (an editor's host stays up on its own); this test must.
  const hold = setInterval(() => undefined, 1_000);
  try {
    while ((live.engine?.readers.periodTotals().outputTokens ?? 0) < want) await once(live, 'changed', { signal: deadline });
  } finally {
    clearInterval(hold);
  }
}

// Production timings: the 30 s rescan, the debounce, the lock. About 35 s.
test('a transcript folder created after start-up is read by the rescan and then watched', async () => {
  const dir = new TranscriptDir();
  const live = new LiveLedger({ ledgerDir: tempLedgerDir(), timeZone: 'UTC', log: new MemoryLogger(), ingest: { roots: dir.roots } });
  try {
    await live.start();
    assert.equal(live.role, 'writer');
    const file = dir.write(dir.claudePath('-w-app/s1.jsonl'), [line(1)]);
    await outputReaches(live, 1, 40_000);
    dir.append(file, `${line(2)}\n`);
    // Well inside the next rescan: only a watcher on the new folder can report the append this soon.
    await outputReaches(live, 3, 5_000);
  } finally {
    await live.dispose();
    dir.dispose();
  }
});

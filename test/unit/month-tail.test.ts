import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MANIFEST_FILE } from '../../src/store/ledger-layout';
import { readManifest, type MonthEntry } from '../../src/store/manifest';
import { writeCosts } from '../../src/store/reprice';
import { eventTotals, memoryEngine, tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const january = (ledger: string): MonthEntry => {
  const read = readManifest(path.join(ledger, MANIFEST_FILE));
  assert.ok(read.ok);
  return read.manifest.months['2026-01']!;
};

/** `count` requests of one Claude session in January, numbered from `from`. */
function requests(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => claudeAssistant({
    messageId: `m${from + i}`, requestId: `r${from + i}`, ts: new Date(Date.UTC(2026, 0, 5) + (from + i) * 1000).toISOString(), input: 1, output: 1,
  }));
}

test('a save after an append writes the month\'s tail alone; a tail past its share, or a re-price, writes the whole month anew', async () => {
  const dir = new TranscriptDir();
  const ledger = tempLedgerDir();
  const file = dir.claudePath('-w/s.jsonl');
  let { engine } = await memoryEngine(ledger);
  try {
    dir.write(file, requests(0, 100));
    await engine.ingest({ roots: dir.roots });
    engine.save();
    const base = january(ledger);
    assert.equal(base.tail, undefined, 'a new month is written whole');

    dir.append(file, `${requests(100, 50).join('\n')}\n`);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    let month = january(ledger);
    assert.equal(month.name, base.name, 'the base is not written again');
    assert.equal(month.tail?.rows, 50, 'only the appended events are written, to the tail');
    assert.ok(month.tail!.bytes < base.bytes);

    dir.append(file, `${requests(150, 10).join('\n')}\n`);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    month = january(ledger);
    assert.equal(month.tail?.rows, 60, 'the tail holds every event since the base');
    engine.close();

    ({ engine } = await memoryEngine(ledger));
    assert.equal(eventTotals(engine).input, 160, 'base and tail read back as one month');
    dir.append(file, `${requests(160, 2_000).join('\n')}\n`);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    month = january(ledger);
    assert.notEqual(month.name, base.name, 'a tail past 2,000 events (and an eighth of the base) is folded into a new base');
    assert.equal(month.tail, undefined);
    assert.equal(month.rows, 2_160);

    dir.append(file, `${requests(2_160, 5).join('\n')}\n`);
    await engine.ingest({ roots: dir.roots });
    const firstId = Number(engine.ledger.months.db('2026-01').exec('SELECT MIN(id) FROM usage_events')[0]!.values[0]![0]);
    writeCosts(engine.ledger, '2026-01', [[7, firstId]]);
    engine.save();
    const repriced = january(ledger);
    assert.notEqual(repriced.name, month.name, 'saved rows changed: the whole month is written');
    assert.equal(repriced.tail, undefined);
    engine.close();

    ({ engine } = await memoryEngine(ledger));
    assert.equal(eventTotals(engine).input, 2_165);
    assert.deepEqual(fs.readdirSync(ledger).filter((name) => name.includes('.tail.')), [], 'no tail is left that no manifest names');
  } finally {
    engine.close();
    dir.dispose();
  }
});

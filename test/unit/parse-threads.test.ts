import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { eventTotals, memoryEngine } from '../fixtures/engine-harness';
import { generateCorpus } from '../fixtures/corpus-generator';
import { parseFile } from '../../src/pipeline/parse-file';
import { ParsePool } from '../../src/pipeline/parse-pool';

test('parsing on worker threads gives exactly what parsing on the main thread gives', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-threads-'));
  try {
    const corpus = generateCorpus(dir, { targetBytes: 3 * 1024 * 1024, seed: 5 });
    const roots = { claude: [corpus.claudeRoot], codex: [corpus.codexHome] };
    const { engine: threaded, log } = await memoryEngine();
    const { engine: inline } = await memoryEngine();
    const a = await threaded.ingest({ roots, workers: 2, threadedFromBytes: 0 });
    const b = await inline.ingest({ roots, workers: 0 });
    assert.ok(a.requests > 500, `a real corpus (${a.requests} requests)`);
    assert.deepEqual(
      { requests: a.requests, grown: a.grown, duplicates: a.duplicates, replays: a.replicaReplays, invalid: a.invalidLines, bytes: a.bytes },
      { requests: b.requests, grown: b.grown, duplicates: b.duplicates, replays: b.replicaReplays, invalid: b.invalidLines, bytes: b.bytes },
    );
    assert.deepEqual(eventTotals(threaded), eventTotals(inline));
    assert.deepEqual(threaded.readers.dailyByModel(), inline.readers.dailyByModel());
    assert.deepEqual(threaded.readers.sessions(), inline.readers.sessions());
    assert.ok(!log.has('error', ''), log.lines.filter((l) => l.startsWith('error')).join('\n'));
    threaded.close();
    inline.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a parser thread that dies does not stall or lose a file: parsing falls back to this thread', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-threads-dead-'));
  try {
    const corpus = generateCorpus(dir, { targetBytes: 512 * 1024, seed: 3 });
    const file = path.join(corpus.claudeRoot, 'projects');
    const first = fs.readdirSync(file, { recursive: true }).map(String).find((f) => f.endsWith('.jsonl'))!;
    const request = { path: path.join(file, first), agent: 'claude' as const, from: 0, state: undefined };
    const failures: string[] = [];
    const pool = new ParsePool(1, (m) => failures.push(m), { code: 'throw new Error("boom")', eval: true });
    const viaDeadPool = await pool.parse(request);
    const again = await pool.parse(request);
    await pool.close();
    assert.deepEqual(viaDeadPool, parseFile(request), 'the pending request is parsed on this thread');
    assert.deepEqual(again, parseFile(request), 'later requests too');
    assert.equal(failures.length, 1, `one failure reported: ${failures.join(' | ')}`);
    assert.match(failures[0]!, /boom/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

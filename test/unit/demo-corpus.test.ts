import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { generateCorpus } from '../fixtures/corpus-generator';

const ROOT = path.resolve(__dirname, '..', '..');
const HOUR = 3_600_000;

/** Every instant written in the corpus's transcripts (line, snapshot and session timestamps). */
function instants(dir: string): number[] {
  const out: number[] = [];
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.jsonl')) continue;
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/"(?:timestamp|backupTime)":"([^"]+)"/g)) out.push(Date.parse(m[1]!));
  }
  return out;
}

describe('a corpus that ends now', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-demo-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('the demo corpus has no event after the time it was made, and reaches the last day', () => {
    const dir = tempDir();
    const started = Date.now();
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'make-demo-corpus.ts'), dir], { cwd: ROOT });
    const made = Date.now();
    const times = instants(dir);
    assert.ok(times.length > 1000, `${times.length} timestamps`);
    const future = times.filter((t) => t > made);
    assert.deepEqual(future.map((t) => new Date(t).toISOString()).slice(0, 5), [], `${future.length} of ${times.length} are after ${new Date(made).toISOString()}`);
    assert.ok(Math.max(...times) > started - 24 * HOUR, 'the corpus runs up to the last day');
  });

  test('endAt bounds every line and every day of the ground truth, at any hour', () => {
    for (const endAt of [Date.parse('2026-03-10T00:20:00Z'), Date.parse('2026-03-10T09:15:00Z'), Date.parse('2026-03-10T23:59:00Z')]) {
      const dir = tempDir();
      const manifest = generateCorpus(dir, { targetBytes: 1024 * 1024, seed: 3, days: 10, endAt });
      assert.ok(Math.max(...instants(dir)) <= endAt, new Date(endAt).toISOString());
      const days = Object.keys(manifest.truth).map((k) => k.split('|')[1]!);
      assert.ok(days.every((d) => d <= '2026-03-10'), 'no day after the end');
    }
  });
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { markerSearch, scanLines } from '../../src/sources/line-scanner';

/** A small deterministic generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lines of words, some holding a marker, or near misses: a marker cut short or with one byte changed. */
function lines(next: () => number, markers: string[], count: number): string[] {
  const misses = markers.flatMap((m) => [m.slice(0, -1), ...[...m].map((_, i) => m.slice(0, i) + 'X' + m.slice(i + 1))]);
  const words = ['"type":"x"', 'call_id', '_', '"', 'tokens', 'a_b', '{', '}', 'é', 'plain', ...misses, ...markers];
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 12) }, () => words[Math.floor(next() * words.length)]).join(next() < 0.5 ? '' : ' '));
}

const MARKER_SETS: Record<string, string[]> = {
  'one marker': ['_tokens"'],
  'markers sharing a first byte': ['_count"', '_context"', '_meta"', '_applied"', '_started"'],
  'markers sharing a quote': ['"tokens"', '"sessionId"'],
  'markers with different first bytes': ['_count"', 'tokens"', '{"a'],
};

for (const [name, markers] of Object.entries(MARKER_SETS)) {
  test(`markerSearch finds each first marker as a plain search does: ${name}`, () => {
    const next = random(markers.length * 7919);
    for (let round = 0; round < 200; round++) {
      const text = lines(next, markers, 1 + Math.floor(next() * 8)).join('\n');
      const region = Buffer.from(text);
      const find = markerSearch(region, markers.map((m) => Buffer.from(m)));
      const expected = (from: number) => {
        const hits = markers.map((m) => region.indexOf(m, from)).filter((i) => i >= 0);
        return hits.length ? Math.min(...hits) : -1;
      };
      // Called as the scanner calls it: with positions that only grow.
      for (let from = 0; from <= region.length; from += 1 + Math.floor(next() * 9)) assert.equal(find(from), expected(from), `from ${from} in ${JSON.stringify(text)}`);
    }
  });
}

test('scanLines hands over exactly the lines holding a marker, with their offsets, whatever the marker set', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-scan-'));
  try {
    for (const [name, markers] of Object.entries(MARKER_SETS)) {
      const all = lines(random(name.length), markers, 3000);
      const file = path.join(dir, 'lines.jsonl');
      fs.writeFileSync(file, all.join('\r\n') + '\r\n');
      const expected: [string, number][] = [];
      let offset = 0;
      for (const line of all) {
        if (markers.some((m) => line.includes(m))) expected.push([line, offset]);
        offset += Buffer.byteLength(line) + 2;
      }
      const seen: [string, number][] = [];
      const fd = fs.openSync(file, 'r');
      try {
        const outcome = scanLines(fd, 0, { markers: markers.map((m) => Buffer.from(m)), onLine: (text, at) => seen.push([text, at]) });
        assert.equal(outcome.endOffset, offset, name);
        assert.equal(outcome.candidates, expected.length, name);
      } finally {
        fs.closeSync(fd);
      }
      assert.ok(expected.length > 100 && expected.length < all.length, `${name}: a mix of lines (${expected.length} of ${all.length})`);
      assert.deepEqual(seen, expected, name);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

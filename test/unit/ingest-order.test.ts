import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interleave } from '../../src/pipeline/ingest';

test('agents are read interleaved: each keeps its own order, and all reach their ends together', () => {
  const claude = Array.from({ length: 12 }, (_, i) => `claude-${i}`);
  const codex = Array.from({ length: 3 }, (_, i) => `codex-${i}`);
  const merged = interleave([claude, codex]);
  assert.equal(merged.length, 15);
  assert.deepEqual(merged.filter((f) => f.startsWith('claude')), claude);
  assert.deepEqual(merged.filter((f) => f.startsWith('codex')), codex);
  // Codex's files are spread over the run, not left for its end.
  assert.deepEqual(codex.map((f) => merged.indexOf(f)), [2, 7, 12]);
  assert.deepEqual(interleave([[], ['a', 'b']]), ['a', 'b']);
  assert.deepEqual(interleave<string>([]), []);
});

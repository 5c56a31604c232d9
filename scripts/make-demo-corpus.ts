/** Writes a small demo corpus (Claude root + Codex home) covering the last 30 days and ending now. */
import { generateCorpus } from '../test/fixtures/corpus-generator';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: make-demo-corpus.ts <dir>\n');
  process.exit(2);
}
const manifest = generateCorpus(dir, { targetBytes: 3 * 1024 * 1024, seed: 7, days: 30, endAt: Date.now() });
process.stdout.write(`demo corpus: ${dir} (${manifest.requests.claude + manifest.requests.codex} requests)\n`);

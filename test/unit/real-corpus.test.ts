import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { memoryEngine } from '../fixtures/engine-harness';
import { REAL_CORPUS } from '../fixtures/shared';

/** Public transcripts and other tools' published expectations, read in place (never copied here). */
const CORPUS = REAL_CORPUS;

interface Expectation {
  id: string;
  run: string;
  date?: string;
  model?: string;
  expected: Record<string, number>;
}

/** The oracles our counting rules are meant to meet (the others are discussed in the README). */
const MET = [
  'ccusage-codex-direct-daily-json', 'logpile-replay-multisecond', 'logpile-counter-reset-epochs',
  'logpile-fresh-same-second', 'logpile-fork-leaf', 'codexbar-harness-smoke',
  'codexbar-live-fork-deduped', 'codexbar-archived-fork-parent-owns-prefix',
  // ccusage's own Claude fixtures: lines without a top-level `type`.
  'ccusage-daily-json-2026-01-09', 'ccusage-daily-json-2026-01-10', 'ccusage-daily-json-2026-02-03', 'ccusage-claude-direct-daily-json',
];

const expectations = (): Expectation[] =>
  (JSON.parse(fs.readFileSync(path.join(CORPUS, 'EXPECTED.json'), 'utf8')) as { expectations: Expectation[] }).expectations;

describe('real corpus: published expectations of other tools', { skip: !fs.existsSync(CORPUS) && 'no ../shared/real-corpus' }, () => {
  for (const id of MET) {
    test(id, async () => {
      const e = expectations().find((x) => x.id === id)!;
      const [dir, agent = 'codex'] = e.run.split(':');
      const root = e.run.includes(':') ? path.join(CORPUS, dir!, agent) : path.join(CORPUS, dir!);
      const { engine } = await memoryEngine();
      try {
        await engine.ingest({ roots: { [agent]: [root] }, agents: [agent] });
        const rows = engine.readers.dailyByModel(e.date ? { since: e.date, until: e.date } : {});
        const pick = rows.filter((r) => e.model === undefined || e.model === '*' || r.model === e.model);
        const sum = (k: 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWrite5mTokens' | 'cacheWrite1hTokens') => pick.reduce((n, r) => n + r[k], 0);
        const got: Record<string, number> = {
          inputTokens: sum('inputTokens'), outputTokens: sum('outputTokens'), cacheReadTokens: sum('cacheReadTokens'),
          // CodexBar's scanner units: its input includes the cached part.
          units: sum('inputTokens') + 2 * sum('cacheReadTokens') + sum('outputTokens'),
          cacheCreationTokens: sum('cacheWrite5mTokens') + sum('cacheWrite1hTokens'),
        };
        for (const key of Object.keys(e.expected)) assert.equal(got[key], e.expected[key], `${id} ${key}`);
      } finally {
        engine.close();
      }
    });
  }
});

/**
 * `npm run parity -- [size=64m] [--seed N] [--dir D] [--bundle] [--null-quirks] [--no-tier | --tier-rate P]
 *                   [--tz IANA] [--incremental PHASES] [--cells]`
 *
 * Generates a corpus of the given size (kept in D when given, else a temporary folder that
 * is removed afterwards), runs ccusage and our CLI on it and prints the comparison.
 * --tz compares days in another zone (the generator's truth is UTC-only, so it is skipped);
 * --incremental N also reads the corpus while it grows (N runs on one database) and requires
 * the result to equal a cold read. --bundle runs dist/cli.js instead of the TypeScript source.
 * --cells prints every (day, model) cell side by side.
 * Exit code 1 when tokens differ or the total cost differs by more than 0.5%.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateCorpus, parseSize, readManifest, type CorpusManifest } from '../fixtures/corpus-generator';
import { compareAgent, describeCells, describeParity } from './parity-lib';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seed: { type: 'string', default: '1' },
    dir: { type: 'string' },
    bundle: { type: 'boolean', default: false },
    'null-quirks': { type: 'boolean', default: false },
    'no-tier': { type: 'boolean', default: false },
    'tier-rate': { type: 'string' },
    tz: { type: 'string', default: 'UTC' },
    incremental: { type: 'string', default: '0' },
    cells: { type: 'boolean', default: false },
  },
});
const size = parseSize(positionals[0] ?? '64m');
const seed = Number(values.seed);
const keep = values.dir !== undefined;
const dir = values.dir ? path.resolve(values.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-parity-'));

try {
  const options = { targetBytes: size, seed, nullQuirkRate: values['null-quirks'] ? 1 / 300 : 0, tierRate: values['no-tier'] ? 0 : values['tier-rate'] ? Number(values['tier-rate']) : 1 / 1500 };
  let manifest: CorpusManifest | undefined = readManifest(dir);
  const same = manifest && manifest.options.targetBytes === size && manifest.options.seed === seed &&
    manifest.options.nullQuirkRate === options.nullQuirkRate && manifest.options.tierRate === options.tierRate;
  if (!manifest || !same) {
    process.stderr.write(`generating ${(size / 1048576).toFixed(1)} MiB corpus (seed ${seed}) in ${dir}\n`);
    let shown = -1;
    manifest = generateCorpus(dir, {
      ...options,
      onProgress: (b, t) => {
        const pct = Math.floor((100 * b) / t);
        if (pct !== shown && process.stderr.isTTY) process.stderr.write(`\r  ${(shown = pct)}%`);
      },
    });
    process.stderr.write('\n');
  }
  const m = manifest;
  process.stdout.write(
    `corpus: ${(m.bytes.total / 1048576).toFixed(1)} MiB (claude ${(m.bytes.claude / 1048576).toFixed(1)}, codex ${(m.bytes.codex / 1048576).toFixed(1)}), ` +
      `${m.files.claude + m.files.claudeSubagents + m.files.codex} files, ${m.requests.claude} claude requests, ${m.requests.codex} codex turns, ` +
      `${m.deliberate.tier.length} tier requests, ${m.deliberate.nullInToolInput.length} null-in-tool-input requests\n\n`,
  );
  let failed = false;
  for (const agent of ['claude', 'codex'] as const) {
    const p = compareAgent(agent, m, dir, { preferBundle: values.bundle, zone: values.tz, incrementalPhases: Number(values.incremental) });
    process.stdout.write(`${describeParity(p)}\n\n`);
    if (values.cells) process.stdout.write(`${describeCells(p)}\n\n`);
    if (p.vsCcusage.length || p.vsTruth.length || p.totalCostRelative > 0.005) failed = true;
    if (p.incremental && (p.incremental.vsCold.length || p.incremental.costRelative > 1e-9)) failed = true;
  }
  process.stdout.write(failed ? 'PARITY: FAIL\n' : 'PARITY: OK\n');
  process.exitCode = failed ? 1 : 0;
} finally {
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
}

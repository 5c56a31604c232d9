/**
 * Child process for test/unit/crash.test.ts: opens an engine on a ledger folder, ingests a
 * corpus in batches of files with a save after each batch, then once more in full, and prints
 * the totals. The parent kills it with SIGKILL at random moments and runs it again.
 *
 *   node --import tsx test/crash/ingest-child.ts <dbFile> <claudeRoot> <codexHome> <filesPerSave>
 *
 * filesPerSave = 0: one ingest of everything and one save (the uninterrupted reference run).
 * stdout, one line each: `opened <movedAside|->`, `batch <i> <n>`, `saving <i>`, `saved <i> <bytes>`,
 * and finally `result <json>`. Log lines go to stderr as `<level> <message>`.
 */
import type { Logger } from '../../src/core/log';
import { fileSetsOf } from '../../src/normalizers/agent-normalizer';
import { NORMALIZERS } from '../../src/normalizers/registry';
import { LedgerEngine } from '../../src/pipeline/engine';
import { eventTotals } from '../fixtures/engine-harness';
import { listTranscripts, sortForReading } from '../../src/sources/file-listing';
import { resolveRoots } from '../../src/sources/roots';

const [dbFile, claudeRoot, codexHome, perSaveText] = process.argv.slice(2);
if (!dbFile || !claudeRoot || !codexHome || perSaveText === undefined) {
  process.stderr.write('usage: ingest-child.ts <dbFile> <claudeRoot> <codexHome> <filesPerSave>\n');
  process.exit(2);
}
const filesPerSave = Number(perSaveText);

const log: Logger = {
  debug: () => {},
  info: (m) => process.stderr.write(`info ${m}\n`),
  warn: (m) => process.stderr.write(`warn ${m}\n`),
  error: (m) => process.stderr.write(`error ${m}\n`),
};
const say = (line: string) => process.stdout.write(`${line}\n`);
const roots = { claude: [claudeRoot], codex: [codexHome] };

/** Every transcript, in the order the engine itself reads them. */
function transcriptPaths(): string[] {
  const paths: string[] = [];
  for (const normalizer of NORMALIZERS) {
    const explicit = roots[normalizer.agent as keyof typeof roots];
    if (!explicit) continue;
    const sets = fileSetsOf(normalizer);
    const files = resolveRoots(normalizer.agent, sets, { explicit, env: {} }).flatMap((root) => listTranscripts(root, sets[root.set]!, log));
    for (const file of sortForReading(files, (r) => normalizer.fileRank(r))) paths.push(file.path);
  }
  return paths;
}

async function main(): Promise<void> {
  const engine = await LedgerEngine.open({ location: { dir: dbFile! }, timeZone: 'UTC', log });
  const { recovery } = engine.ledger;
  say(`opened ${recovery.rereadSources || recovery.rebuildMarts ? 'repaired' : '-'}`);
  if (filesPerSave > 0) {
    const paths = transcriptPaths();
    const batches = Math.ceil(paths.length / filesPerSave);
    for (let i = 0; i < batches; i++) {
      say(`batch ${i} ${batches}`);
      const ingested = await engine.ingest({ roots, onlyPaths: new Set(paths.slice(i * filesPerSave, (i + 1) * filesPerSave)) });
      if (ingested.files === 0) throw new Error(`batch ${i} matched no file: the listing and the engine disagree on paths`);
      say(`saving ${i}`);
      const report = engine.save();
      say(`saved ${i} ${report?.bytes ?? 0}`);
    }
  }
  await engine.ingest({ roots });
  say('saving final');
  engine.save();
  say('saved final');
  const totals = engine.readers.periodTotals();
  const events = eventTotals(engine);
  const requests = events.messages;
  const daily = engine.readers.dailyByModel();
  engine.close();
  say(`result ${JSON.stringify({ totals, requests, events, daily })}`);
}

main().catch((error: Error) => {
  process.stderr.write(`error child failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

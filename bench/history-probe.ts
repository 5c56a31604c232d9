/**
 * A fresh process that opens a ledger folder the way one window would, and reports its memory
 * (`bench/history.ts` forks its bundle, bench/.build/history-probe.js, with IPC and `--expose-gc`):
 *   writer <dir> <claudeRoot> <emptyRoot>  open as the writer, ingest the appended session, save
 *   reader <dir>                           open read-only; on 'refresh', open again (a reader's reload)
 * Memory is RSS after a GC; `baselineMb` is the same process before opening (sql.js loaded).
 */
import { silentLogger } from '../src/core/log';
import { LedgerEngine } from '../src/pipeline/engine';
import { loadSqlJs } from '../src/store/sqljs-loader';
import { statusSnapshot } from '../src/ui/status-snapshot';

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const rssMb = () => {
  gc();
  return process.memoryUsage().rss / MB;
};
const send = (message: Record<string, unknown>) => process.send!(message);

async function main(): Promise<void> {
  const [mode, dir, claudeRoot, emptyRoot] = process.argv.slice(2);
  await loadSqlJs();
  const baselineMb = rssMb();
  const open = (readOnly: boolean) => LedgerEngine.open({ location: { dir: dir! }, timeZone: 'UTC', log: silentLogger, readOnly });
  if (mode === 'writer') {
    const engine = await open(false);
    await engine.ingest({ roots: { claude: [claudeRoot!], codex: [emptyRoot!] } });
    engine.save();
    send({ baselineMb, rssMb: rssMb(), peakRssMb: process.resourceUsage().maxRSS / 1024 });
    engine.close();
    return;
  }
  let t = performance.now();
  let engine = await open(true);
  statusSnapshot(engine.readers, []);
  const openMs = performance.now() - t;
  send({ baselineMb, rssMb: rssMb(), openMs });
  await new Promise((resolve) => process.once('message', resolve));
  t = performance.now();
  const fresh = await open(true);
  statusSnapshot(fresh.readers, []);
  const refreshMs = performance.now() - t;
  engine.close();
  engine = fresh;
  send({ baselineMb, rssMb: rssMb(), refreshMs, peakRssMb: process.resourceUsage().maxRSS / 1024 });
  engine.close();
}

void main().then(
  () => process.disconnect(),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);

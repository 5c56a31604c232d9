/**
 * How long a line appended to a transcript takes to reach the status bar's numbers, through
 * the live path the extension uses: fs.watch → debounce → tail → marts → status snapshot.
 *   node --import tsx bench/append-latency.ts [--runs 15] [--corpus-bytes 50m]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/core/log';
import { LiveLedger } from '../src/pipeline/live-ledger';
import { statusSnapshot } from '../src/ui/status-snapshot';
import { generateCorpus, parseSize } from '../test/fixtures/corpus-generator';
import { claudeAssistant } from '../test/fixtures/transcript-lines';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, 'corpus-bytes': { type: 'string', default: '50m' } } });
  const runs = Number(values.runs);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'al-latency-'));
  const today = new Date().toISOString().slice(0, 10);
  const manifest = generateCorpus(path.join(base, 'corpus'), { targetBytes: parseSize(values['corpus-bytes']!), seed: 11, endDay: today });
  const ledgerDir = path.join(base, 'ledger');
  const live = new LiveLedger({
    ledgerDir,
    timeZone: 'UTC',
    log: process.env.BENCH_DEBUG ? { debug: console.error, info: console.error, warn: console.error, error: console.error } : silentLogger,
    ingest: { roots: { claude: [manifest.claudeRoot], codex: [manifest.codexHome] } },
  });
  // The engine's watchers and timers do not keep a process alive (the extension host is); this does.
  const keepAlive = setInterval(() => undefined, 1000);
  await live.start();
  const file = path.join(manifest.claudeRoot, 'projects', '-bench-live', 'live.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
  await new Promise((r) => setTimeout(r, 500)); // let the watcher settle on the new folder

  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const seen = new Promise<number>((resolve) => {
      live.once('changed', () => {
        statusSnapshot(live.engine!.readers, ['/bench/live']);
        resolve(performance.now());
      });
    });
    const started = performance.now();
    fs.appendFileSync(file, `${claudeAssistant({ messageId: `live_${i}`, requestId: `req_${i}`, sessionId: 'live', cwd: '/bench/live', ts: new Date().toISOString(), output: 100 })}\n`);
    latencies.push((await seen) - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  await live.dispose();
  clearInterval(keepAlive);
  const events = manifest.requests.claude + manifest.requests.codex;
  process.stdout.write(
    `append → status snapshot over ${(manifest.bytes.total / 1048576).toFixed(0)} MiB (${events} requests), ${runs} runs:\n` +
      `  median ${median(latencies).toFixed(1)} ms, min ${Math.min(...latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (includes the 75 ms debounce)\n`,
  );
  fs.rmSync(base, { recursive: true, force: true });
}

void main();

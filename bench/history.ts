/**
 * Part `history` of `npm run bench`: the figures of issue 6 at N events of history whose
 * transcripts are gone (see history-ledger.ts), for each N, plus the host's event-loop delay
 * while the engine thread works. Every figure is a median of `runs` unless said otherwise.
 */
import { fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../src/core/log';
import { EngineClient, engineWorkerEntry } from '../src/pipeline/engine-client';
import type { EngineEvent, EngineInit } from '../src/pipeline/engine-protocol';
import { LedgerEngine } from '../src/pipeline/engine';
import { DayClock } from '../src/core/time';
import { MartDeltas, readMonthInto } from '../src/marts/mart-deltas';
import { MART_TABLES } from '../src/marts/registry';
import { writeFresh } from '../src/marts/write-fresh';
import { costNanos } from '../src/pricing/nanos';
import { buildHistoryLedger, committedBytes, folderBytes, writeClaudeSession } from './history-ledger';

export interface HistoryOptions {
  sizes: number[];
  /** Events in the current month, the same at every size. */
  currentMonth: number;
  runs: number;
  seed: number;
  /** Scratch space (a ledger folder per size, transcript roots). */
  tmp: string;
  /** The engine thread's bundled entry (as the extension ships it). */
  workerBundle: string;
  /** history-probe.ts bundled the same way (a process without tsx, so its memory is the engine's). */
  probeBundle: string;
  /** The CLI bundle, for `agent-ledger statusline` as Claude Code runs it. */
  cliBundle: string;
  /** Roots of the main corpus, for the host-delay measurement during a cold ingest. */
  corpusRoots: { claude: string[]; codex: string[] };
  log: (message: string) => void;
}

type Figures = Record<string, number>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const MB = 1024 * 1024;

/** Runs `work` `runs` times and returns the median of each figure it reports. */
async function medianOf(runs: number, work: (run: number) => Promise<Figures>): Promise<Figures> {
  const all: Figures[] = [];
  for (let i = 0; i < runs; i++) all.push(await work(i));
  return Object.fromEntries(Object.keys(all[0]!).map((k) => [k, median(all.map((f) => f[k]!))]));
}

/** The p99 (and max) of the host's event-loop delay while `work` runs, in ms (resolution 10 ms, as the issue asks). */
async function hostDelay<T>(work: () => Promise<T>): Promise<{ p99Ms: number; maxMs: number; value: T }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const value = await work();
    return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6, value };
  } finally {
    histogram.disable();
  }
}

/** An engine thread on `init`, as the extension starts it; resolves once it is ready. */
function startClient(init: EngineInit, entry: { code: string; eval: boolean }): Promise<EngineClient> {
  const client = new EngineClient(init, entry);
  return new Promise((resolve, reject) => {
    const onEvent = (event: EngineEvent) => {
      if (event.type === 'ready') resolve(client);
      if (event.type === 'fatal') reject(new Error(`engine thread: ${event.message}`));
    };
    client.on('event', onEvent);
  });
}

/** Resolves with the engine thread's next "saved generation …" log line. */
function nextSave(client: EngineClient): Promise<string> {
  return new Promise((resolve) => {
    const onEvent = (event: EngineEvent) => {
      if (event.type !== 'log' || !event.message.startsWith('saved generation')) return;
      client.off('event', onEvent);
      resolve(event.message);
    };
    client.on('event', onEvent);
  });
}

/** Forks the probe bundle; `between` runs after its first report (the reader's refresh waits for it). */
async function probe(bundle: string, args: string[], between?: () => Promise<void>): Promise<Record<string, number>[]> {
  const child = fork(bundle, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const reports: Record<string, number>[] = [];
  const exited = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`probe ${args[0]} exited with ${code}`)))));
  child.on('message', (message: Record<string, number>) => {
    reports.push(message);
    if (between && reports.length === 1) void between().then(() => child.send('refresh'));
  });
  await exited;
  return reports;
}

/** RSS of a bare `node` process (for reference beside the probes). */
export function bareNodeRssMb(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.memoryUsage().rss))'], { encoding: 'utf8' });
  return Number(r.stdout) / MB;
}

/**
 * Where a Rebuild Marts' time goes: the steps of `rebuildMarts` (re-price every month, read
 * every month's events into one set of deltas, write the emptied marts), timed one by one, in ms.
 * Leaves the same marts.
 */
async function rebuildBreakdown(dir: string): Promise<Figures> {
  const engine = await LedgerEngine.open({ location: { dir }, timeZone: 'UTC', log: silentLogger });
  const { ledger } = engine;
  const db = ledger.db;
  const ms: Figures = {};
  const time = (step: string, work: () => unknown) => {
    const t = performance.now();
    work();
    ms[step] = (ms[step] ?? 0) + performance.now() - t;
  };
  const agents = new Map(db.all<{ id: number; agent: string }>('SELECT id, agent FROM dim_session').map((r) => [r.id, r.agent]));
  const deltas = new MartDeltas();
  const clock = new DayClock('UTC');
  const models = new Map(db.all<{ id: number; name: string }>('SELECT id, name FROM dim_model').map((r) => [r.id, r.name]));
  const repricing = { modelName: (id: number) => models.get(id) ?? '', price: costNanos, changed: [] as [number, number][] };
  for (const month of ledger.months.months()) {
    time('load the month segments', () => ledger.months.db(month));
    time('read, price and sum every event (one pass)', () => readMonthInto(ledger.months.db(month), 0, clock, (s) => agents.get(s) ?? '', deltas, repricing));
  }
  time('expand into each mart\'s keys', () => deltas.finish());
  time('write the marts (bulk inserts)', () => db.transaction(() => {
    for (const table of MART_TABLES) db.run(`DELETE FROM ${table}`);
    writeFresh(db, deltas);
  }));
  engine.close();
  return ms;
}

/** Everything measured at one size of history. */
async function measureSize(n: number, o: HistoryOptions, appendRoot: string, emptyRoot: string): Promise<Figures> {
  const dir = path.join(o.tmp, `history-${n}`);
  const roots = { claude: [appendRoot], codex: [emptyRoot] };
  let session = 0;
  const newSession = () => writeClaudeSession(appendRoot, `bench-${n}-${session++}`);
  const log = (m: string) => o.log(`  history ${n.toLocaleString('en-US')}: ${m}`);

  const built = await buildHistoryLedger(dir, { events: n, currentMonth: o.currentMonth, months: 24, seed: o.seed, now: Date.now() });
  const builtBytes = folderBytes(dir);
  log(`built in ${built.seconds.toFixed(1)} s, ${(builtBytes / MB).toFixed(1)} MiB on disk`);

  // The writer in-process: open, ingest a new 20-request session, save. The first saves of a
  // process also compile sql.js's code paths (three saves to settle here); they are reported apart,
  // and the target row is a running writer's save.
  const appendOnce = async () => {
    let t = performance.now();
    const engine = await LedgerEngine.open({ location: { dir }, timeZone: 'UTC', log: silentLogger });
    const openMs = performance.now() - t;
    newSession();
    t = performance.now();
    await engine.ingest({ roots });
    const ingestMs = performance.now() - t;
    t = performance.now();
    const report = engine.commit();
    const saveMs = performance.now() - t;
    t = performance.now();
    engine.backUp();
    const backUpMs = performance.now() - t;
    engine.close();
    if (!report) throw new Error('the append saved nothing');
    return { openMs, ingestMs, saveMs, backUpMs, saveBytes: report.bytes, saveFiles: report.files };
  };
  const firstSaveMs = (await appendOnce()).saveMs;
  for (let i = 0; i < 2; i++) await appendOnce();
  const append: Figures = { ...(await medianOf(Math.max(o.runs, 5), appendOnce)), firstSaveMs };
  // On disk right after a running writer's append (its backup twins written): the largest the folder
  // usually is, with the current month and the state each kept three times (file, previous version, twin).
  const afterAppend = { bytesPerEvent: folderBytes(dir) / n, committedBytesPerEvent: committedBytes(dir) / n };
  log(`save after an append ${append.saveMs!.toFixed(0)} ms (${(append.saveBytes! / MB).toFixed(2)} MiB; backup twins after it ${append.backUpMs!.toFixed(0)} ms; the process's first save ${firstSaveMs.toFixed(0)} ms), writer open ${append.openMs!.toFixed(0)} ms`);

  // Rebuild Marts in-process (the save after it is timed apart).
  const rebuild = await (async () => {
    const engine = await LedgerEngine.open({ location: { dir }, timeZone: 'UTC', log: silentLogger });
    const seconds: number[] = [];
    for (let i = 0; i < o.runs; i++) seconds.push(engine.rebuildMarts().seconds);
    const t = performance.now();
    engine.save();
    const saveMs = performance.now() - t;
    engine.close();
    return { rebuildSeconds: median(seconds), rebuildSaveMs: saveMs };
  })();
  const breakdown = await rebuildBreakdown(dir);
  log(`rebuild marts ${rebuild.rebuildSeconds.toFixed(2)} s; one run step by step: ${Object.entries(breakdown).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);

  // Fresh processes: the writer's memory, a reader's memory and refresh (after the writer saved).
  const writer = await medianOf(o.runs, async () => {
    newSession();
    const [r] = await probe(o.probeBundle, ['writer', dir, appendRoot, emptyRoot]);
    return { writerRssMb: r!.rssMb!, writerPeakRssMb: r!.peakRssMb!, probeBaselineMb: r!.baselineMb! };
  });
  // Claude Code's status line: a whole `agent-ledger statusline` process, fed the documented JSON.
  const statusLine = await medianOf(Math.max(o.runs, 5), async () => {
    const input = JSON.stringify({ session_id: 'bench-session', model: { id: 'claude-opus-4-6', display_name: 'Opus 4.6' },
      rate_limits: { five_hour: { used_percentage: 42, resets_at: Math.floor(Date.now() / 1000) + 3600 } }, context_window: { used_percentage: 30 } });
    const t = performance.now();
    const r = spawnSync(process.execPath, [o.cliBundle, '--db', dir, 'statusline'], { input, encoding: 'utf8' });
    const ms = performance.now() - t;
    if (r.status !== 0 || !r.stdout.includes('today')) throw new Error(`statusline failed: ${r.stdout}${r.stderr}`);
    // Node's own start-up, side by side: the floor under any Node command on this machine.
    const n = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    return { statusLineMs: ms, nodeStartMs: performance.now() - n };
  });
  log(`status line ${statusLine.statusLineMs!.toFixed(0)} ms (whole process; \`node -e 0\` ${statusLine.nodeStartMs!.toFixed(0)} ms)`);

  const reader = await medianOf(o.runs, async () => {
    const [opened, refreshed] = await probe(o.probeBundle, ['reader', dir], async () => {
      const engine = await LedgerEngine.open({ location: { dir }, timeZone: 'UTC', log: silentLogger });
      newSession();
      await engine.ingest({ roots });
      engine.save();
      engine.close();
    });
    return {
      readerOpenMs: opened!.openMs!, readerRssDeltaMb: opened!.rssMb! - opened!.baselineMb!, readerRefreshMs: refreshed!.refreshMs!,
      readerRssAfterRefreshDeltaMb: refreshed!.rssMb! - refreshed!.baselineMb!,
    };
  });
  log(`writer RSS ${writer.writerRssMb!.toFixed(0)} MB; reader +${reader.readerRssDeltaMb!.toFixed(0)} MB, refresh ${reader.readerRefreshMs!.toFixed(0)} ms`);

  // The extension's path: engine thread started → ready → first status answer.
  const init: EngineInit = { ledgerDir: dir, timeZone: 'UTC', ingest: { roots } };
  const firstFigure = async (entry: { code: string; eval: boolean }) => medianOf(o.runs, async () => {
    const t = performance.now();
    const client = await startClient(init, entry);
    await client.request('status', { workspaceFolders: [] });
    const ms = performance.now() - t;
    await client.dispose();
    return { ms };
  });
  const bundled = await firstFigure({ code: o.workerBundle, eval: false });
  const fromSource = await firstFigure(engineWorkerEntry());
  log(`open to first figure ${bundled.ms!.toFixed(0)} ms (bundled worker), ${fromSource.ms!.toFixed(0)} ms (from source via tsx)`);

  // The host's event loop while the engine thread saves after an append, then rebuilds (median of the runs).
  const client = await startClient(init, { code: o.workerBundle, eval: false });
  await new Promise((resolve) => setTimeout(resolve, 1500)); // past any save left pending by opening
  let lastSave = '';
  const host = await medianOf(o.runs, async () => {
    const save = await hostDelay(async () => {
      const saved = nextSave(client);
      newSession();
      await client.request('refresh', {});
      return saved;
    });
    const rebuild = await hostDelay(async () => {
      const t = performance.now();
      const outcome = await client.request('rebuild', {});
      if (!outcome.ok) throw new Error(`rebuild refused: ${outcome.reason}`);
      return (performance.now() - t) / 1000;
    });
    lastSave = save.value;
    return {
      p99Save: save.p99Ms, maxSave: save.maxMs, saveInThreadMs: Number(/ in (\d+) ms/.exec(save.value)?.[1] ?? NaN),
      p99Rebuild: rebuild.p99Ms, maxRebuild: rebuild.maxMs, rebuildSeconds: rebuild.value,
    };
  });
  await client.dispose();
  log(`host p99 during a save ${host.p99Save!.toFixed(1)} ms (last: ${lastSave}), during a rebuild ${host.p99Rebuild!.toFixed(1)} ms`);

  return {
    ...Object.fromEntries(Object.entries(breakdown).map(([step, v]) => [`rebuildStepMs.${step}`, v])),
    events: n, buildSeconds: built.seconds, builtBytesPerEvent: builtBytes / n, ...afterAppend, bytesPerEventAtEnd: folderBytes(dir) / n,
    saveMs: append.saveMs!, firstSaveMs: append.firstSaveMs!, backUpMs: append.backUpMs!, saveBytes: append.saveBytes!, saveFiles: append.saveFiles!, appendIngestMs: append.ingestMs!, writerOpenMs: append.openMs!,
    openToFirstFigureMs: bundled.ms!, openToFirstFigureFromSourceMs: fromSource.ms!,
    ...writer, ...reader, ...rebuild, ...statusLine, rebuildThreadSeconds: host.rebuildSeconds!,
    saveInThreadMs: host.saveInThreadMs!, hostP99SaveMs: host.p99Save!, hostMaxSaveMs: host.maxSave!, hostP99RebuildMs: host.p99Rebuild!, hostMaxRebuildMs: host.maxRebuild!,
  };
}

/** The host's event loop idle, then during a cold ingest of the main corpus by the engine thread (fresh ledger each run); medians of the runs. */
async function coldIngestDelay(o: HistoryOptions): Promise<Figures> {
  const idle = await hostDelay(() => new Promise((resolve) => setTimeout(resolve, 3000)));
  const dir = path.join(o.tmp, 'host-cold-ingest');
  const ingest = await medianOf(o.runs, async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    const t = performance.now();
    const run = await hostDelay(() => startClient({ ledgerDir: dir, timeZone: 'UTC', ingest: { roots: o.corpusRoots } }, { code: o.workerBundle, eval: false }));
    const seconds = (performance.now() - t) / 1000;
    await run.value.dispose();
    return { p99Ms: run.p99Ms, maxMs: run.maxMs, seconds };
  });
  fs.rmSync(dir, { recursive: true, force: true });
  o.log(`  host p99 idle ${idle.p99Ms.toFixed(1)} ms; during a cold ingest (${ingest.seconds!.toFixed(1)} s) ${ingest.p99Ms!.toFixed(1)} ms (median of ${o.runs})`);
  return { hostP99IdleMs: idle.p99Ms, hostP99IngestMs: ingest.p99Ms!, hostMaxIngestMs: ingest.maxMs!, coldIngestThreadSeconds: ingest.seconds! };
}

export async function benchHistory(o: HistoryOptions): Promise<{ host: Figures; sizes: Record<string, Figures>; bareNodeRssMb: number }> {
  const appendRoot = path.join(o.tmp, 'append-claude');
  const emptyRoot = path.join(o.tmp, 'empty-root');
  fs.mkdirSync(emptyRoot, { recursive: true });
  const host = await coldIngestDelay(o);
  const sizes: Record<string, Figures> = {};
  for (const n of o.sizes) sizes[n] = await measureSize(n, o, appendRoot, emptyRoot);
  return { host, sizes, bareNodeRssMb: bareNodeRssMb() };
}

interface Row {
  label: string;
  value: (f: Figures, host: Figures) => number;
  format: (v: number) => string;
  target: string;
  met: (v: number) => boolean;
}

const ms0 = (v: number) => Math.round(v).toLocaleString('en-US');
const d1 = (v: number) => v.toFixed(1);
const d2 = (v: number) => v.toFixed(2);

/** The rows of issue 6's table, in its order; the last size is the one the targets are judged at. */
export const HISTORY_ROWS: Row[] = [
  { label: 'save after an append (ms)', value: (f) => f.saveMs!, format: ms0, target: '< 50', met: (v) => v < 50 },
  { label: '  the first save of a fresh process (ms)', value: (f) => f.firstSaveMs!, format: ms0, target: '', met: () => true },
  { label: '  same, in the engine thread (one save, ms)', value: (f) => f.saveInThreadMs!, format: ms0, target: '', met: () => true },
  { label: '  bytes written by that save (MiB)', value: (f) => f.saveBytes! / MB, format: d2, target: '', met: () => true },
  { label: '  backup twins written after it (ms, off the save)', value: (f) => f.backUpMs!, format: ms0, target: '', met: () => true },
  { label: 'open to first figure, engine thread (ms)', value: (f) => f.openToFirstFigureMs!, format: ms0, target: '< 1,000', met: (v) => v < 1000 },
  { label: '  same, worker from source via tsx (ms)', value: (f) => f.openToFirstFigureFromSourceMs!, format: ms0, target: '', met: () => true },
  { label: '  writer LedgerEngine.open in-process (ms)', value: (f) => f.writerOpenMs!, format: ms0, target: '', met: () => true },
  { label: 'writer engine RSS (MB)', value: (f) => f.writerRssMb!, format: ms0, target: '< 150', met: (v) => v < 150 },
  { label: '  same process before opening (node + sql.js, MB)', value: (f) => f.probeBaselineMb!, format: ms0, target: '', met: () => true },
  { label: '  writer peak RSS (MB)', value: (f) => f.writerPeakRssMb!, format: ms0, target: '', met: () => true },
  { label: 'reader window refresh (ms)', value: (f) => f.readerRefreshMs!, format: ms0, target: '< 200', met: (v) => v < 200 },
  { label: 'reader window ledger memory (MB over baseline)', value: (f) => f.readerRssDeltaMb!, format: d1, target: '< 50', met: (v) => v < 50 },
  { label: 'agent-ledger statusline, whole process (ms)', value: (f) => f.statusLineMs!, format: ms0, target: '< 100', met: (v) => v < 100 },
  { label: '  same, `node -e 0` alone, side by side (ms)', value: (f) => f.nodeStartMs!, format: ms0, target: '', met: () => true },
  { label: 'bytes per event on disk after an append (incl. backup/)', value: (f) => f.bytesPerEvent!, format: ms0, target: '< 80', met: (v) => v < 80 },
  { label: '  of which the committed set (manifest\'s files)', value: (f) => f.committedBytesPerEvent!, format: ms0, target: '', met: () => true },
  { label: '  the folder at the end of the run', value: (f) => f.bytesPerEventAtEnd!, format: ms0, target: '', met: () => true },
  { label: 'Rebuild Marts, in-process (s)', value: (f) => f.rebuildSeconds!, format: d2, target: '< 3', met: (v) => v < 3 },
  { label: '  same, engine thread request, wall (s)', value: (f) => f.rebuildThreadSeconds!, format: d2, target: '', met: () => true },
  { label: 'host event-loop p99 during cold ingest (ms)', value: (_f, h) => h.hostP99IngestMs!, format: d1, target: '< 20', met: (v) => v < 20 },
  { label: 'host event-loop p99 during a save (ms)', value: (f) => f.hostP99SaveMs!, format: d1, target: '< 20', met: (v) => v < 20 },
  { label: 'host event-loop p99 during a rebuild (ms)', value: (f) => f.hostP99RebuildMs!, format: d1, target: '< 20', met: (v) => v < 20 },
];

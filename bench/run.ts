/**
 * Agent Ledger benchmark, side by side with ccusage@20.0.24 in the same run.
 *
 *   npm run bench -- [--size 1g|256m|…] [--runs 3] [--seed 1] [--only ingest,warm,rebuild,readers,profile]
 *                    [--events 1000000] [--build] [--out bench/results.json]
 *
 * Parts (each runnable alone with --only; the default runs ingest, warm, rebuild, readers):
 *   ingest   cold ingest of the corpus: our CLI `ingest` on a fresh database file each run vs
 *            ccusage `claude daily` + `codex daily` (full runs); wall seconds, MB/s, peak RSS
 *            (GNU time). Our CLI is dist/cli.js when present, else bench/.build/cli.js with
 *            --build (bundled here with esbuild), else `node --import tsx src/cli.ts`.
 *   warm     the database of a cold ingest, then one new session appended (in an extra Claude
 *            root): engine time in-process (LedgerEngine.ingest = file scan + ingest + mart
 *            refresh), the save separately, and a no-change refresh; ccusage re-reads everything.
 *   rebuild  LedgerEngine.rebuildMarts on ~1M usage events: a dense corpus (small contents,
 *            ~1.5 KB per event) sized to reach --events, ingested in-process (in memory).
 *   readers  each reader's median latency on the same 1M-event database, and the date-filtered
 *            calls the status bar (today) and the panel (last 30 days) make, whole and reader by reader.
 *   profile  `node --cpu-prof` of our cold CLI ingest; prints the top 10 self-time functions.
 * Database bytes per event are reported for the corpus's database and the 1M-event one.
 *
 * Corpora are cached under bench/.corpus/<size>-s<seed>/ (regenerated when the generator
 * changes). Figures are medians of --runs runs; results are merged into --out (JSON).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { appendClaudeSession, generateCorpus, parseSize, readManifest, type CorpusManifest, type CorpusOptions } from '../test/fixtures/corpus-generator';
import { DayClock } from '../src/core/time';
import { registerDayFunction } from '../src/marts/refresh';
import { MARTS } from '../src/marts/registry';
import { dropBatch, stageBatch } from '../src/marts/staging';
import { LedgerEngine } from '../src/pipeline/engine';
import { DEFAULT_FILTER } from '../src/protocol/panel-protocol';
import { panelSnapshot } from '../src/ui/panel-snapshot';
import { statusSnapshot } from '../src/ui/status-snapshot';
import { requireCcusage } from '../test/parity/parity-lib';

const REPO = path.resolve(__dirname, '..');
const CORPUS_DIR = path.join(REPO, 'bench', '.corpus');
const PARTS = ['ingest', 'warm', 'rebuild', 'readers', 'profile'] as const;
type Part = (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1g' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    events: { type: 'string', default: '1000000' },
    build: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join('bench', 'results.json') },
    'keep-tmp': { type: 'boolean', default: false },
  },
});

const sizeBytes = parseSize(values.size!);
const runs = Math.max(1, Number(values.runs));
const seed = Number(values.seed);
const targetEvents = Number(values.events);
const only = new Set<Part>(
  values.only ? values.only.split(',').map((p) => {
    if (!PARTS.includes(p.trim() as Part)) throw new Error(`--only expects some of ${PARTS.join(', ')}, got "${p}"`);
    return p.trim() as Part;
  }) : ['ingest', 'warm', 'rebuild', 'readers'],
);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-bench-'));

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────

const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${+(bytes / 1024 ** 3).toFixed(2)}g` : `${+(bytes / MiB).toFixed(1)}m`;
}

function progress(label: string): (bytes: number, target: number) => void {
  let shown = -1;
  return (bytes, target) => {
    const pct = Math.min(100, Math.floor((100 * bytes) / target));
    if (pct !== shown && pct % 5 === 0) {
      shown = pct;
      process.stderr.write(`\r  ${label}: ${pct}%`);
      if (pct === 100) process.stderr.write('\n');
    }
  };
}

/** A cached corpus: regenerated only when missing or made with other options or another generator. */
function ensureCorpus(key: string, options: CorpusOptions): CorpusManifest {
  const dir = path.join(CORPUS_DIR, key);
  const cached = readManifest(dir);
  const wanted = JSON.stringify({ ...options, onProgress: undefined });
  if (cached && fs.existsSync(path.join(dir, 'options.json')) && fs.readFileSync(path.join(dir, 'options.json'), 'utf8') === wanted) {
    log(`corpus ${key}: cached (${(cached.bytes.total / MiB).toFixed(0)} MiB)`);
    return cached;
  }
  log(`corpus ${key}: generating ${(options.targetBytes / MiB).toFixed(0)} MiB…`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = generateCorpus(dir, { ...options, onProgress: progress('generating') });
  fs.writeFileSync(path.join(dir, 'options.json'), wanted);
  log(`corpus ${key}: ${(manifest.bytes.total / MiB).toFixed(0)} MiB in ${manifest.seconds.toFixed(1)} s`);
  return manifest;
}

interface Timed {
  seconds: number;
  peakRssMb: number | undefined;
  stdout: string;
  stderr: string;
}

const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command to completion: wall seconds and peak RSS (GNU time's %M) of the process. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const rssFile = path.join(tmp, 'rss.txt');
  fs.rmSync(rssFile, { force: true });
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const started = performance.now();
  const result = spawnSync(cmd, argv, { env, encoding: 'utf8', maxBuffer: 512 * MiB, cwd: REPO });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  const rss = GNU_TIME && fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : undefined;
  return { seconds, peakRssMb: rss, stdout: result.stdout, stderr: result.stderr };
}


/**
 * An esbuild bundle of src/cli.ts made here (not minified: readable profiles), laid out as
 * esbuild.mjs lays out dist/: the WASM and the parser-thread entry (parse-worker.js) beside it.
 */
function buildBundle(): string {
  const out = path.join(REPO, 'bench', '.build');
  fs.mkdirSync(out, { recursive: true });
  const entries: [string, string][] = [['src/cli.ts', 'cli.js']];
  if (fs.existsSync(path.join(REPO, 'src', 'pipeline', 'parse-worker.ts'))) entries.push(['src/pipeline/parse-worker.ts', 'parse-worker.js']);
  for (const [entry, name] of entries) {
    const r = spawnSync(path.join(REPO, 'node_modules', '.bin', 'esbuild'), [
      entry, '--bundle', '--platform=node', '--format=cjs', '--target=node20', '--external:vscode', `--outfile=${path.join(out, name)}`, '--log-level=warning',
    ], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`esbuild ${entry} failed: ${r.stderr}`);
  }
  fs.copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(out, 'sql-wasm.wasm'));
  return path.join(out, 'cli.js');
}

function newestSourceMtime(dir = path.join(REPO, 'src')): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSourceMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Our CLI: dist/cli.js if present and newer than every file in src/ (a stale bundle would
 * measure old code: then, or with --build, a bundle made here); else the source through tsx.
 */
function ourCli(): { command: string; args: string[]; label: string } {
  const dist = path.join(REPO, 'dist', 'cli.js');
  const distFresh = fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestSourceMtime();
  if (distFresh && !values.build) return { command: process.execPath, args: [dist], label: `dist/cli.js (built ${fs.statSync(dist).mtime.toISOString().slice(0, 16)})` };
  if (values.build || fs.existsSync(dist)) {
    if (!values.build) log('dist/cli.js is older than src/: bundling the current source into bench/.build/ instead');
    return { command: process.execPath, args: [buildBundle()], label: 'bench/.build/cli.js (esbuild bundle of src/cli.ts)' };
  }
  return { command: process.execPath, args: ['--import', 'tsx', path.join(REPO, 'src', 'cli.ts')], label: 'node --import tsx src/cli.ts' };
}

let cliCache: ReturnType<typeof ourCli> | undefined;
const cli = () => (cliCache ??= ourCli());

function ccusageFull(claudeRoots: string[], codexHome: string): { seconds: number; peakRssMb: number | undefined; claude: Timed; codex: Timed } {
  const bin = requireCcusage();
  const claude = timed(bin, ['claude', 'daily', '--offline', '--json', '-z', 'UTC', '--mode', 'calculate'], { ...process.env, CLAUDE_CONFIG_DIR: claudeRoots.join(',') });
  const codex = timed(bin, ['codex', 'daily', '--offline', '--json', '-z', 'UTC'], { ...process.env, CODEX_HOME: codexHome });
  const rss = claude.peakRssMb === undefined || codex.peakRssMb === undefined ? undefined : Math.max(claude.peakRssMb, codex.peakRssMb);
  return { seconds: claude.seconds + codex.seconds, peakRssMb: rss, claude, codex };
}

function ourIngest(manifest: CorpusManifest, dbFile: string, extraNodeArgs: string[] = [], c = cli()): Timed & { engineSeconds: number; events: string } {
  for (const f of [dbFile, `${dbFile}.lock`]) fs.rmSync(f, { force: true });
  const args = [...extraNodeArgs, ...c.args, '--db', dbFile, 'ingest', '--claude-dir', manifest.claudeRoot, '--codex-dir', manifest.codexHome];
  const t = timed(c.command, args);
  // A CLI that exits 0 without its report or database did not finish (seen with a dead parser thread).
  if (!/seconds: /.test(t.stdout) || !fs.existsSync(dbFile)) throw new Error(`${c.label} ingest exited without a report or a database:\n${t.stdout}${t.stderr}`);
  const engineSeconds = Number(/seconds: ([\d.]+)/.exec(t.stdout)?.[1] ?? NaN);
  const events = /events: (.*)/.exec(t.stdout)?.[1] ?? '';
  return { ...t, engineSeconds, events };
}

/** Reads every transcript once, so that timed runs do not pay for the first disk read. */
function warmPageCache(manifest: CorpusManifest): void {
  const buffer = Buffer.allocUnsafe(8 * MiB);
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.jsonl')) {
        const fd = fs.openSync(full, 'r');
        while (fs.readSync(fd, buffer, 0, buffer.length, null) > 0);
        fs.closeSync(fd);
      }
    }
  };
  walk(manifest.claudeRoot);
  walk(manifest.codexHome);
}

function eventCount(engine: LedgerEngine): number {
  return Number(engine.db.scalar('SELECT COUNT(*) FROM usage_events'));
}

// ─── Results ─────────────────────────────────────────────────────────────────────────────────

interface Results {
  [key: string]: unknown;
}
const outFile = path.resolve(REPO, values.out!);
const results: Results = (() => {
  try {
    return JSON.parse(fs.readFileSync(outFile, 'utf8')) as Results;
  } catch {
    return {};
  }
})();
results.machine = {
  cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1), node: process.version,
  platform: `${process.platform}-${process.arch}`, ccusage: '20.0.24 (native binary)',
  commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim() +
    (spawnSync('git', ['status', '--porcelain', 'src'], { cwd: REPO, encoding: 'utf8' }).stdout.trim() ? ' + uncommitted src changes' : ''),
};
const report: string[] = [];

/** Results per corpus (`corpora["256m-s1"]`) and per event target (`events["1000000-s1"]`), so runs at other sizes add up. */
function section(kind: 'corpora' | 'events', key: string): Record<string, unknown> {
  const all = ((results[kind] as Record<string, Record<string, unknown>> | undefined) ??= {});
  const entry = (all[key] ??= {});
  // The engine changes between runs: each section records the code it measured.
  entry.commit = (results.machine as { commit: string }).commit;
  entry.measuredAt = new Date().toISOString();
  return entry;
}
const corpusResults = () => section('corpora', corpusKey());
const eventResults = () => section('events', `${targetEvents}-s${seed}`);

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  report.push(`\n${title}`, line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line));
  process.stdout.write(`${report.slice(-rows.length - 3).join('\n')}\n`);
}

const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(1));
const f2 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(2));
const f0 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));

// ─── Parts ───────────────────────────────────────────────────────────────────────────────────

let coldDb: string | undefined;

function corpusKey(): string {
  return `${sizeLabel(sizeBytes)}-s${seed}`;
}

function mainCorpus(): CorpusManifest {
  return ensureCorpus(corpusKey(), { targetBytes: sizeBytes, seed });
}

function describeCorpus(m: CorpusManifest): Record<string, unknown> {
  return {
    key: corpusKey(), bytes: m.bytes, files: m.files, requests: m.requests, lines: m.lines, duplicates: m.duplicates,
    deliberate: { tier: m.deliberate.tier.length, nullInToolInput: m.deliberate.nullInToolInput.length },
  };
}

async function benchIngest(): Promise<void> {
  const m = mainCorpus();
  corpusResults().corpus = describeCorpus(m);
  const mb = m.bytes.total / MiB;
  const ours: ReturnType<typeof ourIngest>[] = [];
  const peer: ReturnType<typeof ccusageFull>[] = [];
  // Warm the page cache once so that neither tool pays for the first disk read.
  warmPageCache(m);
  ccusageFull([m.claudeRoot], m.codexHome);
  for (let i = 0; i < runs; i++) {
    const db = path.join(tmp, `cold-${i}.sqlite`);
    const a = () => ours.push(ourIngest(m, db));
    const b = () => peer.push(ccusageFull([m.claudeRoot], m.codexHome));
    // Alternate the order, so that neither tool always runs second.
    if (i % 2 === 0) { a(); b(); } else { b(); a(); }
    log(`  ingest run ${i + 1}/${runs}: ours ${ours[i]!.seconds.toFixed(2)} s, ccusage ${peer[i]!.seconds.toFixed(2)} s`);
    if (i < runs - 1) fs.rmSync(db, { force: true });
    else coldDb = db;
  }
  const dbBytes = fs.statSync(coldDb!).size;
  const probe = await LedgerEngine.open({ dbFile: coldDb!, timeZone: 'UTC' });
  const events = eventCount(probe);
  probe.close();
  const oursMed = {
    seconds: median(ours.map((r) => r.seconds)),
    engineSeconds: median(ours.map((r) => r.engineSeconds)),
    peakRssMb: median(ours.map((r) => r.peakRssMb ?? NaN)),
  };
  const peerMed = {
    seconds: median(peer.map((r) => r.seconds)),
    claudeSeconds: median(peer.map((r) => r.claude.seconds)),
    codexSeconds: median(peer.map((r) => r.codex.seconds)),
    peakRssMb: median(peer.map((r) => r.peakRssMb ?? NaN)),
  };
  corpusResults().ingest = {
    corpusMiB: +mb.toFixed(1), runs, runner: cli().label,
    ours: { ...oursMed, mibPerSec: mb / oursMed.seconds, summary: ours[0]!.events, events, dbBytes, dbBytesPerEvent: dbBytes / events, runs: ours.map((r) => ({ seconds: r.seconds, engineSeconds: r.engineSeconds, peakRssMb: r.peakRssMb })) },
    ccusage: { ...peerMed, mibPerSec: mb / peerMed.seconds, runs: peer.map((r) => ({ seconds: r.seconds, claude: r.claude.seconds, codex: r.codex.seconds, peakRssMb: r.peakRssMb })) },
  };
  table(`(a) Cold ingest of ${mb.toFixed(0)} MiB (${m.files.claude + m.files.claudeSubagents + m.files.codex} files), median of ${runs}`, ['', 'Agent Ledger', 'ccusage 20.0.24'], [
    ['wall time (s)', f2(oursMed.seconds), f2(peerMed.seconds)],
    ['  of which', `ingest ${f2(oursMed.engineSeconds)}`, `claude ${f2(peerMed.claudeSeconds)} + codex ${f2(peerMed.codexSeconds)}`],
    ['throughput (MiB/s)', f0(mb / oursMed.seconds), f0(mb / peerMed.seconds)],
    ['peak RSS (MiB)', f0(oursMed.peakRssMb), f0(peerMed.peakRssMb)],
    ['database (MiB)', f1(dbBytes / MiB), '—'],
    ['usage events', f0(events), '—'],
    ['database bytes per event', f0(dbBytes / events), '—'],
  ]);
  log(`  runner: ${cli().label}; ours: ${ours[0]!.events}`);
}

async function benchWarm(): Promise<void> {
  const m = mainCorpus();
  corpusResults().corpus ??= describeCorpus(m);
  if (!coldDb) {
    log('warm: making the cold database first (one CLI ingest)…');
    coldDb = path.join(tmp, 'cold.sqlite');
    ourIngest(m, coldDb);
  }
  warmPageCache(m);
  const extra = path.join(tmp, 'extra');
  const extraClaude = path.join(extra, 'claude');
  const roots = { claude: [m.claudeRoot, extraClaude], codex: [m.codexHome] };
  const rows: { openMs: number; firstRefreshMs: number; noChangeMs: number; engineMs: number; ingestMs: number; martsMs: number; saveMs: number; savedBytes: number; appendedBytes: number; requests: number }[] = [];
  const peer: ReturnType<typeof ccusageFull>[] = [];
  for (let i = 0; i < runs; i++) {
    fs.rmSync(extra, { recursive: true, force: true });
    fs.mkdirSync(path.join(extraClaude, 'projects'), { recursive: true });
    const db = path.join(tmp, 'warm.sqlite');
    fs.copyFileSync(coldDb, db);
    let t = performance.now();
    const engine = await LedgerEngine.open({ dbFile: db, timeZone: 'UTC' });
    const openMs = performance.now() - t;
    t = performance.now();
    await engine.ingest({ roots });
    const firstRefreshMs = performance.now() - t;
    t = performance.now();
    await engine.ingest({ roots });
    const noChangeMs = performance.now() - t;
    const appended = appendClaudeSession(extra, { seed: 1000 + seed, endDay: '2025-11-28', promptsPerSession: 20 });
    t = performance.now();
    const report = await engine.ingest({ roots });
    const engineMs = performance.now() - t;
    t = performance.now();
    const savedBytes = engine.save();
    const saveMs = performance.now() - t;
    engine.close();
    rows.push({ openMs, firstRefreshMs, noChangeMs, engineMs, ingestMs: report.seconds * 1000, martsMs: engineMs - report.seconds * 1000, saveMs, savedBytes, appendedBytes: appended.bytes, requests: report.requests });
    peer.push(ccusageFull(roots.claude, m.codexHome));
    log(`  warm run ${i + 1}/${runs}: engine ${engineMs.toFixed(0)} ms (+ save ${saveMs.toFixed(0)} ms), ccusage ${peer[i]!.seconds.toFixed(2)} s`);
  }
  const med = (k: keyof (typeof rows)[number]) => median(rows.map((r) => r[k]));
  const peerSeconds = median(peer.map((r) => r.seconds));
  corpusResults().warm = {
    runs, appendedBytes: rows[0]!.appendedBytes, appendedRequests: rows[0]!.requests,
    ours: { openMs: med('openMs'), firstRefreshMs: med('firstRefreshMs'), noChangeMs: med('noChangeMs'), engineMs: med('engineMs'), ingestMs: med('ingestMs'), martsMs: med('martsMs'), saveMs: med('saveMs'), savedBytes: rows[0]!.savedBytes },
    ccusage: { seconds: peerSeconds, peakRssMb: median(peer.map((r) => r.peakRssMb ?? NaN)) },
  };
  table(`(b) Warm re-run after appending one session (${f1(rows[0]!.appendedBytes / MiB)} MiB, ${rows[0]!.requests} requests), median of ${runs}`, ['', 'Agent Ledger', 'ccusage 20.0.24'], [
    ['engine: scan + ingest + marts (ms)', f0(med('engineMs')), f0(peerSeconds * 1000) + ' (full re-read)'],
    ['  scan + ingest (ms)', f0(med('ingestMs')), ''],
    ['  mart refresh (ms)', f0(med('martsMs')), ''],
    ['save (ms)', `${f0(med('saveMs'))} (${f1(rows[0]!.savedBytes / MiB)} MiB)`, '—'],
    ['no-change refresh (ms)', f0(med('noChangeMs')), ''],
    ['first refresh after open, no change (ms)', f0(med('firstRefreshMs')), ''],
    ['open database (ms)', f0(med('openMs')), ''],
  ]);
}

let eventsEngine: { engine: LedgerEngine; manifest: CorpusManifest; ingestSeconds: number; events: number } | undefined;

/**
 * A dense corpus (small contents, many requests per byte) sized to reach about `targetEvents`
 * usage events: a 16 MiB sample is generated and ingested to measure events per byte with the
 * engine as it is now (folding and dedup rules change how many rows a request makes).
 */
async function eventsDatabase(): Promise<NonNullable<typeof eventsEngine>> {
  if (eventsEngine) return eventsEngine;
  const dense: Omit<CorpusOptions, 'targetBytes'> = { seed, contentScale: 0.02, promptsPerSession: 8, hugeLineRate: 0 };
  const calibration = ensureCorpus(`events-calibration-s${seed}`, { ...dense, targetBytes: 16 * MiB });
  const probe = await LedgerEngine.open({ dbFile: null, timeZone: 'UTC' });
  await probe.ingest({ roots: { claude: [calibration.claudeRoot], codex: [calibration.codexHome] } });
  const perEvent = calibration.bytes.total / eventCount(probe);
  probe.close();
  // Rounded to 64 MiB, so that small engine changes do not force a new corpus.
  const targetBytes = Math.max(64, Math.round((targetEvents * perEvent * 1.01) / (64 * MiB)) * 64) * MiB;
  const manifest = ensureCorpus(`events-${targetEvents}-s${seed}`, { ...dense, targetBytes });
  warmPageCache(manifest);
  log(`events corpus: ${(manifest.bytes.total / MiB).toFixed(0)} MiB; ingesting in-process (in-memory database)…`);
  const engine = await LedgerEngine.open({ dbFile: null, timeZone: 'UTC' });
  const t = performance.now();
  await engine.ingest({ roots: { claude: [manifest.claudeRoot], codex: [manifest.codexHome] } });
  const ingestSeconds = (performance.now() - t) / 1000;
  eventsEngine = { engine, manifest, ingestSeconds, events: eventCount(engine) };
  log(`  ${eventsEngine.events.toLocaleString('en-US')} events in ${ingestSeconds.toFixed(1)} s`);
  return eventsEngine;
}

/**
 * Where a mart rebuild's time goes: the same steps as rebuildMarts (empty, stage every
 * event once, apply each mart), timed one by one. Uses engine internals; leaves the same state.
 */
function martBreakdown(engine: LedgerEngine): Record<string, number> {
  const db = engine.db;
  const ms: Record<string, number> = {};
  let t = performance.now();
  db.transaction(() => {
    for (const mart of MARTS) for (const table of mart.tables) db.run(`DELETE FROM ${table}`);
    db.run('DELETE FROM mart_watermark');
  });
  ms['empty the marts'] = performance.now() - t;
  registerDayFunction(db, new DayClock(engine.timeZone));
  const newest = Number(db.scalar('SELECT COALESCE(MAX(id), 0) FROM usage_events'));
  db.transaction(() => {
    t = performance.now();
    stageBatch(db, 0, newest);
    ms['stage events (local day)'] = performance.now() - t;
    for (const mart of MARTS) {
      t = performance.now();
      mart.apply(db);
      db.run('INSERT OR REPLACE INTO mart_watermark (mart, last_event_id, updated_at) VALUES (?, ?, ?)', [mart.name, newest, Date.now()]);
      ms[mart.name] = performance.now() - t;
    }
    dropBatch(db);
  });
  return ms;
}

async function benchRebuild(): Promise<void> {
  const { engine, manifest, ingestSeconds, events } = await eventsDatabase();
  const times: number[] = [];
  const martsOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    engine.rebuildMarts();
    times.push(performance.now() - t);
    // Marts alone (no re-pricing): a zone change makes the next refresh rebuild every mart.
    // 'Etc/UTC' and 'UTC' give the same days, so the result is the same database.
    engine.setTimeZone('Etc/UTC');
    t = performance.now();
    engine.refreshMarts();
    martsOnly.push(performance.now() - t);
    engine.setTimeZone('UTC');
    engine.refreshMarts();
    log(`  rebuild run ${i + 1}/${runs}: ${(times[i]! / 1000).toFixed(2)} s (marts alone ${(martsOnly[i]! / 1000).toFixed(2)} s)`);
  }
  const breakdown = martBreakdown(engine);
  const bytes = engine.db.sql.export().length;
  const requests = Number(engine.db.scalar('SELECT COUNT(*) FROM request_ledger'));
  eventResults().rebuild = {
    runs, events, requests, corpusMiB: +(manifest.bytes.total / MiB).toFixed(1), ingestSeconds, rebuildSeconds: median(times) / 1000,
    martsOnlySeconds: median(martsOnly) / 1000, repriceSeconds: (median(times) - median(martsOnly)) / 1000, martBreakdownMs: breakdown,
    runsSeconds: times.map((t) => t / 1000), dbBytes: bytes, dbBytesPerEvent: bytes / events,
  };
  table(`(c) rebuildMarts at ${f0(events)} events (${f0(requests)} requests; dense ${f0(manifest.bytes.total / MiB)} MiB corpus), median of ${runs}`, ['', 'Agent Ledger'], [
    ['rebuildMarts (s)', f2(median(times) / 1000)],
    ['  of which re-pricing every event (s)', f2((median(times) - median(martsOnly)) / 1000)],
    ['  of which deriving the marts (s)', f2(median(martsOnly) / 1000)],
    ['ingest of that corpus, in-process (s)', f1(ingestSeconds)],
    ['database (MiB)', f1(bytes / MiB)],
    ['database bytes per event', f0(bytes / events)],
  ]);
  table('    mart rebuild, step by step (one run)', ['step', 'ms'], Object.entries(breakdown).map(([k, v]) => [k, f0(v)]));
}

async function benchReaders(): Promise<void> {
  const { engine, manifest, events } = await eventsDatabase();
  if (!eventResults().rebuild) engine.refreshMarts();
  const end = manifest.options.endDay!;
  const now = Date.parse(`${end}T18:00:00Z`);
  const since = new Date(Date.parse(`${end}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  const r = engine.readers;
  const today = { since: end, until: end };
  const month = { since, until: end };
  const workspace = r.projects().slice(0, 3).map((p) => p.project);
  const cases: [string, () => unknown][] = [
    ['summary', () => r.summary({}, now)],
    ['dailyByModel (30 days)', () => r.dailyByModel({ since, until: end })],
    ['projects', () => r.projects()],
    ['sessions (top 25)', () => r.sessions({}, { limit: 25 })],
    ['models', () => r.models()],
    ['agents', () => r.agents()],
    // What the status bar (today) and the panel (last 30 days) ask for.
    ['statusSnapshot (today)', () => statusSnapshot(r, workspace, now)],
    ['projects (today)', () => r.projects(today)],
    ['agents (today)', () => r.agents(today)],
    ['models (today)', () => r.models(today)],
    ['panelSnapshot (30 days)', () => panelSnapshot(r, { ...DEFAULT_FILTER, range: '30d' }, now)],
    ['projects (30 days)', () => r.projects(month)],
    ['agents (30 days)', () => r.agents(month)],
    ['sessions (30 days, top 25)', () => r.sessions(month, { limit: 25 })],
  ];
  const repeats = Math.max(runs, 7);
  const ms: Record<string, number> = {};
  for (const [name, fn] of cases) {
    fn(); // warm-up (statement compilation, page cache of the WASM heap)
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      fn();
      times.push(performance.now() - t);
    }
    ms[name] = median(times);
  }
  eventResults().readers = { events, repeats, ms };
  table(`(d) Reader latency at ${f0(events)} events, median of ${repeats}`, ['reader', 'ms'], Object.entries(ms).map(([k, v]) => [k, f2(v)]));
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (with its source module) and per module, in microseconds. */
function selfTimes(profiles: CpuProfile[], moduleAt: (line: number) => string): { byFunction: Map<string, number>; byModule: Map<string, number>; total: number } {
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) {
      const node = byNode.get(profile.samples[i]!)!;
      const dt = profile.timeDeltas[i] ?? 0;
      total += dt;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = functionName || '(anonymous)';
      const where = url.endsWith('.js') && url.includes('/bench/.build/') ? moduleAt(lineNumber)
        : url.startsWith('node:') ? url
        : url.startsWith('wasm') ? 'sql.js WASM (SQLite)'
        : url ? path.basename(url)
        : name.startsWith('(') ? name : 'V8/Node builtins (JSON.parse, Buffer.indexOf…)';
      const key = where === name ? name : `${name}  [${where}]`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
      byModule.set(where, (byModule.get(where) ?? 0) + dt);
    }
  }
  return { byFunction, byModule, total };
}

/**
 * `node --cpu-prof` of our cold CLI ingest, on a non-minified bundle of the current source (so
 * that names are readable). Node writes one profile per thread: the main thread (database
 * writes) and the parser threads are summarised apart, each as its top 10 functions by self
 * time with the source module the bundle line belongs to (esbuild marks modules with `// path`).
 */
function benchProfile(): void {
  const m = mainCorpus();
  const bundle = buildBundle();
  const dir = path.join(tmp, 'prof');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const label = 'bench/.build/cli.js (unminified bundle of src/cli.ts)';
  warmPageCache(m);
  const t = ourIngest(m, path.join(tmp, 'prof.sqlite'), ['--cpu-prof', `--cpu-prof-dir=${dir}`], { command: process.execPath, args: [bundle], label });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (!files.length) throw new Error('no .cpuprofile written');
  // Bundle line → source module, for the main bundle and the worker bundle.
  const marks = new Map<string, [number, string][]>();
  for (const name of ['cli.js', 'parse-worker.js']) {
    const file = path.join(path.dirname(bundle), name);
    if (!fs.existsSync(file)) continue;
    const list: [number, string][] = [];
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const mark = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(line);
      if (mark) list.push([i, mark[1]!]);
    });
    marks.set(name, list);
  }
  const moduleIn = (list: [number, string][]) => (line: number) => {
    let lo = 0;
    let hi = list.length - 1;
    let found = '';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]![0] <= line) { found = list[mid]![1]; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  };
  const profiles = files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile);
  const isMain = (p: CpuProfile) => p.nodes.some((n) => n.callFrame.functionName === 'runCli');
  const main = profiles.filter(isMain);
  const workers = profiles.filter((p) => !isMain(p));
  const saved = path.join(REPO, 'bench', 'ingest.cpuprofile');
  fs.copyFileSync(path.join(dir, files[profiles.indexOf(main[0] ?? profiles[0]!)]!), saved);
  const out: Record<string, unknown> = { runner: label, corpusMiB: +(m.bytes.total / MiB).toFixed(1), wallSeconds: t.seconds, parserThreads: workers.length };
  const groups: [string, CpuProfile[], string][] = [['main thread (reads when not threaded, normalizes, writes the database)', main, 'cli.js'], [`parser thread${workers.length > 1 ? 's' : ''} (read + JSON.parse + normalize)`, workers, 'parse-worker.js']];
  for (const [title, group, bundleName] of groups) {
    if (!group.length) continue;
    const { byFunction, byModule, total } = selfTimes(group, moduleIn(marks.get(bundleName) ?? []));
    const top = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    const topModules = [...byModule.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    out[bundleName === 'cli.js' ? 'main' : 'workers'] = {
      sampledMs: total / 1000,
      top: top.map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / total })),
      byModule: topModules.map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / total })),
    };
    table(`Profile, ${title}: cold CLI ingest of ${f0(m.bytes.total / MiB)} MiB (wall ${f1(t.seconds)} s, ${f0(total / 1000)} ms sampled); top 10 self time`, ['function  [module]', 'self ms', '%'],
      top.map(([name, us]) => [name, f0(us / 1000), f1((100 * us) / total)]));
    table('  by module', ['module', 'self ms', '%'], topModules.map(([name, us]) => [name, f0(us / 1000), f1((100 * us) / total)]));
  }
  corpusResults().profile = out;
  log(`main-thread profile saved as bench/ingest.cpuprofile (${files.length} profiles written in all)`);
}

async function main(): Promise<void> {
  log(`bench: size ${sizeLabel(sizeBytes)}, seed ${seed}, runs ${runs}, parts ${[...only].join(', ')}; tmp ${tmp}`);
  try {
    if (only.has('ingest')) await benchIngest();
    if (only.has('warm')) await benchWarm();
    if (only.has('rebuild')) await benchRebuild();
    if (only.has('readers')) await benchReaders();
    if (only.has('profile')) benchProfile();
    results.updatedAt = new Date().toISOString();
    fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nresults merged into ${path.relative(REPO, outFile)}`);
  } finally {
    eventsEngine?.engine.close();
    if (!values['keep-tmp']) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});

/**
 * Agent Ledger benchmark, side by side with ccusage@20.0.24 in the same run.
 *
 *   npm run bench -- [--size 1g|256m|…] [--runs 3] [--seed 1] [--only ingest,warm,history,readers,profile]
 *                    [--sizes 100000,1000000] [--current-month 20000] [--build] [--out bench/results.json]
 *
 * Parts (each runnable alone with --only; the default runs ingest, warm, history):
 *   ingest   cold ingest of the corpus: our CLI `ingest` into a fresh ledger folder each run vs
 *            ccusage `claude daily` + `codex daily` (full runs); wall seconds, MB/s, peak RSS
 *            (GNU time). Then a no-change run: our `daily --json` on that ledger with nothing new
 *            (the whole process) vs the same ccusage full run. Our CLI is dist/cli.js when it is
 *            newer than src/, else a bundle of the current source made here (bench/.build/).
 *   warm     the ledger of a cold ingest, then one new session appended (in an extra Claude
 *            root): engine time in-process (LedgerEngine.ingest = file scan + ingest + mart
 *            refresh), the save separately, and a no-change refresh; ccusage re-reads everything.
 *   history  issue 6's figures at each of --sizes events of history with no transcripts left
 *            (bench/history.ts): save after an append, open to first figure, writer RSS, a reader
 *            window's refresh and memory, bytes per event, Rebuild Marts, and the host's event-loop
 *            p99 while the engine thread ingests the corpus, saves and rebuilds.
 *   readers  each reader's median latency on the largest history ledger, and the date-filtered
 *            calls the status bar (today) and the panel (last 30 days) make.
 *   profile  `node --cpu-prof` of our cold CLI ingest; prints the top 10 self-time functions.
 *
 * Corpora are cached under bench/.corpus/<size>-s<seed>/ (regenerated when the generator
 * changes); history ledgers are built fresh with the current store. Figures are medians of
 * --runs runs; results are merged into --out (JSON).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { appendClaudeSession, generateCorpus, parseSize, readManifest, type CorpusManifest, type CorpusOptions } from '../test/fixtures/corpus-generator';
import { LedgerEngine } from '../src/pipeline/engine';
import { DEFAULT_FILTER } from '../src/protocol/panel-protocol';
import { panelSnapshot } from '../src/ui/panel-snapshot';
import { statusSnapshot } from '../src/ui/status-snapshot';
import { requireCcusage } from '../test/parity/parity-lib';
import { benchHistory, HISTORY_ROWS } from './history';
import { buildHistoryLedger, folderBytes } from './history-ledger';

const REPO = path.resolve(__dirname, '..');
const CORPUS_DIR = path.join(REPO, 'bench', '.corpus');
const PARTS = ['ingest', 'warm', 'history', 'readers', 'profile'] as const;
type Part = (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1g' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    sizes: { type: 'string', default: '100000,1000000' },
    'current-month': { type: 'string', default: '20000' },
    build: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join('bench', 'results.json') },
    'keep-tmp': { type: 'boolean', default: false },
  },
});

const sizeBytes = parseSize(values.size!);
const runs = Math.max(1, Number(values.runs));
const seed = Number(values.seed);
const historySizes = values.sizes!.split(',').map(Number);
const currentMonthEvents = Number(values['current-month']);
const only = new Set<Part>(
  values.only ? values.only.split(',').map((p) => {
    if (!PARTS.includes(p.trim() as Part)) throw new Error(`--only expects some of ${PARTS.join(', ')}, got "${p}"`);
    return p.trim() as Part;
  }) : ['ingest', 'warm', 'history'],
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
 * esbuild.mjs lays out dist/: the WASM, the parser-thread entry (parse-worker.js) and the engine
 * thread's entry (engine-worker.js) beside it. Built once per bench run.
 */
let bundled: string | undefined;
function buildBundle(): string {
  if (bundled) return bundled;
  const out = path.join(REPO, 'bench', '.build');
  fs.mkdirSync(out, { recursive: true });
  const entries: [string, string][] = [['src/cli.ts', 'cli.js'], ['src/pipeline/parse-worker.ts', 'parse-worker.js'], ['src/pipeline/engine-worker.ts', 'engine-worker.js'], ['bench/history-probe.ts', 'history-probe.js']];
  for (const [entry, name] of entries) {
    const r = spawnSync(path.join(REPO, 'node_modules', '.bin', 'esbuild'), [
      entry, '--bundle', '--platform=node', '--format=cjs', '--target=node20', '--external:vscode', `--outfile=${path.join(out, name)}`, '--log-level=warning',
    ], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`esbuild ${entry} failed: ${r.stderr}`);
  }
  fs.copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(out, 'sql-wasm.wasm'));
  return (bundled = path.join(out, 'cli.js'));
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
 * Our CLI as it ships (a bundle: tsx would add its start-up to every run): dist/cli.js if present
 * and newer than every file in src/ (a stale bundle would measure old code), else (or with
 * --build) a bundle of the current source made here.
 */
function ourCli(): { command: string; args: string[]; label: string } {
  const dist = path.join(REPO, 'dist', 'cli.js');
  const distFresh = fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestSourceMtime();
  if (distFresh && !values.build) return { command: process.execPath, args: [dist], label: `dist/cli.js (built ${fs.statSync(dist).mtime.toISOString().slice(0, 16)})` };
  return { command: process.execPath, args: [buildBundle()], label: 'bench/.build/cli.js (esbuild bundle of src/cli.ts)' };
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

/** Our CLI's arguments for the corpus: its roots and ccusage's zone. */
const corpusArgs = (m: CorpusManifest) => ['--claude-dir', m.claudeRoot, '--codex-dir', m.codexHome, '--timezone', 'UTC'];

function ourIngest(manifest: CorpusManifest, ledgerDir: string, extraNodeArgs: string[] = [], c = cli()): Timed & { engineSeconds: number; events: string } {
  fs.rmSync(ledgerDir, { recursive: true, force: true });
  const args = [...extraNodeArgs, ...c.args, '--db', ledgerDir, 'ingest', ...corpusArgs(manifest)];
  const t = timed(c.command, args);
  // A CLI that exits 0 without its report or ledger did not finish (seen with a dead parser thread).
  if (!/seconds: /.test(t.stdout) || !fs.existsSync(path.join(ledgerDir, 'manifest.json'))) throw new Error(`${c.label} ingest exited without a report or a ledger:\n${t.stdout}${t.stderr}`);
  const engineSeconds = Number(/seconds: ([\d.]+)/.exec(t.stdout)?.[1] ?? NaN);
  const events = /events: (.*)/.exec(t.stdout)?.[1] ?? '';
  return { ...t, engineSeconds, events };
}

/** `daily --json` on a ledger with nothing new to read: the whole process, as a user runs it. */
function ourNoChange(manifest: CorpusManifest, ledgerDir: string): Timed {
  const c = cli();
  const t = timed(c.command, [...c.args, '--db', ledgerDir, 'daily', '--json', ...corpusArgs(manifest)]);
  if (!t.stdout.trimStart().startsWith('{')) throw new Error(`${c.label} daily --json printed no report:\n${t.stdout}${t.stderr}`);
  return t;
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

/** Usage events (signed rows) in every month segment of a ledger. */
async function eventCount(ledgerDir: string): Promise<number> {
  const engine = await LedgerEngine.open({ location: { dir: ledgerDir }, timeZone: 'UTC', readOnly: true });
  try {
    const { months } = engine.ledger;
    return months.months().reduce((n, m) => n + Number(months.db(m).exec('SELECT COUNT(*) FROM usage_events')[0]!.values[0]![0]), 0);
  } finally {
    engine.close();
  }
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

/** Results per corpus (`corpora["1g-s1"]`) and per history size (`history["1000000-s1"]`), so runs at other sizes add up. */
function section(kind: 'corpora' | 'history', key: string): Record<string, unknown> {
  const all = ((results[kind] as Record<string, Record<string, unknown>> | undefined) ??= {});
  const entry = (all[key] ??= {});
  // The engine changes between runs: each section records the code it measured.
  entry.commit = (results.machine as { commit: string }).commit;
  entry.measuredAt = new Date().toISOString();
  return entry;
}
const corpusResults = () => section('corpora', corpusKey());
const historyResults = (n: number) => section('history', `${n}-s${seed}`);

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
  const noChange: Timed[] = [];
  const nodeStart: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    const db = path.join(tmp, `cold-${i}`);
    const a = () => ours.push(ourIngest(m, db));
    const b = () => peer.push(ccusageFull([m.claudeRoot], m.codexHome));
    // Alternate the order, so that neither tool always runs second.
    if (i % 2 === 0) { a(); b(); } else { b(); a(); }
    noChange.push(ourNoChange(m, db));
    nodeStart.push(timed(process.execPath, ['-e', '0']));
    log(`  ingest run ${i + 1}/${runs}: ours ${ours[i]!.seconds.toFixed(2)} s (no change ${noChange[i]!.seconds.toFixed(2)} s), ccusage ${peer[i]!.seconds.toFixed(2)} s`);
    if (i < runs - 1) fs.rmSync(db, { recursive: true, force: true });
    else coldDb = db;
  }
  const dbBytes = folderBytes(coldDb!);
  const events = await eventCount(coldDb!);
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
  const noChangeMed = { seconds: median(noChange.map((r) => r.seconds)), peakRssMb: median(noChange.map((r) => r.peakRssMb ?? NaN)) };
  const nodeStartSeconds = median(nodeStart.map((r) => r.seconds));
  corpusResults().ingest = {
    corpusMiB: +mb.toFixed(1), runs, runner: cli().label,
    ours: { ...oursMed, mibPerSec: mb / oursMed.seconds, summary: ours[0]!.events, events, ledgerBytes: dbBytes, ledgerBytesPerEvent: dbBytes / events, runs: ours.map((r) => ({ seconds: r.seconds, engineSeconds: r.engineSeconds, peakRssMb: r.peakRssMb })) },
    ccusage: { ...peerMed, mibPerSec: mb / peerMed.seconds, runs: peer.map((r) => ({ seconds: r.seconds, claude: r.claude.seconds, codex: r.codex.seconds, peakRssMb: r.peakRssMb })) },
    ratio: oursMed.seconds / peerMed.seconds,
  };
  corpusResults().noChange = {
    runs, command: 'daily --json (nothing new to read)', ours: { ...noChangeMed, runs: noChange.map((r) => r.seconds) },
    ccusageFullSeconds: peerMed.seconds, ratio: noChangeMed.seconds / peerMed.seconds, target: '< 0.1',
    nodeStartSeconds, nodeStartRatio: nodeStartSeconds / peerMed.seconds,
  };
  table(`(a) Cold ingest of ${mb.toFixed(0)} MiB (${m.files.claude + m.files.claudeSubagents + m.files.codex} files), median of ${runs}`, ['', 'Agent Ledger', 'ccusage 20.0.24'], [
    ['wall time (s)', f2(oursMed.seconds), f2(peerMed.seconds)],
    ['  ours / ccusage (target ≤ 1)', f2(oursMed.seconds / peerMed.seconds), ''],
    ['  of which', `ingest ${f2(oursMed.engineSeconds)}`, `claude ${f2(peerMed.claudeSeconds)} + codex ${f2(peerMed.codexSeconds)}`],
    ['throughput (MiB/s)', f0(mb / oursMed.seconds), f0(mb / peerMed.seconds)],
    ['peak RSS (MiB)', f0(oursMed.peakRssMb), f0(peerMed.peakRssMb)],
    ['ledger folder, backup/ included (MiB)', f1(dbBytes / MiB), '—'],
    ['usage events', f0(events), '—'],
    ['ledger bytes per event', f0(dbBytes / events), '—'],
  ]);
  table(`(a') No-change run: \`daily --json\` on that ledger, nothing new (whole process), median of ${runs}`, ['', 'Agent Ledger', 'ccusage 20.0.24 full run'], [
    ['wall time (s)', f2(noChangeMed.seconds), f2(peerMed.seconds)],
    ['ours / ccusage (target < 0.1)', `${f2(noChangeMed.seconds / peerMed.seconds)} (${noChangeMed.seconds / peerMed.seconds < 0.1 ? 'met' : 'not met'})`, ''],
    ['peak RSS (MiB)', f0(noChangeMed.peakRssMb), f0(peerMed.peakRssMb)],
    ['`node -e 0` alone, side by side (s)', `${f2(nodeStartSeconds)} (${f2(nodeStartSeconds / peerMed.seconds)} of ccusage)`, ''],
  ]);
  log(`  runner: ${cli().label}; ours: ${ours[0]!.events}`);
}

async function benchWarm(): Promise<void> {
  const m = mainCorpus();
  corpusResults().corpus ??= describeCorpus(m);
  if (!coldDb) {
    log('warm: making the cold ledger first (one CLI ingest)…');
    coldDb = path.join(tmp, 'cold');
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
    const db = path.join(tmp, 'warm');
    fs.rmSync(db, { recursive: true, force: true });
    fs.cpSync(coldDb, db, { recursive: true });
    let t = performance.now();
    const engine = await LedgerEngine.open({ location: { dir: db }, timeZone: 'UTC' });
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
    const savedBytes = engine.save()?.bytes ?? 0;
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

/** The history ledger of `n` events: the one the history part left, else a new one. */
async function historyLedger(n: number): Promise<string> {
  const dir = path.join(tmp, `history-${n}`);
  if (fs.existsSync(path.join(dir, 'manifest.json'))) return dir;
  log(`building a history ledger of ${f0(n)} events…`);
  await buildHistoryLedger(dir, { events: n, currentMonth: currentMonthEvents, months: 24, seed, now: Date.now() });
  return dir;
}

async function benchHistoryPart(): Promise<void> {
  const m = mainCorpus();
  const built = path.dirname(buildBundle());
  const figures = await benchHistory({
    sizes: historySizes, currentMonth: currentMonthEvents, runs, seed, tmp,
    workerBundle: path.join(built, 'engine-worker.js'), probeBundle: path.join(built, 'history-probe.js'), cliBundle: path.join(built, 'cli.js'),
    corpusRoots: { claude: [m.claudeRoot], codex: [m.codexHome] }, log,
  });
  results.historyHost = { corpus: corpusKey(), bareNodeRssMb: figures.bareNodeRssMb, ...figures.host, commit: (results.machine as { commit: string }).commit, measuredAt: new Date().toISOString() };
  for (const n of historySizes) Object.assign(historyResults(n), { currentMonthEvents, runs }, figures.sizes[n]);
  const judged = historySizes[historySizes.length - 1]!;
  const rows = HISTORY_ROWS.map((row) => {
    const cells = historySizes.map((n) => row.format(row.value(figures.sizes[n]!, figures.host)));
    const met = row.target ? (row.met(row.value(figures.sizes[judged]!, figures.host)) ? 'met' : 'NOT MET') : '';
    return [row.label, ...cells, row.target, met];
  });
  table(
    `(c) History with no transcripts left (${f0(currentMonthEvents)} events in the current month at every size), median of ${runs}; ` +
      `'met?' judged at ${f0(judged)}. Host event-loop p99 idle: ${f1(figures.host.hostP99IdleMs)} ms (10 ms resolution included in every p99); ` +
      `bare node RSS ${f0(figures.bareNodeRssMb)} MB`,
    ['', ...historySizes.map((n) => `${f0(n)} events`), 'target', 'met?'],
    rows,
  );
}

async function benchReaders(): Promise<void> {
  const n = historySizes[historySizes.length - 1]!;
  const engine = await LedgerEngine.open({ location: { dir: await historyLedger(n) }, timeZone: 'UTC', readOnly: true });
  const events = n;
  const now = Date.now();
  const end = new Date(now).toISOString().slice(0, 10);
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
  engine.close();
  historyResults(n).readers = { events, repeats, ms };
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
    if (only.has('history')) await benchHistoryPart();
    if (only.has('readers')) await benchReaders();
    if (only.has('profile')) benchProfile();
    results.updatedAt = new Date().toISOString();
    fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nresults merged into ${path.relative(REPO, outFile)}`);
  } finally {
    if (!values['keep-tmp']) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});

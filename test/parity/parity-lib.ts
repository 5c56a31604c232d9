/**
 * Parity between Agent Ledger's CLI and ccusage@20.0.24 on a generated corpus: both tools'
 * `daily --json`, compared per (day, model) token by token, plus the generator's ground truth.
 * Used by parity.test.ts (a ~5 MB corpus) and run-parity.ts (any size).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng, type CorpusManifest, type SpecialRequest, type TruthCell } from '../fixtures/corpus-generator';

export const REPO = path.resolve(__dirname, '..', '..');

/**
 * The native ccusage 20.0.24 binary. It is an optional dependency (the package that wraps it
 * lists platform binaries that were never published, so it cannot be locked): absent on
 * platforms other than linux-x64, where the comparisons are skipped.
 */
export function ccusageBinary(): string | undefined {
  const native = path.join(REPO, 'node_modules', '@ccusage', `ccusage-${process.platform}-${process.arch}`, 'bin', 'ccusage');
  if (!fs.existsSync(native)) return undefined;
  // The package ships the binary without the execute bit (ccusage's wrapper sets it when it runs).
  if ((fs.statSync(native).mode & 0o111) === 0) fs.chmodSync(native, 0o755);
  return native;
}

export function requireCcusage(): string {
  const bin = ccusageBinary();
  if (!bin) throw new Error(`ccusage 20.0.24 has no binary for ${process.platform}-${process.arch} here`);
  return bin;
}

/** How to start our CLI: the built bundle when asked and present, else the TypeScript source via tsx. */
export function ourCli(preferBundle = false): { command: string; args: string[]; label: string } {
  const bundle = path.join(REPO, 'dist', 'cli.js');
  if (preferBundle && fs.existsSync(bundle)) return { command: process.execPath, args: [bundle], label: 'dist/cli.js' };
  return { command: process.execPath, args: ['--import', 'tsx', path.join(REPO, 'src', 'cli.ts')], label: 'tsx src/cli.ts' };
}

export interface Tokens {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

/** One tool's daily report, normalised: tokens per `day|model`, cost per day and in all. */
export interface DailySide {
  cells: Map<string, Tokens>;
  /** Per `day|model` where the tool reports it (ccusage codex does not). */
  cellCost: Map<string, number>;
  dayCost: Map<string, number>;
  totalCost: number;
  seconds: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { stdout: string; seconds: number } {
  const started = performance.now();
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, cwd: REPO });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  }
  return { stdout: result.stdout, seconds };
}

function emptySide(seconds: number): DailySide {
  return { cells: new Map(), cellCost: new Map(), dayCost: new Map(), totalCost: 0, seconds };
}

interface ClaudeShapeRow {
  date: string;
  totalCost: number;
  modelBreakdowns: { modelName: string; inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; cost: number }[];
}

/** ccusage's (and our) `daily --json` in the Claude shape. */
function fromClaudeShape(json: { daily: ClaudeShapeRow[] }, seconds: number): DailySide {
  const side = emptySide(seconds);
  for (const row of json.daily) {
    side.dayCost.set(row.date, (side.dayCost.get(row.date) ?? 0) + row.totalCost);
    side.totalCost += row.totalCost;
    for (const b of row.modelBreakdowns) {
      const key = `${row.date}|${b.modelName}`;
      const cell = side.cells.get(key) ?? { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
      cell.input += b.inputTokens;
      cell.output += b.outputTokens;
      cell.cacheCreation += b.cacheCreationTokens;
      cell.cacheRead += b.cacheReadTokens;
      side.cells.set(key, cell);
      side.cellCost.set(key, (side.cellCost.get(key) ?? 0) + b.cost);
    }
  }
  return side;
}

export function ccusageClaude(claudeRoot: string, zone = 'UTC'): DailySide {
  const { stdout, seconds } = run(requireCcusage(), ['claude', 'daily', '--offline', '--json', '-z', zone, '--mode', 'calculate'], {
    ...process.env, CLAUDE_CONFIG_DIR: claudeRoot,
  });
  return fromClaudeShape(JSON.parse(stdout), seconds);
}

interface CodexShapeRow {
  date: string;
  costUSD: number;
  models: Record<string, { inputTokens: number; cacheReadTokens: number; outputTokens: number; cacheCreationTokens?: number }>;
}

export function ccusageCodex(codexHome: string, zone = 'UTC'): DailySide {
  const { stdout, seconds } = run(requireCcusage(), ['codex', 'daily', '--offline', '--json', '-z', zone], { ...process.env, CODEX_HOME: codexHome });
  const json = JSON.parse(stdout) as { daily: CodexShapeRow[] };
  const side = emptySide(seconds);
  for (const row of json.daily) {
    side.dayCost.set(row.date, (side.dayCost.get(row.date) ?? 0) + row.costUSD);
    side.totalCost += row.costUSD;
    for (const [model, m] of Object.entries(row.models)) {
      side.cells.set(`${row.date}|${model}`, { input: m.inputTokens, output: m.outputTokens, cacheCreation: m.cacheCreationTokens ?? 0, cacheRead: m.cacheReadTokens });
    }
  }
  return side;
}

/** Our CLI on a fresh database: `daily --json -z <zone> --agent <agent>` with only that agent's folder. */
export function oursDaily(agent: 'claude' | 'codex', dir: string, dbFile: string, preferBundle = false, zone = 'UTC'): DailySide {
  fs.rmSync(dbFile, { recursive: true, force: true });
  return oursReport(agent, dir, dbFile, preferBundle, zone);
}

/** Our CLI's `daily --json` on an existing database (ingesting what is new first, as users run it). */
function oursReport(agent: 'claude' | 'codex', dir: string, dbFile: string, preferBundle: boolean, zone: string): DailySide {
  const cli = ourCli(preferBundle);
  const { stdout, seconds } = run(cli.command, [...cli.args, '--db', dbFile, 'daily', '--json', '-z', zone, '--agent', agent, `--${agent}-dir`, dir]);
  return fromClaudeShape(JSON.parse(stdout), seconds);
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.jsonl')) out.push(full);
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Our CLI reading the corpus while it grows, as the extension's watcher does: a copy of the
 * agent's folder where every file starts as a random prefix (cut at any byte, so often
 * mid-line) or is missing, and grows by appends over `phases` runs on the same database until
 * it is complete. The final report must equal a cold read's. Files grow independently, so a
 * sub-agent's replay may be read before its parent's line (the retraction path).
 */
export function oursIncremental(agent: 'claude' | 'codex', dir: string, workDir: string, seed: number, phases = 3, preferBundle = false, zone = 'UTC'): DailySide {
  const live = path.join(workDir, `live-${agent}`);
  const dbFile = path.join(workDir, `incremental-${agent}.sqlite`);
  fs.rmSync(live, { recursive: true, force: true });
  fs.rmSync(dbFile, { recursive: true, force: true });
  const rng = new Rng(seed);
  const files = listFiles(dir).map((file) => {
    const size = fs.statSync(file).size;
    const cuts = Array.from({ length: phases - 1 }, () => (rng.chance(0.15) ? 0 : rng.int(0, size))).sort((a, b) => a - b);
    return { file, target: path.join(live, path.relative(dir, file)), size, cuts: [...cuts, size], written: -1 };
  });
  let report: DailySide | undefined;
  for (let phase = 0; phase < phases; phase++) {
    for (const f of files) {
      const upTo = f.cuts[phase]!;
      if (upTo === 0 && f.written < 0) continue; // not created yet
      const from = Math.max(0, f.written);
      if (upTo <= from && f.written >= 0) continue;
      fs.mkdirSync(path.dirname(f.target), { recursive: true });
      const fd = fs.openSync(f.file, 'r');
      const chunk = Buffer.alloc(upTo - from);
      fs.readSync(fd, chunk, 0, chunk.length, from);
      fs.closeSync(fd);
      fs.appendFileSync(f.target, chunk);
      f.written = upTo;
    }
    report = oursReport(agent, live, dbFile, preferBundle, zone);
  }
  fs.rmSync(live, { recursive: true, force: true });
  fs.rmSync(dbFile, { recursive: true, force: true });
  return report!;
}

/** Rows of the engine's `readers.dailyByModel` as a daily side (fast mode shown as a `-fast` model, as the CLI does). */
export function fromDailyRows(rows: readonly { day: string; model: string; speed: string; inputTokens: number; outputTokens: number; cacheWrite5mTokens: number; cacheWrite1hTokens: number; cacheReadTokens: number; costUsd: number }[]): DailySide {
  const side = emptySide(0);
  for (const r of rows) {
    const key = `${r.day}|${r.speed === 'fast' ? `${r.model}-fast` : r.model}`;
    addToCell(side.cells, key, r.inputTokens, r.outputTokens, r.cacheWrite5mTokens + r.cacheWrite1hTokens, r.cacheReadTokens);
    side.cellCost.set(key, (side.cellCost.get(key) ?? 0) + r.costUsd);
    side.dayCost.set(r.day, (side.dayCost.get(r.day) ?? 0) + r.costUsd);
    side.totalCost += r.costUsd;
  }
  return side;
}

/** Ground truth from the generator's manifest, for one agent. */
export function truthSide(manifest: CorpusManifest, agent: 'claude' | 'codex'): DailySide {
  const side = emptySide(manifest.seconds);
  for (const [key, cell] of Object.entries(manifest.truth) as [string, TruthCell][]) {
    const [a, day, model] = key.split('|') as [string, string, string];
    if (a !== agent) continue;
    side.cells.set(`${day}|${model}`, { input: cell.input, output: cell.output, cacheCreation: cell.cacheCreation, cacheRead: cell.cacheRead });
  }
  return side;
}

// ─── Deliberate differences ──────────────────────────────────────────────────────────────────

/** USD per 1M tokens for the corpus's Claude models, from /work/shared/pricing-facts.md. */
const CLAUDE_RATES: Record<string, { input: number; output: number; m5: number; h1: number; read: number; fast: number; tier?: { input: number; output: number; m5: number; h1: number; read: number } }> = {
  'claude-sonnet-4-5-20250929': { input: 3, output: 15, m5: 3.75, h1: 6, read: 0.3, fast: 1, tier: { input: 6, output: 22.5, m5: 7.5, h1: 12, read: 0.6 } },
  'claude-opus-4-6': { input: 5, output: 25, m5: 6.25, h1: 10, read: 0.5, fast: 6 },
  'claude-opus-4-1-20250805': { input: 15, output: 75, m5: 18.75, h1: 30, read: 1.5, fast: 1 },
  'claude-haiku-4-5-20251001': { input: 1, output: 5, m5: 1.25, h1: 2, read: 0.1, fast: 1 },
};

function ratesOf(r: SpecialRequest) {
  const rates = CLAUDE_RATES[r.model.replace(/-fast$/, '')];
  if (!rates) throw new Error(`no test rates for ${r.model}`);
  return rates;
}

/** Anthropic's rule (Agent Ledger's): past 200k total input, the whole request at the tier rates. */
export function providerCost(r: SpecialRequest): number {
  const base = ratesOf(r);
  const overTier = base.tier !== undefined && r.input + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead > 200_000;
  const k = overTier ? base.tier! : base;
  const usd = r.input * k.input + r.output * k.output + r.cacheWrite5m * k.m5 + r.cacheWrite1h * k.h1 + r.cacheRead * k.read;
  return (usd / 1e6) * (r.fast ? base.fast : 1);
}

/** ccusage's rule: each token kind's excess over 200k at the tier rate, the rest at base rates. */
export function ccusageCost(r: SpecialRequest): number {
  const base = ratesOf(r);
  const kind = (n: number, b: number, t: number | undefined) => (t === undefined ? n * b : Math.min(n, 200_000) * b + Math.max(0, n - 200_000) * t);
  const t = base.tier;
  const usd = kind(r.input, base.input, t?.input) + kind(r.output, base.output, t?.output) + kind(r.cacheWrite5m, base.m5, t?.m5) +
    kind(r.cacheWrite1h, base.h1, t?.h1) + kind(r.cacheRead, base.read, t?.read);
  return (usd / 1e6) * (r.fast ? base.fast : 1);
}

/**
 * ccusage's Claude report adjusted for the documented, deliberate differences, i.e. what
 * ccusage would report if it followed Agent Ledger's rules:
 * - lines with `null` under `id`/`model`/… inside a tool input: ccusage drops them, we count
 *   them (README §1) → add their tokens and cost back;
 * - Sonnet 4.5 requests past 200k input: ccusage bills each kind's excess only, we bill the
 *   whole request at the tier rates (pricing-facts §2, "an approximation") → add the difference.
 */
export function adjustCcusageClaude(side: DailySide, manifest: CorpusManifest, zone = 'UTC'): { side: DailySide; tierDeltaUsd: number; nullQuirkUsd: number } {
  const dayIn = zone === 'UTC' ? undefined : new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const local = (r: SpecialRequest): SpecialRequest => (dayIn && r.ts !== undefined ? { ...r, day: dayIn.format(r.ts) } : r);
  const out: DailySide = { ...side, cells: new Map([...side.cells].map(([k, v]) => [k, { ...v }])), cellCost: new Map(side.cellCost), dayCost: new Map(side.dayCost) };
  let tierDeltaUsd = 0;
  let nullQuirkUsd = 0;
  const addCost = (r: SpecialRequest, usd: number) => {
    const key = `${r.day}|${r.model}`;
    out.cellCost.set(key, (out.cellCost.get(key) ?? 0) + usd);
    out.dayCost.set(r.day, (out.dayCost.get(r.day) ?? 0) + usd);
    out.totalCost += usd;
  };
  for (const request of manifest.deliberate.nullInToolInput) {
    const r = local(request);
    const key = `${r.day}|${r.model}`;
    addToCell(out.cells, key, r.input, r.output, r.cacheWrite5m + r.cacheWrite1h, r.cacheRead);
    const usd = providerCost(r);
    nullQuirkUsd += usd;
    addCost(r, usd);
  }
  for (const request of manifest.deliberate.tier) {
    const r = local(request);
    const delta = providerCost(r) - ccusageCost(r);
    tierDeltaUsd += delta;
    addCost(r, delta);
  }
  return { side: out, tierDeltaUsd, nullQuirkUsd };
}

// ─── Comparison ──────────────────────────────────────────────────────────────────────────────

export interface Mismatch {
  key: string;
  kind: keyof Tokens | 'missing';
  a: number;
  b: number;
}

export function tokenMismatches(a: DailySide, b: DailySide): Mismatch[] {
  const out: Mismatch[] = [];
  const zero: Tokens = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  for (const key of new Set([...a.cells.keys(), ...b.cells.keys()])) {
    const x = a.cells.get(key) ?? zero;
    const y = b.cells.get(key) ?? zero;
    for (const kind of ['input', 'output', 'cacheCreation', 'cacheRead'] as const) {
      if (x[kind] !== y[kind]) out.push({ key, kind, a: x[kind], b: y[kind] });
    }
  }
  return out.sort((p, q) => (p.key < q.key ? -1 : 1));
}

/** Largest relative cost difference over the keys of `a` (per cell, or per day). */
export function worstRelative(a: Map<string, number>, b: Map<string, number>): { key: string; relative: number } {
  let worst = { key: '', relative: 0 };
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key) ?? 0;
    const y = b.get(key) ?? 0;
    const relative = Math.abs(x - y) / Math.max(Math.abs(y), 1e-9);
    if (Math.abs(x - y) > 1e-9 && relative > worst.relative) worst = { key, relative };
  }
  return worst;
}

/** Adds tokens to one (day, model) cell, creating it when absent. */
function addToCell(cells: Map<string, Tokens>, key: string, input: number, output: number, cacheCreation: number, cacheRead: number): void {
  const cell = cells.get(key) ?? { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  cell.input += input;
  cell.output += output;
  cell.cacheCreation += cacheCreation;
  cell.cacheRead += cacheRead;
  cells.set(key, cell);
}

export function sumTokens(side: DailySide): Tokens & { total: number } {
  const t = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, total: 0 };
  for (const c of side.cells.values()) {
    t.input += c.input;
    t.output += c.output;
    t.cacheCreation += c.cacheCreation;
    t.cacheRead += c.cacheRead;
  }
  t.total = t.input + t.output + t.cacheCreation + t.cacheRead;
  return t;
}

export interface AgentParity {
  agent: 'claude' | 'codex';
  zone: string;
  ours: DailySide;
  ccusage: DailySide;
  /** ccusage with the deliberate differences added back (Claude); ccusage itself for Codex. */
  expected: DailySide;
  /** The generator's truth (UTC days only; empty for other zones). */
  truth: DailySide;
  vsCcusage: Mismatch[];
  vsTruth: Mismatch[];
  totalCostRelative: number;
  worstCell: { key: string; relative: number };
  tierDeltaUsd: number;
  nullQuirkUsd: number;
  /** Our report after reading the corpus while it grew (when asked for). */
  incremental?: { side: DailySide; vsCold: Mismatch[]; costRelative: number };
}

export interface CompareOptions {
  preferBundle?: boolean;
  /** Time zone for both tools' days. Default UTC (the only zone the truth is kept in). */
  zone?: string;
  /** Also read the corpus while it grows, in this many runs on one database. */
  incrementalPhases?: number;
}

export function compareAgent(agent: 'claude' | 'codex', manifest: CorpusManifest, workDir: string, options: CompareOptions = {}): AgentParity {
  const zone = options.zone ?? 'UTC';
  const dir = agent === 'claude' ? manifest.claudeRoot : manifest.codexHome;
  const ccusage = agent === 'claude' ? ccusageClaude(dir, zone) : ccusageCodex(dir, zone);
  const ours = oursDaily(agent, dir, path.join(workDir, `parity-${agent}.sqlite`), options.preferBundle, zone);
  fs.rmSync(path.join(workDir, `parity-${agent}.sqlite`), { recursive: true, force: true });
  // The deliberate differences are per request and day-independent in cost; their day is UTC,
  // so per-cell adjustment is only exact in UTC (other zones compare totals for them).
  const adjusted = agent === 'claude' ? adjustCcusageClaude(ccusage, manifest, zone) : { side: ccusage, tierDeltaUsd: 0, nullQuirkUsd: 0 };
  const expected = adjusted.side;
  const truth = zone === 'UTC' ? truthSide(manifest, agent) : emptySide(0);
  const result: AgentParity = {
    agent,
    zone,
    ours,
    ccusage,
    expected,
    truth,
    vsCcusage: tokenMismatches(ours, expected),
    vsTruth: zone === 'UTC' ? tokenMismatches(ours, truth) : [],
    totalCostRelative: Math.abs(ours.totalCost - expected.totalCost) / Math.max(expected.totalCost, 1e-9),
    worstCell: agent === 'claude' ? worstRelative(ours.cellCost, expected.cellCost) : worstRelative(ours.dayCost, expected.dayCost),
    tierDeltaUsd: adjusted.tierDeltaUsd,
    nullQuirkUsd: adjusted.nullQuirkUsd,
  };
  if (options.incrementalPhases) {
    const side = oursIncremental(agent, dir, workDir, manifest.options.seed ?? 1, options.incrementalPhases, options.preferBundle, zone);
    result.incremental = {
      side,
      vsCold: tokenMismatches(side, ours),
      costRelative: Math.abs(side.totalCost - ours.totalCost) / Math.max(ours.totalCost, 1e-9),
    };
  }
  return result;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const usd = (n: number) => `$${n.toFixed(4)}`;

/** A short side-by-side table of one agent's comparison. */
export function describeParity(p: AgentParity): string {
  const o = sumTokens(p.ours);
  const c = sumTokens(p.ccusage);
  const t = sumTokens(p.truth);
  const hasTruth = p.truth.cells.size > 0;
  const tr = (n: number) => (hasTruth ? int(n) : '—');
  const rows: [string, string, string, string][] = [
    ['', 'Agent Ledger', 'ccusage 20.0.24', hasTruth ? 'generator truth' : 'truth (UTC only)'],
    ['cells (day × model)', int(p.ours.cells.size), int(p.ccusage.cells.size), tr(p.truth.cells.size)],
    ['input', int(o.input), int(c.input), tr(t.input)],
    ['output', int(o.output), int(c.output), tr(t.output)],
    ['cache create', int(o.cacheCreation), int(c.cacheCreation), tr(t.cacheCreation)],
    ['cache read', int(o.cacheRead), int(c.cacheRead), tr(t.cacheRead)],
    ['total tokens', int(o.total), int(c.total), tr(t.total)],
    ['cost', usd(p.ours.totalCost), `${usd(p.ccusage.totalCost)} (adj. ${usd(p.expected.totalCost)})`, ''],
    ['wall time (s)', p.ours.seconds.toFixed(2), p.ccusage.seconds.toFixed(2), ''],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  lines.unshift(`── ${p.agent} (days in ${p.zone}) ──`);
  lines.push(
    `token mismatches vs ccusage (adjusted): ${p.vsCcusage.length}; vs truth: ${hasTruth ? p.vsTruth.length : 'n/a'}; ` +
      `total cost Δ ${(p.totalCostRelative * 100).toFixed(4)}%; worst ${p.agent === 'claude' ? 'cell' : 'day'} Δ ${(p.worstCell.relative * 100).toFixed(4)}% ${p.worstCell.key}`,
  );
  if (p.agent === 'claude') {
    lines.push(`deliberate: 200k-tier requests add ${usd(p.tierDeltaUsd)} over ccusage's per-kind rule; null-in-tool-input requests (dropped by ccusage) ${usd(p.nullQuirkUsd)}`);
  }
  if (p.incremental) {
    lines.push(`read while growing (appends on one database): token mismatches vs a cold read ${p.incremental.vsCold.length}; cost Δ ${(p.incremental.costRelative * 100).toFixed(4)}%`);
    for (const m of p.incremental.vsCold.slice(0, 8)) lines.push(`  ≠ cold ${m.key} ${m.kind}: incremental ${m.a} vs cold ${m.b}`);
  }
  for (const m of [...p.vsCcusage.slice(0, 8)]) lines.push(`  ≠ ccusage ${m.key} ${m.kind}: ours ${m.a} vs ${m.b}`);
  for (const m of [...p.vsTruth.slice(0, 8)]) lines.push(`  ≠ truth ${m.key} ${m.kind}: ours ${m.a} vs ${m.b}`);
  return lines.join('\n');
}

/** Every (day, model) cell side by side: total tokens and cost of both tools (and the truth's tokens). */
export function describeCells(p: AgentParity): string {
  const keys = [...new Set([...p.ours.cells.keys(), ...p.expected.cells.keys()])].sort();
  const total = (t: Tokens | undefined) => (t ? t.input + t.output + t.cacheCreation + t.cacheRead : 0);
  const rows = keys.map((key) => {
    const [day, model] = key.split('|') as [string, string];
    const o = total(p.ours.cells.get(key));
    const c = total(p.expected.cells.get(key));
    const cost = (side: DailySide) => (p.agent === 'claude' ? side.cellCost.get(key) : undefined);
    const oc = cost(p.ours);
    const cc = cost(p.expected);
    return [day, model, int(o), int(c), o === c ? '=' : '≠', oc === undefined ? '' : usd(oc), cc === undefined ? '' : usd(cc)];
  });
  const header = ['day', 'model', 'ours tokens', 'ccusage tokens*', '', p.agent === 'claude' ? 'ours cost' : '', p.agent === 'claude' ? 'ccusage cost*' : ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line), '* with the deliberate differences added back (see adjustCcusageClaude)'].join('\n');
}

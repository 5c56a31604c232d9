import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { eventTotals, memoryEngine } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import {
  claudeAssistant, claudeUser, codexMeta, codexResponseItem, codexTokenCount, codexTurnContext, type CodexUsage,
} from '../fixtures/transcript-lines';

/**
 * Crash safety: a child process ingests a ~50 MB corpus, saving after every few files, and is
 * killed with SIGKILL at random moments, some of them in the middle of a save. Restarted to
 * completion, it must end with exactly the totals of an uninterrupted run, and every database
 * file left between the kills must open as it is (never torn, never moved aside).
 * CRASH_SEED=<n> replays one schedule.
 */

const REPO = path.resolve(__dirname, '../..');
const CHILD = path.join(REPO, 'test/crash/ingest-child.ts');
const FILES_PER_SAVE = 25;
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLAUDE_MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-6', 'claude-haiku-4-5-20251001', 'claude-opus-4-9'];
const CODEX_MODELS = ['gpt-5-codex', 'gpt-5.4', 'gpt-5.1-codex-mini'];
const BASE = Date.UTC(2026, 9, 1);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * ~52 MB in ~400 files: Claude sessions with streamed repeats (1–4 lines per message, output
 * growing), large tool-result user lines, resumed sessions that start with a copy of another
 * session's messages, sub-agent files with sidechain replays and messages of their own; and
 * Codex rollouts with cumulative token counts, re-emits, null infos and model switches.
 */
function writeCorpus(dir: TranscriptDir, seed: number): { files: number; bytes: number; usageLines: number } {
  const r = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  let files = 0;
  let bytes = 0;
  let usageLines = 0; // lines that carry usage, repeats and copies included
  const write = (file: string, lines: string[]) => {
    dir.write(file, lines);
    usageLines += lines.filter((l) => l.includes('"usage"') || l.includes('"token_count"')).length;
    files++;
    bytes += fs.statSync(file).size;
  };
  let previousStart: string[] = [];
  for (let p = 0; p < 12; p++) {
    const cwd = `/work/proj${p}`;
    for (let s = 0; s < 25; s++) {
      const sessionId = `s-${p}-${s}`;
      let t = BASE + int(0, 50) * 86_400_000 + int(0, 86_000) * 1000;
      const lines: string[] = s % 10 === 3 ? [...previousStart] : [];
      const start: string[] = [];
      const messages: { messageId: string; model: string; ts: string }[] = [];
      const count = int(25, 55);
      for (let m = 0; m < count; m++) {
        t += int(5, 600) * 1000;
        lines.push(claudeUser('x'.repeat(int(200, 4000)), iso(t), sessionId));
        const model = CLAUDE_MODELS[int(0, CLAUDE_MODELS.length - 1)]!;
        const spec = {
          messageId: `msg_${p}_${s}_${m}`, requestId: `req_${p}_${s}_${m}`, sessionId, cwd, model, ts: iso(t + 1000),
          input: int(0, 20_000), cacheRead: int(0, 150_000),
          split: r() < 0.7 ? { m5: int(0, 5000), h1: int(0, 3000) } : undefined,
          speed: model === 'claude-opus-4-6' && r() < 0.3 ? ('fast' as const) : undefined,
        };
        const repeats = int(1, 4);
        const output = int(1, 3000);
        for (let k = 1; k <= repeats; k++) {
          const line = claudeAssistant({ ...spec, output: output * k });
          lines.push(line);
          if (m < 8) start.push(line);
        }
        messages.push({ messageId: spec.messageId, model, ts: spec.ts });
      }
      write(dir.claudePath(`-work-proj${p}/${sessionId}.jsonl`), lines);
      previousStart = start;
      if (s % 7 === 2) {
        const sub = messages.slice(0, 4).map((m) =>
          claudeAssistant({ ...m, requestId: `req_side_${m.messageId}`, sessionId, cwd, sidechain: true, output: 77 }),
        );
        for (let k = 0; k < 5; k++) {
          sub.push(claudeAssistant({
            messageId: `msg_own_${p}_${s}_${k}`, requestId: `req_own_${p}_${s}_${k}`, sessionId, cwd, ts: iso(t + k * 1000),
            sidechain: true, input: int(1, 3000), output: int(1, 500),
          }));
        }
        write(dir.claudePath(`-work-proj${p}/${sessionId}/subagents/agent-${s}.jsonl`), sub);
      }
    }
  }
  for (let c = 0; c < 60; c++) {
    const id = `0199a213-81c0-7800-8aa1-${String(c).padStart(12, '0')}`;
    let t = BASE + int(0, 50) * 86_400_000;
    const day = iso(t).slice(0, 10).replace(/-/g, '/');
    const cwd = `/work/codex${c % 5}`;
    const lines = [codexMeta(iso(t), id, cwd), codexTurnContext(iso(t), CODEX_MODELS[c % CODEX_MODELS.length]!, cwd)];
    const total: Required<CodexUsage> = { input: 0, cached: 0, output: 0, reasoning: 0 };
    const turns = int(20, 40);
    for (let k = 0; k < turns; k++) {
      t += int(10, 900) * 1000;
      if (r() < 0.05) lines.push(codexTurnContext(iso(t), CODEX_MODELS[int(0, CODEX_MODELS.length - 1)]!, cwd));
      lines.push(codexResponseItem(iso(t), 'y'.repeat(int(500, 3000))));
      if (r() < 0.05) {
        lines.push(codexTokenCount(iso(t), null));
        continue;
      }
      const input = int(1000, 300_000);
      const output = int(10, 5000);
      const last = { input, cached: int(0, input), output, reasoning: int(0, output) };
      total.input += last.input;
      total.cached += last.cached;
      total.output += last.output;
      total.reasoning += last.reasoning;
      lines.push(codexTokenCount(iso(t), { ...total }, last));
      if (r() < 0.1) lines.push(codexTokenCount(iso(t + 500), { ...total }, last)); // a re-emit
    }
    write(dir.codexPath(`sessions/${day}/rollout-${iso(t).slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`), lines);
  }
  return { files, bytes, usageLines };
}

interface ChildResult {
  totals: Record<string, number>;
  requests: number;
  events: Record<string, number>;
  daily: unknown[];
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC' };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** One run of the child, with its output as lines. */
class ChildRun {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { match: (line: string) => boolean; resolve: (line: string | undefined) => void }[] = [];

  constructor(dbFile: string, dir: TranscriptDir, filesPerSave: number) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dbFile, dir.claudeRoot, dir.codexHome, String(filesPerSave)], {
      cwd: REPO,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('close', (code, signal) => {
        for (const w of this.waiters) w.resolve(undefined);
        this.waiters = [];
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** The first line (already seen or to come) matching; undefined if the child ends first. */
  waitForLine(match: (line: string) => boolean): Promise<string | undefined> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  result(): ChildResult {
    const line = this.lines.find((l) => l.startsWith('result '));
    assert.ok(line, `the child printed its result; stderr:\n${this.stderr}`);
    return JSON.parse(line.slice('result '.length)) as ChildResult;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Spins (without yielding) until `done()` or `ms` elapse; true when `done()` became true. */
function spin(ms: number, done: () => boolean): boolean {
  const until = performance.now() + ms;
  while (performance.now() < until) if (done()) return true;
  return done();
}

/** Spins in slices, yielding in between so that the child's exit is noticed; false if it ended first. */
async function spinUntil(run: ChildRun, done: () => boolean): Promise<boolean> {
  for (;;) {
    if (run.proc.exitCode !== null || run.proc.signalCode !== null) return false;
    if (spin(20, done)) return true;
    await tick();
  }
}

/**
 * Kills the child inside a save. A save shows as the temporary file `<db>.tmp-<pid>`, from its
 * creation until the rename over the database. First one whole save is timed, then the kill
 * lands `fraction` of that duration after the next save starts (0: as soon as the file appears).
 */
/** Whether process `pid` is writing a ledger file right now (its temporary files exist). */
function savingNow(ledgerDir: string, pid: number): boolean {
  const mark = `.tmp-${pid}-`;
  for (const dir of [ledgerDir, path.join(ledgerDir, 'backup')]) {
    try {
      if (fs.readdirSync(dir).some((f) => f.includes(mark))) return true;
    } catch {
      // not created yet
    }
  }
  return false;
}

async function killDuringSave(run: ChildRun, dbFile: string, fraction: number): Promise<void> {
  const exists = () => savingNow(dbFile, run.pid);
  let duration = 0;
  if (fraction > 0) {
    if (!(await spinUntil(run, exists))) return;
    const started = performance.now();
    if (!(await spinUntil(run, () => !exists()))) return;
    duration = performance.now() - started;
  }
  if (!(await spinUntil(run, exists))) return;
  spin(duration * fraction, () => false);
  run.proc.kill('SIGKILL');
}

describe('crash safety: SIGKILL during ingest and during saves', () => {
  let dir: TranscriptDir;
  let corpus: { files: number; bytes: number; usageLines: number };
  let reference: ChildResult;

  before(async () => {
    dir = new TranscriptDir('agent-ledger-crash-');
    corpus = writeCorpus(dir, 20261123);
    const run = new ChildRun(path.join(dir.base, 'reference'), dir, 0);
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr);
    reference = run.result();
  });
  after(() => dir?.dispose());

  test('the corpus is what the test intends', () => {
    assert.ok(corpus.bytes > 30 * 1024 * 1024 && corpus.bytes < 60 * 1024 * 1024, `corpus of ${corpus.bytes} bytes`);
    assert.ok(corpus.files >= 300, `${corpus.files} files`);
    // Streamed repeats, resumed copies and re-emits were counted once.
    assert.ok(reference.requests > 10_000, `${reference.requests} requests`);
    assert.ok(reference.requests < corpus.usageLines * 0.6, `${reference.requests} requests from ${corpus.usageLines} usage lines`);
    assert.ok(reference.totals.costUsd! > 0, 'the corpus costs something');
  });

  test(`killed at random moments, then restarted, it ends with the uninterrupted totals (seed ${SEED})`, async (t) => {
    t.diagnostic(`CRASH_SEED=${SEED}`);
    const random = prng(SEED);
    const dbFile = path.join(dir.base, 'crashed');
    const batches = Math.ceil(corpus.files / FILES_PER_SAVE);
    const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const probeFile = path.join(dir.base, 'probe');
    const stderrs: string[] = [];
    let kills = 0;
    let killsMidSave = 0;
    let lastSavedBatch = -1;

    /** The database left behind must open as it is, with marts that agree with its events. */
    const checkLeftover = async (moment: string) => {
      if (!fs.existsSync(dbFile)) return;
      fs.rmSync(probeFile, { recursive: true, force: true });
      fs.cpSync(dbFile, probeFile, { recursive: true });
      const { engine, log } = await memoryEngine(probeFile);
      try {
        assert.ok(!engine.ledger.recovery.rereadSources && !engine.ledger.recovery.rebuildMarts, `ledger needed repair after ${moment}: ${log.lines.join('\n')}`);
        const events = eventTotals(engine);
        const marts = engine.readers.periodTotals();
        assert.deepEqual([marts.inputTokens, marts.outputTokens, marts.messages], [events.input, events.output, events.messages], `marts match events after ${moment}`);
      } finally {
        engine.close();
        fs.rmSync(probeFile, { recursive: true, force: true });
      }
    };

    type Plan =
      | { kind: 'ingest'; batch: number; delayMs: number }
      | { kind: 'save'; batch: number; fraction: number }
      | { kind: 'anytime'; delayMs: number };
    // Each run redoes quickly what the last save kept, so rising targets walk through the corpus.
    // Kills inside saves are spread over the save's duration (see killDuringSave).
    const within = (lo: number, hi: number) => lo + (hi - lo) * random();
    const plans: Plan[] = [
      { kind: 'ingest', batch: pick(1, 2), delayMs: pick(0, 80) },
      { kind: 'save', batch: pick(2, 3), fraction: 0 },
      { kind: 'anytime', delayMs: pick(200, 900) },
      { kind: 'save', batch: pick(3, 5), fraction: within(0.1, 0.35) },
      { kind: 'ingest', batch: pick(5, 6), delayMs: pick(0, 80) },
      { kind: 'save', batch: pick(6, 8), fraction: within(0.35, 0.6) },
      { kind: 'save', batch: pick(8, 10), fraction: within(0.6, 0.85) },
      { kind: 'ingest', batch: pick(10, 11), delayMs: pick(0, 80) },
      { kind: 'save', batch: pick(11, 12), fraction: within(0.85, 1) },
      { kind: 'save', batch: pick(12, batches - 3), fraction: random() },
      { kind: 'save', batch: pick(batches - 3, batches - 2), fraction: 0 },
    ];
    const planned = plans.length;
    // More kills at the start of a save if none of the planned ones landed before its rename.
    for (let extra = 0; extra < 6; extra++) plans.push({ kind: 'save', batch: pick(0, batches - 2), fraction: 0 });

    for (const [i, plan] of plans.entries()) {
      if (i >= planned && killsMidSave > 0) break;
      const run = new ChildRun(dbFile, dir, FILES_PER_SAVE);
      if (plan.kind === 'anytime') {
        await sleep(plan.delayMs);
        run.proc.kill('SIGKILL');
      } else {
        const seen = await run.waitForLine((l) => l.startsWith(`batch ${plan.batch} `));
        if (seen !== undefined) {
          if (plan.kind === 'ingest') {
            await sleep(plan.delayMs);
            run.proc.kill('SIGKILL');
          } else {
            await killDuringSave(run, dbFile, plan.fraction);
          }
        }
      }
      const { code, signal } = await run.exited;
      stderrs.push(run.stderr);
      const moment = `kill ${i} (${JSON.stringify(plan)}; child said: ${run.lines.slice(-2).map((l) => l.slice(0, 40)).join(' | ')})`;
      assert.ok(signal === 'SIGKILL' || code === 0, `${moment}: exit ${code} ${signal}\n${run.stderr}`);
      const leftTemp = savingNow(dbFile, run.pid);
      if (signal === 'SIGKILL') {
        kills++;
        if (leftTemp) killsMidSave++;
      }
      t.diagnostic(`${moment} → ${signal ?? `exit ${code}`}${leftTemp ? ', inside a save (temporary file left)' : ''}`);
      const saved = run.lines.filter((l) => /^saved \d+ /.test(l)).map((l) => Number(l.split(' ')[1]));
      if (saved.length) lastSavedBatch = Math.max(lastSavedBatch, ...saved);
      await checkLeftover(moment);
    }

    assert.ok(kills >= 9, `${kills} kills landed`);
    assert.ok(killsMidSave >= 1, 'at least one kill landed inside a save (its temporary file was left behind)');
    assert.ok(lastSavedBatch >= 0, 'some progress was saved between kills');


    // Restart until done.
    const final = new ChildRun(dbFile, dir, FILES_PER_SAVE);
    const { code } = await final.exited;
    stderrs.push(final.stderr);
    assert.equal(code, 0, final.stderr);
    assert.ok(final.lines[0] === 'opened -', `the last database opened as it was: ${final.lines[0]}`);
    const result = final.result();

    assert.deepEqual(result.totals, reference.totals, 'periodTotals: tokens and cost');
    assert.equal(result.requests, reference.requests, 'usage_events rows with message_delta = 1');
    assert.deepEqual(result.events, reference.events, 'usage_events sums');
    assert.deepEqual(result.daily, reference.daily, 'day × model rows');

    for (const stderr of stderrs) {
      assert.ok(!stderr.includes('unreadable'), `a child found its database unreadable:\n${stderr}`);
      assert.ok(!/^error /m.test(stderr), `a child logged an error:\n${stderr}`);
    }
    assert.deepEqual(fs.readdirSync(dbFile).filter((f) => f.includes('.damaged-') || f.includes('.tmp-')), [], 'nothing was ever set aside as damaged, and no temporary file is left');
    await checkLeftover('the final run');
  });
});

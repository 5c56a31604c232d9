/**
 * A ledger whose history has no transcripts left (as after Claude Code's 30-day cleanup):
 * synthetic usage records written with the store's own pieces (EventWriter → month segments,
 * marts, one save), and the small transcript sessions the bench appends to it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../src/core/log';
import { DayClock } from '../src/core/time';
import type { UsageRecord } from '../src/core/usage';
import { refreshMarts } from '../src/marts/refresh';
import { priceTableVersion } from '../src/pricing/cost';
import { costNanos } from '../src/pricing/nanos';
import { EventWriter } from '../src/store/event-writer';
import { Ledger } from '../src/store/ledger';
import { MANIFEST_FILE } from '../src/store/ledger-layout';
import { readManifest } from '../src/store/manifest';
import { recordPriceVersion } from '../src/store/reprice';
import { Statements } from '../src/store/statement-cache';
import { claudeAssistant } from '../test/fixtures/transcript-lines';

export interface HistoryShape {
  /** Events in all. */
  events: number;
  /** Of which in the current month (the same for every size, so saves can be compared). */
  currentMonth: number;
  /** Months of history, the current one included. */
  months: number;
  seed: number;
  now: number;
}

const PROJECTS = ['api', 'web', 'infra', 'ml-pipeline', 'docs', 'cli', 'mobile', 'billing'].map((p) => `/home/dev/code/${p}`);
const CLAUDE_MODELS = ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'];
const CODEX_MODELS = ['gpt-5-codex', 'gpt-5'];

/** mulberry32: a small deterministic generator in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function monthStartUtc(ts: number, monthsBack = 0): number {
  const d = new Date(ts);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1);
}

/**
 * Sessions of 50–300 requests (70% Claude, 30% Codex), each on one project and mostly one
 * model, requests 10 s–2 min apart; `count` events in all, starting uniformly in [from, to).
 */
function* sessions(count: number, from: number, to: number, rng: () => number, tag: string): Generator<UsageRecord> {
  let written = 0;
  for (let s = 0; written < count; s++) {
    const size = Math.min(count - written, 50 + Math.floor(rng() * 251));
    const claude = rng() < 0.7;
    const project = PROJECTS[Math.floor(rng() * rng() * PROJECTS.length)]!;
    const models = claude ? CLAUDE_MODELS : CODEX_MODELS;
    const sessionId = `${tag}-${s}`;
    const gap = Math.min(10_000 + rng() * 110_000, (to - from) / (size + 1));
    let ts = from + Math.floor(rng() * (to - from - gap * size));
    for (let i = 0; i < size; i++, written++) {
      ts += Math.ceil(gap * (0.2 + 0.8 * rng())); // never past `to`
      const model = models[rng() < 0.9 ? 0 : Math.floor(rng() * models.length)]!;
      yield claude ? claudeRecord(sessionId, i, project, model, ts, rng) : codexRecord(sessionId, i, project, model, ts, rng);
    }
  }
}

function claudeRecord(sessionId: string, i: number, project: string, model: string, ts: number, rng: () => number): UsageRecord {
  const message = `msg_${sessionId}_${i}`;
  return {
    agent: 'claude', key: `c:${message}:req_${sessionId}_${i}`, repeat: 'largest', alias: { group: `c:${message}`, primary: true },
    sessionId, project, model, flags: 0, speed: 'standard', ts, offset: i * 4096,
    tokens: {
      input: 1 + Math.floor(rng() * 40), output: 20 + Math.floor(rng() * 1500), cacheWrite5m: rng() < 0.4 ? Math.floor(rng() * 20_000) : 0,
      cacheWrite1h: 0, cacheRead: Math.floor(rng() * 150_000), reasoning: 0,
    },
  };
}

function codexRecord(sessionId: string, i: number, project: string, model: string, ts: number, rng: () => number): UsageRecord {
  const input = 500 + Math.floor(rng() * 8_000);
  const cached = Math.floor(rng() * 60_000);
  const output = 50 + Math.floor(rng() * 2_000);
  const reasoning = Math.floor(output * rng() * 0.6);
  return {
    agent: 'codex', key: `x:${ts}:${model}:${input}:${cached}:${output}:${reasoning}:${sessionId}`, repeat: 'once',
    sessionId, project, model, flags: 0, speed: 'standard', ts, offset: i,
    tokens: { input, output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: cached, reasoning },
  };
}

/** Every record of the history: the older months first, then the current month up to `now`. */
export function* historyRecords(shape: HistoryShape): Generator<UsageRecord> {
  const rng = random(shape.seed);
  const current = monthStartUtc(shape.now);
  yield* sessions(shape.events - shape.currentMonth, monthStartUtc(shape.now, shape.months - 1), current, rng, 'old');
  yield* sessions(shape.currentMonth, current, shape.now - 60_000, rng, 'now');
}

/** Writes the history into a new ledger folder as the engine would (priced, folded into the marts, saved). */
export async function buildHistoryLedger(dir: string, shape: HistoryShape): Promise<{ seconds: number; saveBytes: number }> {
  const started = performance.now();
  fs.rmSync(dir, { recursive: true, force: true });
  const ledger = await Ledger.open({ location: { dir }, log: silentLogger });
  try {
    const statements = new Statements(ledger.db.sql);
    const writer = new EventWriter({ months: ledger.months, index: ledger.index, statements, price: costNanos, allocateId: () => ledger.allocateId() });
    ledger.db.transaction(() => {
      for (const record of historyRecords(shape)) writer.write(record);
    });
    statements.free();
    ledger.months.commitAll();
    if (writer.counts.requests !== shape.events) throw new Error(`history: ${writer.counts.requests} of ${shape.events} records counted`);
    refreshMarts(ledger, new DayClock('UTC'), ledger.months.unfoldedMonths());
    recordPriceVersion(ledger, priceTableVersion);
    const save = ledger.save();
    ledger.backUp();
    return { seconds: (performance.now() - started) / 1000, saveBytes: save.bytes };
  } finally {
    ledger.close();
  }
}

/** Writes one new Claude session of `requests` requests, ending now, under `claudeRoot`; returns its file. */
export function writeClaudeSession(claudeRoot: string, name: string, requests = 20): string {
  const file = path.join(claudeRoot, 'projects', '-home-dev-code-appended', `${name}.jsonl`);
  const now = Date.now();
  const lines = Array.from({ length: requests }, (_, i) => claudeAssistant({
    messageId: `msg_${name}_${i}`, requestId: `req_${name}_${i}`, sessionId: name, cwd: '/home/dev/code/appended',
    ts: new Date(now - (requests - i) * 20_000).toISOString(), input: 3, output: 400, cacheRead: 45_000, split: { m5: 1_500, h1: 0 },
  }));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Bytes of every file in a folder, sub-folders (the backup twins) included. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    total += e.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}

/** Bytes of the committed set: the files the manifest names (what the ledger needs, without the copies kept for repair). */
export function committedBytes(dir: string): number {
  const read = readManifest(path.join(dir, MANIFEST_FILE));
  if (!read.ok) throw new Error(`no manifest in ${dir}: ${read.reason}`);
  return read.manifest.state.bytes + Object.values(read.manifest.months).reduce((sum, m) => sum + m.bytes, 0);
}

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import type { LedgerEngine } from '../../src/pipeline/engine';
import { LiveLedger } from '../../src/pipeline/live-ledger';
import { LOCK_STALE_MS, WriterLock } from '../../src/store/writer-lock';
import { BACKUP_DIR, MANIFEST_FILE } from '../../src/store/ledger-layout';
import { readManifest, type Manifest, type MonthEntry } from '../../src/store/manifest';
import { loadSqlJs } from '../../src/store/sqljs-loader';
import { blockEntries } from '../../src/readers/block-events';
import { eventTotals, memoryEngine, tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, codexMeta, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

const DAYS = 60;
const FIRST_DAY = Date.UTC(2026, 9, 3); // 3 Oct 2026: the 60 days span October, November and December

const dayIso = (d: number, hour = 9, minute = 0) => new Date(FIRST_DAY + d * 86_400_000 + hour * 3_600_000 + minute * 60_000).toISOString();

/** Day `d`'s transcripts: a Claude session with streamed repeats, and every fifth day a Codex rollout. */
function writeDay(dir: TranscriptDir, d: number): string[] {
  const session = `s${d}`;
  const files = [dir.write(dir.claudePath(`-work-app${d % 3}/${session}.jsonl`), Array.from({ length: 3 }, (_, i) => [
    claudeAssistant({ sessionId: session, cwd: `/work/app${d % 3}`, messageId: `m${d}_${i}`, requestId: `r${d}_${i}`, ts: dayIso(d, 9, i), input: 10 + d, output: 5 }),
    claudeAssistant({ sessionId: session, cwd: `/work/app${d % 3}`, messageId: `m${d}_${i}`, requestId: `r${d}_${i}`, ts: dayIso(d, 9, i), input: 10 + d, output: 100 + d, cacheRead: 1000 * i }),
  ]).flat())];
  if (d % 5 === 0) {
    const id = `0199a213-81c0-7800-8aa1-${String(d).padStart(12, '0')}`;
    files.push(dir.write(dir.codexPath(`sessions/2026/x/${d}/rollout-${id}.jsonl`), [
      codexMeta(dayIso(d, 10), id), codexTurnContext(dayIso(d, 10), 'gpt-5'),
      codexTokenCount(dayIso(d, 10, 1), { input: 2000 + d, cached: 500, output: 70 }),
    ]));
  }
  return files;
}

const daily = (engine: LedgerEngine) => engine.readers.dailyByModel();

/** A transcript of one Claude request: `-w/<id>.jsonl`, message `m<id>`, request `r<id>`. */
const oneRequest = (dir: TranscriptDir, id: string, ts: string, input: number, output = 10): string =>
  dir.write(dir.claudePath(`-w/${id}.jsonl`), [claudeAssistant({ messageId: `m${id}`, requestId: `r${id}`, ts, input, output })]);

/** The ledger file written last (the manifest, a data file or a backup twin). */
function mostRecentlyWritten(ledger: string): string {
  const files = [ledger, path.join(ledger, BACKUP_DIR)].flatMap((dir) =>
    fs.readdirSync(dir).map((name) => path.join(dir, name)).filter((f) => fs.statSync(f).isFile() && !f.endsWith('writer.lock')));
  return files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs || b.localeCompare(a))[0]!;
}

/** The ledger's committed manifest (the test fails if it is not a sound one). */
function committedManifest(ledger: string): Manifest {
  const read = readManifest(path.join(ledger, MANIFEST_FILE));
  assert.ok(read.ok, `manifest: ${read.ok ? '' : read.reason}`);
  return read.manifest;
}

/** The month's file the latest save of it wrote: its tail, when it has one. */
const newestFile = (month: MonthEntry) => month.tail?.name ?? month.name;

/** Overwrites the middle of a file with other bytes, keeping its size (a torn or rotted write). */
function damage(file: string): void {
  const bytes = fs.readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes.fill(0x5a, at, Math.min(bytes.length, at + 4096));
  if (bytes.length < 16) bytes.write('{damaged', 0);
  fs.writeFileSync(file, bytes);
}

describe('history outlives the transcripts: 60 days, the first 30 deleted, the newest ledger file damaged', () => {
  for (const savePattern of ['one save for all 60 days', 'a save after every day'] as const) {
    for (const target of ['the most recently written file', 'manifest.json', 'the state file', 'the newest month file', 'the newest month\'s base', 'the oldest month file'] as const) {
      // A month closed long ago was written by an earlier save and never since: one checked file,
      // not a file a torn write of the latest saves could reach (see the README's promise).
      if (savePattern === 'a save after every day' && target === 'the oldest month file') continue;
      test(`${savePattern}; damaged: ${target}`, async () => {
        const dir = new TranscriptDir('agent-ledger-60-');
        const ledger = path.join(dir.base, 'ledger');
        const byDay: string[][] = [];
        let { engine } = await memoryEngine(ledger);
        for (let d = 0; d < DAYS; d++) {
          byDay.push(writeDay(dir, d));
          if (savePattern === 'a save after every day') {
            await engine.ingest({ roots: dir.roots });
            engine.save();
          }
        }
        await engine.ingest({ roots: dir.roots });
        engine.save();
        const before = daily(engine);
        assert.equal(new Set(before.map((r) => r.day)).size, DAYS, 'every day has usage');
        engine.close();

        for (const file of byDay.slice(0, 30).flat()) fs.rmSync(file); // as Claude Code's cleanup does
        const manifest = committedManifest(ledger);
        const months = Object.keys(manifest.months).sort();
        const victim = {
          'the most recently written file': () => mostRecentlyWritten(ledger),
          'manifest.json': () => path.join(ledger, MANIFEST_FILE),
          'the state file': () => path.join(ledger, manifest.state.name),
          'the newest month file': () => path.join(ledger, newestFile(manifest.months[months.at(-1)!]!)),
          'the newest month\'s base': () => path.join(ledger, manifest.months[months.at(-1)!]!.name),
          'the oldest month file': () => path.join(ledger, manifest.months[months[0]!].name),
        }[target]();
        damage(victim);

        const reopened = await memoryEngine(ledger);
        engine = reopened.engine;
        try {
          await engine.ingest({ roots: dir.roots });
          assert.deepEqual(daily(engine), before, `every day's totals are exactly as before (damaged ${path.basename(victim)})`);
          engine.rebuildMarts(); // reads every month: a damaged one is met here at the latest
          engine.save();
          assert.deepEqual(daily(engine), before, 'and after Rebuild Marts, from every month');
          const repaired = reopened.log.lines.filter((l) => /damaged|failed its check|manifest/.test(l));
          if (!victim.includes(`${path.sep}${BACKUP_DIR}${path.sep}`)) assert.ok(repaired.length > 0, `the log says what happened:\n${reopened.log.lines.join('\n')}`);
          // And once more from the repaired files alone.
          engine.close();
          engine = (await memoryEngine(ledger)).engine;
          assert.deepEqual(daily(engine), before, 'the repair was saved');
        } finally {
          engine.close();
          dir.dispose();
        }
      });
    }
  }
});

describe('a damaged month without its twin', () => {
  test('its previous version is restored, saved anew and kept across restarts (the older file is not dropped)', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    let { engine } = await memoryEngine(ledger);
    const first = oneRequest(dir, 'A', '2026-01-10T10:00:00Z', 100);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    const firstSave = daily(engine);
    const second = oneRequest(dir, 'B', '2026-01-11T10:00:00Z', 200, 20);
    await engine.ingest({ roots: dir.roots });
    engine.save(); // January again: its previous version is the first save's
    engine.close();
    // Transcripts gone; the newest January damaged before its twin was written (or with it).
    fs.rmSync(first);
    fs.rmSync(second);
    const january = newestFile(committedManifest(ledger).months['2026-01']!);
    damage(path.join(ledger, january));
    fs.rmSync(path.join(ledger, BACKUP_DIR, `${january}.gz`), { force: true });

    const reopened = await memoryEngine(ledger);
    engine = reopened.engine;
    try {
      await engine.ingest({ roots: dir.roots });
      engine.rebuildMarts();
      engine.save();
      engine.backUp();
      assert.deepEqual(daily(engine), firstSave, 'the previous version: all that is left of January');
      assert.ok(reopened.log.lines.some((l) => l.includes(`${january} is damaged`) && l.includes('restored its previous version')), reopened.log.lines.join('\n'));
      engine.close();
      engine = (await memoryEngine(ledger)).engine;
      engine.rebuildMarts(); // from the month's events, not only the saved marts
      assert.deepEqual(daily(engine), firstSave, 'the restored month was saved, and survives a restart');
    } finally {
      engine.close();
      dir.dispose();
    }
  });
});

/** January saved twice and February once, from transcripts that remain; January's newest file then damaged, with no twin. */
async function damagedJanuary(): Promise<{ dir: TranscriptDir; ledger: string; before: ReturnType<typeof daily>; january: string }> {
  const dir = new TranscriptDir();
  const ledger = tempLedgerDir();
  const { engine } = await memoryEngine(ledger);
  oneRequest(dir, 'a', '2026-01-10T10:00:00Z', 100);
  await engine.ingest({ roots: dir.roots });
  engine.save();
  oneRequest(dir, 'b', '2026-01-11T10:00:00Z', 200);
  oneRequest(dir, 'c', '2026-02-03T10:00:00Z', 300);
  await engine.ingest({ roots: dir.roots });
  engine.save(); // January again, after its first version
  const before = daily(engine);
  engine.close();
  const january = newestFile(committedManifest(ledger).months['2026-01']!);
  damage(path.join(ledger, january));
  fs.rmSync(path.join(ledger, BACKUP_DIR, `${january}.gz`), { force: true });
  return { dir, ledger, before, january };
}

describe('a damaged month met by Rebuild Marts', () => {
  test('has the transcripts it lost read again, even when the process ends right after the rebuild\'s save', async () => {
    const { dir, ledger, before, january } = await damagedJanuary();
    const reopened = await memoryEngine(ledger);
    let engine = reopened.engine;
    try {
      const report = engine.rebuildMarts(); // the first to read January since the damage
      assert.equal(report.sourcesToReread, true, 'the rebuild says the transcripts are to be read again');
      engine.save();
      assert.ok(reopened.log.lines.some((l) => l.includes(`${january} is damaged`)), reopened.log.lines.join('\n'));
      engine.close();
      engine = (await memoryEngine(ledger)).engine;
      await engine.ingest({ roots: dir.roots });
      assert.deepEqual(daily(engine), before, 'the next run read January\'s lost request again');
    } finally {
      engine.close();
      dir.dispose();
    }
  });

  test('in the editor: a window whose lock was taken over meanwhile says so, and does not rebuild on a closed ledger', async () => {
    const { dir, ledger } = await damagedJanuary();
    const live = new LiveLedger({ ledgerDir: ledger, timeZone: 'UTC', log: new MemoryLogger(), ingest: { roots: dir.roots } });
    const other = new WriterLock(path.join(ledger, 'writer.lock'), 'a VS Code window');
    try {
      await live.start();
      assert.equal(live.role, 'writer');
      assert.equal(other.tryAcquire(Date.now() + LOCK_STALE_MS + 1_000), true, 'another window took over (this one was asleep)');
      const outcome = await live.rebuildMarts();
      assert.deepEqual(outcome, { ok: false, reason: 'another VS Code window took over the ledger during the rebuild; run Rebuild Marts there' });
    } finally {
      await live.dispose();
      other.release();
      dir.dispose();
    }
  });

  test('in the editor: the writer reads them again before it reports the rebuild and saves it', async () => {
    const { dir, ledger, before } = await damagedJanuary();
    const live = new LiveLedger({ ledgerDir: ledger, timeZone: 'UTC', log: new MemoryLogger(), ingest: { roots: dir.roots } });
    try {
      await live.start();
      assert.equal(live.role, 'writer');
      const outcome = await live.rebuildMarts();
      assert.ok(outcome.ok, 'the rebuild succeeded');
      assert.equal(outcome.report.rows, 3, 'and was made from all three requests');
    } finally {
      await live.dispose();
    }
    const { engine } = await memoryEngine(ledger, { readOnly: true });
    try {
      assert.deepEqual(daily(engine), before, 'what the window saved holds every day');
    } finally {
      engine.close();
      dir.dispose();
    }
  });
});

describe('a month restored to its previous version, beside a month a request crossed into', () => {
  /**
   * November's newest file damaged with no twin (written, not yet backed up), after `lines` crossed into
   * December: November falls back to the version before the withdrawal its newest file held.
   */
  async function crossAndDamage(first: string, second: string): Promise<{ before: ReturnType<LedgerEngine['readers']['periodTotals']>; after: ReturnType<LedgerEngine['readers']['periodTotals']>; log: string[]; restarted: ReturnType<LedgerEngine['readers']['periodTotals']> }> {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    const file = dir.claudePath('-w/s.jsonl');
    dir.write(file, [first]);
    let { engine } = await memoryEngine(ledger);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    dir.append(file, `${second}\n`);
    await engine.ingest({ roots: dir.roots });
    engine.commit(); // its twins come later (a window writes them 20 s after)
    const before = engine.readers.periodTotals();
    engine.close();
    const november = committedManifest(ledger).months['2026-11']!;
    assert.ok(november.tail, 'the withdrawal went into November\'s tail');
    damage(path.join(ledger, november.tail.name));
    const reopened = await memoryEngine(ledger);
    engine = reopened.engine;
    try {
      await engine.ingest({ roots: dir.roots });
      engine.rebuildMarts();
      engine.save();
      const after = engine.readers.periodTotals();
      engine.close();
      engine = (await memoryEngine(ledger)).engine;
      engine.rebuildMarts();
      return { before, after, log: reopened.log.lines, restarted: engine.readers.periodTotals() };
    } finally {
      engine.close();
      dir.dispose();
    }
  }

  test('a request whose larger copy crossed midnight into the next month still counts once', async () => {
    const spec = { sessionId: 's', messageId: 'm1', requestId: 'r1' };
    const { before, after, log, restarted } = await crossAndDamage(
      claudeAssistant({ ...spec, ts: '2026-11-30T23:59:59.000Z', output: 10 }),
      claudeAssistant({ ...spec, ts: '2026-12-01T00:00:01.000Z', output: 50 }),
    );
    assert.deepEqual([before.outputTokens, before.messages], [50, 1]);
    assert.deepEqual(after, before, 'the restored November\'s copy is withdrawn again');
    assert.deepEqual(restarted, before, 'and that was saved');
    assert.ok(log.some((l) => /1 request\(s\) the restored month 2026-11 counted a second time/.test(l)), log.join('\n'));
  });

  test('a sub-agent\'s replica that gave way to its primary copy in the next month still counts once', async () => {
    const { before, after, restarted } = await crossAndDamage(
      claudeAssistant({ sessionId: 's', messageId: 'm1', requestId: 'r-side', sidechain: true, ts: '2026-11-30T23:59:59.000Z', output: 10 }),
      claudeAssistant({ sessionId: 's', messageId: 'm1', requestId: 'r-main', ts: '2026-12-01T00:00:01.000Z', output: 10 }),
    );
    assert.deepEqual([before.outputTokens, before.messages], [10, 1]);
    assert.deepEqual(after, before);
    assert.deepEqual(restarted, before);
  });
});

describe('damage met outside an ingest, or twice', () => {
  test('two neighbouring months restored: each one\'s copies counted twice are withdrawn, also the one met while comparing', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    const a = dir.claudePath('-w/a.jsonl');
    const b = dir.claudePath('-w/b.jsonl');
    const A = { sessionId: 'a', messageId: 'mA', requestId: 'rA' };
    const B = { sessionId: 'b', messageId: 'mB', requestId: 'rB' };
    dir.write(a, [claudeAssistant({ ...A, ts: '2026-08-31T23:59:59.000Z', output: 10 })]);
    dir.write(b, [claudeAssistant({ ...B, ts: '2026-09-30T23:59:59.000Z', output: 10 })]);
    dir.write(dir.claudePath('-w/c.jsonl'), [claudeAssistant({ sessionId: 'c', messageId: 'mC', requestId: 'rC', ts: '2026-10-15T10:00:00.000Z', output: 1 })]);
    let { engine } = await memoryEngine(ledger);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    dir.append(a, `${claudeAssistant({ ...A, ts: '2026-09-01T00:00:01.000Z', output: 50 })}\n`);
    dir.append(b, `${claudeAssistant({ ...B, ts: '2026-10-01T00:00:01.000Z', output: 70 })}\n`);
    await engine.ingest({ roots: dir.roots });
    engine.commit(); // twins not written yet
    const before = engine.readers.periodTotals();
    engine.close();
    const manifest = committedManifest(ledger);
    for (const month of ['2026-08', '2026-09']) damage(path.join(ledger, newestFile(manifest.months[month]!)));
    dir.write(dir.claudePath('-w/d.jsonl'), [claudeAssistant({ sessionId: 'd', messageId: 'mD', requestId: 'rD', ts: '2026-08-15T10:00:00.000Z', output: 1 })]);

    engine = (await memoryEngine(ledger)).engine;
    try {
      await engine.ingest({ roots: dir.roots }); // meets August through d.jsonl, and September while comparing
      engine.save();
      engine.close();
      engine = (await memoryEngine(ledger)).engine;
      engine.rebuildMarts();
      assert.deepEqual([engine.readers.periodTotals().outputTokens, engine.readers.periodTotals().messages], [before.outputTokens + 1, before.messages + 1]);
    } finally {
      engine.close();
      dir.dispose();
    }
  });

  test('a damaged month first met by a report is saved with what its repair needs: the next run reads its transcripts again', async () => {
    const { dir, ledger, before } = await damagedJanuary();
    let { engine } = await memoryEngine(ledger);
    try {
      oneRequest(dir, 'N', '2026-02-20T10:00:00Z', 400);
      await engine.ingest({ roots: dir.roots }); // `agent-ledger blocks` reads what is new first
      const withNew = daily(engine);
      assert.equal(withNew.length, before.length + 1);
      blockEntries(engine.ledger); // then its report reads every month's events
      engine.save(); // and the CLI saves
      engine.close();
      engine = (await memoryEngine(ledger)).engine;
      await engine.ingest({ roots: dir.roots });
      engine.rebuildMarts(); // from the events, not the marts saved before the damage was met
      assert.deepEqual(daily(engine), withNew, 'January\'s lost request read again');
    } finally {
      engine.close();
      dir.dispose();
    }
  });
});

describe('no sound manifest at all', () => {
  test('the files no manifest names are kept aside, never removed or overwritten; the transcripts that exist are read again', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    let { engine } = await memoryEngine(ledger);
    const january = oneRequest(dir, 'A', '2026-01-10T10:00:00Z', 100);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    oneRequest(dir, 'B', '2026-02-11T10:00:00Z', 200, 20);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    const february = daily(engine).filter((r) => r.day.startsWith('2026-02'));
    engine.close();
    const dataFiles = fs.readdirSync(ledger).filter((n) => /\.sqlite$/.test(n));
    const bytes = new Map(dataFiles.map((n) => [n, fs.readFileSync(path.join(ledger, n))]));
    fs.rmSync(january);
    for (const manifest of [MANIFEST_FILE, 'manifest.prev.json', path.join(BACKUP_DIR, MANIFEST_FILE)]) fs.writeFileSync(path.join(ledger, manifest), '');

    const reopened = await memoryEngine(ledger);
    engine = reopened.engine;
    try {
      await engine.ingest({ roots: dir.roots });
      engine.save();
      engine.backUp();
      assert.deepEqual(daily(engine), february, 'what the transcripts still hold');
      const names = fs.readdirSync(ledger);
      for (const [name, content] of bytes) {
        const kept = names.find((n) => n.startsWith(`${name}.unnamed-`));
        assert.ok(kept, `${name} is kept aside: ${names.join(' ')}`);
        assert.deepEqual(fs.readFileSync(path.join(ledger, kept)), content, `${name} kept as it was`);
      }
      assert.ok(reopened.log.lines.some((l) => /kept aside, never removed/.test(l)), reopened.log.lines.join('\n'));
    } finally {
      engine.close();
      dir.dispose();
    }
  });
});

describe('the last good copy of what a save replaced', () => {
  test('is kept as its compressed twin once that twin is sound, and restores a month whose newest file and twin are both damaged', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    let { engine } = await memoryEngine(ledger);
    const files: string[] = [];
    const saveDay = async (day: number) => {
      files.push(oneRequest(dir, String(day), `2026-01-${day}T10:00:00Z`, day * 100));
      await engine.ingest({ roots: dir.roots });
      engine.save();
    };
    await saveDay(10);
    await saveDay(11);
    const secondSave = daily(engine);
    const older = committedManifest(ledger);
    await saveDay(12);
    engine.close();
    const month = committedManifest(ledger).months['2026-01']!;
    assert.ok(month.tail && older.months['2026-01']!.tail, 'the later saves wrote January\'s tail, not the whole month');
    for (const name of [older.state.name, older.months['2026-01']!.tail!.name]) {
      assert.equal(fs.existsSync(path.join(ledger, name)), false, `${name} is kept compressed only`);
      assert.ok(fs.existsSync(path.join(ledger, BACKUP_DIR, `${name}.gz`)), `${name}'s twin is kept`);
    }

    for (const file of files) fs.rmSync(file);
    damage(path.join(ledger, month.tail!.name));
    damage(path.join(ledger, BACKUP_DIR, `${month.tail!.name}.gz`));
    const reopened = await memoryEngine(ledger);
    engine = reopened.engine;
    try {
      await engine.ingest({ roots: dir.roots });
      engine.rebuildMarts();
      assert.deepEqual(daily(engine), secondSave, 'the base and the previous tail, from its twin: all that is left of January');
      assert.ok(reopened.log.lines.some((l) => l.includes(`${month.tail!.name} is damaged`) && l.includes('restored its previous version')), reopened.log.lines.join('\n'));
    } finally {
      engine.close();
      dir.dispose();
    }
  });
});

describe('a month kept as a base and a tail', () => {
  const line = (id: string, output: number, minute = 0) => claudeAssistant({ messageId: `m${id}`, requestId: `r${id}`, ts: `2026-01-05T10:0${minute}:00Z`, input: 100, output });
  const reopen = async (ledger: string) => (await memoryEngine(ledger)).engine;
  /** Reopens a damaged ledger and repairs it: Rebuild Marts meets the damage, the next ingest reads the transcripts again. */
  const repaired = async (ledger: string, dir: TranscriptDir) => {
    const { engine, log } = await memoryEngine(ledger);
    engine.rebuildMarts();
    await engine.ingest({ roots: dir.roots });
    engine.save();
    return { engine, log };
  };

  test('a damaged base with a sound tail: the tail alone is not used (its withdrawals belong to the base); the transcripts count every request once', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    const file = dir.claudePath('-w/s.jsonl');
    let engine = await reopen(ledger);
    dir.write(file, [line('1', 10), line('2', 1, 1)]);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    dir.append(file, `${line('1', 500)}\n`); // request 1 grows: −1 in the tail withdraws the base's +1
    await engine.ingest({ roots: dir.roots });
    engine.save();
    const before = eventTotals(engine);
    engine.close();
    const month = committedManifest(ledger).months['2026-01']!;
    assert.ok(month.tail);
    damage(path.join(ledger, month.name));
    const reopened = await repaired(ledger, dir);
    engine = reopened.engine;
    try {
      assert.deepEqual(eventTotals(engine), before);
      assert.ok(reopened.log.lines.some((l) => l.includes(`${month.name} is damaged`) && l.includes('no good copy is left')), reopened.log.lines.join('\n'));
    } finally {
      engine.close();
      dir.dispose();
    }
  });

  test('a base and a tail both damaged: both kept aside and named in the log', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    const file = dir.claudePath('-w/s.jsonl');
    let engine = await reopen(ledger);
    dir.write(file, [line('1', 10)]);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    dir.append(file, `${line('2', 20, 1)}\n`);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    const before = eventTotals(engine);
    engine.close();
    const month = committedManifest(ledger).months['2026-01']!;
    for (const name of [month.name, month.tail!.name]) {
      damage(path.join(ledger, name));
      fs.rmSync(path.join(ledger, BACKUP_DIR, `${name}.gz`), { force: true });
    }
    const reopened = await repaired(ledger, dir);
    engine = reopened.engine;
    try {
      assert.deepEqual(eventTotals(engine), before, 'read again from the transcripts');
      assert.ok(reopened.log.lines.some((l) => l.includes(`${month.name} and ${month.tail!.name} are damaged`)), reopened.log.lines.join('\n'));
      const kept = fs.readdirSync(ledger).filter((n) => n.includes('.damaged-'));
      assert.equal(kept.length, 2, `both kept aside: ${kept.join(', ')}`);
    } finally {
      engine.close();
      dir.dispose();
    }
  });

  test('both manifests damaged: the previous set, whose files are twins only, is used and its twins are kept', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    let engine = await reopen(ledger);
    const files: string[] = [];
    let afterSecond = eventTotals(engine);
    for (const day of [10, 11, 12]) {
      files.push(oneRequest(dir, String(day), `2026-01-${day}T10:00:00Z`, day, 1));
      await engine.ingest({ roots: dir.roots });
      engine.save();
      if (day === 11) afterSecond = eventTotals(engine);
    }
    engine.close();
    for (const file of files) fs.rmSync(file);
    damage(path.join(ledger, MANIFEST_FILE));
    damage(path.join(ledger, BACKUP_DIR, MANIFEST_FILE));
    engine = await reopen(ledger);
    try {
      await engine.ingest({ roots: dir.roots });
      engine.save();
      assert.deepEqual(eventTotals(engine), afterSecond, 'the previous set');
      engine.close();
      engine = await reopen(ledger);
      engine.save();
      engine.close();
      engine = await reopen(ledger);
      engine.rebuildMarts();
      assert.deepEqual(eventTotals(engine), afterSecond, 'every file it names is still there after more saves and back-ups');
    } finally {
      engine.close();
      dir.dispose();
    }
  });

  test('a ledger written by a newer version is refused and left as it was', async () => {
    const dir = new TranscriptDir();
    const ledger = tempLedgerDir();
    let engine = await reopen(ledger);
    dir.write(dir.claudePath('-w/s.jsonl'), [line('1', 10)]);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    engine.close();
    const manifest = { ...committedManifest(ledger), version: 99 };
    fs.writeFileSync(path.join(ledger, MANIFEST_FILE), JSON.stringify(manifest));
    const listing = fs.readdirSync(ledger).sort();
    try {
      await assert.rejects(memoryEngine(ledger), /newer Agent Ledger \(format 99\); update Agent Ledger/);
      assert.deepEqual(fs.readdirSync(ledger).sort(), listing);
      assert.equal(JSON.parse(fs.readFileSync(path.join(ledger, MANIFEST_FILE), 'utf8')).version, 99);
    } finally {
      dir.dispose();
    }
  });
});

describe('a reading window never changes the ledger', () => {
  test('opening read-only a ledger whose state or newest month is damaged leaves every file as it was', async () => {
    for (const victim of ['state', 'month'] as const) {
      const dir = new TranscriptDir();
      const ledger = tempLedgerDir();
      const { engine } = await memoryEngine(ledger);
      dir.write(dir.claudePath('-w/a.jsonl'), [claudeAssistant({ messageId: 'm1', requestId: 'r1', ts: '2026-11-20T10:00:00Z', output: 5 })]);
      await engine.ingest({ roots: dir.roots });
      engine.commit(); // committed; the twins come 20 s later
      const manifest = committedManifest(ledger);
      damage(path.join(ledger, victim === 'state' ? manifest.state.name : manifest.months['2026-11'].name));
      const snapshot = () => fs.readdirSync(ledger).sort().map((name) => [name, fs.statSync(path.join(ledger, name)).mtimeMs]);
      const before = snapshot();
      const reader = await memoryEngine(ledger, { readOnly: true });
      reader.engine.readers.dailyByModel();
      reader.engine.rebuildMarts(); // in memory: reads the damaged month too
      assert.deepEqual(snapshot(), before, `the ${victim} file was left for the writer to repair`);
      assert.ok(reader.log.lines.some((l) => /damaged/.test(l)), 'the reader says what it found');
      reader.engine.close();
      engine.close();
      dir.dispose();
    }
  });
});

describe('each month segment stands alone', () => {
  test('after saves that add to a month, its segment names every session, project and model its events use', async () => {
    const dir = new TranscriptDir('agent-ledger-dims-');
    const ledger = path.join(dir.base, 'ledger');
    const { engine } = await memoryEngine(ledger);
    try {
      for (let d = 0; d < 12; d++) {
        writeDay(dir, d); // a new session every day, three projects, a second model every fifth day
        await engine.ingest({ roots: dir.roots });
        engine.save();
      }
      const manifest = committedManifest(ledger);
      const SQL = await loadSqlJs();
      for (const { name } of Object.values(manifest.months)) {
        const month = new SQL.Database(fs.readFileSync(path.join(ledger, name)));
        try {
          for (const [kind, column] of [['session', 'session_id'], ['project', 'project_id'], ['model', 'model_id']] as const) {
            const used = month.exec(`SELECT COUNT(DISTINCT ${column}) FROM usage_events`)[0]!.values[0]![0];
            const missing = month.exec(`SELECT COUNT(DISTINCT ${column}) FROM usage_events WHERE ${column} NOT IN (SELECT id FROM segment_dims WHERE kind = '${kind}')`)[0]!.values[0]![0];
            assert.ok(Number(used) > 0, `${name} has events`);
            assert.equal(missing, 0, `${name}: every ${kind} its events use is in its segment_dims`);
          }
        } finally {
          month.close();
        }
      }
    } finally {
      engine.close();
      dir.dispose();
    }
  });
});

describe('exactly-once across all history', () => {
  let dir: TranscriptDir;
  beforeEach(() => {
    dir = new TranscriptDir('agent-ledger-resume-');
  });
  afterEach(() => dir.dispose());

  test('a resumed session that copies a months-old message does not count it again, after restarts and saves', async () => {
    const ledger = tempLedgerDir();
    const old = claudeAssistant({ sessionId: 'old', messageId: 'm_old', requestId: 'r_old', ts: '2026-06-10T12:00:00.000Z', output: 700 });
    dir.write(dir.claudePath('-work-a/old.jsonl'), [old]);
    let { engine } = await memoryEngine(ledger);
    await engine.ingest({ roots: dir.roots });
    engine.save();
    engine.close();
    fs.rmSync(dir.claudePath('-work-a/old.jsonl')); // deleted by the cleanup
    ({ engine } = await memoryEngine(ledger));
    const now = claudeAssistant({ sessionId: 'new', messageId: 'm_new', requestId: 'r_new', ts: '2026-11-30T12:00:00.000Z', output: 3 });
    dir.write(dir.claudePath('-work-a/new.jsonl'), [old, now]); // Claude Code copies the earlier transcript on resume
    const report = await engine.ingest({ roots: dir.roots });
    assert.equal(report.requests, 1, 'only the new message is new');
    assert.equal(report.duplicates, 1, 'the copied message is a duplicate');
    assert.deepEqual(engine.readers.periodTotals().outputTokens, 703);
    engine.close();
  });

  test('a larger snapshot of a request after midnight moves it to the day of the kept line', async () => {
    const ledger = tempLedgerDir();
    const spec = { sessionId: 's', messageId: 'm1', requestId: 'r1' };
    dir.write(dir.claudePath('-work-b/s.jsonl'), [claudeAssistant({ ...spec, ts: '2026-11-30T23:59:59.000Z', output: 10 })]);
    const { engine } = await memoryEngine(ledger);
    await engine.ingest({ roots: dir.roots });
    dir.append(dir.claudePath('-work-b/s.jsonl'), `${claudeAssistant({ ...spec, ts: '2026-12-01T00:00:01.000Z', output: 50 })}\n`);
    await engine.ingest({ roots: dir.roots });
    const days = engine.readers.periods('day').map((p) => [p.period, p.outputTokens, p.messages]);
    assert.deepEqual(days, [['2026-12-01', 50, 1]], 'counted once, on the day of the largest line (the day it left shows nothing)');
    engine.close();
  });
});

describe('prices', () => {
  test('a changed price table re-prices every event of every month, on opening and by Rebuild Marts', async () => {
    const dir = new TranscriptDir('agent-ledger-reprice-');
    const ledger = tempLedgerDir();
    for (let d = 0; d < 40; d += 7) writeDay(dir, d);
    let { engine } = await memoryEngine(ledger);
    await engine.ingest({ roots: dir.roots });
    const priced = engine.readers.dailyByModel();
    // As if the costs had been computed with another price table: every stored cost is wrong.
    for (const month of engine.ledger.months.months()) {
      engine.ledger.months.db(month).run('UPDATE usage_events SET cost_nanos = cost_nanos * 3 + 7');
      engine.ledger.months.touch(month);
    }
    engine.rebuildMarts();
    assert.deepEqual(engine.readers.dailyByModel(), priced, 'Rebuild Marts priced every event again');
    for (const month of engine.ledger.months.months()) engine.ledger.months.db(month).run('UPDATE usage_events SET cost_nanos = 1');
    engine.db.setMeta('price_table_version', 'an older table');
    engine.ledger.months.months().forEach((m) => engine.ledger.months.touch(m));
    engine.db.run('UPDATE daily_mart SET cost_nanos = 0');
    engine.save();
    engine.close();
    ({ engine } = await memoryEngine(ledger));
    assert.deepEqual(engine.readers.dailyByModel(), priced, 'opening with a new price table re-priced history');
    engine.close();
    dir.dispose();
  });
});

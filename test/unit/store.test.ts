import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import { LedgerEngine } from '../../src/pipeline/engine';
import { writeFileAtomic } from '../../src/store/atomic-file';
import { LedgerDb } from '../../src/store/ledger-db';
import { migrate, readMigrations } from '../../src/store/migrations';
import { loadSqlJs } from '../../src/store/sqljs-loader';
import { eventTotals } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, claudeUser, codexMeta, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

const SHIPPED_MIGRATIONS = path.resolve(__dirname, '../../migrations');

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A copy of the shipped migrations plus `extra` files (name → SQL). */
function migrationsCopy(base: string, extra: Record<string, string> = {}): string {
  const dir = path.join(base, 'migrations');
  fs.mkdirSync(dir, { recursive: true });
  for (const file of fs.readdirSync(SHIPPED_MIGRATIONS)) fs.copyFileSync(path.join(SHIPPED_MIGRATIONS, file), path.join(dir, file));
  for (const [name, sql] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

interface MigrationRow { version: number; name: string; applied_at: number }

const migrationRows = (db: LedgerDb) =>
  db.all<MigrationRow>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');

const tableExists = (db: { exec(sql: string, params?: (string | number)[]): { values: unknown[][] }[] }, name: string) =>
  (db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])[0]?.values.length ?? 0) > 0;

const appliedLines = (log: MemoryLogger) => log.lines.filter((l) => l.startsWith('info applied migration'));

/** A small corpus: Claude (streamed repeats, two models, one unpriced) and one Codex rollout. */
function writeSmallCorpus(dir: TranscriptDir): void {
  const a = { sessionId: 's1', cwd: '/work/app' };
  dir.write(dir.claudePath('-work-app/s1.jsonl'), [
    claudeUser('hello', '2026-11-20T09:00:00.000Z', 's1'),
    claudeAssistant({ ...a, messageId: 'm1', requestId: 'r1', ts: '2026-11-20T09:00:01.000Z', input: 1200, output: 40, cacheRead: 9000 }),
    claudeAssistant({ ...a, messageId: 'm1', requestId: 'r1', ts: '2026-11-20T09:00:02.000Z', input: 1200, output: 400, cacheRead: 9000 }),
    claudeAssistant({ ...a, messageId: 'm2', requestId: 'r2', ts: '2026-11-21T23:59:59.000Z', model: 'claude-opus-4-6', split: { m5: 300, h1: 700 }, output: 77 }),
    claudeAssistant({ ...a, messageId: 'm3', requestId: 'r3', ts: '2026-11-22T00:00:00.000Z', model: 'claude-opus-4-9', output: 5 }),
  ]);
  const id = '0199a213-81c0-7800-8aa1-0000000000aa';
  dir.write(dir.codexPath(`sessions/2026/11/20/rollout-2026-11-20T10-00-00-${id}.jsonl`), [
    codexMeta('2026-11-20T10:00:00.000Z', id),
    codexTurnContext('2026-11-20T10:00:00.000Z', 'gpt-5-codex'),
    codexTokenCount('2026-11-20T10:01:00.000Z', { input: 5000, cached: 1000, output: 300 }),
    codexTokenCount('2026-11-20T10:02:00.000Z', { input: 5000, cached: 1000, output: 300 }),
    codexTokenCount('2026-11-21T10:03:00.000Z', { input: 8000, cached: 3000, output: 500 }),
  ]);
}

/** Everything a user can see, from the marts, plus the raw event sums. */
function snapshot(engine: LedgerEngine) {
  return {
    events: eventTotals(engine),
    requests: engine.db.scalar('SELECT COUNT(*) FROM usage_events WHERE message_delta = 1'),
    period: engine.readers.periodTotals(),
    daily: engine.readers.dailyByModel(),
    sessions: engine.readers.sessions(),
  };
}

async function referenceSnapshot(dir: TranscriptDir) {
  const engine = await LedgerEngine.open({ dbFile: null, timeZone: 'UTC' });
  try {
    await engine.ingest({ roots: dir.roots });
    return snapshot(engine);
  } finally {
    engine.close();
  }
}

describe('migrations', () => {
  let base: string;
  beforeEach(() => {
    base = tempDir('agent-ledger-store-');
  });
  afterEach(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('the shipped migrations are applied in order on a new database and recorded', async () => {
    const log = new MemoryLogger();
    const db = await LedgerDb.open({ file: null, log });
    try {
      const rows = migrationRows(db);
      assert.deepEqual(rows.map((r) => [r.version, r.name]), [[1, 'events'], [2, 'marts'], [3, 'limits']]);
      assert.ok(rows[0]!.applied_at <= rows[1]!.applied_at, 'applied_at follows the order');
      assert.deepEqual(appliedLines(log), ['info applied migration 1_events', 'info applied migration 2_marts', 'info applied migration 3_limits']);
      for (const table of ['meta', 'source_files', 'request_ledger', 'usage_events', 'daily_mart', 'project_mart']) {
        assert.ok(tableExists(db.sql, table), `table ${table} exists`);
      }
    } finally {
      db.close();
    }
  });

  test('migrations run in numeric order, not file-name order', async () => {
    // "010" sorts before "9" as text; 010 needs the table 9 creates.
    const dir = migrationsCopy(base, {
      '9_nine.sql': 'CREATE TABLE nine (x INTEGER);',
      '010_ten.sql': 'CREATE INDEX nine_by_x ON nine (x);',
    });
    const log = new MemoryLogger();
    const db = await LedgerDb.open({ file: null, log, migrationsDir: dir });
    try {
      assert.deepEqual(migrationRows(db).map((r) => [r.version, r.name]), [[1, 'events'], [2, 'marts'], [3, 'limits'], [9, 'nine'], [10, 'ten']]);
      assert.deepEqual(appliedLines(log), [
        'info applied migration 1_events',
        'info applied migration 2_marts',
        'info applied migration 3_limits',
        'info applied migration 9_nine',
        'info applied migration 10_ten',
      ]);
    } finally {
      db.close();
    }
  });

  test('opening a migrated database again applies nothing', async () => {
    const file = path.join(base, 'ledger.sqlite');
    const first = await LedgerDb.open({ file, log: new MemoryLogger() });
    const before = migrationRows(first);
    first.save();
    first.close();

    const log = new MemoryLogger();
    const again = await LedgerDb.open({ file, log });
    try {
      assert.deepEqual(appliedLines(log), []);
      assert.deepEqual(migrationRows(again), before, 'same versions, names and applied_at');
      assert.deepEqual(migrate(again.sql, readMigrations(SHIPPED_MIGRATIONS), log), []);
      assert.equal(again.movedAside, undefined);
    } finally {
      again.close();
    }
  });

  test('a failing migration records nothing, leaves no partial effect, and is applied once fixed', async () => {
    const broken = [
      'CREATE TABLE broken_half (x INTEGER);',
      "INSERT INTO meta (key, value) VALUES ('broken_marker', 'yes');",
      'CREATE TABLE oops (;',
    ].join('\n');
    const dir = migrationsCopy(base, { '009_broken.sql': broken });
    const SQL = await loadSqlJs();

    // Straight on a database: the failure names the migration, and 009 left nothing behind.
    const raw = new SQL.Database();
    try {
      assert.throws(() => migrate(raw, readMigrations(dir), new MemoryLogger()), /migration 9_broken failed: .*syntax error/);
      assert.deepEqual(raw.exec('SELECT version FROM schema_migrations ORDER BY version')[0]!.values, [[1], [2], [3]]);
      assert.equal(tableExists(raw, 'broken_half'), false, 'the valid statement before the error was rolled back');
      assert.equal(raw.exec("SELECT 1 FROM meta WHERE key = 'broken_marker'").length, 0);
    } finally {
      raw.close();
    }

    // On a database file: opening fails with a clear error and leaves the file as it was.
    const file = path.join(base, 'ledger.sqlite');
    const created = await LedgerDb.open({ file, log: new MemoryLogger() });
    created.setMeta('keep', 'me');
    created.save();
    created.close();
    const bytes = fs.readFileSync(file);
    const failedLog = new MemoryLogger();
    await assert.rejects(LedgerDb.open({ file, log: failedLog, migrationsDir: dir }), /migration 9_broken failed/);
    assert.deepEqual(fs.readFileSync(file), bytes, 'the database file is untouched');
    assert.deepEqual(fs.readdirSync(base).filter((f) => f.includes('.corrupt-')), [], 'a failed migration is not mistaken for corruption');
    assert.ok(!failedLog.has('error', 'unreadable'));

    // Fixed: the next open applies 009 (and only it).
    fs.writeFileSync(path.join(dir, '009_broken.sql'), broken.replace('CREATE TABLE oops (;', 'CREATE TABLE oops (y INTEGER);'));
    const log = new MemoryLogger();
    const fixed = await LedgerDb.open({ file, log, migrationsDir: dir });
    try {
      assert.deepEqual(appliedLines(log), ['info applied migration 9_broken']);
      assert.deepEqual(migrationRows(fixed).map((r) => r.version), [1, 2, 3, 9]);
      assert.ok(tableExists(fixed.sql, 'broken_half'));
      assert.ok(tableExists(fixed.sql, 'oops'));
      assert.equal(fixed.getMeta('broken_marker'), 'yes');
      assert.equal(fixed.getMeta('keep'), 'me');
    } finally {
      fixed.close();
    }
  });
});

describe('atomic save', () => {
  let dir: TranscriptDir;
  let file: string;
  beforeEach(() => {
    dir = new TranscriptDir('agent-ledger-save-');
    file = path.join(dir.base, 'db', 'ledger.sqlite');
    writeSmallCorpus(dir);
  });
  afterEach(() => dir.dispose());

  test('a saved database re-opens with the same data and remembers what it has read', async () => {
    const engine = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log: new MemoryLogger() });
    await engine.ingest({ roots: dir.roots });
    const before = snapshot(engine);
    assert.ok(before.events.messages > 0, 'the corpus has requests');
    const written = engine.save();
    engine.close();
    assert.equal(written, fs.statSync(file).size);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['ledger.sqlite'], 'no temporary file left behind');

    const log = new MemoryLogger();
    const reopened = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log });
    try {
      assert.equal(reopened.db.movedAside, undefined);
      assert.deepEqual(snapshot(reopened), before);
      const again = await reopened.ingest({ roots: dir.roots });
      assert.equal(again.filesRead, 0, 'read offsets were saved');
      assert.equal(again.requests + again.grown, 0);
      assert.deepEqual(snapshot(reopened), before);
    } finally {
      reopened.close();
    }
  });

  test('a stale temporary file from a crashed save does not break opening or the next save', async () => {
    const engine = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log: new MemoryLogger() });
    await engine.ingest({ roots: dir.roots });
    const before = snapshot(engine);
    engine.save();
    engine.close();
    const saved = fs.readFileSync(file);
    const foreign = `${file}.tmp-999999`;
    const own = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(foreign, saved.subarray(0, Math.floor(saved.length / 2))); // a half-written save
    fs.writeFileSync(own, Buffer.from('garbage from an earlier process with this pid'));

    const log = new MemoryLogger();
    const reopened = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log });
    try {
      assert.equal(reopened.db.movedAside, undefined);
      assert.ok(!log.has('error', 'unreadable'));
      assert.deepEqual(snapshot(reopened), before);
      dir.append(dir.claudePath('-work-app/s1.jsonl'), `${claudeAssistant({ messageId: 'm9', requestId: 'r9', sessionId: 's1', ts: '2026-11-22T10:00:00.000Z', output: 9 })}\n`);
      await reopened.ingest({ roots: dir.roots });
      reopened.save();
    } finally {
      reopened.close();
    }
    assert.equal(fs.existsSync(own), false, 'the save replaced its own temporary file');

    const third = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log: new MemoryLogger() });
    try {
      assert.equal(third.db.movedAside, undefined);
      assert.equal(snapshot(third).events.messages, before.events.messages + 1);
    } finally {
      third.close();
    }
  });

  test('writeFileAtomic creates missing folders and replaces the whole content', () => {
    const target = path.join(dir.base, 'a', 'b', 'c.bin');
    writeFileAtomic(target, Buffer.alloc(10_000, 1));
    writeFileAtomic(target, Buffer.from([7, 8, 9]));
    assert.deepEqual(fs.readFileSync(target), Buffer.from([7, 8, 9]));
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ['c.bin']);
  });
});

/** Deterministic "random" bytes (xorshift), so that a failure can be reproduced. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('corrupt database file', () => {
  let dir: TranscriptDir;
  let file: string;
  beforeEach(() => {
    dir = new TranscriptDir('agent-ledger-corrupt-');
    file = path.join(dir.base, 'ledger.sqlite');
    writeSmallCorpus(dir);
  });
  afterEach(() => dir.dispose());

  /** A real database of this corpus, as saved by the engine. */
  async function realDatabase(): Promise<Buffer> {
    const engine = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log: new MemoryLogger() });
    await engine.ingest({ roots: dir.roots });
    engine.save();
    engine.close();
    const bytes = fs.readFileSync(file);
    fs.rmSync(file);
    return bytes;
  }

  const cases: [string, () => Promise<Buffer>][] = [
    ['random bytes', async () => noise(3 * 4096, 0x5eed)],
    ['a real database cut in half', async () => {
      const bytes = await realDatabase();
      return bytes.subarray(0, Math.floor(bytes.length / 2));
    }],
    ['a real database missing the last 100 bytes of its data', async () => {
      // The last page may be an empty table's root (all zeros at its end): cut into the page before it.
      const bytes = await realDatabase();
      return bytes.subarray(0, bytes.length - 4096 - 100);
    }],
    ['a real database with its header only', async () => (await realDatabase()).subarray(0, 100)],
    ['an empty file', async () => Buffer.alloc(0)],
  ];

  test('a path that is a directory is refused, never moved aside as if it were a corrupt file', async () => {
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'keep.txt'), 'user data');
    const log = new MemoryLogger();
    await assert.rejects(LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log }), (error: Error) => error.message.includes(file));
    assert.ok(fs.statSync(file).isDirectory(), 'the directory is where it was');
    assert.equal(fs.readFileSync(path.join(file, 'keep.txt'), 'utf8'), 'user data');
    assert.deepEqual(fs.readdirSync(dir.base).filter((f) => f.includes('.corrupt-')), []);
  });

  for (const [name, corrupt] of cases) {
    test(`${name}: moved aside intact, one clear error logged, and an ingest rebuilds the same totals`, async () => {
      const reference = await referenceSnapshot(dir);
      assert.ok(reference.events.messages > 0, 'the corpus has requests');
      const bytes = await corrupt();
      fs.writeFileSync(file, bytes);

      const log = new MemoryLogger();
      const engine = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log });
      try {
        const aside = engine.db.movedAside;
        assert.ok(aside, 'the file was moved aside');
        assert.ok(aside.startsWith(`${file}.corrupt-`), `aside name: ${aside}`);
        assert.deepEqual(fs.readFileSync(aside), bytes, 'the original bytes are preserved');
        assert.equal(fs.existsSync(file), false, 'nothing written at the path until the next save');
        const errors = log.lines.filter((l) => l.startsWith('error'));
        assert.equal(errors.length, 1, errors.join('\n'));
        assert.match(errors[0]!, /unreadable/);
        assert.ok(errors[0]!.includes(file) && errors[0]!.includes(aside), `names both paths: ${errors[0]}`);

        assert.deepEqual(snapshot(engine).events.messages, 0, 'starts empty');
        await engine.ingest({ roots: dir.roots });
        assert.deepEqual(snapshot(engine), reference);
        engine.save();
      } finally {
        engine.close();
      }

      const log2 = new MemoryLogger();
      const reopened = await LedgerEngine.open({ dbFile: file, timeZone: 'UTC', log: log2 });
      try {
        assert.equal(reopened.db.movedAside, undefined, 'the rebuilt database is sound');
        assert.ok(!log2.has('error', 'unreadable'));
        assert.deepEqual(snapshot(reopened), reference);
      } finally {
        reopened.close();
      }
    });
  }
});

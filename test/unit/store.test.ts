import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import { writeFileAtomic } from '../../src/store/atomic-file';
import { HashIndex } from '../../src/store/hash-index';
import { hash64 } from '../../src/store/key-hash';
import { MANIFEST_FILE, resolveLedgerLocation } from '../../src/store/ledger-layout';
import { defaultMigrationsDir, migrate, readMigrations } from '../../src/store/migrations';
import { loadSqlJs } from '../../src/store/sqljs-loader';
import { memoryEngine } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'src/cli.ts');

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function cli(args: string[], prefix: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const [command, ...rest] = [...prefix, process.execPath, '--import', 'tsx', CLI, ...args];
  const result = spawnSync(command!, rest, { cwd: REPO, encoding: 'utf8', env: { ...process.env, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tableExists = (db: { exec(sql: string, params?: (string | number)[]): { values: unknown[][] }[] }, name: string) =>
  (db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])[0]?.values.length ?? 0) > 0;

describe('state migrations', () => {
  test('the shipped migrations are applied in numeric order and recorded; again, nothing is applied', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    const log = new MemoryLogger();
    try {
      assert.deepEqual(migrate(db, readMigrations(defaultMigrationsDir()), log), [1, 2, 3, 4, 5, 6]);
      for (const table of ['meta', 'source_files', 'dim_session', 'daily_mart', 'session_mart', 'session_model_mart']) assert.ok(tableExists(db, table), table);
      assert.equal(tableExists(db, 'usage_events'), false, 'events live in month segments, not in the state');
      assert.equal(tableExists(db, 'mart_watermark'), false, 'the marts keep their watermark in meta');
      assert.deepEqual(migrate(db, readMigrations(defaultMigrationsDir()), log), []);
    } finally {
      db.close();
    }
  });

  test('a failing migration records nothing and leaves no partial effect', async () => {
    const base = tempDir('agent-ledger-migrations-');
    fs.cpSync(defaultMigrationsDir(), base, { recursive: true });
    fs.writeFileSync(path.join(base, '009_broken.sql'), "CREATE TABLE half (x INTEGER);\nINSERT INTO meta VALUES ('marker', 'yes');\nCREATE TABLE oops (;");
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    try {
      assert.throws(() => migrate(db, readMigrations(base), new MemoryLogger()), /migration 9_broken failed: .*syntax error/);
      assert.deepEqual(db.exec('SELECT version FROM schema_migrations ORDER BY version')[0]!.values, [[1], [2], [3], [4], [5], [6]]);
      assert.equal(tableExists(db, 'half'), false);
      assert.equal(db.exec("SELECT 1 FROM meta WHERE key = 'marker'").length, 0);
    } finally {
      db.close();
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('atomic files and a full disk', () => {
  let base: string;
  beforeEach(() => {
    base = tempDir('agent-ledger-atomic-');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  test('writeFileAtomic creates missing folders and replaces the whole content', () => {
    const file = path.join(base, 'a', 'b', 'f.bin');
    writeFileAtomic(file, Buffer.from('first, longer content'));
    writeFileAtomic(file, Buffer.from('second'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'second');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['f.bin'], 'no temporary file left');
  });

  test('a save that does not fit (file-size limit) keeps the last saved ledger, removes its temporary files and exits 1', () => {
    const dir = new TranscriptDir('agent-ledger-full-');
    const ledger = path.join(base, 'ledger');
    try {
      const lines = (n: number, from: number) => Array.from({ length: n }, (_, i) =>
        claudeAssistant({ sessionId: `s${from + i}`, messageId: `m${from + i}`, requestId: `r${from + i}`, ts: '2026-11-20T10:00:00.000Z', output: 1 + i }));
      dir.write(dir.claudePath('-w/a.jsonl'), lines(20, 0));
      const first = cli(['--db', ledger, 'ingest', '--claude-dir', dir.claudeRoot]);
      assert.equal(first.code, 0, first.stderr);
      const manifest = fs.readFileSync(path.join(ledger, MANIFEST_FILE));
      dir.write(dir.claudePath('-w/b.jsonl'), lines(3000, 1000));
      const full = cli(['--db', ledger, 'ingest', '--claude-dir', dir.claudeRoot], ['prlimit', '--fsize=20000']);
      assert.equal(full.code, 1, `exit status 1: ${full.stdout}${full.stderr}`);
      assert.match(full.stderr.trim(), /^agent-ledger: cannot save ledger .*(EFBIG|file too large)/);
      assert.equal(full.stderr.trim().split('\n').length, 1, `one line: ${full.stderr}`);
      assert.deepEqual(fs.readFileSync(path.join(ledger, MANIFEST_FILE)), manifest, 'the committed manifest is untouched');
      const leftovers = [ledger, path.join(ledger, 'backup')].flatMap((d) => fs.readdirSync(d)).filter((f) => f.includes('.tmp-'));
      assert.deepEqual(leftovers, [], 'temporary files removed');
      const report = cli(['--db', ledger, 'daily', '--json', '--no-ingest', '-z', 'UTC']);
      assert.equal(JSON.parse(report.stdout).totals.outputTokens, 210, 'the last saved ledger opens as it was');
      const again = cli(['--db', ledger, 'ingest', '--claude-dir', dir.claudeRoot]);
      assert.equal(again.code, 0, again.stderr);
    } finally {
      dir.dispose();
    }
  });

  test('temporary files left by a killed save are removed when the ledger is next opened', async () => {
    const ledger = path.join(base, 'ledger');
    (await memoryEngine(ledger)).engine.close();
    fs.writeFileSync(path.join(ledger, 'state.g7.sqlite.tmp-4242-abcdef'), 'half a save');
    fs.mkdirSync(path.join(ledger, 'backup'), { recursive: true });
    fs.writeFileSync(path.join(ledger, 'backup', 'state.g7.sqlite.gz.tmp-4242-abcdef'), 'half a twin');
    const { engine, log } = await memoryEngine(ledger);
    engine.close();
    assert.deepEqual(fs.readdirSync(ledger).filter((f) => f.includes('.tmp-')), []);
    assert.deepEqual(fs.readdirSync(path.join(ledger, 'backup')).filter((f) => f.includes('.tmp-')), [], 'and in backup/');
    assert.ok(log.has('info', 'removed 2 temporary file'), log.lines.join('\n'));
  });
});

describe('only ledgers are touched (--db)', () => {
  let base: string;
  beforeEach(() => {
    base = tempDir('agent-ledger-db-');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const refusedUntouched = (target: string, pattern: RegExp) => {
    const before = fs.statSync(target).isFile() ? fs.readFileSync(target) : fs.readdirSync(target);
    const result = cli(['--db', target, 'ingest', '--claude-dir', base]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr.trim(), pattern);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
    assert.deepEqual(fs.statSync(target).isFile() ? fs.readFileSync(target) : fs.readdirSync(target), before, 'left exactly as it was');
    assert.deepEqual(fs.readdirSync(path.dirname(target)).filter((f) => f.includes('corrupt') || f.includes('damaged')), []);
  };

  test('a text file is refused and left as it was', () => {
    const file = path.join(base, 'notes.txt');
    fs.writeFileSync(file, 'my notes\n');
    refusedUntouched(file, /notes\.txt is a file that is not an Agent Ledger ledger; refusing to touch it$/);
  });

  test('a SQLite database of another program is refused', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE contacts (name TEXT)');
    const file = path.join(base, 'contacts.sqlite');
    fs.writeFileSync(file, db.export());
    db.close();
    refusedUntouched(file, /is a file that is not an Agent Ledger ledger/);
  });

  test('a folder holding other files is refused', () => {
    const folder = path.join(base, 'photos');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'cat.jpg'), 'meow');
    refusedUntouched(folder, /photos is a folder that is not an Agent Ledger ledger .*refusing to write into it$/);
  });

  test('a symbolic link to a ledger folder is followed: the link stays, the real folder is written', () => {
    const real = path.join(base, 'real-ledger');
    const link = path.join(base, 'link');
    const claude = path.join(base, 'claude');
    fs.mkdirSync(path.join(claude, 'projects', 'w'), { recursive: true });
    fs.writeFileSync(path.join(claude, 'projects', 'w', 'a.jsonl'), `${claudeAssistant({ messageId: 'm', requestId: 'r', ts: '2026-11-20T10:00:00.000Z', output: 4 })}\n`);
    assert.equal(cli(['--db', real, 'ingest', '--claude-dir', claude]).code, 0);
    fs.symlinkSync(real, link);
    const result = cli(['--db', link, 'ingest', '--claude-dir', claude]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'still a link');
    assert.deepEqual(resolveLedgerLocation(link), { dir: real });
  });

  test('a sound ledger that cannot be read is refused with a clear error, never replaced', async () => {
    const ledger = path.join(base, 'ledger');
    const dir = new TranscriptDir('agent-ledger-unreadable-');
    try {
      dir.write(dir.claudePath('-w/a.jsonl'), [claudeAssistant({ messageId: 'm', requestId: 'r', ts: '2026-11-20T10:00:00.000Z', output: 9 })]);
      assert.equal(cli(['--db', ledger, 'ingest', '--claude-dir', dir.claudeRoot]).code, 0);
      const state = JSON.parse(fs.readFileSync(path.join(ledger, MANIFEST_FILE), 'utf8')).state.name as string;
      const saved = fs.readFileSync(path.join(ledger, state));
      fs.rmSync(path.join(ledger, state));
      fs.mkdirSync(path.join(ledger, state)); // reading it fails with EISDIR: unreadable, not damaged
      const result = cli(['--db', ledger, 'daily', '--claude-dir', dir.claudeRoot]);
      assert.equal(result.code, 1);
      assert.match(result.stderr.trim(), /^agent-ledger: cannot read ledger file .*EISDIR/);
      assert.ok(fs.statSync(path.join(ledger, state)).isDirectory(), 'nothing was moved or replaced');
      fs.rmdirSync(path.join(ledger, state));
      fs.writeFileSync(path.join(ledger, state), saved);
      assert.equal(JSON.parse(cli(['--db', ledger, 'daily', '--json', '--no-ingest']).stdout).totals.outputTokens, 9);
    } finally {
      dir.dispose();
    }
  });
});

describe('hashed request keys', () => {
  test('the hash index finds, replaces, deletes and grows like a Map', () => {
    const index = new HashIndex(4);
    const model = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const key = `k${i % 20_000}`;
      if (i % 7 === 3) {
        index.delete(hash64(key));
        model.delete(key);
      } else {
        index.set(hash64(key), i);
        model.set(key, i);
      }
    }
    assert.equal(index.size, model.size);
    for (let i = 0; i < 20_000; i++) assert.equal(index.get(hash64(`k${i}`)), model.get(`k${i}`));
  });

  test('a million realistic request keys hash to a million distinct values', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) {
      const h = hash64(`c:msg_01${(i * 2654435761 >>> 0).toString(36)}${i}:req_011C${i.toString(16)}`);
      seen.add(`${h.hi}:${h.lo}`);
    }
    assert.equal(seen.size, 1_000_000);
  });
});

/** OpenCode (opencode.db in WAL mode, the legacy JSON store) and Kilo CLI's kilo.db. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Database } from 'sql.js';
import { opencodeTokens } from '../../src/normalizers/opencode-message';
import { applyWal } from '../../src/sources/sqlite-wal';
import { loadSqlJs } from '../../src/store/sqljs-loader';
import { AgentDir, agentTotals, SAMPLES } from '../fixtures/agent-dir';
import { eventsDb, ledgerPerTest } from '../fixtures/engine-harness';
import { messageData, opencodeDb, upsertMessage } from '../fixtures/opencode-db';
import { asWalMode, walFor } from '../fixtures/sqlite-wal-writer';

const REAL_WAL = path.join(__dirname, '..', 'fixtures', 'opencode-wal');
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);

describe('SQLite WAL: committed rows that are only in the -wal', () => {
  test('a WAL written by SQLite itself: the main file alone has no rows; with its WAL, both', async () => {
    const SQL = await loadSqlJs();
    const main = fs.readFileSync(path.join(REAL_WAL, 'opencode.db'));
    const wal = fs.readFileSync(path.join(REAL_WAL, 'opencode.db-wal'));
    assert.throws(() => new SQL.Database(main).exec('SELECT id FROM message'), /no such table/);
    const rows = new SQL.Database(applyWal(main, wal).image).exec('SELECT id FROM message ORDER BY id')[0]?.values.flat();
    assert.deepEqual(rows, ['msg_wal_1', 'msg_wal_2']);
  });

  test('a torn last frame (a write in progress) is ignored: the database as of the last whole commit', async () => {
    const SQL = await loadSqlJs();
    const main = fs.readFileSync(path.join(REAL_WAL, 'opencode.db'));
    const wal = fs.readFileSync(path.join(REAL_WAL, 'opencode.db-wal'));
    const torn = applyWal(main, wal.subarray(0, wal.length - 100));
    assert.equal(torn.uncommittedFrames, 1);
    assert.deepEqual(new SQL.Database(torn.image).exec('SELECT id FROM message')[0]?.values.flat(), ['msg_wal_1']);
    const garbage = applyWal(main, Buffer.concat([wal, Buffer.alloc(4096 + 24, 7)]));
    assert.equal(new SQL.Database(garbage.image).exec('SELECT COUNT(*) FROM message')[0]?.values[0]?.[0], 2);
  });
});

describe('OpenCode', () => {
  const ctx = ledgerPerTest(() => new AgentDir());
  let db: Database;
  const dbFile = () => path.join(ctx.dir.opencodeData, 'opencode.db');
  beforeEach(async () => {
    db = await opencodeDb();
  });
  afterEach(() => {
    db.close();
  });
  const totals = () => agentTotals(ctx.engine, 'opencode');

  test('the real WAL fixture through ingest: both messages, project from the session row', async () => {
    fs.mkdirSync(ctx.dir.opencodeData, { recursive: true });
    for (const f of ['opencode.db', 'opencode.db-wal']) fs.copyFileSync(path.join(REAL_WAL, f), path.join(ctx.dir.opencodeData, f));
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.requests, t.input, t.output, t.cr, t.cw, t.reasoning], [2, 3000, 500 + 300 + 100, 500, 50, 100]);
    assert.equal(eventsDb(ctx.engine).get<{ path: string }>("SELECT p.path FROM usage_events e JOIN dim_project p ON p.id = e.project_id WHERE agent = 'opencode' LIMIT 1")?.path, '/work/wal-project');
  });

  test('a row updated while the reply streams, its updates only in the WAL, counts once with its last counts', async () => {
    upsertMessage(db, 'msg_1', T0, T0, { input: 100, output: 5 });
    const base = db.export();
    ctx.dir.writeText(dbFile(), asWalMode(base));
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().requests, totals().output], [1, 5]);
    upsertMessage(db, 'msg_1', T0, T0 + 500, { input: 100, output: 60 });
    const streamed = db.export();
    upsertMessage(db, 'msg_2', T0 + 2000, T0 + 2000, { input: 10, output: 1 });
    ctx.dir.writeText(`${dbFile()}-wal`, walFor(base, [streamed, db.export()]));
    await ctx.engine.ingest(ctx.dir.options);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().requests, totals().input, totals().output], [2, 110, 61]);
  });

  test('reasoning beside output (current OpenCode) is billed as output; inside output (older, told by total) is not added', () => {
    const beside = opencodeTokens({ total: 1000 + 200 + 50 + 300, input: 1000, output: 200, reasoning: 50, cache: { read: 300, write: 0 } });
    assert.deepEqual([beside.output, beside.reasoning], [250, 50]);
    const inside = opencodeTokens({ total: 1000 + 200 + 300, input: 1000, output: 200, reasoning: 50, cache: { read: 300, write: 0 } });
    assert.deepEqual([inside.output, inside.reasoning], [200, 50]);
  });

  test('a message in both the legacy JSON store and the database counts once', async () => {
    const legacy = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'opencode', 'legacy-storage-message-msg_test001.json'), 'utf8'));
    ctx.dir.writeJson(path.join(ctx.dir.opencodeData, 'storage', 'message', 'ses_test001', 'msg_test001.json'), legacy);
    db.run("INSERT INTO message VALUES ('msg_test001', 'ses_test001', 1733011200000, 1733011260000, ?)", [JSON.stringify(legacy)]);
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    const t = totals();
    assert.deepEqual([t.requests, t.input, t.output, t.cr, t.cw], [1, 1000, 500, 200, 100]);
  });

  test("the agent's cost is kept as reported (cost > 0 only); ours comes from the price table", async () => {
    upsertMessage(db, 'msg_1', T0, T0, { input: 100_000, output: 0 }, { cost: 99 });
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(totals().cost, 300_000_000, 'claude-sonnet-4-5 input at $3/M, not the recorded $99');
  });

  test('a file that is not a database is one warning, not a failure', async () => {
    ctx.dir.writeText(dbFile(), 'not a database at all, just text that is long enough to look like something');
    await ctx.engine.ingest(ctx.dir.options);
    await ctx.engine.ingest(ctx.dir.options);
    assert.equal(ctx.log.lines.filter((l) => l.includes('unreadable sqlite')).length, 1, ctx.log.lines.join('\n'));
  });

  // OpenCode's Session.fork copies each message with a new id and session, all else kept.
  const forkCopy = (id: string, session: string, created: number, t: { input: number; output: number }, extra: Record<string, unknown> = {}) =>
    db.run('INSERT INTO message VALUES (?, ?, ?, ?, ?)', [id, session, created, created, messageData(created, t, extra)]);

  test("a fork's copies of its parent's messages count once; other messages with the same counts still count", async () => {
    db.run("INSERT INTO session VALUES ('ses_fork', '/work/oc', 2, 2)");
    upsertMessage(db, 'msg_1', T0, T0, { input: 100, output: 5 });
    upsertMessage(db, 'msg_2', T0 + 60_000, T0 + 60_000, { input: 100, output: 5 }); // a later reply with the same counts
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    forkCopy('msg_9', 'ses_fork', T0, { input: 100, output: 5 });
    forkCopy('msg_10', 'ses_fork', T0 + 60_000, { input: 100, output: 5 });
    upsertMessage(db, 'msg_11', T0 + 120_000, T0 + 120_000, { input: 7, output: 1 });
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().requests, totals().input, totals().output], [3, 207, 11]);
  });

  test('a message read while it streamed, then finished and forked: its copy counts once', async () => {
    db.run("INSERT INTO session VALUES ('ses_fork', '/work/oc', 2, 2)");
    upsertMessage(db, 'msg_1', T0, T0, { input: 100, output: 5 }, { time: { created: T0 } });
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    upsertMessage(db, 'msg_1', T0, T0 + 900, { input: 100, output: 5 }); // finished: the same counts, now with time.completed
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    forkCopy('msg_9', 'ses_fork', T0, { input: 100, output: 5 });
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().requests, totals().input, totals().output], [1, 100, 5]);
  });

  test("legacy store: a fork's copy read before its original, which was read while it streamed, counts once (as Rebuild Marts says)", async () => {
    const legacy = (session: string, id: string, data: string) => ctx.dir.writeText(path.join(ctx.dir.opencodeData, 'storage', 'message', session, `${id}.json`), data);
    const streaming = JSON.parse(messageData(T0, { input: 100, output: 5 })) as { time: Record<string, number> };
    delete streaming.time.completed;
    legacy('ses_b_original', 'msg_a', JSON.stringify({ ...streaming, id: 'msg_a', sessionID: 'ses_b_original' }));
    await ctx.engine.ingest(ctx.dir.options);
    // It finishes, and the session is forked: session ids descend, so the fork's folder is listed first.
    legacy('ses_b_original', 'msg_a', messageData(T0, { input: 100, output: 5 }, { id: 'msg_a', sessionID: 'ses_b_original' }));
    legacy('ses_a_fork', 'msg_z', messageData(T0, { input: 100, output: 5 }, { id: 'msg_z', sessionID: 'ses_a_fork' }));
    await ctx.engine.ingest(ctx.dir.options);
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().requests, totals().input], [1, 100]);
    ctx.engine.rebuildMarts();
    assert.deepEqual([totals().requests, totals().input], [1, 100]);
  });

  test('a row whose data is not JSON is said once and left out; the others count', async () => {
    upsertMessage(db, 'msg_1', T0, T0, { input: 100, output: 5 });
    db.run(`INSERT INTO message VALUES ('msg_bad', 'ses_1', 1, ${T0 + 5000}, '{"role":"assist')`); // read again by every later pass
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    upsertMessage(db, 'msg_2', T0 + 6000, T0 + 6000, { input: 10, output: 1 });
    ctx.dir.writeText(dbFile(), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    assert.deepEqual([totals().requests, totals().input], [2, 110]);
    assert.equal(ctx.log.lines.filter((l) => l.includes('invalid JSON')).length, 1, ctx.log.lines.join('\n'));
  });

  test("Kilo CLI's kilo.db has OpenCode's schema", async () => {
    upsertMessage(db, 'msg_k', T0, T0, { input: 7, output: 3, reasoning: 2 });
    ctx.dir.writeText(path.join(ctx.dir.kiloData, 'kilo.db'), db.export());
    await ctx.engine.ingest(ctx.dir.options);
    const t = agentTotals(ctx.engine, 'kilo');
    assert.deepEqual([t.requests, t.input, t.output], [1, 7, 5]);
  });
});

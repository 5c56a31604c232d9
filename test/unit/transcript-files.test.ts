import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { eventTotals, ingestAll, ledgerPerTest } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant as line } from '../fixtures/transcript-lines';

const T = '2026-11-20T10:00:00.000Z';
const msg = (n: number, output = n) => line({ messageId: `m${n}`, requestId: `r${n}`, ts: T, output });

describe('transcript files: bad input and changes under us', () => {
  const ctx = ledgerPerTest(() => new TranscriptDir());
  let file: string;
  beforeEach(() => {
    file = ctx.dir.claudePath('-work-app/s1.jsonl');
  });

  test('a file replaced (rename over it) after it was planned as an append, before it is read: read whole, nothing lost', async () => {
    const other = ctx.dir.claudePath('-work-app/s0.jsonl'); // read before s1
    ctx.dir.write(other, [msg(1)]);
    ctx.dir.write(file, [msg(10)]);
    await ingestAll(ctx.engine, ctx.dir);
    ctx.dir.append(file, `${msg(100)}\n`); // planned as an append from the old end
    await ctx.engine.ingest({
      roots: ctx.dir.roots,
      workers: 0,
      onProgress: (p) => {
        if (p.filesDone !== 1) return;
        // Between planning and reading s1: it is rewritten whole and renamed into place (Claude Code's resume).
        fs.writeFileSync(`${file}.tmp`, [msg(1000), msg(10000), msg(100000)].map((l) => `${l}\n`).join(''));
        fs.renameSync(`${file}.tmp`, file);
      },
    });
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 1 + 10 + 1000 + 10000 + 100000, 'every line of the new file counts (100 was never in it)');
    assert.ok(ctx.log.has('info', 'replaced or rewritten while being read'), ctx.log.lines.join('\n'));
  });

  /** A link among the transcripts to a named pipe: listed like a file, found to be a pipe only when opened. */
  function pipeAmongTranscripts(): { path: string; remove(): void; restore(): void; skips(): number } {
    const fifo = path.join(ctx.dir.base, 'fifo');
    const pipe = ctx.dir.claudePath('-work-app/pipe.jsonl');
    execFileSync('mkfifo', [fifo]);
    fs.symlinkSync(fifo, pipe);
    return {
      path: pipe,
      remove: () => fs.rmSync(pipe),
      restore: () => fs.symlinkSync(fifo, pipe),
      skips: () => ctx.log.lines.filter((l) => l.includes('pipe.jsonl')).length,
    };
  }

  test('a pipe and an unreadable folder among the transcripts are said once, not on every rescan, and again once they come back', async () => {
    ctx.dir.write(file, [msg(1)]);
    const pipe = pipeAmongTranscripts();
    for (let i = 0; i < 3; i++) await ingestAll(ctx.engine, ctx.dir); // the writer rescans every 30 s
    assert.equal(pipe.skips(), 1, ctx.log.lines.join('\n'));
    assert.equal(eventTotals(ctx.engine).output, 1, 'the other file counts');
    pipe.remove();
    await ingestAll(ctx.engine, ctx.dir);
    pipe.restore();
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(pipe.skips(), 2, 'said again after a pass without it');
  });

  test('a skip met by a watcher pass does not keep it silenced: once it ends and comes back, the next whole pass says it', async () => {
    ctx.dir.write(file, [msg(1)]);
    const pipe = pipeAmongTranscripts();
    await ingestAll(ctx.engine, ctx.dir);
    await ctx.engine.ingest({ roots: ctx.dir.roots, onlyPaths: new Set([pipe.path]) }); // a watcher's pass
    pipe.remove();
    await ingestAll(ctx.engine, ctx.dir); // a whole pass without it
    pipe.restore();
    const before = pipe.skips();
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(pipe.skips(), before + 1, ctx.log.lines.join('\n'));
  });

  test('a project folder linked into projects/ is read once; links to folders already walked, into them or up the tree are not followed', async () => {
    ctx.dir.write(file, [msg(1)]);
    fs.mkdirSync(ctx.dir.claudePath('-work-app/sub'));
    const elsewhere = path.join(ctx.dir.base, 'elsewhere', '-work-linked');
    ctx.dir.write(path.join(elsewhere, 's2.jsonl'), [msg(20)]);
    fs.symlinkSync(elsewhere, ctx.dir.claudePath('-work-linked'));
    fs.symlinkSync(elsewhere, ctx.dir.claudePath('-work-linked-again'));
    fs.symlinkSync(ctx.dir.claudePath('-work-app'), ctx.dir.claudePath('-work-sibling'));
    fs.symlinkSync(ctx.dir.claudePath('-work-app'), ctx.dir.claudePath('-work-app/sub/up'));
    fs.symlinkSync(ctx.dir.claudeRoot, ctx.dir.claudePath('-work-app/root'));
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.files, 2, 'each transcript listed once');
    assert.equal(eventTotals(ctx.engine).output, 21);
  });

  test('a half-written last line waits until it is complete, then counts once', async () => {
    const full = msg(2);
    ctx.dir.write(file, [msg(1)]);
    ctx.dir.append(file, full.slice(0, 40));
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 1);
    ctx.dir.append(file, `${full.slice(40)}\n`);
    await ingestAll(ctx.engine, ctx.dir);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 3);
    assert.ok(!ctx.log.has('warn', 'invalid JSON'), 'the partial line is never parsed');
  });

  test('a complete last line without a final newline counts now, and not again when the newline arrives', async () => {
    // The last line of a public real transcript (happy-cli fixture), exactly as published: no final newline.
    const last = '{"type":"assistant","timestamp":"2025-07-19T07:27:46.111Z","sessionId":"s","requestId":"req_1","message":{"id":"msg_1","model":"claude-opus-4-20250514","usage":{"input_tokens":4,"output_tokens":5,"cache_read_input_tokens":16180}}}';
    ctx.dir.append(file, last);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual(Object.values(eventTotals(ctx.engine)).slice(0, 5), [4, 5, 0, 0, 16180]);
    assert.equal(eventTotals(ctx.engine).messages, 1);
    ctx.dir.append(file, '\r\n');
    await ingestAll(ctx.engine, ctx.dir);
    ctx.dir.append(file, `${msg(2)}\n`);
    await ingestAll(ctx.engine, ctx.dir);
    assert.deepEqual([eventTotals(ctx.engine).output, eventTotals(ctx.engine).messages], [7, 2]);
    assert.ok(!ctx.log.lines.some((l) => l.startsWith('warn')), ctx.log.lines.join('\n'));
  });

  test('invalid JSON lines are skipped with a log line naming file and byte offset', async () => {
    const broken = msg(2).slice(0, -5);
    ctx.dir.write(file, [msg(1), broken, msg(3)]);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.invalidLines, 1);
    assert.equal(eventTotals(ctx.engine).output, 4);
    const offset = Buffer.byteLength(`${msg(1)}\n`);
    assert.ok(ctx.log.has('warn', `${file}: invalid JSON at byte ${offset}`), ctx.log.lines.join('\n'));
  });

  test('an invalid line is logged by file, byte offset and kind of error, never by its content', async () => {
    const secret = 'TOP-SECRET-PROMPT-TEXT';
    // V8 quotes a slice of the text in some parse errors ("Unexpected token …, "…" is not valid JSON").
    const broken = [
      `{"type":"assistant","usage":{"input_tokens": ${secret}}}`,
      `{"type":"assistant","usage":{"output_tokens":1},"text":"${secret}"`,
      `{"usage":{"input_tokens":1},"x":tru ${secret}}`,
    ];
    ctx.dir.write(file, [msg(1), ...broken, msg(3)]);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.invalidLines, 3);
    assert.ok(ctx.log.has('warn', `${file}: invalid JSON at byte ${Buffer.byteLength(`${msg(1)}\n`)} skipped`), ctx.log.lines.join('\n'));
    assert.equal(ctx.log.lines.filter((l) => l.includes('SECRET')).length, 0, ctx.log.lines.join('\n'));
  });

  test('absurd token counts: the line is skipped and logged by file and offset; the ledger stays sound', async () => {
    const absurd: unknown[] = [2 ** 62, 2 ** 62 + 2 ** 11, 1e308, 2 ** 63, -5, 1.5, '100', 1e10];
    const bad = absurd.map((value, i) => {
      const good = JSON.parse(msg(10 + i)) as { message: { usage: Record<string, unknown> } };
      good.message.usage[i % 2 ? 'output_tokens' : 'cache_read_input_tokens'] = value;
      return JSON.stringify(good);
    });
    ctx.dir.write(file, [msg(1), ...bad, msg(2)]);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.invalidLines, absurd.length);
    assert.ok(ctx.log.has('warn', `${file}: token count out of range at byte ${Buffer.byteLength(`${msg(1)}\n`)} skipped`), ctx.log.lines.join('\n'));
    const t = eventTotals(ctx.engine);
    assert.deepEqual([t.output, t.cr, t.messages], [3, 0, 2]);
    // Later ingests and reports still work, with finite numbers.
    ctx.dir.append(file, `${msg(4)}\n`);
    await ingestAll(ctx.engine, ctx.dir);
    const totals = ctx.engine.readers.periodTotals();
    assert.equal(totals.outputTokens, 7);
    assert.ok(Number.isFinite(totals.costUsd));
  });

  test('a token count just below the bound, and absent or null counts, are accepted', async () => {
    const big = JSON.parse(msg(1)) as { message: { usage: Record<string, unknown> } };
    big.message.usage.cache_read_input_tokens = 1e10 - 1;
    big.message.usage.cache_creation_input_tokens = null;
    delete big.message.usage.input_tokens;
    ctx.dir.write(file, [JSON.stringify(big)]);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.invalidLines, 0);
    assert.deepEqual([eventTotals(ctx.engine).cr, eventTotals(ctx.engine).input], [1e10 - 1, 0]);
  });

  test('CRLF line endings are read like LF', async () => {
    ctx.dir.write(file, [msg(1), msg(2)], '\r\n');
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 3);
  });

  test('a 5 MB line is read whole', async () => {
    const huge = line({ messageId: 'big', requestId: 'rb', ts: T, output: 77, content: [{ type: 'text', text: 'x'.repeat(5 * 1024 * 1024) }] });
    ctx.dir.write(file, [msg(1), huge, msg(2)]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 80);
  });

  test('a line beyond 64 MiB is skipped and logged, and never read again as the file grows', async () => {
    ctx.dir.write(file, [msg(1)]);
    const start = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.alloc(64 * 1024 * 1024 + 4096, 'x'));
    const first = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(first.invalidLines, 1);
    assert.ok(ctx.log.has('warn', `${file}: line longer than 64 MiB at byte ${start} skipped`), ctx.log.lines.join('\n'));
    ctx.dir.append(file, 'x');
    const second = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(second.bytes, 1, 'only the appended byte is read');
    ctx.dir.append(file, `"usage":{"input_tokens":1}}\n${msg(2)}\n`);
    const third = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(third.invalidLines, 0, 'the rest of the skipped line is not a line of its own');
    assert.equal(eventTotals(ctx.engine).output, 3);
  });

  test('an empty file is fine', async () => {
    ctx.dir.write(file, []);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.files, 1);
    assert.equal(eventTotals(ctx.engine).messages, 0);
  });

  test('a file truncated under us is read again from the start without double counting', async () => {
    ctx.dir.write(file, [msg(1), msg(2), msg(3)]);
    await ingestAll(ctx.engine, ctx.dir);
    ctx.dir.write(file, [msg(1), msg(4)]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 10);
    assert.ok(ctx.log.has('info', 'was truncated'));
  });

  test('a replaced file (new inode) is read again without double counting', async () => {
    ctx.dir.write(file, [msg(1), msg(2)]);
    await ingestAll(ctx.engine, ctx.dir);
    const temp = `${file}.new`;
    fs.writeFileSync(temp, [msg(1), msg(2), msg(5)].map((l) => `${l}\n`).join(''));
    fs.renameSync(temp, file);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 8);
    assert.ok(ctx.log.has('info', 'was replaced'));
  });

  test('a file rewritten in place with a different start is read again', async () => {
    ctx.dir.write(file, [msg(1)]);
    await ingestAll(ctx.engine, ctx.dir);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([msg(7), msg(8)].map((l) => `${l}\n`).join('')), 0, undefined, 0);
    fs.closeSync(fd);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 16);
    assert.ok(ctx.log.has('info', 'was rewritten'));
  });

  test('a file rewritten in place past its first KiB, at the same size, is read again', async () => {
    ctx.dir.write(file, [msg(1), msg(2), msg(3), msg(4)]);
    await ingestAll(ctx.engine, ctx.dir);
    const at = Buffer.byteLength(`${msg(1)}\n${msg(2)}\n`);
    assert.ok(at > 1024, 'the rewrite leaves the first KiB as it was');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from(`${msg(5)}\n${msg(6)}\n`), 0, undefined, at);
    fs.closeSync(fd);
    const size = fs.statSync(file).size;
    assert.equal(size, Buffer.byteLength([1, 2, 3, 4].map((n) => `${msg(n)}\n`).join('')));
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 1 + 2 + 3 + 4 + 5 + 6);
    assert.ok(ctx.log.has('info', 'was rewritten'), ctx.log.lines.join('\n'));
  });

  test('a file truncated and regrown past its old end (same start) is read again', async () => {
    ctx.dir.write(file, [msg(1), msg(2), msg(3)]);
    await ingestAll(ctx.engine, ctx.dir);
    fs.writeFileSync(file, [msg(1), msg(2), msg(7), msg(8), msg(9)].map((l) => `${l}\n`).join('')); // same inode
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 1 + 2 + 3 + 7 + 8 + 9);
  });

  test('a removed file keeps its history', async () => {
    ctx.dir.write(file, [msg(1), msg(2)]);
    await ingestAll(ctx.engine, ctx.dir);
    fs.rmSync(file);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(ctx.engine.readers.periodTotals().outputTokens, 3);
  });

  test('appends are read from the last offset only', async () => {
    ctx.dir.write(file, [msg(1)]);
    await ingestAll(ctx.engine, ctx.dir);
    ctx.dir.append(file, `${msg(2)}\n`);
    const report = await ingestAll(ctx.engine, ctx.dir);
    assert.equal(report.bytes, Buffer.byteLength(`${msg(2)}\n`));
    assert.equal(eventTotals(ctx.engine).output, 3);
  });

  test('missing roots are not errors; an unreadable entry is logged and skipped', async () => {
    fs.mkdirSync(path.join(ctx.dir.claudeRoot, 'projects', 'p', 'bad.jsonl'), { recursive: true });
    fs.symlinkSync('/dev/null', path.join(ctx.dir.claudeRoot, 'projects', 'p', 'link.jsonl')); // a device, not a file
    ctx.dir.write(file, [msg(1)]);
    const report = await ctx.engine.ingest({ roots: { claude: [ctx.dir.claudeRoot, path.join(ctx.dir.base, 'missing')], codex: [path.join(ctx.dir.base, 'nope')] } });
    assert.equal(report.rootsFound, 1);
    assert.equal(eventTotals(ctx.engine).output, 1);
    assert.ok(ctx.log.has('warn', 'link.jsonl is not a regular file; skipped'), ctx.log.lines.join('\n'));
  });

  test('a transcript folder that is a file is logged, like an unreadable folder', async () => {
    fs.mkdirSync(ctx.dir.claudeRoot, { recursive: true });
    fs.writeFileSync(path.join(ctx.dir.claudeRoot, 'projects'), 'not a folder');
    await ingestAll(ctx.engine, ctx.dir);
    assert.ok(ctx.log.has('warn', `${path.join(ctx.dir.claudeRoot, 'projects')} is not a folder; skipped`), ctx.log.lines.join('\n'));
  });

  test('a transcript root that appears later is picked up', async () => {
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).messages, 0);
    ctx.dir.write(file, [msg(1)]);
    await ingestAll(ctx.engine, ctx.dir);
    assert.equal(eventTotals(ctx.engine).output, 1);
  });

  test('message content never reaches the database', async () => {
    const secret = 'TOP-SECRET-PROMPT-TEXT';
    ctx.dir.write(file, [line({ messageId: 'm1', requestId: 'r1', ts: T, content: [{ type: 'text', text: secret }] })]);
    await ingestAll(ctx.engine, ctx.dir);
    const bytes = Buffer.from(ctx.engine.db.sql.export());
    assert.equal(bytes.includes(secret), false);
    assert.equal(eventTotals(ctx.engine).messages, 1);
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { ingestAll, memoryEngine } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant, codexMeta, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

interface Window { child: ChildProcess; messages: Record<string, unknown>[] }

function openWindow(storage: string, dir: TranscriptDir): Window {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'multiwindow', 'window-child.ts'), storage, dir.claudeRoot, dir.codexHome], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const window: Window = { child, messages: [] };
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) window.messages.push(JSON.parse(line));
  });
  return window;
}

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const roleOf = (w: Window) => [...w.messages].reverse().find((m) => 'role' in m)?.role;
const sessionFile = (dir: TranscriptDir, s: number) => dir.claudePath(`-work-p${s % 3}/s${s}.jsonl`);
const line = (s: number, i: number, output: number) =>
  claudeAssistant({ messageId: `m${s}_${i}`, requestId: `r${s}_${i}`, sessionId: `s${s}`, ts: new Date(Date.UTC(2026, 10, 20, 8, s, i)).toISOString(), output });

const IDLE_MS = 75_000;

test('six windows with the production timings: one writer, no takeover while idle for 75 s, a killed writer replaced, exact totals', { timeout: 240_000 }, async () => {
  const dir = new TranscriptDir('agent-ledger-windows-');
  const ledger = path.join(dir.base, 'ledger');
  for (let s = 0; s < 40; s++) dir.write(sessionFile(dir, s), Array.from({ length: 30 }, (_, i) => line(s, i, 10 + i)));
  const id = '0199a213-81c0-7800-8aa1-00000000a0a0';
  dir.write(dir.codexPath(`sessions/2026/11/20/rollout-x-${id}.jsonl`), [
    codexMeta('2026-11-20T08:00:00.000Z', id), codexTurnContext('2026-11-20T08:00:00.000Z', 'gpt-5'),
    codexTokenCount('2026-11-20T08:00:01.000Z', { input: 100, output: 10 }),
  ]);

  const windows = Array.from({ length: 6 }, () => openWindow(ledger, dir));
  try {
    await until('every window started', () => windows.every((w) => w.messages.some((m) => 'started' in m)));
    assert.deepEqual(windows.map(roleOf).filter((r) => r === 'writer').length, 1, 'exactly one writer');
    const writer = windows.find((w) => roleOf(w) === 'writer')!;
    const readers = windows.filter((w) => w !== writer);

    const changedCount = () => windows.map((w) => w.messages.filter((m) => 'changed' in m).length);
    await new Promise((r) => setTimeout(r, 2_000)); // the first save reaches the readers
    const changedBefore = changedCount();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const roleChanges = windows.map((w) => w.messages.filter((m) => 'role' in m).length);
    assert.deepEqual(roleChanges, windows.map(() => 1), 'no window changed role while idle (no takeover from a live writer)');
    assert.deepEqual(changedCount(), changedBefore, "idle, nothing re-renders: the writer's safety rescans (every 30 s) found nothing new");

    // Streamed growth and new sessions while all run; readers see the writer's save.
    for (let s = 0; s < 40; s += 4) dir.append(sessionFile(dir, s), `${line(s, 0, 500)}\n${line(s, 99, 7)}\n`);
    for (let s = 40; s < 50; s++) dir.write(sessionFile(dir, s), Array.from({ length: 10 }, (_, i) => line(s, i, 3)));
    const grown = (w: Window) => w.messages.some((m) => typeof m.changed === 'number' && (m.changed as number) > 20_000);
    await until('the readers picked up the save', () => readers.every(grown), 20_000);

    writer.child.kill('SIGKILL');
    const killedAt = Date.now();
    await until('a reader takes over', () => readers.filter((w) => roleOf(w) === 'writer').length === 1, 30_000);
    assert.ok(Date.now() - killedAt < 15_000 + 5_000 + 2_000, 'replaced within the stale time (plus one lock check)');
    assert.equal(readers.filter((w) => roleOf(w) === 'writer').length, 1, 'exactly one successor');
    for (let s = 50; s < 55; s++) dir.write(sessionFile(dir, s), [line(s, 0, 1)]);
    await new Promise((r) => setTimeout(r, 3_000));
    for (const w of readers) w.child.kill('SIGTERM');
    await Promise.all(readers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))));
    for (const w of windows) {
      assert.deepEqual(w.messages.filter((m) => 'error' in m || 'unhandledRejection' in m), [], 'no window logged an error or an unhandled rejection');
    }
  } finally {
    for (const w of windows) w.child.kill('SIGKILL');
  }

  const { engine: single } = await memoryEngine();
  await ingestAll(single, dir);
  const { engine: saved } = await memoryEngine(ledger, { readOnly: true });
  try {
    assert.deepEqual(saved.readers.periodTotals(), single.readers.periodTotals());
    assert.deepEqual(saved.readers.dailyByModel(), single.readers.dailyByModel());
  } finally {
    saved.close();
    single.close();
    dir.dispose();
  }
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { LedgerEngine } from '../../src/pipeline/engine';
import { DB_FILE_NAME } from '../../src/pipeline/live-ledger';
import { eventTotals, ingestAll, memoryEngine } from '../fixtures/engine-harness';
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

test('two windows on one storage folder end with exactly the single-writer totals', async () => {
  const dir = new TranscriptDir('agent-ledger-windows-');
  const storage = path.join(dir.base, 'storage');
  for (let s = 0; s < 40; s++) dir.write(sessionFile(dir, s), Array.from({ length: 30 }, (_, i) => line(s, i, 10 + i)));
  const id = '0199a213-81c0-7800-8aa1-00000000a0a0';
  dir.write(dir.codexPath(`sessions/2026/11/20/rollout-x-${id}.jsonl`), [
    codexMeta('2026-11-20T08:00:00.000Z', id), codexTurnContext('2026-11-20T08:00:00.000Z', 'gpt-5'),
    codexTokenCount('2026-11-20T08:00:01.000Z', { input: 100, output: 10 }),
  ]);

  const first = openWindow(storage, dir);
  const second = openWindow(storage, dir);
  try {
    await until('both windows started', () => [first, second].every((w) => w.messages.some((m) => 'started' in m)));
    const roles = [roleOf(first), roleOf(second)].sort();
    assert.deepEqual(roles, ['reader', 'writer'], 'exactly one writer');
    const [writer, reader] = roleOf(first) === 'writer' ? [first, second] : [second, first];

    // Streamed growth and new sessions while both run; then the writer dies without saving.
    for (let s = 0; s < 40; s += 4) dir.append(sessionFile(dir, s), `${line(s, 0, 500)}\n${line(s, 99, 7)}\n`);
    for (let s = 40; s < 50; s++) dir.write(sessionFile(dir, s), Array.from({ length: 10 }, (_, i) => line(s, i, 3)));
    await new Promise((r) => setTimeout(r, 300));
    writer.child.kill('SIGKILL');
    await until('the reader takes over', () => roleOf(reader) === 'writer');
    for (let s = 50; s < 55; s++) dir.write(sessionFile(dir, s), [line(s, 0, 1)]);
    await new Promise((r) => setTimeout(r, 600));
    reader.child.kill('SIGTERM');
    await new Promise((r) => reader.child.once('exit', r));
  } finally {
    first.child.kill('SIGKILL');
    second.child.kill('SIGKILL');
  }

  const { engine: single } = await memoryEngine();
  await ingestAll(single, dir);
  const saved = await LedgerEngine.open({ dbFile: path.join(storage, DB_FILE_NAME), timeZone: 'UTC' });
  try {
    assert.deepEqual(eventTotals(saved), eventTotals(single));
    assert.deepEqual(saved.readers.periodTotals(), single.readers.periodTotals());
  } finally {
    saved.close();
    single.close();
    dir.dispose();
  }
});

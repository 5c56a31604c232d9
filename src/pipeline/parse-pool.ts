import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { nodeWorkerThreads } from '../core/lazy-builtins';
import { parseFile, type ParseRequest, type ParseResult } from './parse-file';

interface Pending {
  request: ParseRequest;
  resolve: (result: ParseResult) => void;
}

/**
 * Worker threads that parse transcript files while the main thread writes the database.
 * From the bundle the worker is `parse-worker.js` beside it; from source, the .ts file via tsx.
 * If a thread fails, the pool falls back to parsing on the calling thread: slower, never stuck.
 */
export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private turn = 0;
  private failure: string | undefined;
  private closing = false;

  constructor(
    size = ParsePool.defaultSize(),
    private readonly onFailure: (message: string) => void = () => undefined,
    entry = workerEntry(),
  ) {
    for (let i = 0; i < size; i++) {
      const worker = new (nodeWorkerThreads().Worker)(entry.code, { eval: entry.eval });
      worker.on('message', (m: { id: number; result: ParseResult }) => {
        this.pending.get(m.id)?.resolve(m.result);
        this.pending.delete(m.id);
      });
      worker.on('error', (error) => this.fail(error.message));
      worker.on('exit', (code) => this.fail(`exited with code ${code}`));
      this.workers.push(worker);
    }
  }

  static defaultSize(): number {
    return Math.max(1, Math.min(4, os.availableParallelism() - 1 || 1));
  }

  parse(request: ParseRequest): Promise<ParseResult> {
    if (this.failure) return Promise.resolve(parseFile(request));
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length]!;
    return new Promise((resolve) => {
      this.pending.set(id, { request, resolve });
      worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** A thread failed: report it once, and parse what it held (and all that follows) here. */
  private fail(message: string): void {
    if (this.closing || this.failure) return;
    this.failure = message;
    this.onFailure(`parser thread failed (${message}); parsing on the main thread instead`);
    for (const { request, resolve } of this.pending.values()) resolve(parseFile(request));
    this.pending.clear();
    void Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function workerEntry(): { code: string; eval: boolean } {
  const bundled = path.join(__dirname, 'parse-worker.js');
  if (fs.existsSync(bundled)) return { code: bundled, eval: false };
  // Running from source (tests, benchmarks): load the TypeScript entry through tsx.
  return { code: `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'parse-worker.ts'))});`, eval: true };
}

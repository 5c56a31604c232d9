import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ParseRequest, ParseResult } from './parse-file';

interface Pending {
  resolve: (result: ParseResult) => void;
}

/**
 * Worker threads that parse transcript files while the main thread writes the database.
 * From the bundle the worker is `parse-worker.js` beside it; from source, the .ts file via tsx.
 */
export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private turn = 0;

  constructor(size = ParsePool.defaultSize()) {
    const entry = workerEntry();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(entry.code, { eval: entry.eval });
      worker.on('message', (m: { id: number; result: ParseResult }) => {
        this.pending.get(m.id)?.resolve(m.result);
        this.pending.delete(m.id);
      });
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => this.failAll(new Error(`exited with code ${code}`)));
      this.workers.push(worker);
    }
  }

  static defaultSize(): number {
    return Math.max(1, Math.min(4, os.availableParallelism() - 1 || 1));
  }

  parse(request: ParseRequest): Promise<ParseResult> {
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length]!;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failAll(error: Error): void {
    for (const { resolve } of this.pending.values()) resolve({ ok: false, message: `parser thread failed: ${error.message}` });
    this.pending.clear();
  }
}

function workerEntry(): { code: string; eval: boolean } {
  const bundled = path.join(__dirname, 'parse-worker.js');
  if (fs.existsSync(bundled)) return { code: bundled, eval: false };
  // Running from source (tests, benchmarks): load the TypeScript entry through tsx.
  return { code: `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'parse-worker.ts'))});`, eval: true };
}

import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngineEvent, EngineInit, EngineRequests, HostMessage, RequestType, WorkerMessage } from './engine-protocol';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface EngineClientEvents {
  event: [EngineEvent];
  exit: [number];
}

/**
 * The host's handle on the engine thread: typed requests with replies matched by id, and the
 * thread's events. All work (ingest, saves, rebuilds) happens on the thread, so the host's
 * event loop, shared by every extension, never waits on the ledger.
 */
export class EngineClient extends EventEmitter<EngineClientEvents> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  constructor(init: EngineInit, entry = engineWorkerEntry()) {
    super();
    this.worker = new Worker(entry.code, { eval: entry.eval });
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => this.emit('event', { type: 'fatal', message: error.message }));
    this.worker.on('exit', (code) => this.onExit(code));
    this.post({ kind: 'init', init });
  }

  request<K extends RequestType>(type: K, args: EngineRequests[K]['args']): Promise<EngineRequests[K]['result']> {
    if (this.exited) return Promise.reject(new Error('the engine thread has stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ kind: 'request', id, type, args });
    });
  }

  /** Saves pending work and releases the lock, then ends the thread. */
  async dispose(): Promise<void> {
    if (this.exited) return;
    try {
      await this.request('dispose', {});
    } finally {
      await this.worker.terminate();
    }
  }

  private post(message: HostMessage): void {
    this.worker.postMessage(message);
  }

  private onMessage(message: WorkerMessage): void {
    if (message.kind === 'event') {
      this.emit('event', message.event);
      return;
    }
    const pending = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (!pending) return;
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new Error(message.message));
  }

  private onExit(code: number): void {
    this.exited = true;
    for (const pending of this.pending.values()) pending.reject(new Error(`the engine thread stopped (exit code ${code})`));
    this.pending.clear();
    this.emit('exit', code);
  }
}

export function engineWorkerEntry(): { code: string; eval: boolean } {
  const bundled = path.join(__dirname, 'engine-worker.js');
  if (fs.existsSync(bundled)) return { code: bundled, eval: false };
  // Running from source (tests, benchmarks): load the TypeScript entry through tsx.
  return { code: `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'engine-worker.ts'))});`, eval: true };
}

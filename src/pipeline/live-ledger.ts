import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/log';
import { TranscriptWatcher } from '../sources/transcript-watcher';
import { WriterLock } from '../store/writer-lock';
import { LedgerEngine, type RebuildReport } from './engine';
import { transcriptRoots, type IngestOptions, type IngestProgress, type IngestReport } from './ingest';

export type Role = 'writer' | 'reader' | 'starting';

export interface LiveLedgerOptions {
  /** Folder holding the database and its lock (the extension's global storage). */
  storageDir: string;
  timeZone: string;
  log: Logger;
  /** What to read; asked again before every ingest, so settings apply live. */
  ingestOptions: () => Pick<IngestOptions, 'roots' | 'extraRoots' | 'editorStorageRoots' | 'agents'>;
  /** How long a burst of changes may settle before reading (ms). */
  debounceMs?: number;
  /** How long after the last ingest the database is saved (ms). */
  saveDelayMs?: number;
  /** Safety-net rescan of every root, and lock/reload check period for readers (ms). */
  pollMs?: number;
  lockStaleMs?: number;
}

export interface LiveEvents {
  changed: [];
  role: [Role];
  progress: [IngestProgress | undefined];
}

export const DB_FILE_NAME = 'ledger.sqlite';

/**
 * The engine kept live in a long-running host. Exactly one process per storage folder is
 * the writer (it tails transcripts and saves the database); the others are readers that
 * reload the file when it changes and take over when the writer's lock goes stale.
 */
export class LiveLedger extends EventEmitter<LiveEvents> {
  private engineValue: LedgerEngine | undefined;
  private roleValue: Role = 'starting';
  private readonly lock: WriterLock;
  private readonly dbFile: string;
  private pending = new Set<string>();
  private pendingAll = false;
  private debounce: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private loadedMtime = 0;
  private disposed = false;
  private lastReport: IngestReport | undefined;
  private readonly watcher: TranscriptWatcher;

  constructor(private readonly options: LiveLedgerOptions) {
    super();
    fs.mkdirSync(options.storageDir, { recursive: true });
    this.dbFile = path.join(options.storageDir, DB_FILE_NAME);
    this.lock = new WriterLock(`${this.dbFile}.lock`, options.lockStaleMs);
    this.watcher = new TranscriptWatcher((file) => this.notifyChanged([file]), options.log);
  }

  get engine(): LedgerEngine | undefined {
    return this.engineValue;
  }

  get role(): Role {
    return this.roleValue;
  }

  get lastIngest(): IngestReport | undefined {
    return this.lastReport;
  }

  /**
   * Opens the database and, as the writer, runs the first full ingest (cancellable; what
   * was read before a cancel is kept). Returns once the engine can answer queries.
   */
  async start(signal?: AbortSignal): Promise<void> {
    await this.open();
    this.poller = setInterval(() => void this.poll(), this.options.pollMs ?? 30_000);
    if (this.roleValue === 'writer') await this.enqueue(() => this.ingestNow(undefined, signal));
  }

  /** Settings changed (roots, agents): watch the new folders and read everything again. */
  reconfigure(): void {
    this.syncWatchers();
    this.notifyChanged();
  }

  /** Watches the transcript folders of the roots in force (writer only). */
  private syncWatchers(): void {
    if (this.roleValue !== 'writer') {
      this.watcher.sync([]);
      return;
    }
    this.watcher.sync(transcriptRoots(this.options.ingestOptions()).map((r) => r.dir));
  }

  /** Files changed on disk: read them after the debounce. `undefined` = rescan everything. */
  notifyChanged(paths?: readonly string[]): void {
    if (this.roleValue !== 'writer') return;
    if (!paths) this.pendingAll = true;
    else for (const p of paths) this.pending.add(p);
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.flushPending(), this.options.debounceMs ?? 75);
  }

  /** Reads every root now (writer) or reloads the file (reader). */
  async refreshNow(): Promise<IngestReport | undefined> {
    if (this.roleValue === 'writer') return this.enqueue(() => this.ingestNow(undefined));
    await this.enqueue(() => this.reloadIfChanged(true));
    return undefined;
  }

  async rebuildMarts(): Promise<RebuildReport | undefined> {
    return this.enqueue(async () => {
      const engine = this.engineValue;
      if (!engine) return undefined;
      const report = engine.rebuildMarts();
      if (this.roleValue === 'writer') this.saveNow();
      this.emit('changed');
      return report;
    });
  }

  setTimeZone(zone: string): void {
    this.options.timeZone = zone;
    void this.enqueue(async () => {
      if (!this.engineValue) return;
      this.engineValue.setTimeZone(zone);
      this.engineValue.refreshMarts();
      if (this.roleValue === 'writer') this.scheduleSave();
      this.emit('changed');
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.watcher.dispose();
    clearTimeout(this.debounce);
    clearInterval(this.poller);
    await this.running.catch(() => undefined);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveNow();
    }
    if (this.roleValue === 'writer') this.lock.release();
    this.engineValue?.close();
    this.engineValue = undefined;
  }

  private async open(): Promise<void> {
    const writer = this.lock.tryAcquire();
    this.engineValue?.close();
    this.engineValue = await LedgerEngine.open({ dbFile: this.dbFile, timeZone: this.options.timeZone, log: this.options.log });
    this.loadedMtime = mtimeOf(this.dbFile);
    this.setRole(writer ? 'writer' : 'reader');
    if (!writer) this.options.log.info('another window is updating the ledger; this one reads it');
  }

  private setRole(role: Role): void {
    if (role === this.roleValue) return;
    this.roleValue = role;
    this.syncWatchers();
    this.emit('role', role);
  }

  /** Runs ledger work one piece at a time. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work, work);
    this.running = next.catch((error) => this.options.log.error(`ledger update failed: ${(error as Error).message}`));
    return next;
  }

  private async flushPending(): Promise<void> {
    const all = this.pendingAll;
    const paths = new Set(this.pending);
    this.pending.clear();
    this.pendingAll = false;
    await this.enqueue(() => this.ingestNow(all ? undefined : paths));
  }

  private async ingestNow(onlyPaths: ReadonlySet<string> | undefined, signal?: AbortSignal): Promise<IngestReport | undefined> {
    const engine = this.engineValue;
    if (!engine || this.disposed) return undefined;
    if (!this.lock.heartbeat()) {
      this.options.log.warn('another window took over updating the ledger; switching to reading it');
      this.setRole('reader');
      return undefined;
    }
    const report = await engine.ingest({
      ...this.options.ingestOptions(),
      onlyPaths,
      signal,
      onProgress: onlyPaths ? undefined : (p) => this.emit('progress', p),
    });
    if (!onlyPaths) this.emit('progress', undefined);
    this.lastReport = report;
    this.logReport(report, onlyPaths === undefined);
    if (report.requests + report.grown + report.retracted > 0 || !onlyPaths) this.emit('changed');
    this.scheduleSave();
    return report;
  }

  private logReport(r: IngestReport, full: boolean): void {
    if (!full && r.requests + r.grown === 0) return;
    const skipped = [
      r.duplicates && `${r.duplicates} repeated`,
      r.sidechainReplays && `${r.sidechainReplays} sidechain replays`,
      r.invalidLines && `${r.invalidLines} invalid lines`,
    ].filter(Boolean).join(', ');
    this.options.log.info(
      `${full ? 'scanned' : 'read'} ${r.filesRead}/${r.files} files, ${(r.bytes / 1024 / 1024).toFixed(2)} MiB: ` +
        `${r.requests} new requests, ${r.grown} grown${skipped ? `; skipped ${skipped}` : ''} (${(r.seconds * 1000).toFixed(0)} ms)` +
        (r.cancelled ? ' — cancelled; the rest will be read next time' : ''),
    );
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.enqueue(async () => this.saveNow());
    }, this.options.saveDelayMs ?? 1_000);
  }

  private saveNow(): void {
    if (!this.engineValue || !this.lock.held()) return;
    const started = performance.now();
    const bytes = this.engineValue.save();
    this.loadedMtime = mtimeOf(this.dbFile);
    this.options.log.debug(`saved ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${(performance.now() - started).toFixed(0)} ms`);
  }

  /** Writer: rescan as a safety net. Reader: take over a stale lock, else reload a changed file. */
  private async poll(): Promise<void> {
    if (this.disposed) return;
    if (this.roleValue === 'writer') {
      this.syncWatchers();
      this.notifyChanged();
      return;
    }
    if (this.lock.tryAcquire()) {
      this.options.log.info('the window that updated the ledger is gone; this one takes over');
      await this.enqueue(async () => {
        await this.open();
        return this.ingestNow(undefined);
      });
      return;
    }
    await this.enqueue(() => this.reloadIfChanged(false));
  }

  private async reloadIfChanged(force: boolean): Promise<void> {
    const mtime = mtimeOf(this.dbFile);
    if (!force && mtime === this.loadedMtime) return;
    const fresh = await LedgerEngine.open({ dbFile: this.dbFile, timeZone: this.options.timeZone, log: this.options.log });
    fresh.refreshMarts();
    this.engineValue?.close();
    this.engineValue = fresh;
    this.loadedMtime = mtime;
    this.emit('changed');
  }
}

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

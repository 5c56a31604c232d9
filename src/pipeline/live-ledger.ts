import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { Logger } from '../core/log';
import { TranscriptWatcher } from '../sources/transcript-watcher';
import { claimLedgerFolder, LOCK_FILE, resolveLedgerLocation, type LedgerLocation } from '../store/ledger-layout';
import { LOCK_RENEW_MS, LOCK_STALE_MS, WriterLock } from '../store/writer-lock';
import { LedgerEngine, type RebuildProgress, type RebuildReport } from './engine';
import { transcriptRoots, type IngestOptions, type IngestProgress, type IngestReport } from './ingest';
import { ManifestWatcher } from './manifest-watcher';

export type Role = 'writer' | 'reader' | 'starting';

/** How long after the last save its backup twins are written. */
const BACKUP_DELAY_MS = 20_000;
/** How long after a failed save (a full disk) it is tried again. */
const SAVE_RETRY_MS = 30_000;

export type IngestSettings = Pick<IngestOptions, 'roots' | 'extraRoots' | 'editorStorageRoots' | 'agents'>;

export interface LiveLedgerOptions {
  /** The ledger folder (the extension's is `<globalStorage>/ledger`). */
  ledgerDir: string;
  timeZone: string;
  log: Logger;
  /** What to read; replaced by `reconfigure` when settings change. */
  ingest: IngestSettings;
  /** How long a burst of changes may settle before reading (ms). */
  debounceMs?: number;
  /** How long after the last ingest the ledger is saved (ms). */
  saveDelayMs?: number;
  /** Safety-net rescan of every root by the writer (ms). */
  rescanMs?: number;
  lockStaleMs?: number;
}

export interface LiveEvents {
  changed: [];
  role: [Role];
  /** The first indexing's progress (each whole percent), then `undefined` when it ends; later reads are quick and silent. */
  progress: [IngestProgress | undefined];
}

export type RebuildOutcome = { ok: true; report: RebuildReport } | { ok: false; reason: string };

/**
 * The engine kept live in a long-running host (the extension's engine thread). Exactly one
 * process per ledger is the writer: it tails the agents' files and saves. The others read:
 * they reload the small state when the manifest changes and take over when the writer's lock
 * goes stale.
 */
export class LiveLedger extends EventEmitter<LiveEvents> {
  private engineValue: LedgerEngine | undefined;
  private roleValue: Role = 'starting';
  private readonly lock: WriterLock;
  private readonly location: LedgerLocation;
  private pending = new Set<string>();
  private pendingAll = false;
  private debounce: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private backUpTimer: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private lockTimer: NodeJS.Timeout | undefined;
  private manifestWatcher: ManifestWatcher | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lastReport: IngestReport | undefined;
  private lastFullReport: IngestReport | undefined;
  private paused = false;
  private lastFailure: string | undefined;
  private readonly watcher: TranscriptWatcher;

  constructor(private readonly options: LiveLedgerOptions) {
    super();
    this.location = resolveLedgerLocation(options.ledgerDir);
    this.lock = new WriterLock(path.join(this.location.dir, LOCK_FILE), 'a VS Code window', options.lockStaleMs ?? LOCK_STALE_MS);
    this.lock.onLost = () => {
      if (!this.disposed) void this.enqueue(() => this.stepDown()).catch(() => undefined);
    };
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
   * A reading window before the updating window's first save: the ledger it reads is still empty,
   * so its figures would say $0.00 while the other window is reading the transcripts.
   */
  get awaitingFirstSave(): boolean {
    return this.roleValue === 'reader' && this.engineValue !== undefined && this.engineValue.ledger.generation === 0;
  }

  /** The folders the last full read looked in, when none of them exists: where to point a user who sees nothing. */
  get foldersNotFound(): string[] | undefined {
    const report = this.lastFullReport;
    return report && report.rootsFound === 0 ? [...new Set(report.roots.map((r) => r.dir))] : undefined;
  }

  /**
   * The first read was cancelled: reading everything again waits for Refresh Now (a cancel that
   * the 30 s rescan undid silently would not be one); files that change are still read.
   */
  get readingPaused(): boolean {
    return this.paused;
  }

  /**
   * Opens the ledger and, as the writer, runs the first full ingest (cancellable; what was
   * read before a cancel is kept). Returns once the engine can answer queries.
   */
  async start(signal?: AbortSignal): Promise<void> {
    await this.enqueue(() => this.open(), 'opening the ledger');
    this.lockTimer = setInterval(() => void this.checkLock(), Math.min(LOCK_RENEW_MS, (this.options.lockStaleMs ?? LOCK_STALE_MS) / 3));
    this.lockTimer.unref();
    if (this.roleValue === 'writer') {
      await this.enqueue(async () => {
        const report = await this.ingestNow(undefined, signal, true);
        this.paused = report?.cancelled === true;
      });
    }
  }

  /** Settings changed (roots, agents): watch the new folders and read everything again (a cancelled first read too: the user asked for more). */
  reconfigure(ingest: IngestSettings): void {
    this.options.ingest = ingest;
    this.paused = false;
    this.syncWatchers();
    this.notifyChanged();
  }

  /** Files changed on disk: read them after the debounce. `undefined` = rescan everything. */
  notifyChanged(paths?: readonly string[]): void {
    if (this.roleValue !== 'writer' || this.disposed || (!paths && this.paused)) return;
    if (!paths) this.pendingAll = true;
    else for (const p of paths) this.pending.add(p);
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.flushPending(), this.options.debounceMs ?? 75);
  }

  /** Reads every root now (writer) or reloads the saved state (reader). */
  async refreshNow(): Promise<IngestReport | undefined> {
    if (this.roleValue === 'writer') {
      const report = await this.enqueue(() => this.ingestNow(undefined));
      if (report && !report.cancelled && this.paused) {
        this.paused = false;
        this.emit('changed');
      }
      return report;
    }
    await this.enqueue(() => this.reloadState());
    return undefined;
  }

  /** Re-prices and re-derives every mart; only the writer can, and it saves before saying it did. */
  async rebuildMarts(onProgress?: RebuildProgress): Promise<RebuildOutcome> {
    return this.enqueue(async () => {
      const engine = this.engineValue;
      if (this.roleValue !== 'writer' || !engine) {
        return { ok: false, reason: `${this.lock.owner() ?? 'another VS Code window'} owns the ledger; run Rebuild Marts there` };
      }
      let report = engine.rebuildMarts(onProgress);
      if (report.sourcesToReread) {
        await this.ingestNow(undefined);
        // The read can find the lock taken over (this window then reads): the rebuild is not this window's to save.
        if (this.roleValue !== 'writer' || this.engineValue !== engine) return { ok: false, reason: 'another VS Code window took over the ledger during the rebuild; run Rebuild Marts there' };
        report = engine.rebuildMarts(onProgress);
      }
      this.saveNow();
      this.emit('changed');
      return { ok: true, report };
    });
  }

  setTimeZone(zone: string): void {
    this.options.timeZone = zone;
    void this.enqueue(async () => {
      const engine = this.engineValue;
      if (!engine) return;
      engine.setTimeZone(zone);
      if (this.roleValue === 'writer') {
        engine.refreshMarts();
        this.scheduleSave();
      }
      this.emit('changed');
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.watcher.dispose();
    this.manifestWatcher?.dispose();
    clearTimeout(this.debounce);
    clearInterval(this.rescanTimer);
    clearInterval(this.lockTimer);
    await this.running.catch(() => undefined);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveNow();
    }
    clearTimeout(this.backUpTimer);
    if (this.roleValue === 'writer' && this.lock.held()) this.backUpNow();
    this.lock.release(); // only if held: a window whose ledger failed to open holds it too
    this.engineValue?.close();
    this.engineValue = undefined;
  }

  private async open(): Promise<void> {
    claimLedgerFolder(this.location.dir);
    const writer = this.lock.tryAcquire();
    let opened: LedgerEngine;
    try {
      opened = await LedgerEngine.open({ location: this.location, timeZone: this.options.timeZone, log: this.options.log, readOnly: !writer });
    } catch (error) {
      // A window that cannot open the ledger must not keep others from updating it; a reading
      // window that failed to take over keeps showing what it read.
      if (writer) this.lock.release();
      throw error;
    }
    this.engineValue?.close();
    this.engineValue = opened;
    if (writer) opened.refreshMarts();
    this.setRole(writer ? 'writer' : 'reader');
    if (!writer) this.options.log.info(`${this.lock.owner() ?? 'another window'} is updating the ledger; this one reads it`);
  }

  private setRole(role: Role): void {
    if (role === this.roleValue) return;
    this.roleValue = role;
    this.syncWatchers();
    clearInterval(this.rescanTimer);
    this.manifestWatcher?.dispose();
    this.manifestWatcher = undefined;
    if (role === 'writer') {
      this.rescanTimer = setInterval(() => this.rescan(), this.options.rescanMs ?? 30_000);
      this.rescanTimer.unref();
    } else if (role === 'reader') {
      this.manifestWatcher = new ManifestWatcher(this.location.dir, () => void this.enqueue(() => this.reloadState()));
    }
    this.emit('role', role);
  }

  /** The writer's safety net: watch folders created since (a root that appeared), and read everything. */
  private rescan(): void {
    this.syncWatchers();
    this.notifyChanged();
  }

  /** Watches the source folders of the roots in force (writer only). */
  private syncWatchers(): void {
    if (this.roleValue !== 'writer') {
      this.watcher.sync([]);
      return;
    }
    this.watcher.sync(transcriptRoots(this.options.ingest).map((r) => r.dir));
  }


  /**
   * Runs ledger work one piece at a time; a failure is logged once here and never rejects the
   * queue. The same failure again, before any work succeeds, is not logged again (a takeover
   * retried at every lock check would repeat it every 5 s).
   */
  private enqueue<T>(work: () => Promise<T>, what = 'ledger update'): Promise<T> {
    const next = this.running.then(work, work);
    this.running = next.then(
      () => {
        this.lastFailure = undefined;
      },
      (error) => {
        const message = `${what} failed: ${(error as Error).message}`;
        if (message !== this.lastFailure) this.options.log.error(message);
        this.lastFailure = message;
      },
    );
    return next;
  }

  private async flushPending(): Promise<void> {
    const all = this.pendingAll;
    const paths = new Set(this.pending);
    this.pending.clear();
    this.pendingAll = false;
    // Decided when it runs: a rescan queued during the first read must not undo its cancel.
    await this.enqueue(async () => (all && !this.paused ? this.ingestNow(undefined) : paths.size ? this.ingestNow(paths) : undefined)).catch(() => undefined);
  }

  private async ingestNow(onlyPaths: ReadonlySet<string> | undefined, signal?: AbortSignal, firstIndexing = false): Promise<IngestReport | undefined> {
    const engine = this.engineValue;
    if (!engine || this.disposed || this.roleValue !== 'writer') return undefined;
    if (!this.lock.held()) {
      await this.stepDown();
      return undefined;
    }
    const report = await engine.ingest({
      ...this.options.ingest,
      ledgerDir: this.location.dir,
      onlyPaths,
      signal,
      onProgress: firstIndexing ? this.progressReporter() : undefined,
    });
    if (firstIndexing) this.emit('progress', undefined);
    this.lastReport = report;
    if (!onlyPaths) this.lastFullReport = report;
    this.logReport(report, onlyPaths === undefined);
    if (report.requests + report.grown + report.retracted + report.limitReadings > 0) this.emit('changed');
    if (engine.isDirty) this.scheduleSave();
    return report;
  }

  /** Emits a file's progress only when the whole percentage moves: a hundred messages, not one per file. */
  private progressReporter(): (progress: IngestProgress) => void {
    let shown = -1;
    return (progress) => {
      const percent = progress.filesTotal ? Math.floor((100 * progress.filesDone) / progress.filesTotal) : 0;
      if (percent === shown) return;
      shown = percent;
      this.emit('progress', progress);
    };
  }

  private logReport(r: IngestReport, full: boolean): void {
    if (!full && r.requests + r.grown === 0) return;
    if (full && r.filesRead === 0) return;
    const skipped = [
      r.duplicates && `${r.duplicates} repeated`,
      r.replicaReplays && `${r.replicaReplays} replayed copies`,
      r.invalidLines && `${r.invalidLines} invalid lines`,
    ].filter(Boolean).join(', ');
    this.options.log.info(
      `${full ? 'scanned' : 'read'} ${r.filesRead}/${r.files} files, ${(r.bytes / 1024 / 1024).toFixed(2)} MiB: ` +
        `${r.requests} new requests, ${r.grown} updated${skipped ? `; skipped ${skipped}` : ''} (${(r.seconds * 1000).toFixed(0)} ms)` +
        (r.cancelled ? ' — cancelled; the rest will be read next time' : ''),
    );
  }

  private scheduleSave(delayMs = this.options.saveDelayMs ?? 1_000): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.enqueue(async () => this.saveNow()).catch(() => undefined);
    }, delayMs);
  }

  /**
   * Commits what changed. A failed save (full disk) keeps the last committed files, logs once,
   * and retries later. The backup twins follow once saves pause (the previous generation is
   * the last good copy meanwhile), so a burst of saves compresses each file once.
   */
  private saveNow(): void {
    if (!this.engineValue || this.roleValue !== 'writer') return;
    if (!this.lock.held()) return;
    try {
      const report = this.engineValue.commit();
      if (report) this.options.log.debug(`saved generation ${report.generation}: ${report.files} files, ${(report.bytes / 1024).toFixed(0)} KiB in ${report.ms.toFixed(0)} ms`);
      clearTimeout(this.backUpTimer);
      this.backUpTimer = setTimeout(() => void this.enqueue(async () => this.backUpNow()).catch(() => undefined), BACKUP_DELAY_MS);
      this.backUpTimer.unref();
    } catch (error) {
      this.options.log.error(`could not save the ledger (${(error as Error).message}); the last saved copy is kept and saving is retried`);
      this.scheduleSave(SAVE_RETRY_MS);
    }
  }

  private backUpNow(): void {
    if (!this.engineValue || this.roleValue !== 'writer' || !this.lock.held()) return;
    try {
      this.engineValue.backUp();
    } catch (error) {
      this.options.log.warn(`could not write the ledger's backup copies (${(error as Error).message}); retried after the next save`);
    }
  }

  /** Reader: take over a stale lock (never a live one). A writer hears of a lost lock from the lock's renewal (onLost). */
  private async checkLock(): Promise<void> {
    if (this.disposed || this.roleValue !== 'reader') return;
    if (this.lock.tryAcquire()) {
      this.options.log.info('the window that updated the ledger is gone; this one takes over');
      this.paused = false;
      await this.enqueue(async () => {
        await this.open();
        return this.ingestNow(undefined);
      }).catch(() => undefined);
    }
  }

  private async stepDown(): Promise<void> {
    this.options.log.warn(`${this.lock.owner() ?? 'another window'} took over updating the ledger; switching to reading it`);
    await this.open();
  }

  /** Reader: the writer committed a save; load its small state (never the months). */
  private async reloadState(): Promise<void> {
    if (this.roleValue !== 'reader' || this.disposed) return;
    const fresh = await LedgerEngine.open({ location: this.location, timeZone: this.options.timeZone, log: this.options.log, readOnly: true });
    this.engineValue?.close();
    this.engineValue = fresh;
    this.emit('changed');
  }
}

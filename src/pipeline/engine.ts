import { RepeatedWarnings, silentLogger, type Logger } from '../core/log';
import { DayClock, systemTimeZone } from '../core/time';
import * as path from 'node:path';
import { martTimeZone, rebuildMarts, refreshMarts, type MartRefresh } from '../marts/refresh';
import { priceTableVersion } from '../pricing/cost';
import { costNanos } from '../pricing/nanos';
import { Readers } from '../readers/readers';
import { statusCard } from '../readers/status-card';
import { writeFileAtomic } from '../store/atomic-file';
import { Ledger, type SaveReport } from '../store/ledger';
import { STATUS_CARD_FILE, type LedgerLocation } from '../store/ledger-layout';
import { pricedWithVersion, recordPriceVersion } from '../store/reprice';
import { ingest, type IngestOptions, type IngestReport } from './ingest';

export interface EngineOptions {
  /** The ledger folder (see `resolveLedgerLocation`). */
  location: LedgerLocation;
  /** IANA zone for calendar days; the system's when absent. */
  timeZone?: string;
  log?: Logger;
  /** Open only the state, never write (reader windows, read-only commands). */
  readOnly?: boolean;
}

export interface RebuildReport extends MartRefresh {
  repricedEvents: number;
  seconds: number;
  /**
   * A damaged month met on the way was restored to its previous version: every transcript is now
   * marked to be read again (saved with the rebuild), so that the next ingest brings back what the
   * damaged file held. The caller should ingest now and rebuild once more.
   */
  sourcesToReread: boolean;
}

/** Rebuild Marts' progress: months read (each priced again and summed). */
export type RebuildProgress = (stage: 'marts', done: number, total: number) => void;

/**
 * The whole engine behind one object: the ledger, ingest, marts and readers. Used by the
 * CLI and by the engine thread of the extension; it never imports `vscode`.
 */
export class LedgerEngine {
  private clock: DayClock;
  private currentReaders: Readers;
  /** Whether anything changed since opening or the last save (so read-only runs need not save). */
  private dirty = false;
  /** Marts re-bucketed for a view in another zone (`viewIn`): never saved. */
  private viewOnly = false;
  /** Skipped files and folders are said once, not on every rescan. */
  private readonly skipped: RepeatedWarnings;

  private constructor(
    readonly ledger: Ledger,
    timeZone: string,
    private readonly log: Logger,
  ) {
    this.clock = new DayClock(timeZone);
    this.currentReaders = new Readers(ledger.db, this.clock);
    this.skipped = new RepeatedWarnings(log);
  }

  static async open(options: EngineOptions): Promise<LedgerEngine> {
    const log = options.log ?? silentLogger;
    const ledger = await Ledger.open({ location: options.location, log, readOnly: options.readOnly });
    const engine = new LedgerEngine(ledger, options.timeZone ?? systemTimeZone(), log);
    if (!options.readOnly) {
      engine.applyRecovery();
      engine.repriceIfPricesChanged();
    }
    return engine;
  }

  get db() {
    return this.ledger.db;
  }

  get timeZone(): string {
    return this.clock.timeZone;
  }

  /** The zone the saved marts count days in (undefined before the first refresh). */
  get martsTimeZone(): string | undefined {
    return martTimeZone(this.ledger.db);
  }

  get readers(): Readers {
    return this.currentReaders;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  /**
   * Reads new usage into the ledger, then folds it into the marts. A month found damaged on
   * the way (files are checked when first read) is repaired and everything is read again.
   */
  async ingest(options: IngestOptions = {}): Promise<IngestReport & { marts: MartRefresh }> {
    const withSkipped = { skipped: this.skipped, ...options };
    let report = await ingest(this.ledger, costNanos, this.log, withSkipped);
    // Reading again can meet another damaged month (each is repaired once): until none is left.
    while (this.applyRecovery()) report = await ingest(this.ledger, costNanos, this.log, { ...withSkipped, onlyPaths: undefined });
    if (report.filesRead > 0 || report.limitReadings > 0) this.dirty = true;
    const marts = this.refreshMarts();
    return { ...report, marts };
  }

  /** Folds what was written since the last refresh into the marts. */
  refreshMarts(): MartRefresh {
    const months = this.ledger.months.unfoldedMonths();
    const result = refreshMarts(this.ledger, this.clock, months);
    this.ledger.months.markFolded(months);
    if (result.rows > 0) this.dirty = true;
    return result;
  }

  /** Re-prices every event with the current price table and derives every mart again, from all history. */
  rebuildMarts(onProgress?: RebuildProgress): RebuildReport {
    const started = performance.now();
    const result = rebuildMarts(this.ledger, this.clock, {
      price: costNanos,
      onProgress: (d, t) => {
        onProgress?.('marts', d, t);
        this.ledger.releaseCleanMonths();
      },
    });
    recordPriceVersion(this.ledger, priceTableVersion);
    this.dirty = true;
    // The marts just built already count a restored month as restored (what it lost comes back by
    // reading again), unless copies it counts twice beside a neighbour are withdrawn: then once more.
    if (this.ledger.recovery.restoredMonths.size === 0) this.ledger.recovery.rebuildMarts = false;
    const sourcesToReread = this.applyRecovery();
    return { ...result, repricedEvents: result.repriced ?? 0, seconds: (performance.now() - started) / 1000, sourcesToReread };
  }

  /**
   * Makes the marts count days in the engine's zone without reading anything new: a
   * report asked in another zone than the marts were built in is re-bucketed (in memory
   * when the ledger is read-only), never printed under the wrong days.
   */
  bucketFor(): void {
    if (martTimeZone(this.ledger.db) === this.clock.timeZone) return;
    if (this.ledger.months.months().length === 0) return;
    rebuildMarts(this.ledger, this.clock);
    if (!this.ledger.readOnly) this.dirty = true;
  }

  /**
   * Shows every figure with days in `zone` without changing what is saved: the marts are
   * re-bucketed in memory, and this engine saves nothing afterwards (save what it holds first).
   */
  viewIn(zone: string): void {
    if (zone === this.clock.timeZone) return;
    this.viewOnly = true;
    this.setTimeZone(zone);
    if (this.ledger.months.months().length > 0) rebuildMarts(this.ledger, this.clock);
  }

  /** Changes the zone days are counted in; the marts are rebuilt on the next refresh. */
  setTimeZone(zone: string): void {
    if (zone === this.clock.timeZone) return;
    this.clock = new DayClock(zone);
    this.currentReaders = new Readers(this.ledger.db, this.clock);
  }

  /** Commits what changed and writes its backup twins; undefined when nothing had changed. Throws when the save failed. */
  save(): SaveReport | undefined {
    const report = this.commit();
    this.backUp();
    return report;
  }

  /** Commits what changed (new files, one manifest rename); undefined when nothing had. Throws when it failed (nothing committed changes). */
  commit(): SaveReport | undefined {
    if (this.viewOnly) return undefined;
    // A damaged month met since the last ingest (by a report, say) is saved restored: what the repair
    // still needs (transcripts marked to be read again, copies counted twice withdrawn) goes with it.
    this.applyRecovery();
    if (!this.dirty) return undefined;
    const report = this.ledger.save();
    this.dirty = false;
    this.writeStatusCard();
    return report;
  }

  /** The status line's figures beside the manifest (best effort: the status line falls back to the state). */
  private writeStatusCard(): void {
    if (martTimeZone(this.ledger.db) !== this.clock.timeZone) return;
    try {
      const card = statusCard(this.ledger.db, this.clock, Date.now());
      writeFileAtomic(path.join(this.ledger.dir, STATUS_CARD_FILE), Buffer.from(JSON.stringify(card)), { sync: false, syncFolder: false });
    } catch (error) {
      this.log.debug(`status card not written: ${(error as Error).message}`);
    }
  }

  /** Writes the backup twins of what was committed, and removes files no manifest names any more. */
  backUp(): void {
    if (this.ledger.needsBackUp) this.ledger.backUp();
  }

  close(): void {
    this.ledger.close();
  }

  /**
   * Acts on a repair (at open, or a damaged month met later): read every source again
   * (exactly-once keeps it exact), derive the marts again, save. True when sources must be read again.
   */
  private applyRecovery(): boolean {
    const { recovery } = this.ledger;
    if (recovery.restoredMonths.size > 0) this.ledger.settleRestoredMonths(costNanos);
    const reread = recovery.rereadSources;
    if (recovery.rereadSources) this.ledger.db.run(`UPDATE source_files SET size = -1, read_offset = 0, head_hash = '', parser_state = NULL`);
    if (recovery.rebuildMarts) {
      rebuildMarts(this.ledger, this.clock);
      this.ledger.releaseCleanMonths();
    }
    if (recovery.rereadSources || recovery.rebuildMarts || recovery.save) this.dirty = true;
    Object.assign(recovery, { rereadSources: false, rebuildMarts: false, save: false });
    return reread;
  }

  private repriceIfPricesChanged(): void {
    const stored = pricedWithVersion(this.ledger);
    if (stored === priceTableVersion) return;
    this.dirty = true;
    if (this.ledger.months.months().length === 0) {
      recordPriceVersion(this.ledger, priceTableVersion);
      return;
    }
    this.log.info(`price table changed (${stored ?? 'none'} → ${priceTableVersion}); re-pricing history`);
    this.rebuildMarts();
  }
}

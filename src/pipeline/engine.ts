import { silentLogger, type Logger } from '../core/log';
import { DayClock, systemTimeZone } from '../core/time';
import { rebuildMarts, refreshMarts, type MartRefresh } from '../marts/refresh';
import { priceTableVersion } from '../pricing/cost';
import { costNanos } from '../pricing/nanos';
import { Readers } from '../readers/readers';
import { LedgerDb } from '../store/ledger-db';
import { pricedWithVersion, recordPriceVersion, repriceEvents } from '../store/reprice';
import { ingest, type IngestOptions, type IngestReport } from './ingest';

export interface EngineOptions {
  /** Database file; `null` for an in-memory database. */
  dbFile: string | null;
  /** IANA zone for calendar days; the system's when absent. */
  timeZone?: string;
  log?: Logger;
  migrationsDir?: string;
}

export interface RebuildReport extends MartRefresh {
  repricedEvents: number;
  seconds: number;
}

/**
 * The whole engine behind one object: the store, ingest, marts and readers.
 * Used by the CLI and by the extension; it never imports `vscode`.
 */
export class LedgerEngine {
  private clock: DayClock;
  private currentReaders: Readers;
  /** Whether anything changed since opening or the last save (so read-only runs need not save). */
  private dirty = false;

  private constructor(
    readonly db: LedgerDb,
    timeZone: string,
    private readonly log: Logger,
  ) {
    this.clock = new DayClock(timeZone);
    this.currentReaders = new Readers(db, this.clock);
  }

  static async open(options: EngineOptions): Promise<LedgerEngine> {
    const log = options.log ?? silentLogger;
    const db = await LedgerDb.open({ file: options.dbFile, log, migrationsDir: options.migrationsDir });
    const engine = new LedgerEngine(db, options.timeZone ?? systemTimeZone(), log);
    engine.repriceIfPricesChanged();
    return engine;
  }

  get timeZone(): string {
    return this.clock.timeZone;
  }

  get readers(): Readers {
    return this.currentReaders;
  }

  /** Reads new transcript lines into usage_events, then refreshes the marts. */
  async ingest(options: IngestOptions = {}): Promise<IngestReport & { marts: MartRefresh }> {
    const report = await ingest(this.db, costNanos, this.log, options);
    if (report.filesRead > 0 || report.limitReadings > 0) this.dirty = true;
    const marts = this.refreshMarts();
    return { ...report, marts };
  }

  refreshMarts(): MartRefresh {
    const result = refreshMarts(this.db, this.clock);
    if (result.refreshed.length > 0) this.dirty = true;
    return result;
  }

  /** Re-prices every event with the current price table and derives every mart again. */
  rebuildMarts(): RebuildReport {
    const started = performance.now();
    const repricedEvents = repriceEvents(this.db, costNanos, priceTableVersion);
    const result = rebuildMarts(this.db, this.clock);
    this.dirty = true;
    return { ...result, repricedEvents, seconds: (performance.now() - started) / 1000 };
  }

  /** Changes the zone days are counted in; the marts are rebuilt on the next refresh. */
  setTimeZone(zone: string): void {
    if (zone === this.clock.timeZone) return;
    this.clock = new DayClock(zone);
    this.currentReaders = new Readers(this.db, this.clock);
  }

  /** Saves the database file if anything changed; returns the bytes written (0 when nothing was). */
  save(): number {
    if (!this.dirty) return 0;
    const bytes = this.db.save();
    this.dirty = false;
    return bytes;
  }

  close(): void {
    this.db.close();
  }

  private repriceIfPricesChanged(): void {
    const stored = pricedWithVersion(this.db);
    if (stored === priceTableVersion) return;
    const hasEvents = this.db.scalar('SELECT 1 FROM usage_events LIMIT 1') !== undefined;
    this.dirty = true;
    if (!hasEvents) {
      recordPriceVersion(this.db, priceTableVersion);
      return;
    }
    this.log.info(`price table changed (${stored ?? 'none'} → ${priceTableVersion}); re-pricing history`);
    this.rebuildMarts();
  }
}

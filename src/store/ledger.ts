import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Logger } from '../core/log';
import { removeTempFiles } from './atomic-file';
import { LedgerDb } from './ledger-db';
import {
  chooseManifest, commitManifest, keepDamaged, readChecked, removeUnreferenced, writeBackups, writeDataFile, type CopyUsed,
} from './ledger-files';
import { BACKUP_DIR, claimLedgerFolder, monthFileName, stateFileName, type LedgerLocation } from './ledger-layout';
import { emptyManifest, manifestFiles, type Manifest, type MonthEntry } from './manifest';
import { defaultMigrationsDir, migrate, readMigrations } from './migrations';
import { MonthSegments } from './month-segments';
import { monthOf } from './month';
import { RequestIndex } from './request-index';
import { configureInMemory, loadSqlJs } from './sqljs-loader';
import { copyDimensionsInto, restoreDimensionsFrom } from './segment-dims';
import { upgradeLegacyFile } from './legacy-upgrade';

export interface LedgerOpenOptions {
  location: LedgerLocation;
  log: Logger;
  /** Load only the state (marts, dimensions): for windows that read and for read-only commands. */
  readOnly?: boolean;
}

/**
 * What a repair asks of the engine: read every source again (exactly-once keeps it exact),
 * derive the marts again, or just save (a file restored from its twin is written anew).
 */
export interface Recovery {
  rereadSources: boolean;
  rebuildMarts: boolean;
  save: boolean;
}

export interface SaveReport {
  generation: number;
  files: number;
  bytes: number;
  ms: number;
}

const NEXT_ID_KEY = 'next_event_id';

/**
 * The ledger folder, open: the state database (the working connection), the month segments
 * (loaded when needed) and the request index. `save()` commits what changed as new files
 * and one manifest rename; a crash at any instant leaves the previous or the next set.
 */
export class Ledger {
  readonly months: MonthSegments;
  readonly index: RequestIndex;
  readonly recovery: Recovery = { rereadSources: false, rebuildMarts: false, save: false };
  private nextId: number;
  /** Files committed whose backup twin is not written yet. */
  private readonly unbacked = new Map<string, Uint8Array>();

  private constructor(
    SQL: SqlJsStatic,
    private readonly stateOwner: Database,
    readonly db: LedgerDb,
    readonly dir: string,
    private manifest: Manifest,
    private previous: Manifest | undefined,
    readonly readOnly: boolean,
    private readonly log: Logger,
  ) {
    this.months = new MonthSegments(SQL, Object.keys(manifest.months), (month) => this.loadMonth(month), log);
    this.index = new RequestIndex(this.months);
    const fromMonths = Math.max(0, ...Object.values(manifest.months).map((m) => m.maxId));
    this.nextId = Math.max(Number(db.getMeta(NEXT_ID_KEY) ?? 1), fromMonths + 1);
  }

  static async open(options: LedgerOpenOptions): Promise<Ledger> {
    const SQL = await loadSqlJs();
    const { dir } = options.location;
    const { log } = options;
    if (!options.readOnly) {
      claimLedgerFolder(dir);
      const removed = removeTempFiles(dir) + removeTempFiles(path.join(dir, BACKUP_DIR));
      if (removed) log.info(`removed ${removed} temporary file(s) left by an interrupted save`);
    }
    const choice = chooseManifest(dir, log);
    const manifest = choice.manifest ?? emptyManifest();
    const state = loadState(dir, manifest, choice.previous, !!options.readOnly, log);
    const stateOwner = new SQL.Database(state.bytes);
    configureInMemory(stateOwner);
    migrate(stateOwner, readMigrations(defaultMigrationsDir()), log);
    const ledger = new Ledger(SQL, stateOwner, new LedgerDb(stateOwner), dir, manifest, choice.previous, !!options.readOnly, log);
    if (choice.used !== 'primary' && choice.used !== 'none') ledger.recovery.rereadSources = true;
    if (state.used === 'previous' || state.used === 'none') ledger.repairState(state.used);
    if (state.used === 'backup' || choice.used === 'backup') ledger.recovery.save = true;
    if (choice.used === 'none' && manifest.generation === 0 && options.location.legacyFile && !options.readOnly) {
      await upgradeLegacyFile(ledger, options.location.legacyFile, log);
    }
    return ledger;
  }

  get generation(): number {
    return this.manifest.generation;
  }

  allocateId(): number {
    return this.nextId++;
  }

  /**
   * Writes every changed month and the state as new files, then commits them with one
   * manifest rename. Their backup twins follow in `backUp()` (the writer window coalesces them;
   * until then the previous generation stays as the last good copy). On failure nothing
   * committed changes and the error is thrown (the caller logs it once).
   */
  save(): SaveReport {
    if (this.readOnly) throw new Error('the ledger was opened read-only');
    const started = performance.now();
    const generation = this.manifest.generation + 1;
    const written = new Map<string, Uint8Array>();
    const months: Record<string, MonthEntry> = { ...this.manifest.months };
    for (const m of this.months.exportDirty((month, db) => copyDimensionsInto(db, this.db, this.manifest.months[month]?.maxId))) {
      const name = monthFileName(m.month, generation);
      months[m.month] = { ...writeDataFile(this.dir, name, m.bytes), rows: m.rows, maxId: m.maxId };
      written.set(name, m.bytes);
    }
    this.db.setMeta(NEXT_ID_KEY, String(this.nextId));
    const stateBytes = this.stateOwner.export();
    configureInMemory(this.stateOwner);
    const stateName = stateFileName(generation);
    const state = writeDataFile(this.dir, stateName, stateBytes);
    written.set(stateName, stateBytes);
    const next: Manifest = { ...this.manifest, generation, savedAt: new Date().toISOString(), state, months };
    commitManifest(this.dir, this.manifest.generation > 0 ? this.manifest : undefined, next);
    this.previous = this.manifest.generation > 0 ? this.manifest : undefined;
    this.manifest = next;
    this.months.markSaved();
    for (const [name, bytes] of written) this.unbacked.set(name, bytes);
    this.releaseCleanMonths();
    const bytes = [...written.values()].reduce((sum, b) => sum + b.length, 0);
    return { generation, files: written.size, bytes, ms: performance.now() - started };
  }

  /**
   * Closes the months with nothing unsaved, except the current one, and forgets their request
   * keys: memory stays bounded by recent activity (a month is opened again when next needed).
   */
  releaseCleanMonths(): void {
    this.index.forget(this.months.evictClean(new Set([monthOf(Date.now())])));
  }

  /** Whether committed files still wait for their backup twins. */
  get needsBackUp(): boolean {
    return this.unbacked.size > 0;
  }

  /**
   * Writes the compressed twins of the files committed since the last back-up (those still
   * named by the manifest), then removes the files no manifest names any more.
   */
  backUp(): void {
    if (this.readOnly || this.unbacked.size === 0) return;
    const named = new Set(manifestFiles(this.manifest));
    writeBackups(this.dir, this.manifest, this.previous, new Map([...this.unbacked].filter(([name]) => named.has(name))));
    this.unbacked.clear();
    removeUnreferenced(this.dir, [this.manifest, this.previous]);
  }

  close(): void {
    this.months.close();
    this.stateOwner.close();
  }

  /** A month's committed bytes, checked against the manifest when first needed (opening reads no history). */
  private loadMonth(month: string): Uint8Array | undefined {
    const entry = this.manifest.months[month];
    if (!entry) return undefined;
    const found = readChecked(this.dir, entry);
    if (found) {
      if (found.used === 'backup') this.restoredFromTwin(month, entry.name);
      return found.bytes;
    }
    return this.fallBackMonth(month, entry);
  }

  /** The twin replaces a damaged file: the month is rewritten by the next save, so the damage does not stay on disk. */
  private restoredFromTwin(month: string, name: string): void {
    this.log.warn(`ledger file ${name} failed its check; restored from its backup copy`);
    if (this.readOnly) return;
    this.months.touch(month);
    this.recovery.save = true;
  }

  /**
   * A damaged month with no sound twin: its previous version (or nothing), then the transcripts that
   * still exist. The month is written anew by the next save, so the manifest never keeps naming
   * the damaged file and the older copy it came from is not removed as unreferenced.
   */
  private fallBackMonth(month: string, entry: MonthEntry): Uint8Array | undefined {
    const aside = this.readOnly ? undefined : keepDamaged(this.dir, entry.name);
    const older = this.previous?.months[month];
    const found = older && older.name !== entry.name ? readChecked(this.dir, older) : undefined;
    this.recovery.rereadSources = true;
    this.recovery.rebuildMarts = true;
    if (!this.readOnly) {
      this.months.touch(month);
      this.recovery.save = true;
    }
    this.log.error(
      `ledger file ${entry.name} is damaged${aside ? ` (kept as ${aside})` : ''}; ` +
        (found ? 'restored its previous version' : 'no good copy is left') +
        '; every transcript that still exists is read again (nothing is counted twice)',
    );
    return found?.bytes;
  }


  /** The state came from an older copy or was lost: dimensions come back from the segments. */
  private repairState(used: CopyUsed): void {
    this.recovery.rereadSources = true;
    this.recovery.rebuildMarts = true;
    for (const month of this.months.months()) restoreDimensionsFrom(this.months.db(month), this.db);
    this.log.warn(`ledger state ${used === 'previous' ? 'restored from its previous version' : 'rebuilt from the month segments'}`);
  }
}

/** The state's bytes: the file, its twin, else its previous version. A read-only open changes nothing on disk (the writer repairs). */
function loadState(dir: string, manifest: Manifest, previous: Manifest | undefined, readOnly: boolean, log: Logger): { bytes: Uint8Array | undefined; used: CopyUsed } {
  if (!manifest.state.name) return { bytes: undefined, used: 'primary' };
  const found = readChecked(dir, manifest.state);
  if (found) {
    if (found.used === 'backup') log.warn(`ledger file ${manifest.state.name} failed its check; restored from its backup copy`);
    return found;
  }
  const aside = readOnly ? undefined : keepDamaged(dir, manifest.state.name);
  log.error(`ledger state ${manifest.state.name} is damaged${aside ? ` (kept as ${aside})` : ''}`);
  const older = previous?.state.name && previous.state.name !== manifest.state.name ? readChecked(dir, previous.state) : undefined;
  return older ? { bytes: older.bytes, used: 'previous' } : { bytes: undefined, used: 'none' };
}

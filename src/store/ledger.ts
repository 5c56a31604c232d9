import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Logger } from '../core/log';
import { removeTempFiles } from './atomic-file';
import { boundaryDuplicates } from './boundary-duplicates';
import { EventWriter, type PriceRequest } from './event-writer';
import { LedgerDb } from './ledger-db';
import {
  chooseManifest, commitManifest, keepDamaged, keepUnnamed, readChecked, removeUnreferenced, writeBackups, writeDataFile, type CopyUsed,
} from './ledger-files';
import { BACKUP_DIR, claimLedgerFolder, LEDGER_VERSION, monthFileName, monthTailFileName, stateFileName, type LedgerLocation } from './ledger-layout';
import { emptyManifest, manifestFiles, monthMaxId, type Manifest, type MonthEntry } from './manifest';
import { defaultMigrationsDir, migrate, readMigrations } from './migrations';
import { MonthSegments, type MonthBytes } from './month-segments';
import { monthOf } from './month';
import { RequestIndex, type RowRef } from './request-index';
import { configureInMemory, loadSqlJs } from './sqljs-loader';
import { Statements } from './statement-cache';
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
  /** Months restored to their previous version, whose counted rows may duplicate a neighbour's (see boundary-duplicates.ts). */
  restoredMonths: Set<string>;
}

export interface SaveReport {
  generation: number;
  files: number;
  bytes: number;
  ms: number;
}

const NEXT_ID_KEY = 'next_event_id';
/** A month's tail is written alone while it holds at most this many events, or an eighth of its base. */
const MIN_TAIL_ROWS = 2_000;
const TAIL_SHARE = 1 / 8;

/**
 * The ledger folder, open: the state database (the working connection), the month segments
 * (loaded when needed) and the request index. `save()` commits what changed as new files
 * and one manifest rename; a crash at any instant leaves the previous or the next set.
 */
export class Ledger {
  readonly months: MonthSegments;
  readonly index: RequestIndex;
  readonly recovery: Recovery = { rereadSources: false, rebuildMarts: false, save: false, restoredMonths: new Set() };
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
    const fromMonths = Math.max(0, ...Object.values(manifest.months).map(monthMaxId));
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
    if (choice.used === 'none' && !options.readOnly) {
      const kept = keepUnnamed(dir);
      if (kept.length) log.error(`no manifest names the ${kept.length} ledger file(s) found; they are kept aside, never removed: ${kept.join(', ')}`);
    }
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
    const exported = this.months.exportDirty(
      (month, db) => copyDimensionsInto(db, this.db, this.manifest.months[month] && monthMaxId(this.manifest.months[month])),
      (month, rows, rewritten) => this.tailAfter(month, rows, rewritten),
    );
    for (const m of exported) {
      const name = m.tailAfter === undefined ? monthFileName(m.month, generation) : monthTailFileName(m.month, generation);
      const entry = { ...writeDataFile(this.dir, name, m.bytes), rows: m.rows, maxId: m.maxId };
      months[m.month] = m.tailAfter === undefined ? entry : { ...months[m.month]!, tail: entry };
      written.set(name, m.bytes);
    }
    this.db.setMeta(NEXT_ID_KEY, String(this.nextId));
    const stateBytes = this.stateOwner.export();
    configureInMemory(this.stateOwner);
    const stateName = stateFileName(generation);
    const state = writeDataFile(this.dir, stateName, stateBytes);
    written.set(stateName, stateBytes);
    const next: Manifest = { ...this.manifest, version: LEDGER_VERSION, generation, savedAt: new Date().toISOString(), state, months };
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
   * A month's new events go to its tail while the tail stays small beside the month's base: a save
   * then writes only them. Past that, or once the month's saved rows changed (re-priced,
   * restored), the whole month is written as a new base.
   */
  private tailAfter(month: string, rows: number, rewritten: boolean): number | undefined {
    const base = this.manifest.months[month];
    if (!base || rewritten) return undefined;
    return rows - base.rows <= Math.max(MIN_TAIL_ROWS, base.rows * TAIL_SHARE) ? base.maxId : undefined;
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

  /** A month's committed files (base and tail), checked against the manifest when first needed (opening reads no history). */
  private loadMonth(month: string): MonthBytes | undefined {
    const entry = this.manifest.months[month];
    if (!entry) return undefined;
    const base = readChecked(this.dir, entry);
    const tail = entry.tail && readChecked(this.dir, entry.tail);
    if (!base || (entry.tail && !tail)) return this.fallBackMonth(month, entry, base?.bytes, tail?.bytes);
    for (const [file, found] of [[entry, base], [entry.tail, tail]] as const) {
      if (found?.used === 'backup') this.restoredFromTwin(month, file!.name);
    }
    return { base: base.bytes, tail: tail?.bytes };
  }

  /**
   * Withdraws again what the months restored to their previous version count twice with their
   * neighbours (the −1 rows their lost files held, see boundary-duplicates.ts). Returns how many.
   */
  settleRestoredMonths(price: PriceRequest): number {
    const restored: string[] = [];
    const found = new Map<string, RowRef>();
    // Opening a neighbour to compare can restore it too (damaged as well): it is settled in turn.
    for (let month = this.nextRestored(restored); month; month = this.nextRestored(restored)) {
      for (const ref of boundaryDuplicates(this.months, month)) found.set(`${ref.month}:${ref.id}`, ref);
    }
    if (found.size === 0) return 0;
    const statements = new Statements(this.db.sql);
    try {
      const writer = new EventWriter({ months: this.months, index: this.index, statements, price, allocateId: () => this.allocateId() });
      for (const ref of found.values()) writer.withdrawRow(ref);
    } finally {
      statements.free();
    }
    this.log.warn(`${found.size} request(s) the restored month${restored.length > 1 ? 's' : ''} ${restored.join(', ')} counted a second time beside a neighbouring month withdrawn again`);
    return found.size;
  }

  private nextRestored(done: string[]): string | undefined {
    const [month] = this.recovery.restoredMonths;
    if (month === undefined) return undefined;
    this.recovery.restoredMonths.delete(month);
    done.push(month);
    return month;
  }

  /** The twin replaces a damaged file: the month is rewritten by the next save, so the damage does not stay on disk. */
  private restoredFromTwin(month: string, name: string): void {
    this.log.warn(`ledger file ${name} failed its check; restored from its backup copy`);
    if (this.readOnly) return;
    this.months.touch(month);
    this.recovery.save = true;
  }

  /**
   * A damaged month file with no sound twin: the month's previous version (the sound base with
   * the tail before, or the base and tail before), or nothing, then the transcripts that still
   * exist. A tail without its base is not used: its −1 rows withdraw snapshots the base held.
   * The month is written anew by the next save, so the manifest never keeps naming the damaged
   * file and the older copy it came from is not removed as unreferenced.
   */
  private fallBackMonth(month: string, entry: MonthEntry, soundBase: Uint8Array | undefined, soundTail: Uint8Array | undefined): MonthBytes | undefined {
    const damaged = [soundBase ? undefined : entry, entry.tail && !soundTail ? entry.tail : undefined].filter((f) => f !== undefined);
    const aside = this.readOnly ? [] : damaged.map((f) => keepDamaged(this.dir, f.name)).filter((f) => f !== undefined);
    const found = soundBase ? { base: soundBase, tail: this.previousTail(month, entry) } : this.previousMonth(month, entry);
    this.recovery.rereadSources = true;
    this.recovery.rebuildMarts = true;
    if (!this.readOnly) {
      this.months.touch(month);
      this.recovery.save = true;
      if (found) this.recovery.restoredMonths.add(month);
    }
    this.log.error(
      `ledger file ${damaged.map((f) => f.name).join(' and ')} ${damaged.length > 1 ? 'are' : 'is'} damaged${aside.length ? ` (kept as ${aside.join(', ')})` : ''}; ` +
        (found ? 'restored its previous version' : 'no good copy is left') +
        '; every transcript that still exists is read again (nothing is counted twice)',
    );
    return found;
  }

  /** The tail the previous save left on the same base, when sound. */
  private previousTail(month: string, entry: MonthEntry): Uint8Array | undefined {
    const older = this.previous?.months[month];
    if (!older?.tail || older.name !== entry.name || older.tail.name === entry.tail?.name) return undefined;
    return readChecked(this.dir, older.tail)?.bytes;
  }

  /** The month as the previous save left it (another base), when its base is sound. */
  private previousMonth(month: string, entry: MonthEntry): MonthBytes | undefined {
    const older = this.previous?.months[month];
    const base = older && older.name !== entry.name ? readChecked(this.dir, older) : undefined;
    if (!base) return undefined;
    return { base: base.bytes, tail: older!.tail && readChecked(this.dir, older!.tail)?.bytes };
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

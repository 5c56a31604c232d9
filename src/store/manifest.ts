import * as fs from 'node:fs';
import { writeFileAtomic } from './atomic-file';
import { LEDGER_FORMAT, LEDGER_VERSION } from './ledger-layout';

export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface MonthEntry extends ManifestFile {
  /** Rows in the file and the largest event id among them. */
  rows: number;
  maxId: number;
  /** The month's events added since this (base) file was written, in a file of their own (ids above `maxId`). */
  tail?: TailEntry;
}

export interface TailEntry extends ManifestFile {
  rows: number;
  maxId: number;
}

/** The committed set of ledger files. Every file it names is complete and checked by its hash. */
export interface Manifest {
  format: typeof LEDGER_FORMAT;
  version: number;
  generation: number;
  savedAt: string;
  state: ManifestFile;
  months: Record<string, MonthEntry>;
}

export type ManifestRead = { ok: true; manifest: Manifest } | { ok: false; missing: boolean; reason: string; newer?: boolean };

export function readManifest(file: string): ManifestRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, reason: 'missing' };
    throw error; // unreadable is not damaged: the caller refuses rather than replacing anything
  }
  try {
    const value = JSON.parse(text) as Manifest;
    if (value.format !== LEDGER_FORMAT || typeof value.generation !== 'number' || !value.state?.name || typeof value.months !== 'object') {
      return { ok: false, missing: false, reason: 'not a ledger manifest' };
    }
    if (value.version > LEDGER_VERSION) return { ok: false, missing: false, newer: true, reason: `written by a newer Agent Ledger (format ${value.version})` };
    return { ok: true, manifest: value };
  } catch {
    return { ok: false, missing: false, reason: 'damaged (not valid JSON)' };
  }
}

export function writeManifest(file: string, manifest: Manifest): void {
  writeFileAtomic(file, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
}

/** Every file a manifest references. */
export function manifestEntries(manifest: Manifest): ManifestFile[] {
  return [manifest.state, ...Object.values(manifest.months).flatMap((m) => (m.tail ? [m, m.tail] : [m]))];
}

/** The largest event id a month holds, its tail included. */
export function monthMaxId(entry: MonthEntry): number {
  return entry.tail?.maxId ?? entry.maxId;
}

/** Every file name a manifest references. */
export function manifestFiles(manifest: Manifest): string[] {
  return manifestEntries(manifest).map((entry) => entry.name);
}

export function emptyManifest(): Manifest {
  return { format: LEDGER_FORMAT, version: LEDGER_VERSION, generation: 0, savedAt: new Date(0).toISOString(), state: { name: '', bytes: 0, sha256: '' }, months: {} };
}

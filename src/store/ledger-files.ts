import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeZlib } from '../core/lazy-builtins';
import type { Logger } from '../core/log';
import { safeList, sha256, syncDirectory, writeFileAtomic } from './atomic-file';
import { BACKUP_DIR, isDataFileName, MANIFEST_FILE, PREVIOUS_MANIFEST_FILE } from './ledger-layout';
import { manifestEntries, manifestFiles, readManifest, writeManifest, type Manifest, type ManifestFile } from './manifest';

/** Which copy of a file was used. */
export type CopyUsed = 'primary' | 'backup' | 'previous' | 'none';

export interface ManifestChoice {
  manifest: Manifest | undefined;
  previous: Manifest | undefined;
  used: CopyUsed;
}

/** A file that exists but cannot be read (permissions, I/O): the ledger refuses rather than replacing it. */
export class UnreadableLedgerError extends Error {}

/**
 * The manifest to trust: `manifest.json`; if it is damaged, its twin in `backup/` (written
 * just after it), else the previous one. Missing everywhere means a new ledger.
 */
export function chooseManifest(dir: string, log: Logger): ManifestChoice {
  const primary = read(path.join(dir, MANIFEST_FILE));
  // A newer format is not damage: replacing it would lose what this version cannot read.
  if (!primary.ok && primary.newer) throw new UnreadableLedgerError(`${path.join(dir, MANIFEST_FILE)} was ${primary.reason}; update Agent Ledger to open this ledger`);
  const previous = read(path.join(dir, PREVIOUS_MANIFEST_FILE));
  const prev = previous.ok ? previous.manifest : undefined;
  if (primary.ok) return { manifest: primary.manifest, previous: prev, used: 'primary' };
  const backup = read(path.join(dir, BACKUP_DIR, MANIFEST_FILE));
  if (primary.missing && backup.ok === false && backup.missing && !prev) return { manifest: undefined, previous: undefined, used: 'none' };
  const candidates = [backup.ok ? backup.manifest : undefined, prev].filter((m): m is Manifest => !!m);
  const best = candidates.sort((a, b) => b.generation - a.generation)[0];
  log.error(`ledger manifest ${primary.missing ? 'is missing' : `is ${primary.reason}`}; ` +
    (best ? `using the ${best === prev ? 'previous' : 'backup'} manifest (generation ${best.generation})` : 'no good copy; the ledger starts again from the transcripts that still exist'));
  return { manifest: best, previous: best === prev ? undefined : prev, used: !best ? 'none' : best === prev ? 'previous' : 'backup' };
}

function read(file: string): ReturnType<typeof readManifest> {
  try {
    return readManifest(file);
  } catch (error) {
    throw new UnreadableLedgerError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The compressed second copy of a data file, in `backup/`. */
function twinPath(dir: string, name: string): string {
  return path.join(dir, BACKUP_DIR, `${name}${TWIN_SUFFIX}`);
}

const TWIN_SUFFIX = '.gz';

/**
 * The bytes of a manifest entry, checked against its hash: the file, else its compressed
 * twin. Undefined when neither copy is sound. A file that exists but cannot be read throws.
 */
export function readChecked(dir: string, entry: ManifestFile): { bytes: Uint8Array; used: CopyUsed } | undefined {
  const primary = readIfPresent(path.join(dir, entry.name));
  if (primary && sound(primary, entry)) return { bytes: primary, used: 'primary' };
  const twin = readIfPresent(twinPath(dir, entry.name));
  const bytes = twin && gunzipOrUndefined(twin);
  return bytes && sound(bytes, entry) ? { bytes, used: 'backup' } : undefined;
}

function sound(bytes: Uint8Array, entry: ManifestFile): boolean {
  return bytes.length === entry.bytes && sha256(bytes) === entry.sha256;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UnreadableLedgerError(`cannot read ledger file ${file}: ${(error as Error).message}`);
  }
}

function gunzipOrUndefined(bytes: Buffer): Buffer | undefined {
  try {
    return nodeZlib().gunzipSync(bytes);
  } catch {
    return undefined;
  }
}

/** Writes a data file and returns its manifest entry (the folder is synced once, with the manifest). */
export function writeDataFile(dir: string, name: string, bytes: Uint8Array): ManifestFile {
  writeFileAtomic(path.join(dir, name), bytes, { syncFolder: false });
  return { name, bytes: bytes.length, sha256: sha256(bytes) };
}

/**
 * Commits a new set of files: the current manifest becomes `manifest.prev.json` (its files
 * are the last good copies), then the new manifest replaces `manifest.json` in one rename.
 */
export function commitManifest(dir: string, current: Manifest | undefined, next: Manifest): void {
  syncDirectory(dir); // the data files' names are durable before the manifest names them
  if (current && current.generation > 0) writeManifest(path.join(dir, PREVIOUS_MANIFEST_FILE), current);
  writeManifest(path.join(dir, MANIFEST_FILE), next);
}

/**
 * A compressed second copy of the data files the latest saves wrote, and of the manifest:
 * the files a torn or interrupted write could have damaged, some of them with no previous
 * version to fall back on. The files the last save replaced (the previous manifest's) are kept
 * as their twins only, once a twin is found sound: the last good copy, compressed. Other twins
 * are removed (a closed month is never written again; it is one file, checked by its hash).
 */
export function writeBackups(dir: string, manifest: Manifest, previous: Manifest | undefined, written: Map<string, Uint8Array>): void {
  const backup = path.join(dir, BACKUP_DIR);
  fs.mkdirSync(backup, { recursive: true });
  for (const [name, bytes] of written) writeFileAtomic(twinPath(dir, name), nodeZlib().gzipSync(bytes, { level: 1 }), { syncFolder: false });
  syncDirectory(backup);
  writeManifest(path.join(backup, MANIFEST_FILE), manifest);
  keepReplacedAsTwins(dir, manifest, previous);
  // A twin stays while the latest saves' file is its own, or while it is the only copy of a file a manifest names.
  const named = new Set([...manifestFiles(manifest), ...(previous ? manifestFiles(previous) : [])]);
  for (const name of safeList(backup)) {
    if (!name.endsWith(TWIN_SUFFIX)) continue;
    const data = name.slice(0, -TWIN_SUFFIX.length);
    if (written.has(data) || (named.has(data) && !fs.existsSync(path.join(dir, data)))) continue;
    fs.rmSync(path.join(backup, name), { force: true });
  }
}

/** Removes the files the last save replaced whose twins are sound: the twin is then the last good copy. */
function keepReplacedAsTwins(dir: string, manifest: Manifest, previous: Manifest | undefined): void {
  const current = new Set(manifestFiles(manifest));
  let removed = false;
  for (const entry of previous ? manifestEntries(previous) : []) {
    if (current.has(entry.name) || !fs.existsSync(path.join(dir, entry.name))) continue;
    const twin = readIfPresent(twinPath(dir, entry.name));
    const bytes = twin && gunzipOrUndefined(twin);
    if (!bytes || !sound(bytes, entry)) continue;
    fs.rmSync(path.join(dir, entry.name), { force: true });
    removed = true;
  }
  if (removed) syncDirectory(dir);
}

/** The ledger's data files and their twins in `backup/`, each with the data file's name it stands for. */
function dataFilesAndTwins(dir: string): { folder: string; name: string; data: string }[] {
  const found: { folder: string; name: string; data: string }[] = [];
  for (const [folder, suffix] of [[dir, ''], [path.join(dir, BACKUP_DIR), TWIN_SUFFIX]] as const) {
    for (const name of safeList(folder)) {
      if (suffix && !name.endsWith(suffix)) continue;
      const data = suffix ? name.slice(0, -suffix.length) : name;
      if (isDataFileName(data)) found.push({ folder, name, data });
    }
  }
  return found;
}

/** Deletes data files (and twins) that neither the current nor the previous manifest names. */
export function removeUnreferenced(dir: string, manifests: (Manifest | undefined)[]): void {
  const keep = new Set(manifests.flatMap((m) => (m ? manifestFiles(m) : [])));
  const touched = new Set<string>();
  for (const { folder, name, data } of dataFilesAndTwins(dir)) {
    if (keep.has(data)) continue;
    fs.rmSync(path.join(folder, name), { force: true });
    touched.add(folder);
  }
  for (const folder of touched) syncDirectory(folder);
}

/**
 * With no sound manifest to name them, the ledger's data files (and their twins) are of unknown
 * standing: they are kept aside as `<name>.unnamed-<time>`, never removed by a save nor
 * overwritten by the new files' names. Returns what was kept, as paths.
 */
export function keepUnnamed(dir: string): string[] {
  const stamp = Date.now();
  return dataFilesAndTwins(dir).map(({ folder, name }) => {
    const to = path.join(folder, `${name}.unnamed-${stamp}`);
    fs.renameSync(path.join(folder, name), to);
    return to;
  });
}

/** Keeps a file that failed its check beside the ledger (never deleted), for inspection. */
export function keepDamaged(dir: string, name: string): string | undefined {
  const from = path.join(dir, name);
  if (!fs.existsSync(from)) return undefined;
  const to = `${from}.damaged-${Date.now()}`;
  fs.renameSync(from, to);
  return to;
}

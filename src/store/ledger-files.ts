import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/log';
import { safeList, sha256, syncDirectory, writeFileAtomic } from './atomic-file';
import { BACKUP_DIR, isDataFileName, MANIFEST_FILE, PREVIOUS_MANIFEST_FILE } from './ledger-layout';
import { manifestFiles, readManifest, writeManifest, type Manifest, type ManifestFile } from './manifest';

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
  const previous = read(path.join(dir, PREVIOUS_MANIFEST_FILE));
  const prev = previous.ok ? previous.manifest : undefined;
  if (primary.ok) return { manifest: primary.manifest, previous: prev, used: 'primary' };
  const backup = read(path.join(dir, BACKUP_DIR, MANIFEST_FILE));
  if (primary.missing && backup.ok === false && backup.missing && !prev) return { manifest: undefined, previous: undefined, used: 'none' };
  const candidates = [backup.ok ? backup.manifest : undefined, prev].filter((m): m is Manifest => !!m);
  const best = candidates.sort((a, b) => b.generation - a.generation)[0];
  log.error(`ledger manifest ${primary.missing ? 'is missing' : `is ${primary.reason}`}; ` +
    (best ? `using the ${best === prev ? 'previous' : 'backup'} manifest (generation ${best.generation})` : 'no good copy; starting from the files that can be checked'));
  return { manifest: best, previous: best === prev ? undefined : prev, used: best === prev ? 'previous' : best ? 'backup' : 'none' };
}

function read(file: string): ReturnType<typeof readManifest> {
  try {
    return readManifest(file);
  } catch (error) {
    throw new UnreadableLedgerError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * The bytes of a manifest entry, checked against its hash: the file, else its backup twin.
 * Undefined when neither copy is sound. A file that exists but cannot be read throws.
 */
export function readChecked(dir: string, entry: ManifestFile): { bytes: Uint8Array; used: CopyUsed } | undefined {
  for (const [file, used] of [[path.join(dir, entry.name), 'primary'], [path.join(dir, BACKUP_DIR, entry.name), 'backup']] as const) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      throw new UnreadableLedgerError(`cannot read ledger file ${file}: ${(error as Error).message}`);
    }
    if (bytes.length === entry.bytes && sha256(bytes) === entry.sha256) return { bytes, used };
  }
  return undefined;
}

/** Writes a data file and returns its manifest entry. */
export function writeDataFile(dir: string, name: string, bytes: Uint8Array): ManifestFile {
  writeFileAtomic(path.join(dir, name), bytes);
  return { name, bytes: bytes.length, sha256: sha256(bytes) };
}

/**
 * Commits a new set of files: the current manifest becomes `manifest.prev.json` (its files
 * are the last good copies), then the new manifest replaces `manifest.json` in one rename.
 */
export function commitManifest(dir: string, current: Manifest | undefined, next: Manifest): void {
  if (current && current.generation > 0) writeManifest(path.join(dir, PREVIOUS_MANIFEST_FILE), current);
  writeManifest(path.join(dir, MANIFEST_FILE), next);
}

/** A second copy of what this save wrote, so that damage to the newest files loses nothing. */
export function writeBackups(dir: string, manifest: Manifest, written: Map<string, Uint8Array>): void {
  const backup = path.join(dir, BACKUP_DIR);
  fs.mkdirSync(backup, { recursive: true });
  for (const [name, bytes] of written) writeFileAtomic(path.join(backup, name), bytes);
  writeManifest(path.join(backup, MANIFEST_FILE), manifest);
  const keep = new Set([...written.keys(), MANIFEST_FILE]);
  for (const name of safeList(backup)) if (!keep.has(name) && isDataFileName(name)) fs.rmSync(path.join(backup, name), { force: true });
}

/** Deletes data files that neither the current nor the previous manifest names. */
export function removeUnreferenced(dir: string, manifests: (Manifest | undefined)[]): void {
  const keep = new Set(manifests.flatMap((m) => (m ? manifestFiles(m) : [])));
  let removed = false;
  for (const name of safeList(dir)) {
    if (isDataFileName(name) && !keep.has(name)) {
      fs.rmSync(path.join(dir, name), { force: true });
      removed = true;
    }
  }
  if (removed) syncDirectory(dir);
}

/** Keeps a file that failed its check beside the ledger (never deleted), for inspection. */
export function keepDamaged(dir: string, name: string): string | undefined {
  const from = path.join(dir, name);
  if (!fs.existsSync(from)) return undefined;
  const to = `${from}.damaged-${Date.now()}`;
  fs.renameSync(from, to);
  return to;
}

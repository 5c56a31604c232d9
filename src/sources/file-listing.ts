import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/log';
import type { FileSet } from '../normalizers/agent-normalizer';
import { realPathOrSelf } from '../core/real-path';
import type { TranscriptRoot } from './roots';

export interface TranscriptFile {
  root: TranscriptRoot;
  path: string;
  /** Path relative to the root, for ordering. */
  relative: string;
}

/**
 * The files of one folder that belong to its file set (in no particular order: `sortForReading`
 * orders an agent's files across all its folders). A missing folder is normal (agent not used
 * yet); an unreadable one, or a file in its place, is logged and skipped.
 */
export function listTranscripts(root: TranscriptRoot, set: FileSet, log: Logger): TranscriptFile[] {
  const files: TranscriptFile[] = [];
  const folderFromRoot = path.relative(root.root, root.dir);
  walk(root.dir, '', set.maxDepth ?? Infinity, log, new Set([realPathOrSelf(root.dir)]), (file, relative) => {
    if (matches(set, relative)) {
      files.push({ root, path: file, relative: folderFromRoot ? path.join(folderFromRoot, relative) : relative });
    }
  });
  return files;
}

/** Lower rank first (the normalizer's order: parents before sub-agents or forks), then by path. */
export function sortForReading(files: TranscriptFile[], fileRank: (relative: string) => number): TranscriptFile[] {
  const ranked = files.map((file) => ({ file, rank: fileRank(file.relative) }));
  ranked.sort((a, b) => a.rank - b.rank || (a.file.relative < b.file.relative ? -1 : a.file.relative > b.file.relative ? 1 : 0));
  return ranked.map((r) => r.file);
}

/** Whether a path under `folder` is one of the set's files. */
export function belongs(set: FileSet, folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return false;
  if (set.maxDepth !== undefined && relative.split(path.sep).length - 1 > set.maxDepth) return false;
  return matches(set, relative);
}

/** Whether a path relative to the set's folder (this platform's separators) matches the set's pattern, which uses `/`. */
function matches(set: FileSet, relative: string): boolean {
  return set.match.test(path.sep === '/' ? relative : relative.split(path.sep).join('/'));
}

/**
 * Visits the files below `dir` with their paths relative to the walk's start (kept as it goes: no
 * per-file path arithmetic). A link to a folder is followed (a project folder linked in) when its
 * real path is apart from every tree walked so far (`trees`, real paths): a link to a folder already
 * walked, into one, or up to an ancestor is not, so no file is listed twice and no link loops.
 */
function walk(dir: string, relative: string, depth: number, log: Logger, trees: Set<string>, visit: (file: string, relative: string) => void): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') log.warn(`${dir} is not a folder; skipped`);
    else if (code !== 'ENOENT') log.warn(`cannot read folder ${dir}: ${(error as Error).message}; skipped`);
    return;
  }
  for (const entry of entries) {
    const full = dir.endsWith(path.sep) ? dir + entry.name : dir + path.sep + entry.name;
    const below = relative ? relative + path.sep + entry.name : entry.name;
    if (entry.isDirectory()) {
      if (depth > 0) walk(full, below, depth - 1, log, trees, visit);
    } else if (entry.isSymbolicLink() && linksToFolder(full)) {
      const real = realPathOrSelf(full);
      if (depth > 0 && apartFrom(real, trees)) {
        trees.add(real);
        walk(full, below, depth - 1, log, trees, visit);
      }
    } else if (entry.isFile() || entry.isSymbolicLink()) visit(full, below);
  }
}

function apartFrom(real: string, trees: ReadonlySet<string>): boolean {
  for (const tree of trees) if (within(real, tree) || within(tree, real)) return false;
  return true;
}

function within(p: string, tree: string): boolean {
  return p === tree || p.startsWith(tree.endsWith(path.sep) ? tree : tree + path.sep);
}

function linksToFolder(link: string): boolean {
  try {
    return fs.statSync(link).isDirectory();
  } catch {
    return false; // dangling: visited as a file, and reported when read
  }
}

/** Whether a folder exists at all (for "no transcripts found" messages). */
export function rootExists(root: TranscriptRoot): boolean {
  return fs.existsSync(root.dir);
}

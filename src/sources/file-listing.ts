import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/log';
import type { AnyNormalizer } from '../normalizers/agent-normalizer';
import type { TranscriptRoot } from './roots';

export interface TranscriptFile {
  root: TranscriptRoot;
  path: string;
  /** Path relative to the root, for ordering. */
  relative: string;
}

/**
 * Every `*.jsonl` under the root's transcript folders, in the normalizer's reading order.
 * A missing folder is normal (agent not used yet); an unreadable one, or a file in its place,
 * is logged and skipped.
 */
export function listTranscripts(root: TranscriptRoot, normalizer: AnyNormalizer, log: Logger): TranscriptFile[] {
  const ranked: { file: TranscriptFile; rank: number }[] = [];
  for (const sub of normalizer.layout.transcriptDirs) {
    walk(path.join(root.dir, sub), log, (file) => {
      const relative = file.slice(root.dir.length + 1);
      ranked.push({ file: { root, path: file, relative }, rank: normalizer.fileRank(relative) });
    });
  }
  ranked.sort((a, b) => a.rank - b.rank || (a.file.relative < b.file.relative ? -1 : a.file.relative > b.file.relative ? 1 : 0));
  return ranked.map((r) => r.file);
}

function walk(dir: string, log: Logger, visit: (file: string) => void): void {
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
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, log, visit);
    else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith('.jsonl')) visit(full);
  }
}

/** Whether a root holds any transcript folder at all (for "no transcripts found" messages). */
export function rootExists(root: TranscriptRoot, normalizer: AnyNormalizer): boolean {
  return normalizer.layout.transcriptDirs.some((sub) => fs.existsSync(path.join(root.dir, sub)));
}

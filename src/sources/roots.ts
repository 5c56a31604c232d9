import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentId } from '../core/usage';
import type { FileKind, FileSet } from '../normalizers/agent-normalizer';
import { usualEditorStorageRoots } from './editor-roots';
import { realPathOrSelf } from '../core/real-path';

/** A folder that holds (or would hold) one file set of an agent. */
export interface TranscriptRoot {
  agent: AgentId;
  /** Index of the file set in the agent's `fileSetsOf`. */
  set: number;
  kind: FileKind;
  /** The root the folder was found under (like CLAUDE_CONFIG_DIR, CODEX_HOME, a globalStorage folder). */
  root: string;
  /** The folder itself: the root joined with one of the file set's `dirs`. */
  dir: string;
}

export interface RootOptions {
  /** Roots that replace the environment and the defaults (CLI `--<agent>-dir`, tests). */
  explicit?: readonly string[];
  /** Roots read besides the defaults (the `extraRoots` setting). */
  extra?: readonly string[];
  /** The editors' globalStorage folders; the usual ones of this platform when absent. */
  editorStorageRoots?: readonly string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export function expandHome(dir: string, home = os.homedir()): string {
  if (dir === '~') return home;
  if (dir.startsWith('~/') || dir.startsWith('~\\')) return path.join(home, dir.slice(2));
  return dir;
}

/**
 * The folders a user named (`--<agent>-dir`, the `extraRoots` setting) that do not exist, as they
 * would be read (`~` expanded): a mistyped one would otherwise read nothing without a word.
 */
export function missingRoots(byAgent: Readonly<Record<AgentId, readonly string[] | undefined>>): { agent: AgentId; root: string }[] {
  return Object.entries(byAgent).flatMap(([agent, roots]) => (roots ?? []).filter((root) => !fs.existsSync(expandHome(root.trim()))).map((root) => ({ agent, root })));
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Every folder to read for one agent, per file set: explicit roots when given, else the first
 * environment variable set, else the default roots; plus the extra roots. The same real
 * folder is listed once.
 */
export function resolveRoots(agent: AgentId, sets: readonly FileSet[], options: RootOptions = {}): TranscriptRoot[] {
  const env = options.env ?? process.env;
  const home = options.home ?? os.homedir();
  const folders: TranscriptRoot[] = [];
  const seen = new Set<string>();
  sets.forEach((set, index) => {
    for (const { root, dirs } of rootsOf(set, options, env, home)) {
      const base = path.resolve(expandHome(root, home));
      for (const sub of dirs) {
        const dir = path.resolve(base, sub);
        const identity = `${index}:${realPathOrSelf(dir)}`;
        if (seen.has(identity)) continue;
        seen.add(identity);
        folders.push({ agent, set: index, kind: set.kind, root: base, dir });
      }
    }
  });
  return folders;
}

function rootsOf(set: FileSet, options: RootOptions, env: NodeJS.ProcessEnv, home: string): { root: string; dirs: readonly string[] }[] {
  const withDirs = (dirs: readonly string[]) => (root: string) => ({ root, dirs });
  const userDirs = set.roots.userDirs ?? set.dirs;
  if (options.explicit && options.explicit.length > 0) return options.explicit.map(withDirs(userDirs));
  const extra = (options.extra ?? []).map(withDirs(userDirs));
  const fromEnv = set.roots.env?.find((e) => env[e.name]?.trim());
  if (fromEnv) return [...splitList(env[fromEnv.name]!).map(withDirs(fromEnv.dirs ?? set.dirs)), ...extra];
  const defaults = (set.roots.home ?? []).map((r) => path.join(home, r));
  if (set.roots.editorStorage) defaults.push(...(options.editorStorageRoots ?? usualEditorStorageRoots(env, home)));
  return [...defaults.map(withDirs(set.dirs)), ...extra];
}

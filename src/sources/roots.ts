import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentId } from '../core/usage';
import type { TranscriptLayout } from '../normalizers/agent-normalizer';

export interface TranscriptRoot {
  agent: AgentId;
  /** The root itself (like CLAUDE_CONFIG_DIR or CODEX_HOME). */
  dir: string;
}

export function expandHome(dir: string, home = os.homedir()): string {
  if (dir === '~') return home;
  if (dir.startsWith('~/') || dir.startsWith('~\\')) return path.join(home, dir.slice(2));
  return dir;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The roots to read for one agent: explicit ones when given, else the environment
 * variable's list, else the defaults. Duplicates (the same real folder) are dropped.
 */
export function resolveRoots(
  agent: AgentId,
  layout: TranscriptLayout,
  explicit: readonly string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
): TranscriptRoot[] {
  const fromEnv = env[layout.envVar];
  const candidates =
    explicit && explicit.length > 0
      ? explicit
      : fromEnv && fromEnv.trim()
        ? splitList(fromEnv)
        : layout.defaultRoots.map((r) => path.join(home, r));
  const seen = new Set<string>();
  const roots: TranscriptRoot[] = [];
  for (const candidate of candidates) {
    const dir = path.resolve(expandHome(candidate, home));
    const identity = realPathOrSelf(dir);
    if (seen.has(identity)) continue;
    seen.add(identity);
    roots.push({ agent, dir });
  }
  return roots;
}

function realPathOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

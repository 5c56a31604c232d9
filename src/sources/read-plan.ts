/** What we remember of a file between reads. */
export interface FileMemory {
  size: number;
  mtimeMs: number;
  identity: string;
  /** `fingerprint()` of the bytes before `readOffset` (stored as head_hash). */
  headHash: string;
  readOffset: number;
}

export interface FileNow {
  size: number;
  mtimeMs: number;
  identity: string;
}

export type ReadPlan =
  | { kind: 'unchanged' }
  | { kind: 'append'; from: number }
  | { kind: 'restart'; reason: 'new' | 'replaced' | 'truncated' | 'rewritten' };

/**
 * Decides how to read a file. Restarting is always safe (the ledger dedupes every
 * request it has already counted); appending is the fast path. `headHashNow` (the
 * fingerprint at `memory.readOffset`, as stored) is read only when the file changed.
 */
export function planRead(memory: FileMemory | undefined, now: FileNow, headHashNow: () => string): ReadPlan {
  if (!memory) return { kind: 'restart', reason: 'new' };
  if (memory.identity !== now.identity) return { kind: 'restart', reason: 'replaced' };
  if (now.size === memory.size && now.mtimeMs === memory.mtimeMs) return { kind: 'unchanged' };
  if (now.size < memory.readOffset) return { kind: 'restart', reason: 'truncated' };
  if (memory.headHash !== headHashNow()) return { kind: 'restart', reason: 'rewritten' };
  if (now.size === memory.readOffset) return { kind: 'unchanged' };
  return { kind: 'append', from: memory.readOffset };
}

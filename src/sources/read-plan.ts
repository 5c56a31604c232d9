/** What we remember of a file between reads. */
export interface FileMemory {
  size: number;
  mtimeMs: number;
  identity: string;
  headHash: string;
  readOffset: number;
}

export interface FileNow {
  size: number;
  mtimeMs: number;
  identity: string;
  /** Hash of the same leading bytes that `headHash` covered, read now. */
  headHash: string;
}

export type ReadPlan =
  | { kind: 'unchanged' }
  | { kind: 'append'; from: number }
  | { kind: 'restart'; reason: 'new' | 'replaced' | 'truncated' | 'rewritten' };

/**
 * Decides how to read a file. Restarting is always safe (the ledger dedupes every
 * request it has already counted); appending is the fast path.
 */
export function planRead(memory: FileMemory | undefined, now: FileNow): ReadPlan {
  if (!memory) return { kind: 'restart', reason: 'new' };
  if (memory.identity !== now.identity) return { kind: 'restart', reason: 'replaced' };
  if (now.size < memory.readOffset) return { kind: 'restart', reason: 'truncated' };
  if (memory.headHash !== now.headHash) return { kind: 'restart', reason: 'rewritten' };
  if (now.size === memory.size && now.mtimeMs === memory.mtimeMs) return { kind: 'unchanged' };
  if (now.size === memory.readOffset) return { kind: 'unchanged' };
  return { kind: 'append', from: memory.readOffset };
}

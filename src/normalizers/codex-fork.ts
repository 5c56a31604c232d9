/**
 * A forked Codex file (a sub-agent spawned by `thread_spawn`, or a `forked_from_id` fork) starts
 * with a copy of its parent's history: not new usage. Where the copy ends is read from the
 * file's structure, never from gaps in time:
 * - a turn (`task_started`) whose `started_at` is before the fork began is inherited; one that
 *   starts later is the fork's own and ends the copy;
 * - an event timestamped before the fork's own `session_meta` is inherited;
 * - without turn markers, the copy is the burst written at one moment: the first token_count
 *   (the parent's totals at the fork) and any other carrying its timestamp.
 * Plain data: persisted with the file's offset.
 */
export interface ForkReplay {
  /** When the fork began (its own session_meta), epoch ms. */
  startMs: number;
  phase: 'copy' | 'inherited-turn' | 'own';
  /** Time of the first copied token_count. */
  burstTs?: number;
}

export function forkReplay(startMs: number): ForkReplay {
  return { startMs, phase: 'copy' };
}

/** A turn started: before the fork, it is part of the copy; after, the fork's own turns begin. */
export function onTurnStarted(replay: ForkReplay, startedAtSeconds: unknown): void {
  if (replay.phase === 'own' || typeof startedAtSeconds !== 'number') return;
  // started_at has whole seconds: a turn is inherited only if it began in an earlier second.
  replay.phase = startedAtSeconds < Math.floor(replay.startMs / 1000) ? 'inherited-turn' : 'own';
}

/** Whether a token_count at `ts` belongs to the copied history. */
export function isInherited(replay: ForkReplay, ts: number): boolean {
  if (replay.phase === 'own') return false;
  if (replay.phase === 'inherited-turn' || ts < replay.startMs) return true;
  if (replay.burstTs === undefined) replay.burstTs = ts;
  if (ts === replay.burstTs) return true;
  replay.phase = 'own';
  return false;
}

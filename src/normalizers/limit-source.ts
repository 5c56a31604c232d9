import type { LimitSnapshot } from '../core/limits';
import { asObject, parseTimestamp } from './agent-normalizer';
import { claudeRateLimits } from './claude-rate-limits';

/**
 * A file of quota readings kept in the ledger's own folder, written by a helper process
 * (the status line) and read by the writer like a transcript: tailed from its offset.
 */
export interface LimitSource {
  /** Its `source_files.agent` value. */
  readonly id: string;
  /** File name inside the ledger's folder. */
  readonly fileName: string;
  readonly markers: readonly string[];
  read(line: unknown): LimitSnapshot[] | undefined;
}

/** `agent-ledger statusline` appends `{"ts": ISO, "rate_limits": {five_hour, seven_day}}` lines here. */
export const claudeStatusLineSource: LimitSource = {
  id: 'claude-statusline',
  fileName: 'claude-statusline.jsonl',
  markers: ['"rate_limits"'],
  read(line) {
    const entry = asObject(line);
    const observedAt = parseTimestamp(entry?.ts);
    if (!entry || observedAt === undefined) return undefined;
    const readings = claudeRateLimits(entry.rate_limits, observedAt);
    return readings.length ? readings : undefined;
  },
};

export const LIMIT_SOURCES: readonly LimitSource[] = [claudeStatusLineSource];

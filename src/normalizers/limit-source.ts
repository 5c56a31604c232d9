import type { LimitSnapshot } from '../core/limits';

/**
 * A file of quota readings kept in the ledger's own folder, written by a helper process
 * (the status line) and read by the writer like a transcript: tailed from its offset.
 * An agent declares its own (`statusLine.journal`); the registry lists them all.
 */
export interface LimitSource {
  /** Its `source_files.agent` value. */
  readonly id: string;
  /** File name inside the ledger's folder. */
  readonly fileName: string;
  readonly markers: readonly string[];
  read(line: unknown): LimitSnapshot[] | undefined;
  /**
   * What a journal line keeps of one reading, as JSON members to follow `"ts"` (only the figures
   * `read` uses); undefined when the reading holds none.
   */
  entry(quota: unknown): string | undefined;
}

import type { LedgerDb } from '../store/ledger-db';

/**
 * A mart: tables derived from usage_events. `apply` folds the staged batch of new events
 * (`temp.mart_batch`, see staging.ts) into the mart; applying batches one by one must give
 * the same tables as applying their union once.
 */
export interface MartBuilder {
  readonly name: string;
  /** Every table the mart owns, emptied by a rebuild. */
  readonly tables: readonly string[];
  apply(db: LedgerDb): void;
}

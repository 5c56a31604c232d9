import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../store/atomic-file';
import { claimLedgerFolder } from '../store/ledger-layout';

/** What to do with the status-line command the user had before ours. */
export type ChainMode = 'after' | 'instead' | 'off';

/** What becomes of the user's previous status line, by chain mode: the end of a sentence about it. */
export function previousLineFate(chain: ChainMode): string {
  switch (chain) {
    case 'after':
      return 'is shown below it';
    case 'instead':
      return 'is shown instead of it (the quota is still recorded)';
    case 'off':
      return 'is kept in the backup but not run';
  }
}

/** Kept beside the ledger: the set-up writes it, the status line reads it. */
export interface StatusLineConfig {
  /** The previous `statusLine.command`, if it was a command. */
  previousCommand?: string;
  chain: ChainMode;
}

const CONFIG_NAME = 'statusline.json';

export function readStatusLineConfig(ledgerDir: string): StatusLineConfig {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(ledgerDir, CONFIG_NAME), 'utf8')) as Partial<StatusLineConfig>;
    const chain = raw.chain === 'instead' || raw.chain === 'off' ? raw.chain : 'after';
    return typeof raw.previousCommand === 'string' && raw.previousCommand.trim() ? { previousCommand: raw.previousCommand, chain } : { chain };
  } catch {
    return { chain: 'after' };
  }
}

export function writeStatusLineConfig(ledgerDir: string, config: StatusLineConfig): void {
  claimLedgerFolder(ledgerDir); // the status line reads only a ledger folder
  writeFileAtomic(path.join(ledgerDir, CONFIG_NAME), Buffer.from(`${JSON.stringify(config, null, 2)}\n`));
}

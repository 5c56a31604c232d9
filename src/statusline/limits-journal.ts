import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LimitSource } from '../normalizers/limit-source';
import { servedAgent } from '../normalizers/registry';
import { claimLedgerFolder } from '../store/ledger-layout';

const TAIL_BYTES = 1024;

/** The journal of the registry's status-line agent. */
const servedJournal = (): LimitSource => servedAgent().statusLine.journal;

export function journalPath(ledgerDir: string, journal = servedJournal()): string {
  return path.join(ledgerDir, journal.fileName);
}

/**
 * Appends the quota reading a status line was handed (`StatusLineReading.quota`) to its journal
 * in the ledger's folder, as one line, unless the last line already says the same. Only the
 * figures are written (what the journal's `entry` keeps).
 */
export function journalReading(ledgerDir: string, quota: unknown, now: number, journal = servedJournal()): boolean {
  const entry = journal.entry(quota);
  if (!entry) return false;
  const file = journalPath(ledgerDir, journal);
  if (lastLine(file)?.endsWith(`,${entry}}`)) return false;
  claimLedgerFolder(ledgerDir);
  fs.appendFileSync(file, `{"ts":"${new Date(now).toISOString()}",${entry}}\n`);
  return true;
}

function lastLine(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter(Boolean);
    return lines[lines.length - 1];
  } finally {
    fs.closeSync(fd);
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { claimLedgerFolder } from '../store/ledger-layout';
import { keptRateLimits } from '../normalizers/claude-rate-limits';
import { claudeStatusLineSource } from '../normalizers/limit-source';

const TAIL_BYTES = 1024;

export function journalPath(ledgerDir: string): string {
  return path.join(ledgerDir, claudeStatusLineSource.fileName);
}

/**
 * Appends Claude Code's quota reading to the status-line journal in the ledger's folder, as
 * one line, unless the last line already says the same. Only the figures are written.
 */
export function journalReading(ledgerDir: string, rateLimits: unknown, now: number): boolean {
  const kept = keptRateLimits(rateLimits);
  if (!kept) return false;
  const file = journalPath(ledgerDir);
  const body = JSON.stringify(kept);
  if (lastLine(file)?.endsWith(`"rate_limits":${body}}`)) return false;
  claimLedgerFolder(ledgerDir);
  fs.appendFileSync(file, `{"ts":"${new Date(now).toISOString()}","rate_limits":${body}}\n`);
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

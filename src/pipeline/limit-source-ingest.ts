import * as fs from 'node:fs';
import * as path from 'node:path';
import { compactReadings, type LimitSnapshot } from '../core/limits';
import type { Logger } from '../core/log';
import type { LimitSource } from '../normalizers/limit-source';
import { LIMIT_SOURCES } from '../normalizers/registry';
import { fingerprint, identityOf } from '../sources/file-fingerprint';
import { scanLines } from '../sources/line-scanner';
import { planRead } from '../sources/read-plan';
import type { LedgerDb } from '../store/ledger-db';
import { recordLimits } from '../store/limit-store';
import { Statements } from '../store/statement-cache';
import { insertFile, loadStoredFile, saveFileMemory } from './file-ingest';

/** Reads what is new in every limit source file of the ledger's folder; returns the readings recorded. */
export function ingestLimitSources(db: LedgerDb, ledgerDir: string, log: Logger): number {
  let recorded = 0;
  const statements = new Statements(db.sql);
  try {
    for (const source of LIMIT_SOURCES) {
      try {
        recorded += db.savepoint('limit_source', () => ingestOne(db, statements, source, path.join(ledgerDir, source.fileName), log));
      } catch (error) {
        log.error(`failed to read quota readings from ${source.fileName}: ${(error as Error).message}; retried next time`);
      }
    }
  } finally {
    statements.free();
  }
  return recorded;
}

function ingestOne(db: LedgerDb, statements: Statements, source: LimitSource, file: string, log: Logger): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0; // not written yet: the status line was never run
  }
  try {
    const stat = fs.fstatSync(fd);
    const stored = loadStoredFile(db, file);
    const plan = planRead(stored, { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), identity: identityOf(stat) }, () =>
      fingerprint(fd, stored!.readOffset));
    if (plan.kind === 'unchanged') return 0;
    const readings: LimitSnapshot[] = [];
    let invalid = 0;
    const markers = source.markers.map((m) => Buffer.from(m));
    const onLine = (text: string) => {
      try {
        readings.push(...(source.read(JSON.parse(text)) ?? []));
      } catch {
        invalid++;
      }
    };
    const scan = scanLines(fd, plan.kind === 'append' ? plan.from : 0, { markers, onLine, until: stat.size });
    if (invalid) log.warn(`${file}: ${invalid} invalid lines skipped`);
    const id = stored?.id ?? insertFile(statements, file, source.id);
    saveFileMemory(statements, id, {
      size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), identity: identityOf(stat), headHash: fingerprint(fd, scan.endOffset), endOffset: scan.endOffset, state: null,
    });
    return recordLimits(statements, compactReadings(readings));
  } finally {
    fs.closeSync(fd);
  }
}

import * as fs from 'node:fs';
import type { Logger } from '../core/log';
import { RecordFlag, type UsageRecord } from '../core/usage';
import { findNormalizer } from '../normalizers/registry';
import { costNanos } from '../pricing/nanos';
import { EventWriter } from './event-writer';
import type { Ledger } from './ledger';
import { loadSqlJs } from './sqljs-loader';
import { Statements } from './statement-cache';

const REQUESTS = `SELECT r.key, r.sidechain, r.input, r.output, r.cache_write_5m, r.cache_write_1h, r.cache_read, r.reasoning,
  e.agent, e.speed, e.ts, e.flags, s.session_key, p.path, m.name
  FROM request_ledger r JOIN usage_events e ON e.id = r.origin_event_id
  JOIN dim_session s ON s.id = e.session_id JOIN dim_project p ON p.id = e.project_id JOIN dim_model m ON m.id = e.model_id
  WHERE r.retracted = 0 ORDER BY e.id`;

const SOURCE_FILES = `SELECT path, agent, size, mtime_ms, identity, head_hash, read_offset, parser_state, missing FROM source_files`;

/**
 * Brings a 0.1.0 single-file ledger (`ledger.sqlite`) into the folder layout: every request it
 * counted, with the snapshot it kept, goes through the event writer (so the same keys stay
 * exactly-once), and what was read from each transcript carries over, so nothing is read
 * twice or lost. The old file is left untouched beside the folder.
 */
export async function upgradeLegacyFile(ledger: Ledger, file: string, log: Logger): Promise<void> {
  const SQL = await loadSqlJs();
  const legacy = new SQL.Database(fs.readFileSync(file));
  const statements = new Statements(ledger.db.sql);
  try {
    const verdict = legacy.exec('PRAGMA quick_check')[0]?.values[0]?.[0];
    if (verdict !== 'ok') throw new Error(`integrity check: ${String(verdict)}`);
    const writer = new EventWriter({ months: ledger.months, index: ledger.index, statements, price: costNanos, allocateId: () => ledger.allocateId() });
    ledger.db.transaction(() => {
      forEachRow(legacy, REQUESTS, (r) => writer.write(legacyRecord(r)));
      forEachRow(legacy, SOURCE_FILES, (r) => ledger.db.run(
        `INSERT OR IGNORE INTO source_files (path, agent, size, mtime_ms, identity, head_hash, read_offset, parser_state, missing)
         VALUES (?,?,?,?,?,?,?,?,?)`, r as (string | number | null)[],
      ));
    });
    ledger.months.commitAll();
    ledger.recovery.rebuildMarts = true;
    log.info(`upgraded the 0.1.0 ledger ${file}: ${writer.counts.requests} requests carried over (the old file is left as it was)`);
  } catch (error) {
    log.error(`could not upgrade the 0.1.0 ledger ${file} (${(error as Error).message}); it is left as it was and the transcripts are read instead`);
  } finally {
    statements.free();
    legacy.close();
  }
}

function forEachRow(db: import('sql.js').Database, sql: string, visit: (row: unknown[]) => void): void {
  const statement = db.prepare(sql);
  try {
    while (statement.step()) visit(statement.get());
  } finally {
    statement.free();
  }
}

function legacyRecord(r: unknown[]): UsageRecord {
  const [key, sidechain, input, output, cw5, cw1, read, reasoning, agent, speed, ts, flags, session, project, model] = r as [
    string, number, number, number, number, number, number, number, string, string, number, number, string, string, string,
  ];
  return {
    agent,
    key,
    repeat: 'largest',
    alias: findNormalizer(agent)?.legacyAlias?.(key, sidechain === 1),
    sessionId: session,
    project,
    model,
    flags: flags & RecordFlag.ModelFallback,
    speed: speed === 'fast' ? 'fast' : 'standard',
    ts,
    tokens: { input, output, cacheWrite5m: cw5, cacheWrite1h: cw1, cacheRead: read, reasoning },
    offset: 0,
  };
}

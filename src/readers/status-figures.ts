import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlValue } from 'sql.js';
import type { LimitSnapshot } from '../core/limits';
import { DayClock } from '../core/time';
import { nanosToUsd } from '../pricing/nanos';
import { martTimeZone } from '../marts/refresh';
import { LedgerDb } from '../store/ledger-db';
import { readChecked } from '../store/ledger-files';
import { MANIFEST_FILE, STATUS_CARD_FILE } from '../store/ledger-layout';
import { latestLimits } from '../store/limit-store';
import { readManifest } from '../store/manifest';
import { loadSqlJs } from '../store/sqljs-loader';
import { figuresFromCard, type StatusCard } from './status-card';

/** What the status line shows from the saved ledger. */
export interface StatusFigures {
  /** The status line's session's cost so far (undefined: not in the ledger yet). */
  sessionUsd: number | undefined;
  /** Today's cost across agents, in the zone the ledger's days are kept in. */
  todayUsd: number | undefined;
  limits: LimitSnapshot[];
}

export const NO_FIGURES: StatusFigures = { sessionUsd: undefined, todayUsd: undefined, limits: [] };

/**
 * The status line's figures, read-only from the saved ledger's small state file (never the
 * months): nothing is migrated, saved or moved aside (a damaged file is the writer's business). The narrow entry point the status
 * line depends on, so that the store behind it can change.
 */
export async function readStatusFigures(ledgerDir: string, session: { agent: string; id: string | undefined }, now: number): Promise<StatusFigures> {
  const card = readCard(ledgerDir);
  const fromCard = card && figuresFromCard(card, session, now);
  if (fromCard) return fromCard;
  const manifest = readManifest(path.join(ledgerDir, MANIFEST_FILE));
  const bytes = manifest.ok && manifest.manifest.state.name ? readChecked(ledgerDir, manifest.manifest.state)?.bytes : undefined;
  if (!bytes) return NO_FIGURES;
  const SQL = await loadSqlJs();
  const db = new LedgerDb(new SQL.Database(bytes));
  try {
    return {
      sessionUsd: session.id ? nanos(db.scalar(`SELECT s.cost_nanos FROM session_mart s JOIN dim_session k ON k.id = s.session_id
        WHERE k.agent = ? AND k.session_key = ?`, [session.agent, session.id])) : undefined,
      todayUsd: today(db, now),
      limits: hasLimits(db) ? latestLimits(db) : [],
    };
  } finally {
    db.sql.close();
  }
}

function today(db: LedgerDb, now: number): number | undefined {
  const zone = martTimeZone(db);
  if (zone === undefined) return undefined;
  return nanos(db.scalar('SELECT COALESCE(SUM(cost_nanos), 0) FROM provider_day_mart WHERE day = ?', [new DayClock(zone).today(now)]));
}

/** A state file from before quota readings were kept has no `limit_latest`. */
function hasLimits(db: LedgerDb): boolean {
  return db.scalar("SELECT 1 FROM sqlite_master WHERE name = 'limit_latest'") !== undefined;
}

function nanos(value: SqlValue | undefined): number | undefined {
  return typeof value === 'number' ? nanosToUsd(value) : undefined;
}

/** The writer's status card (see status-card.ts); undefined when absent or unreadable. */
function readCard(ledgerDir: string): StatusCard | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(ledgerDir, STATUS_CARD_FILE), 'utf8')) as StatusCard;
  } catch {
    return undefined;
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/log';
import { DayClock } from '../core/time';
import { LedgerEngine } from '../pipeline/engine';
import { claimLedgerFolder, LOCK_FILE, MANIFEST_FILE, NotALedgerError, resolveLedgerLocation, type LedgerLocation } from '../store/ledger-layout';
import { UnreadableLedgerError } from '../store/ledger-files';
import { WriterLock } from '../store/writer-lock';
import type { IngestReport } from '../pipeline/ingest';
import { statusLineAgent } from '../normalizers/registry';
import { missingRoots } from '../sources/roots';
import { isPriced, listPrices } from '../pricing/cost';
import { displayModel, toCcusageReport } from '../readers/ccusage-format';
import type { ReportFilter } from '../readers/types';
import { blocksReport } from './blocks';
import { limitsReport } from './limits';
import { terminalSafe } from './terminal-text';
import { formatInt, formatUsd, renderTable } from './text-table';
import { UsageError, type CliOptions } from './options';

/** How long a command that must write waits for another process to release the ledger. */
const LOCK_WAIT_MS = 3_000;

/**
 * Runs one CLI command against the engine and returns what to print on stdout. Commands that
 * write take the ledger's writer lock (the one VS Code windows use); when a window holds it,
 * reports answer from its last save and commands that must write say so and fail.
 */
export async function runCli(options: CliOptions, log: Logger): Promise<string> {
  const location = locate(options.db);
  const isNew = !fs.existsSync(location.dir);
  if (options.command === 'rebuild-marts' && isNew && !location.legacyFile) {
    throw new UsageError(`there is no ledger at ${location.dir} yet: nothing to rebuild (run \`agent-ledger ingest\` first)`);
  }
  const mustWrite = options.command === 'ingest' || options.command === 'rebuild-marts' || upgradePending(location);
  const wantsWrite = mustWrite || options.ingest;
  if (wantsWrite) claim(location.dir);
  try {
    return await runLocked(location, options, mustWrite, wantsWrite, log);
  } catch (error) {
    // A run that failed before anything was saved leaves no new, empty ledger folder behind (unless
    // another process, which came in meanwhile, is writing its first save there).
    const unused = !fs.existsSync(path.join(location.dir, MANIFEST_FILE)) && !new WriterLock(path.join(location.dir, LOCK_FILE), '').owner();
    if (isNew && unused) fs.rmSync(location.dir, { recursive: true, force: true });
    throw error;
  }
}

async function runLocked(location: LedgerLocation, options: CliOptions, mustWrite: boolean, wantsWrite: boolean, log: Logger): Promise<string> {
  const lock = new WriterLock(path.join(location.dir, LOCK_FILE), `agent-ledger ${options.command}`);
  const writer = wantsWrite && (await acquire(lock, mustWrite ? LOCK_WAIT_MS : 0));
  if (wantsWrite && !writer) {
    const owner = lock.owner() ?? 'another process';
    if (mustWrite) throw new UsageError(`${owner} is updating the ledger ${location.dir}; try again once it is done`);
    log.warn(`${owner} is updating the ledger; showing its last save`);
  }
  try {
    const engine = await openEngine(location, log, !writer);
    try {
      const persist = () => {
        if (writer) saveIfStillWriter(engine, lock, location);
      };
      const output = await dispatch(engine, { ...options, ingest: options.ingest && writer }, log, persist);
      persist();
      return output;
    } finally {
      engine.close();
    }
  } finally {
    if (writer) lock.release();
  }
}

/** A 0.1.0 file waits beside a folder that has no ledger yet: the first run upgrades it. */
function upgradePending(location: LedgerLocation): boolean {
  return location.legacyFile !== undefined && !fs.existsSync(path.join(location.dir, MANIFEST_FILE));
}

function claim(dir: string): void {
  try {
    claimLedgerFolder(dir);
  } catch (error) {
    throw new UsageError(`cannot create the ledger folder ${dir}: ${(error as Error).message}`);
  }
}

function locate(db: string): LedgerLocation {
  try {
    return resolveLedgerLocation(db);
  } catch (error) {
    if (error instanceof NotALedgerError) throw new UsageError(error.message);
    throw error;
  }
}

async function acquire(lock: WriterLock, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (lock.tryAcquire()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The ledger counts days in the system's zone (the one the status line's "today" is in); a
 * report's --timezone is a view of it (see dispatch).
 */
async function openEngine(location: LedgerLocation, log: Logger, readOnly: boolean): Promise<LedgerEngine> {
  try {
    return await LedgerEngine.open({ location, log, readOnly });
  } catch (error) {
    const reason = error instanceof UnreadableLedgerError ? error.message : `cannot open ledger ${location.dir}: ${(error as Error).message}`;
    throw new UsageError(reason);
  }
}

/**
 * Saves only while the lock is still this run's: a run paused for longer than the stale time
 * (Ctrl-Z, a suspended laptop) may have been taken over by a window, and two writers would
 * commit over each other.
 */
export function saveIfStillWriter(engine: LedgerEngine, lock: WriterLock, location: LedgerLocation): void {
  if (!lock.held()) {
    throw new UsageError(`${lock.owner() ?? 'another process'} took over the ledger ${location.dir} while this run was paused; nothing was saved (run it again)`);
  }
  save(engine, location);
}

function save(engine: LedgerEngine, location: LedgerLocation): void {
  try {
    engine.save();
  } catch (error) {
    throw new UsageError(`cannot save ledger ${location.dir}: ${(error as Error).message}; the last saved copy is kept`);
  }
}

async function dispatch(engine: LedgerEngine, options: CliOptions, log: Logger, persist: () => void): Promise<string> {
  // ingest and rebuild-marts count the ledger's days in the zone asked for; a report keeps the
  // ledger's zone and shows another as a view (below), unless the ledger already counts in it.
  if (options.timeZone && (options.command === 'ingest' || options.command === 'rebuild-marts' || options.timeZone === engine.martsTimeZone)) {
    engine.setTimeZone(options.timeZone);
  }
  if (options.command === 'ingest') return describeIngest(await ingestOrFail(engine, options, log, true));
  if (options.command === 'rebuild-marts') {
    let report = engine.rebuildMarts();
    if (report.sourcesToReread) {
      // A damaged month was restored to its previous version: every agent's transcripts bring back
      // the rest (those given a folder read from it), not only the agents this command names.
      await engine.ingest({ roots: options.dirs, ledgerDir: engine.ledger.dir });
      report = engine.rebuildMarts();
    }
    return `rebuilt the marts from ${report.rows} events up to event ${report.watermark} (${report.repricedEvents} events re-priced) in ${report.seconds.toFixed(2)} s`;
  }
  if (options.command === 'prices') return prices(engine, options.json);
  if (options.ingest) await ingestOrFail(engine, options, log, false);
  else engine.bucketFor();
  if (options.timeZone && options.timeZone !== engine.timeZone) {
    persist();
    engine.viewIn(options.timeZone);
  }
  const filter: ReportFilter = { since: options.since, until: options.until, agent: options.agent };
  switch (options.command) {
    case 'daily':
    case 'monthly':
      return periodReport(engine, filter, options.command, options.json);
    case 'session':
      return sessionReport(engine, filter, options.json);
    case 'projects':
      return projectReport(engine, filter, options.json);
    case 'blocks':
      return blocksReport(engine, { agent: options.agent, active: options.active, recent: options.recent, json: options.json });
    case 'limits':
      return limitsReport(engine, options.json);
    case 'statusline':
      throw new UsageError(`statusline reads ${statusLineAgent()?.label ?? 'the agent'}'s JSON on stdin and never opens the database for writing`);
  }
}

async function ingestOrFail(engine: LedgerEngine, options: CliOptions, log: Logger, explicit: boolean): Promise<IngestReport> {
  // Agents given a folder are read from it alone; when any folder is given, only those agents;
  // else only the agent named by --agent, when one is.
  const given = Object.keys(options.dirs);
  const agents = given.length > 0 ? given : options.agent ? [options.agent] : undefined;
  const report = await engine.ingest({ roots: options.dirs, agents, ledgerDir: engine.ledger.dir });
  const hasData = engine.ledger.months.months().length > 0;
  if (report.files === 0 && (explicit || !hasData)) {
    throw new UsageError(`no transcripts found (looked in ${[...new Set(report.roots.map((r) => r.dir))].join(', ')})`);
  }
  for (const { agent, root } of missingRoots(options.dirs)) log.warn(`${root} (given by --${agent}-dir) does not exist`);
  return report;
}

function describeIngest(r: IngestReport): string {
  const mb = r.bytes / 1024 / 1024;
  return [
    `files: ${r.files} (${r.filesRead} with new data)`,
    `bytes: ${formatInt(r.bytes)} (${mb.toFixed(1)} MiB, ${(mb / Math.max(r.seconds, 1e-6)).toFixed(0)} MiB/s)`,
    `events: ${formatInt(r.requests)} new requests, ${formatInt(r.grown)} grown, ${formatInt(r.duplicates)} duplicates skipped, ${formatInt(r.replicaReplays)} replayed copies skipped`,
    `invalid lines: ${r.invalidLines}`,
    `seconds: ${r.seconds.toFixed(3)}`,
  ].join('\n');
}

function periodReport(engine: LedgerEngine, filter: ReportFilter, grain: 'daily' | 'monthly', json: boolean): string {
  const key = grain === 'daily' ? 'date' : 'month';
  const report = toCcusageReport(engine.readers.dailyByModel(filter), key, isPriced);
  if (json) return JSON.stringify({ [grain]: report.rows, totals: report.totals }, null, 2);
  // A model without a price counts at $0: marked, and named below the table.
  const unpriced = new Set(report.totals.unpricedModels ?? []);
  const rows = report.rows.map((r) => [
    (r as Record<string, string>)[key]!, r.modelsUsed.map((m) => (unpriced.has(m) ? `${m}*` : m)).join(', '), formatInt(r.inputTokens), formatInt(r.outputTokens),
    formatInt(r.cacheCreationTokens), formatInt(r.cacheReadTokens), formatInt(r.totalTokens), formatUsd(r.totalCost),
  ]);
  const t = report.totals;
  rows.push(['Total', '', formatInt(t.inputTokens), formatInt(t.outputTokens), formatInt(t.cacheCreationTokens),
    formatInt(t.cacheReadTokens), formatInt(t.totalTokens), formatUsd(t.totalCost)]);
  return renderTable(
    [key === 'date' ? 'Date' : 'Month', 'Models', 'Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost (USD)'],
    rows, [false, false, true, true, true, true, true, true],
  ) + `\n(days in ${engine.timeZone})` +
    (unpriced.size ? `\n* no price in the table, counted at $0: ${[...unpriced].map(terminalSafe).join(', ')} (see \`agent-ledger prices\`)` : '');
}

function sessionReport(engine: LedgerEngine, filter: ReportFilter, json: boolean): string {
  const sessions = engine.readers.sessions(filter, { orderBy: 'recent' });
  if (json) return JSON.stringify({ sessions }, null, 2);
  const clock = new DayClock(engine.timeZone);
  return renderTable(
    ['Session', 'Agent', 'Project', 'Last activity', 'Model', 'Total tokens', 'Cost (USD)'],
    sessions.map((s) => [s.sessionId, s.agent, s.project, clock.minuteOf(s.lastTs), s.primaryModel, formatInt(s.totalTokens), formatUsd(s.costUsd)]),
    [false, false, false, false, false, true, true],
  ) + `\n(times in ${engine.timeZone})`;
}

function projectReport(engine: LedgerEngine, filter: ReportFilter, json: boolean): string {
  const projects = engine.readers.projects(filter);
  if (json) return JSON.stringify({ projects }, null, 2);
  return renderTable(
    ['Project', 'Sessions', 'Model', 'Total tokens', 'Cost (USD)'],
    projects.map((p) => [p.project, formatInt(p.sessions), p.primaryModel, formatInt(p.totalTokens), formatUsd(p.costUsd)]),
    [false, true, false, true, true],
  );
}

function prices(engine: LedgerEngine, json: boolean): string {
  const table = listPrices();
  const unpriced = engine.readers.unpricedModels();
  if (json) return JSON.stringify({ prices: table, unpricedModels: unpriced }, null, 2);
  const rate = (n: number) => n.toFixed(n < 1 ? 4 : 2).replace(/0+$/, '').replace(/\.$/, '');
  const text = renderTable(
    ['Model', 'Input', 'Output', 'Write 5m', 'Write 1h', 'Read', 'Tier', 'Fast ×'],
    table.map((p) => [p.model, rate(p.input), rate(p.output), rate(p.cacheWrite5m), rate(p.cacheWrite1h), rate(p.cacheRead),
      p.tier ? `>${formatInt(p.tier.threshold)}` : '', String(p.fastMultiplier)]),
    [false, true, true, true, true, true, false, true],
  );
  const missing = unpriced.length
    ? `\n\nUnpriced models seen (counted at $0):\n${unpriced.map((u) => `  ${terminalSafe(displayModel(u.model, 'standard'))}  ${formatInt(u.totalTokens)} tokens, ${u.firstDay} … ${u.lastDay}`).join('\n')}`
    : '\n\nNo unpriced models seen.';
  return `USD per million tokens\n${text}${missing}`;
}

import type { Logger } from '../core/log';
import { LedgerEngine } from '../pipeline/engine';
import type { IngestReport } from '../pipeline/ingest';
import { isPriced, listPrices } from '../pricing/cost';
import { displayModel, toCcusageReport } from '../readers/ccusage-format';
import type { ReportFilter } from '../readers/types';
import { terminalSafe } from './terminal-text';
import { formatInt, formatUsd, renderTable } from './text-table';
import { UsageError, type CliOptions } from './options';

/** Runs one CLI command against the engine and returns what to print on stdout. */
export async function runCli(options: CliOptions, log: Logger): Promise<string> {
  let engine: LedgerEngine;
  try {
    engine = await LedgerEngine.open({ dbFile: options.db, timeZone: options.timeZone, log });
  } catch (error) {
    throw new UsageError(`cannot open database ${options.db}: ${(error as Error).message}`);
  }
  try {
    const output = await dispatch(engine, options);
    try {
      engine.save();
    } catch (error) {
      throw new UsageError(`cannot save database ${options.db}: ${(error as Error).message}`);
    }
    return output;
  } finally {
    engine.close();
  }
}

async function dispatch(engine: LedgerEngine, options: CliOptions): Promise<string> {
  if (options.command === 'ingest') return describeIngest(await ingestOrFail(engine, options, true));
  if (options.command === 'rebuild-marts') {
    const report = engine.rebuildMarts();
    return `rebuilt ${report.refreshed.length} marts up to event ${report.watermark} (${report.repricedEvents} events re-priced) in ${report.seconds.toFixed(2)} s`;
  }
  if (options.command === 'prices') return prices(engine, options.json);
  if (options.ingest) await ingestOrFail(engine, options, false);
  const filter: ReportFilter = { since: options.since, until: options.until, agent: options.agent };
  switch (options.command) {
    case 'daily':
    case 'monthly':
      return periodReport(engine, filter, options.command, options.json);
    case 'session':
      return sessionReport(engine, filter, options.json);
    case 'projects':
      return projectReport(engine, filter, options.json);
  }
}

async function ingestOrFail(engine: LedgerEngine, options: CliOptions, explicit: boolean): Promise<IngestReport> {
  const roots = {
    ...(options.claudeDirs.length ? { claude: options.claudeDirs } : {}),
    ...(options.codexDirs.length ? { codex: options.codexDirs } : {}),
  };
  const onlyGiven = options.claudeDirs.length || options.codexDirs.length;
  const agents = onlyGiven ? [...(options.claudeDirs.length ? ['claude' as const] : []), ...(options.codexDirs.length ? ['codex' as const] : [])] : undefined;
  const report = await engine.ingest({ roots, agents });
  const hasData = engine.db.scalar('SELECT 1 FROM usage_events LIMIT 1') !== undefined;
  if (report.files === 0 && (explicit || !hasData)) {
    throw new UsageError(`no transcripts found (looked in ${report.roots.map((r) => r.dir).join(', ')})`);
  }
  return report;
}

function describeIngest(r: IngestReport): string {
  const mb = r.bytes / 1024 / 1024;
  return [
    `files: ${r.files} (${r.filesRead} with new data)`,
    `bytes: ${formatInt(r.bytes)} (${mb.toFixed(1)} MiB, ${(mb / Math.max(r.seconds, 1e-6)).toFixed(0)} MiB/s)`,
    `events: ${formatInt(r.requests)} new requests, ${formatInt(r.grown)} grown, ${formatInt(r.duplicates)} duplicates skipped, ${formatInt(r.sidechainReplays)} sidechain replays skipped`,
    `invalid lines: ${r.invalidLines}`,
    `seconds: ${r.seconds.toFixed(3)}`,
  ].join('\n');
}

function periodReport(engine: LedgerEngine, filter: ReportFilter, grain: 'daily' | 'monthly', json: boolean): string {
  const key = grain === 'daily' ? 'date' : 'month';
  const report = toCcusageReport(engine.readers.dailyByModel(filter), key, isPriced);
  if (json) return JSON.stringify({ [grain]: report.rows, totals: report.totals }, null, 2);
  const rows = report.rows.map((r) => [
    (r as Record<string, string>)[key]!, r.modelsUsed.join(', '), formatInt(r.inputTokens), formatInt(r.outputTokens),
    formatInt(r.cacheCreationTokens), formatInt(r.cacheReadTokens), formatInt(r.totalTokens), formatUsd(r.totalCost),
  ]);
  const t = report.totals;
  rows.push(['Total', '', formatInt(t.inputTokens), formatInt(t.outputTokens), formatInt(t.cacheCreationTokens),
    formatInt(t.cacheReadTokens), formatInt(t.totalTokens), formatUsd(t.totalCost)]);
  return renderTable(
    [key === 'date' ? 'Date' : 'Month', 'Models', 'Input', 'Output', 'Cache write', 'Cache read', 'Total tokens', 'Cost (USD)'],
    rows, [false, false, true, true, true, true, true, true],
  ) + `\n(days in ${engine.timeZone})`;
}

function sessionReport(engine: LedgerEngine, filter: ReportFilter, json: boolean): string {
  const sessions = engine.readers.sessions(filter, { orderBy: 'recent' });
  if (json) return JSON.stringify({ sessions }, null, 2);
  return renderTable(
    ['Session', 'Agent', 'Project', 'Last activity', 'Model', 'Total tokens', 'Cost (USD)'],
    sessions.map((s) => [s.sessionId, s.agent, s.project, new Date(s.lastTs).toISOString().slice(0, 16).replace('T', ' '),
      s.primaryModel, formatInt(s.totalTokens), formatUsd(s.costUsd)]),
    [false, false, false, false, false, true, true],
  );
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

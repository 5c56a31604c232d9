import * as path from 'node:path';
import type { Logger, RepeatedWarnings } from '../core/log';
import type { AgentId } from '../core/usage';
import { fileSetsOf, type AnyNormalizer, type FileSet } from '../normalizers/agent-normalizer';
import { NORMALIZERS, normalizerFor } from '../normalizers/registry';
import { belongs, listTranscripts, rootExists, sortForReading, type TranscriptFile } from '../sources/file-listing';
import { resolveRoots, type TranscriptRoot } from '../sources/roots';
import { EventWriter, zeroCounts, type PriceRequest, type WriteCounts } from '../store/event-writer';
import type { Ledger } from '../store/ledger';
import { Statements } from '../store/statement-cache';
import { loadStoredFile, loadStoredFiles, planFile, recordFile, type FilePlan } from './file-ingest';
import { ingestLimitSources } from './limit-source-ingest';
import { parseByKind } from './parse-dispatch';
import type { ParseResult } from './parse-file';
import { ParsePool } from './parse-pool';

export interface IngestOptions {
  /** Roots per agent, replacing its environment variables and defaults; an agent absent here uses those. */
  roots?: Partial<Record<AgentId, readonly string[]>>;
  /** Roots per agent read besides its environment variables or defaults (the `extraRoots` setting). */
  extraRoots?: Partial<Record<AgentId, readonly string[]>>;
  /** The editors' globalStorage folders (VS Code extensions' task stores); the usual ones of this platform when absent. */
  editorStorageRoots?: readonly string[];
  /** Agents to read; all when absent. */
  agents?: readonly AgentId[];
  /** Only these files (e.g. what a watcher reported); every file under the roots when absent. */
  onlyPaths?: ReadonlySet<string>;
  signal?: AbortSignal;
  /** Parser threads for large reads; 0 keeps parsing on this thread. Default: cores − 1. */
  workers?: number;
  /** Bytes to read from which parsing moves to threads. Default 32 MiB. */
  threadedFromBytes?: number;
  onProgress?: (progress: IngestProgress) => void;
  env?: NodeJS.ProcessEnv;
  /** The ledger's folder: its quota-reading files (the status line's) are read too, on every run. */
  ledgerDir?: string;
  /** Warnings about files and folders skipped, said once across passes (a long-running writer's). */
  skipped?: RepeatedWarnings;
}

export interface IngestProgress {
  filesDone: number;
  filesTotal: number;
  bytes: number;
}

export interface IngestReport extends WriteCounts {
  roots: TranscriptRoot[];
  /** Roots that exist (hold a transcript folder). */
  rootsFound: number;
  files: number;
  filesRead: number;
  bytes: number;
  invalidLines: number;
  cancelled: boolean;
  seconds: number;
  /** Quota readings recorded from the ledger folder's limit sources. */
  limitReadings: number;
}

interface Job {
  normalizer: AnyNormalizer;
  file: TranscriptFile;
}

/**
 * Sources → normalizers → store: one state transaction for the run (a file
 * that fails is undone alone and retried next time). Yields to the event loop between files,
 * so the extension host stays responsive, and stops cleanly between files on cancel.
 */
export async function ingest(ledger: Ledger, price: PriceRequest, log: Logger, options: IngestOptions = {}): Promise<IngestReport> {
  const started = performance.now();
  const db = ledger.db;
  // Only whole passes say a skip once: a watcher's pass over a few files cannot tell a skip has ended.
  const planLog = options.skipped && !options.onlyPaths ? options.skipped.logger() : log;
  const { jobs, roots, rootsFound } = planJobs(planLog, options);
  const report: IngestReport = {
    roots, rootsFound, files: jobs.length, filesRead: 0, bytes: 0, invalidLines: 0, cancelled: false, seconds: 0, limitReadings: 0,
    ...zeroCounts(),
  };
  const stored = options.onlyPaths ? undefined : loadStoredFiles(db);
  const plans = jobs.map((job) => planFile(stored ? stored.get(job.file.path) : loadStoredFile(db, job.file.path), job.normalizer, job.file, planLog));
  const reads = new ReadAhead(plans, options.workers, options.threadedFromBytes ?? THREADED_READ_BYTES, log);
  const statements = new Statements(db.sql);
  const writer = new EventWriter({ months: ledger.months, index: ledger.index, statements, price, allocateId: () => ledger.allocateId() });
  let lastYield = performance.now();
  db.run('BEGIN');
  try {
    for (let i = 0; i < jobs.length; i++) {
      if (options.signal?.aborted) {
        report.cancelled = true;
        break;
      }
      const plan = plans[i]!;
      if (plan.read) {
        try {
          const result = await reads.result(i);
          const outcome = recordFile(statements, writer, jobs[i]!.file, plan, result, log);
          if (outcome.bytes > 0) report.filesRead++;
          report.bytes += outcome.bytes;
          report.invalidLines += outcome.invalidLines;
          report.limitReadings += outcome.limitReadings ?? 0;
        } catch (error) {
          // What was written stays (every row is a counted snapshot); the offset did not move, so the
          // file is read again next time and the request index keeps that from counting anything twice.
          log.error(`failed to ingest ${jobs[i]!.file.path}: ${(error as Error).message}; it will be retried next time`);
        }
      }
      options.onProgress?.({ filesDone: i + 1, filesTotal: jobs.length, bytes: report.bytes });
      if (performance.now() - lastYield > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    if (options.ledgerDir && !report.cancelled) report.limitReadings += ingestLimitSources(db, options.ledgerDir, log);
    if (!options.onlyPaths && !report.cancelled) options.skipped?.passEnded();
  } finally {
    addCounts(report, writer.counts);
    statements.free();
    db.run('COMMIT');
    ledger.months.commitAll();
    await reads.close();
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Below this many bytes to read, parsing stays on the main thread (no thread start-up cost). */
const THREADED_READ_BYTES = 32 * 1024 * 1024;
const READ_AHEAD_FILES = 48;

/**
 * Parses the files to read, in order: on worker threads, a few files ahead of the writer,
 * when there is much to read; else on this thread when asked.
 */
class ReadAhead {
  private readonly pool: ParsePool | undefined;
  private readonly inFlight = new Map<number, Promise<ParseResult>>();
  private next = 0;

  constructor(private readonly plans: FilePlan[], workers: number | undefined, threadedFromBytes: number, log: Logger) {
    const bytes = plans.reduce((n, p) => n + (p.read ? p.bytes : 0), 0);
    this.pool = workers !== 0 && bytes >= threadedFromBytes ? new ParsePool(workers, (m) => log.warn(m)) : undefined;
  }

  result(index: number): Promise<ParseResult> {
    const plan = this.plans[index]!;
    if (!plan.read) throw new Error('nothing to read');
    if (!this.pool || (plan.request.kind ?? 'lines') !== 'lines') return parseByKind(plan.request);
    this.fill(index);
    const result = this.inFlight.get(index)!;
    this.inFlight.delete(index);
    return result;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private fill(index: number): void {
    this.next = Math.max(this.next, index);
    while (this.next < this.plans.length && this.inFlight.size < READ_AHEAD_FILES) {
      const plan = this.plans[this.next]!;
      if (plan.read && (plan.request.kind ?? 'lines') === 'lines') this.inFlight.set(this.next, this.pool!.parse(plan.request));
      this.next++;
    }
  }
}

/** Every file to read: each agent's files in its reading order across all its folders, the agents interleaved. */
function planJobs(log: Logger, options: IngestOptions): { jobs: Job[]; roots: TranscriptRoot[]; rootsFound: number } {
  const byAgent = new Map<AnyNormalizer, TranscriptFile[]>();
  const roots = transcriptRoots(options);
  let rootsFound = 0;
  for (const root of roots) {
    if (!rootExists(root)) continue;
    rootsFound++;
    const normalizer = normalizerFor(root.agent);
    const set = fileSetsOf(normalizer)[root.set]!;
    const files = options.onlyPaths ? filesUnder(root, set, options.onlyPaths) : listTranscripts(root, set, log);
    byAgent.set(normalizer, [...(byAgent.get(normalizer) ?? []), ...files]);
  }
  const jobs = interleave([...byAgent].map(([normalizer, files]) =>
    sortForReading(files, (relative) => normalizer.fileRank(relative)).map((file) => ({ normalizer, file }))));
  return { jobs, roots, rootsFound };
}

/**
 * Lists merged so that each keeps its order and all reach their ends together. The writer's
 * work per file differs by agent (one records quota readings, another none): reading agent by
 * agent left it idle during one and behind the parser during the other.
 */
export function interleave<T>(lists: readonly T[][]): T[] {
  const placed = lists.flatMap((list, which) => list.map((item, i) => ({ item, which, at: (i + 0.5) / list.length })));
  return placed.sort((a, b) => a.at - b.at || a.which - b.which).map((p) => p.item);
}

/** Every folder to read (or watch) for the agents in force, per file set. */
export function transcriptRoots(options: Pick<IngestOptions, 'roots' | 'extraRoots' | 'editorStorageRoots' | 'agents' | 'env'>): TranscriptRoot[] {
  return NORMALIZERS.filter((n) => !options.agents || options.agents.includes(n.agent)).flatMap((normalizer) =>
    resolveRoots(normalizer.agent, fileSetsOf(normalizer), {
      explicit: options.roots?.[normalizer.agent],
      extra: options.extraRoots?.[normalizer.agent],
      editorStorageRoots: options.editorStorageRoots,
      env: options.env,
    }),
  );
}

/**
 * The given paths that belong to this folder's file set, without listing the folder. A
 * database's `-wal` stands for the database (writing there leaves the main file untouched).
 */
function filesUnder(root: TranscriptRoot, set: FileSet, paths: ReadonlySet<string>): TranscriptFile[] {
  const candidates = new Set([...paths].map((p) => (root.kind === 'sqlite' ? p.replace(/-(wal|shm)$/, '') : p)));
  return [...candidates]
    .filter((p) => belongs(set, root.dir, p))
    .map((p) => ({ root, path: p, relative: path.relative(root.root, p) }));
}

function addCounts(into: WriteCounts, from: WriteCounts): void {
  into.requests += from.requests;
  into.grown += from.grown;
  into.duplicates += from.duplicates;
  into.replicaReplays += from.replicaReplays;
  into.retracted += from.retracted;
}

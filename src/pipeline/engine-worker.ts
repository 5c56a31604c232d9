/** The engine thread's entry: one LiveLedger, driven by messages from the extension host. */
import { parentPort } from 'node:worker_threads';
import type { Logger } from '../core/log';
import { limitsView } from '../readers/limits-view';
import { panelSnapshot } from '../ui/panel-snapshot';
import { statusSnapshot } from '../ui/status-snapshot';
import type { EngineEvent, EngineInit, EngineRequests, HostMessage, RequestType, WorkerMessage } from './engine-protocol';
import { LiveLedger } from './live-ledger';

const port = parentPort!;
let live: LiveLedger | undefined;
let indexing: AbortController | undefined;

const post = (message: WorkerMessage) => port.postMessage(message);
const emit = (event: EngineEvent) => post({ kind: 'event', event });

const log: Logger = {
  debug: (message) => emit({ type: 'log', level: 'debug', message }),
  info: (message) => emit({ type: 'log', level: 'info', message }),
  warn: (message) => emit({ type: 'log', level: 'warn', message }),
  error: (message) => emit({ type: 'log', level: 'error', message }),
};

type Handlers = { [K in RequestType]: (args: EngineRequests[K]['args']) => Promise<EngineRequests[K]['result']> | EngineRequests[K]['result'] };

const handlers: Handlers = {
  status: ({ workspaceFolders }) =>
    live?.engine
      ? {
        ...statusSnapshot(live.engine.readers, workspaceFolders),
        ...(live.readingPaused ? { readingPaused: true } : {}),
        ...(live.foldersNotFound ? { noFolders: true } : {}),
        ...(live.awaitingFirstSave ? { awaitingFirstSave: true } : {}),
      }
      : undefined,
  panel: ({ filter }) => {
    if (!live?.engine) return undefined;
    const foldersNotFound = live.foldersNotFound;
    return { ...panelSnapshot(live.engine.readers, filter), ...(foldersNotFound ? { foldersNotFound } : {}) };
  },
  limits: ({ options }) => (live?.engine ? limitsView(live.engine.ledger, Date.now(), options) : undefined),
  refresh: async () => {
    const report = await live?.refreshNow();
    return report ? { requests: report.requests } : undefined;
  },
  rebuild: async () =>
    live ? live.rebuildMarts((stage, done, total) => emit({ type: 'rebuildProgress', stage, done, total })) : { ok: false, reason: 'the ledger is not open yet' },
  setTimeZone: ({ zone }) => live?.setTimeZone(zone),
  reconfigure: ({ ingest }) => live?.reconfigure(ingest),
  cancelIndexing: () => indexing?.abort(),
  dispose: async () => {
    await live?.dispose();
    live = undefined;
  },
};

/**
 * Opens the ledger; any failure (a folder that is not a ledger, an unreadable file) is logged once
 * (by the live ledger's queue, or here) and reported as `fatal`.
 */
async function start(init: EngineInit): Promise<void> {
  indexing = new AbortController();
  try {
    try {
      live = new LiveLedger({ ledgerDir: init.ledgerDir, timeZone: init.timeZone, log, ingest: init.ingest });
    } catch (error) {
      log.error(`could not open the ledger: ${(error as Error).message}`);
      throw error;
    }
    live.on('changed', () => emit({ type: 'changed' }));
    live.on('role', (role) => emit({ type: 'role', role }));
    live.on('progress', (progress) => emit({ type: 'progress', progress }));
    await live.start(indexing.signal);
    if (live.readingPaused) log.warn('first read cancelled: what was read is kept; the rest is read when you run Refresh Now (files that change are still read)');
    emit({ type: 'ready', role: live.role });
  } catch (error) {
    emit({ type: 'fatal', message: (error as Error).message });
    await live?.dispose().catch(() => undefined); // its writer lock goes now, not when it turns stale
  } finally {
    indexing = undefined;
  }
}

port.on('message', (message: HostMessage) => {
  if (message.kind === 'init') {
    void start(message.init);
    return;
  }
  const handler = handlers[message.type] as (args: unknown) => unknown;
  // A failed request, or a reply that cannot be sent (a value that cannot be cloned), answers with
  // its error; if even that cannot be sent, the port is gone and there is no one to tell.
  Promise.resolve()
    .then(() => handler(message.args))
    .then((value) => post({ kind: 'reply', id: message.id, ok: true, value }))
    .catch((error: Error) => post({ kind: 'reply', id: message.id, ok: false, message: error.message }))
    .catch(() => undefined);
});

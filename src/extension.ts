import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from './core/log';
import { EngineClient } from './pipeline/engine-client';
import type { EngineEvent, EngineRequests } from './pipeline/engine-protocol';
import type { Role } from './pipeline/live-ledger';
import type { PanelData } from './protocol/panel-protocol';
import type { LimitsView } from './readers/limit-types';
import { CommandId, FAILED_CONTEXT_KEY, INDEXING_CONTEXT_KEY, PANEL_VIEW_TYPE } from './ui/command-ids';
import { CostPanel, type PanelHost } from './ui/cost-panel';
import { exportView } from './ui/export-view';
import { LimitsUi } from './ui/limits-ui';
import { createLogChannel } from './ui/log-channel';
import { ingestOptionsOf, readSettings, SECTION, type Settings } from './ui/settings';
import { SpendStatusBar } from './ui/status-bar';
import type { StatusSnapshot } from './ui/status-snapshot';

/** The engine's read-only questions: what the API lets others ask (never to save, rebuild or stop). */
const QUERIES = ['status', 'panel', 'limits'] as const;

export interface LedgerQueries {
  request<K extends (typeof QUERIES)[number]>(type: K, args: EngineRequests[K]['args']): Promise<EngineRequests[K]['result']>;
}

/** What activate() returns: a small, read-only API for integration tests and other extensions. */
export interface AgentLedgerApi {
  engine(): LedgerQueries;
  statusBarText(): string;
  panelData(): PanelData | undefined;
  /** Resolves when the engine thread has opened the ledger (and, as the writer, read everything once). */
  ready(): Promise<void>;
  /** Quota notifications shown in this session. */
  limitAlertsShown(): readonly string[];
}

let running: EngineClient | undefined;

/** Wiring only: the ledger lives on the engine thread, which opens it after activation returns. */
export function activate(context: vscode.ExtensionContext): AgentLedgerApi {
  const { channel, logger } = createLogChannel();
  let settings: Settings = readSettings(logger);
  warnOfInvalidTimeZone(settings);
  const statusBar = new SpendStatusBar();
  const ledgerDir = path.join(context.globalStorageUri.fsPath, 'ledger');
  const engine = new EngineClient({
    ledgerDir,
    timeZone: settings.timeZone,
    ingest: ingestOptionsOf(settings, path.dirname(context.globalStorageUri.fsPath)),
  });
  running = engine;
  const state: EngineState = { ready: false, role: 'starting', failure: undefined };
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const limits = new LimitsUi({
    context, log: logger, storageDir: context.globalStorageUri.fsPath, ledgerDir, settings: () => settings.limits,
    view: (options) => (state.ready ? engine.request('limits', { options }) : Promise.resolve(undefined)),
  });

  /** Every request the host fires and forgets fails at most into the log, never into an unhandled rejection. */
  const fire = (what: string, work: Promise<unknown>) => void work.catch((error: Error) => logger.error(`${what} failed: ${error.message}`));
  const workspaceFolders = () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const render = async () => {
    if (!state.ready) return;
    let quota: LimitsView | undefined;
    try {
      let snapshot: StatusSnapshot | undefined;
      [snapshot, quota] = await Promise.all([engine.request('status', { workspaceFolders: workspaceFolders() }), limits.view()]);
      if (snapshot) {
        statusBar.showSpend(snapshot, {
          shows: settings.statusBarShows, budget: settings.dailyBudget, limits: settings.limits.statusBar ? quota : undefined, reading: state.role === 'reader',
        });
      }
      // One window tells: the one updating the ledger (others would repeat it before globalState syncs).
      if (state.role !== 'reader') limits.notify(quota);
    } catch (error) {
      logger.error(`status bar update failed: ${(error as Error).message}`);
    }
    CostPanel.refreshOpen(quota);
  };

  engine.on('event', (event) => onEngineEvent(event, state, { logger, statusBar, channel, render: () => void render(), markReady }));
  engine.on('exit', (code) => {
    if (code === 0) return;
    logger.error(`the engine thread stopped (exit code ${code})`);
    failed(state, `Agent Ledger's engine stopped (exit code ${code}); reload the window to start it again`, statusBar, channel);
  });

  const host: PanelHost = {
    extensionUri: context.extensionUri,
    panelData: (filter) => {
      if (state.failure) return Promise.reject(new Error(state.failure));
      return state.ready ? engine.request('panel', { filter }) : Promise.resolve(undefined);
    },
    limits: () => limits.view(),
    refresh: async () => void (await engine.request('refresh', {})),
    exportView,
    showLog: () => channel.show(),
    log: logger,
  };

  context.subscriptions.push(
    channel,
    statusBar,
    { dispose: () => void engine.dispose().catch(() => undefined) },
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, CostPanel.serializer(host)),
    vscode.commands.registerCommand(CommandId.OpenPanel, () => CostPanel.show(host)),
    vscode.commands.registerCommand(CommandId.ShowLog, () => channel.show()),
    vscode.commands.registerCommand(CommandId.Refresh, () => refreshNow(engine, state, logger, channel)),
    vscode.commands.registerCommand(CommandId.CancelIndexing, () => fire('Cancel Indexing', engine.request('cancelIndexing', {}))),
    vscode.commands.registerCommand(CommandId.ExportCsv, () => exportView('csv', CostPanel.currentData())),
    vscode.commands.registerCommand(CommandId.ExportJson, () => exportView('json', CostPanel.currentData())),
    vscode.commands.registerCommand(CommandId.RebuildMarts, () => (state.failure ? showFailure(state.failure, channel) : rebuildWithProgress(engine, logger, channel))),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      const previous = settings;
      settings = readSettings(logger);
      if (settings.invalidTimeZone !== previous.invalidTimeZone) warnOfInvalidTimeZone(settings);
      if (settings.timeZone !== previous.timeZone) fire('changing the time zone', engine.request('setTimeZone', { zone: settings.timeZone }));
      limits.applySettings();
      if (JSON.stringify([settings.enabled, settings.extraRoots]) !== JSON.stringify([previous.enabled, previous.extraRoots])) {
        fire('applying the settings', engine.request('reconfigure', { ingest: ingestOptionsOf(settings, path.dirname(context.globalStorageUri.fsPath)) }));
      }
      void render();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void render()),
  );
  void vscode.commands.executeCommand('setContext', INDEXING_CONTEXT_KEY, true);
  return {
    engine: () => ({ request: (type, args) => ((QUERIES as readonly string[]).includes(type) ? engine.request(type, args) : Promise.reject(new Error(`${type} is not a query`))) }),
    statusBarText: () => statusBar.text, panelData: () => CostPanel.currentData(), ready: () => ready,
    limitAlertsShown: () => limits.shown,
  };
}

/** What the host knows of its engine thread. */
interface EngineState {
  /** The ledger is open (and, in the writer, was read once): queries can be answered. */
  ready: boolean;
  /** Whether this window updates the ledger or shows another window's saves. */
  role: Role;
  /** Why the engine cannot answer, once it failed to start or stopped. */
  failure: string | undefined;
}

interface EventSinks {
  logger: Logger;
  statusBar: SpendStatusBar;
  channel: vscode.OutputChannel;
  render(): void;
  markReady(): void;
}

function onEngineEvent(event: EngineEvent, state: EngineState, sinks: EventSinks): void {
  switch (event.type) {
    case 'log':
      sinks.logger[event.level](event.message);
      break;
    case 'ready':
      void vscode.commands.executeCommand('setContext', INDEXING_CONTEXT_KEY, false);
      state.ready = true;
      state.role = event.role;
      sinks.markReady();
      sinks.render();
      break;
    case 'role':
      state.role = event.role;
      sinks.render();
      break;
    case 'changed':
      sinks.render();
      break;
    case 'progress':
      // Only the first indexing reports progress; once the ledger answers, the spend stays shown.
      if (event.progress && !state.ready) {
        const { filesDone, filesTotal } = event.progress;
        sinks.statusBar.showIndexing(filesTotal ? Math.floor((100 * filesDone) / filesTotal) : 0);
      }
      break;
    case 'rebuildProgress':
      rebuildProgress?.(event);
      break;
    case 'fatal':
      // The engine logged the cause; the user is told it where they look.
      failed(state, `Agent Ledger could not open its ledger: ${event.message}`, sinks.statusBar, sinks.channel);
      break;
  }
}

/**
 * The engine will not answer: say so once in a notification and in the status bar, in an open
 * panel, and whenever a command needs it; stop offering the commands that do.
 */
function failed(state: EngineState, reason: string, statusBar: SpendStatusBar, channel: vscode.OutputChannel): void {
  if (state.failure) return;
  state.failure = reason;
  statusBar.showError(reason);
  void vscode.commands.executeCommand('setContext', INDEXING_CONTEXT_KEY, false);
  void vscode.commands.executeCommand('setContext', FAILED_CONTEXT_KEY, true);
  CostPanel.refreshOpen(); // an open panel stops waiting and says so
  void showFailure(reason, channel);
}

/** The engine cannot answer: the reason, with the log and a reload (which starts the engine again) a click away. */
function showFailure(reason: string, channel: vscode.OutputChannel): Promise<void> {
  return errorNotice(`${reason}.`, channel, true);
}

async function errorNotice(message: string, channel: vscode.OutputChannel, offerReload = false): Promise<void> {
  const showLog = 'Show Log';
  const reload = 'Reload Window';
  const choice = await vscode.window.showErrorMessage(message, showLog, ...(offerReload ? [reload] : []));
  if (choice === showLog) channel.show();
  else if (choice === reload) await vscode.commands.executeCommand('workbench.action.reloadWindow');
}

/** A time zone setting that is not an IANA zone is said where it was set, not only in the log. */
function warnOfInvalidTimeZone(settings: Settings): void {
  if (!settings.invalidTimeZone) return;
  const open = 'Open Settings';
  const message = `Agent Ledger: "${settings.invalidTimeZone}" is not an IANA time zone (like Europe/Paris); days follow the system's zone, ${settings.timeZone}.`;
  void (async () => {
    if ((await vscode.window.showWarningMessage(message, open)) === open) {
      await vscode.commands.executeCommand('workbench.action.openSettings', `@id:${SECTION}.timeZone`);
    }
  })().catch(() => undefined);
}

/** Refresh Now: the updating window reads every agent's files; another window reloads that window's last save. */
async function refreshNow(engine: EngineClient, state: EngineState, logger: Logger, channel: vscode.OutputChannel): Promise<{ requests: number } | undefined> {
  if (state.failure) {
    void showFailure(state.failure, channel);
    return undefined;
  }
  try {
    const read = await engine.request('refresh', {});
    if (state.role === 'reader') {
      void vscode.window.showInformationMessage('Agent Ledger: another VS Code window is updating the ledger; this window now shows its latest save.');
    }
    return read;
  } catch (error) {
    logger.error(`Refresh Now failed: ${(error as Error).message}`);
    void errorNotice(`Agent Ledger: Refresh Now failed: ${(error as Error).message}.`, channel);
    return undefined;
  }
}

let rebuildProgress: ((event: Extract<EngineEvent, { type: 'rebuildProgress' }>) => void) | undefined;

async function rebuildWithProgress(engine: EngineClient, logger: Logger, channel: vscode.OutputChannel): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Agent Ledger: rebuilding marts' },
    async (progress) => {
      CostPanel.postBusy(true, 'Rebuilding marts…');
      let reported = 0;
      rebuildProgress = (e) => {
        const overall = (100 * e.done) / Math.max(1, e.total);
        progress.report({ message: `re-pricing and summing month ${e.done} of ${e.total}`, increment: overall - reported });
        reported = overall;
      };
      try {
        const outcome = await engine.request('rebuild', {});
        if (!outcome.ok) {
          void vscode.window.showWarningMessage(`Agent Ledger: ${outcome.reason}.`);
          return;
        }
        const { report } = outcome;
        logger.info(`rebuilt marts up to event ${report.watermark}; ${report.repricedEvents} events re-priced (${report.seconds.toFixed(2)} s)`);
        void vscode.window.showInformationMessage(`Agent Ledger: marts rebuilt and saved in ${report.seconds.toFixed(1)} s.`);
      } catch (error) {
        logger.error(`Rebuild Marts failed: ${(error as Error).message}`);
        void errorNotice(`Agent Ledger: Rebuild Marts failed: ${(error as Error).message}.`, channel);
      } finally {
        rebuildProgress = undefined;
        CostPanel.postBusy(false);
      }
    },
  );
}

/** Saves pending work and releases the writer lock so another window can take over at once. */
export async function deactivate(): Promise<void> {
  await running?.dispose().catch(() => undefined);
  running = undefined;
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LiveLedger } from './pipeline/live-ledger';
import type { PanelData } from './protocol/panel-protocol';
import { CommandId, INDEXING_CONTEXT_KEY, PANEL_VIEW_TYPE } from './ui/command-ids';
import { CostPanel, type PanelHost } from './ui/cost-panel';
import { exportView } from './ui/export-view';
import { createLogChannel } from './ui/log-channel';
import { ingestOptionsOf, readSettings, SECTION, type Settings } from './ui/settings';
import { SpendStatusBar } from './ui/status-bar';
import { statusSnapshot } from './ui/status-snapshot';

let running: LiveLedger | undefined;

/** Wiring only: registrations are cheap; the database opens after activation returns. */
/** What activate() returns: a small API for integration tests and other extensions. */
export interface AgentLedgerApi {
  live(): LiveLedger;
  statusBarText(): string;
  panelData(): PanelData | undefined;
}

export function activate(context: vscode.ExtensionContext): AgentLedgerApi {
  const { channel, logger } = createLogChannel();
  let settings: Settings = readSettings(logger);
  const statusBar = new SpendStatusBar();
  const live = new LiveLedger({
    storageDir: context.globalStorageUri.fsPath,
    timeZone: settings.timeZone,
    log: logger,
    ingestOptions: () => ingestOptionsOf(settings, path.dirname(context.globalStorageUri.fsPath)),
  });
  running = live;
  let indexing: AbortController | undefined;

  const workspaceFolders = () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const render = () => {
    const engine = live.engine;
    if (!engine) return;
    try {
      statusBar.showSpend(statusSnapshot(engine.readers, workspaceFolders()), settings.statusBarShows, settings.dailyBudget);
    } catch (error) {
      logger.error(`status bar update failed: ${(error as Error).message}`);
    }
    CostPanel.refreshOpen();
  };

  const host: PanelHost = {
    extensionUri: context.extensionUri,
    readers: () => live.engine?.readers,
    refresh: async () => void (await live.refreshNow()),
    exportView,
    showLog: () => channel.show(),
    log: logger,
  };

  live.on('changed', render);
  live.on('progress', (p) => {
    if (p && indexing) statusBar.showIndexing(p.filesTotal ? Math.floor((100 * p.filesDone) / p.filesTotal) : 0);
  });

  context.subscriptions.push(
    channel,
    statusBar,
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, CostPanel.serializer(host)),
    vscode.commands.registerCommand(CommandId.OpenPanel, () => CostPanel.show(host)),
    vscode.commands.registerCommand(CommandId.ShowLog, () => channel.show()),
    vscode.commands.registerCommand(CommandId.Refresh, () => live.refreshNow()),
    vscode.commands.registerCommand(CommandId.CancelIndexing, () => indexing?.abort()),
    vscode.commands.registerCommand(CommandId.ExportCsv, () => exportView('csv', CostPanel.currentData())),
    vscode.commands.registerCommand(CommandId.ExportJson, () => exportView('json', CostPanel.currentData())),
    vscode.commands.registerCommand(CommandId.RebuildMarts, () => rebuildWithProgress(live, logger)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      const previous = settings;
      settings = readSettings(logger);
      if (settings.timeZone !== previous.timeZone) live.setTimeZone(settings.timeZone);
      if (JSON.stringify([settings.enabled, settings.extraRoots]) !== JSON.stringify([previous.enabled, previous.extraRoots])) live.reconfigure();
      render();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(render),
  );

  const startup = async () => {
    indexing = new AbortController();
    void vscode.commands.executeCommand('setContext', INDEXING_CONTEXT_KEY, true);
    try {
      await live.start(indexing.signal);
      if (indexing.signal.aborted) logger.warn('first indexing cancelled; what was read is kept, the rest is read on the next refresh');
      render();
    } catch (error) {
      logger.error(`Agent Ledger could not start: ${(error as Error).message}`);
      statusBar.showError('Agent Ledger could not open its database');
    } finally {
      indexing = undefined;
      void vscode.commands.executeCommand('setContext', INDEXING_CONTEXT_KEY, false);
    }
  };
  setTimeout(() => void startup(), 0);
  return { live: () => live, statusBarText: () => statusBar.text, panelData: () => CostPanel.currentData() };
}

async function rebuildWithProgress(live: LiveLedger, logger: { info(m: string): void }): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Agent Ledger: rebuilding marts…' },
    async () => {
      CostPanel.postBusy(true, 'Rebuilding marts…');
      try {
        const report = await live.rebuildMarts();
        if (report) {
          logger.info(`rebuilt marts up to event ${report.watermark}; ${report.repricedEvents} events re-priced (${report.seconds.toFixed(2)} s)`);
          void vscode.window.showInformationMessage(`Agent Ledger: marts rebuilt in ${report.seconds.toFixed(1)} s.`);
        }
      } finally {
        CostPanel.postBusy(false);
      }
    },
  );
}

/** Saves pending work and releases the writer lock so another window can take over at once. */
export async function deactivate(): Promise<void> {
  await running?.dispose();
  running = undefined;
}

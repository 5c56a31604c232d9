import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { AGENT_IDS, agentLabel, servedAgent } from '../normalizers/registry';
import type { LimitsView } from '../readers/limit-types';
import type { LimitsViewOptions } from '../readers/limits-view';
import { copyCli, findNodeOnPath } from '../statusline/cli-copy';
import { installStatusLine, isInstalled, setChainMode, shellQuote, statusLineCommand, uninstallStatusLine } from '../statusline/status-line-setup';
import { previousLineFate } from '../statusline/statusline-config';
import { CommandId, STATUS_LINE_CONTEXT_KEY } from './command-ids';
import { dueAlerts } from './limit-alerts';
import { hideQuotaTitle } from './limit-status';
import type { LimitSettings } from './settings';

const SHOWN_KEY = 'agentLedger.limits.alertsShown';
const SHOWN_KEPT = 200;

export interface LimitsUiDeps {
  context: vscode.ExtensionContext;
  log: Logger;
  storageDir: string;
  ledgerDir: string;
  /** The engine thread's view of the quota windows (undefined before the ledger opens). */
  view(options: LimitsViewOptions): Promise<LimitsView | undefined>;
  settings(): LimitSettings;
}

/** Quota windows in the editor: the view the status bar and panel show, notifications, and the status-line set-up commands (for the registry's status-line agent). */
export class LimitsUi {
  /** Messages of the notifications shown in this session (for tests). */
  readonly shown: string[] = [];

  constructor(private readonly deps: LimitsUiDeps) {
    deps.context.subscriptions.push(
      vscode.commands.registerCommand(CommandId.ShowClaudeQuota, () => this.setUp()),
      vscode.commands.registerCommand(CommandId.HideClaudeQuota, () => this.undo()),
      // Another window may have set it up or undone it meanwhile.
      vscode.window.onDidChangeWindowState((state) => state.focused && this.syncContext()),
    );
    if (this.syncContext()) this.refreshCliCopy();
  }

  /** Offers set-up or undo in the Command Palette, whichever applies now; returns whether it is set up. */
  private syncContext(): boolean {
    const installed = isInstalled(this.deps.ledgerDir);
    void vscode.commands.executeCommand('setContext', STATUS_LINE_CONTEXT_KEY, installed);
    return installed;
  }

  /** What to show now; undefined before the ledger opens, on a failed query, or with the status-bar part turned off. */
  async view(): Promise<LimitsView | undefined> {
    try {
      const s = this.deps.settings();
      return await this.deps.view({ kinds: s.kinds, warnAt: s.warnAt, criticalAt: s.criticalAt, agents: AGENT_IDS });
    } catch (error) {
      this.deps.log.error(`quota query failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Shows the notifications that are due, each once per window instance (remembered across sessions). */
  notify(view: LimitsView | undefined, now = Date.now()): void {
    const s = this.deps.settings();
    if (!view || !s.notifications) return;
    const state = this.deps.context.globalState;
    const shown = new Set(state.get<string[]>(SHOWN_KEY, []));
    const time = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    const alerts = dueAlerts(view.windows.map((w) => ({ ...w })), s, shown, now, agentLabel, time);
    if (alerts.length === 0) return;
    for (const alert of alerts) {
      for (const key of alert.keys) shown.add(key);
      this.shown.push(alert.message);
      const show = alert.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
      const open = 'Open Cost Panel';
      void Promise.resolve(show(`Agent Ledger: ${alert.message}`, open))
        .then((choice) => (choice === open ? vscode.commands.executeCommand(CommandId.OpenPanel) : undefined))
        .catch(() => undefined);
    }
    void state.update(SHOWN_KEY, [...shown].slice(-SHOWN_KEPT));
  }

  /** The chaining setting changed: tell the status line. */
  applySettings(): void {
    setChainMode(this.deps.ledgerDir, this.deps.settings().chain);
  }

  private async setUp(): Promise<void> {
    const agent = servedAgent();
    const { label, statusLine } = agent;
    const settingsPath = statusLine.settingsPath(process.env, os.homedir());
    const choice = await vscode.window.showInformationMessage(
      `Show the ${label} quota in its status line?`,
      {
        modal: true,
        detail: `Agent Ledger will set "${statusLine.settingKey}" in ${settingsPath} to its own command, which shows the model, this session's and today's cost, the 5-hour quota and the context use, and records the quota for VS Code. Your current status line, if you have one, ${previousLineFate(this.deps.settings().chain)}. A backup is written beside the file, and "${hideQuotaTitle(label)}" undoes it.`,
      },
      'Set Up',
    );
    if (choice !== 'Set Up') return;
    try {
      const cli = this.refreshCliCopy();
      const command = statusLineCommand(nodeCommand(), cli, this.deps.ledgerDir);
      const result = installStatusLine(settingsPath, command, this.deps.ledgerDir, this.deps.settings().chain, agent);
      this.deps.log.info(`${label} status line set-up: ${result.message}${result.ok && result.backup ? ` (backup: ${result.backup})` : ''}`);
      if (result.ok) void vscode.window.showInformationMessage(`Agent Ledger: ${result.message}`);
      else void vscode.window.showErrorMessage(`Agent Ledger: ${result.message}`);
      this.syncContext();
    } catch (error) {
      this.deps.log.error(`${label} status line set-up failed: ${(error as Error).message}`);
      void vscode.window.showErrorMessage(`Agent Ledger could not set up ${label}'s status line: ${(error as Error).message}`);
    }
  }

  private undo(): void {
    try {
      const agent = servedAgent();
      const result = uninstallStatusLine(this.deps.ledgerDir, agent);
      this.deps.log.info(`${agent.label} status line undo: ${result.message}`);
      const show = result.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(`Agent Ledger: ${result.message}`);
      this.syncContext();
    } catch (error) {
      void vscode.window.showErrorMessage(`Agent Ledger could not undo the status line set-up: ${(error as Error).message}`);
    }
  }

  private refreshCliCopy(): string {
    try {
      return copyCli(this.deps.context.extensionPath, path.join(this.deps.storageDir, 'cli'));
    } catch (error) {
      this.deps.log.warn(`could not copy the CLI for ${servedAgent().label}'s status line: ${(error as Error).message}`);
      return path.join(this.deps.storageDir, 'cli', 'cli.js');
    }
  }
}

/**
 * The status line runs outside VS Code: an absolute `node` from PATH when there is one (stable
 * across VS Code updates), else VS Code's own runtime in Node mode.
 */
function nodeCommand(): string {
  const node = findNodeOnPath();
  return node ? shellQuote(node) : `ELECTRON_RUN_AS_NODE=1 ${shellQuote(process.execPath)}`;
}


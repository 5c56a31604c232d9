import * as vscode from 'vscode';
import { CommandId } from './command-ids';
import { budgetLevel, statusText, tooltipMarkdown, type StatusShows, type StatusSnapshot } from './status-snapshot';

/** The right-aligned status bar item with today's spend. */
export class SpendStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('agentLedger.spend', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Agent Ledger: Spend';
    this.showLoading();
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  showLoading(): void {
    this.item.text = '$(sync~spin) Agent Ledger';
    this.item.tooltip = 'Agent Ledger is opening its database…';
    this.item.command = CommandId.ShowLog;
    this.item.backgroundColor = undefined;
  }

  showIndexing(percent: number): void {
    this.item.text = `$(sync~spin) Agent Ledger ${percent}%`;
    this.item.tooltip = 'Agent Ledger is reading your transcripts for the first time. Click to cancel; what was read is kept.';
    this.item.command = CommandId.CancelIndexing;
    this.item.backgroundColor = undefined;
  }

  showError(message: string): void {
    this.item.text = '$(warning) Agent Ledger';
    this.item.tooltip = `${message} — click to open the log`;
    this.item.command = CommandId.ShowLog;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
  }

  showSpend(snapshot: StatusSnapshot, shows: StatusShows, budget: number): void {
    this.item.text = statusText(snapshot, shows);
    const tooltip = new vscode.MarkdownString(tooltipMarkdown(snapshot, budget, new Date()), true);
    tooltip.isTrusted = { enabledCommands: [CommandId.OpenPanel] };
    this.item.tooltip = tooltip;
    this.item.command = CommandId.OpenPanel;
    const level = budgetLevel(snapshot.todayUsd, budget);
    this.item.backgroundColor =
      level === 'ok' ? undefined : new vscode.ThemeColor(level === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}

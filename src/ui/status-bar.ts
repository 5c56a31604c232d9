import * as vscode from 'vscode';
import { CommandId } from './command-ids';
import { worseLevel } from '../core/limit-pace';
import type { LimitsView } from '../readers/limit-types';
import { limitLevel, limitSpoken, limitStatusSuffix, limitTooltipLines } from './limit-status';
import { budgetLevel, spokenStatus, statusText, tooltipMarkdown, type StatusShows, type StatusSnapshot } from './status-snapshot';

/** What the spend item shows besides the snapshot. */
export interface SpendView {
  shows: StatusShows;
  /** The daily budget in USD; 0 for none. */
  budget: number;
  /** The quota windows, when the status bar shows them. */
  limits?: LimitsView;
  /** Another window updates the ledger; this one shows its saves. */
  reading: boolean;
}

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
    this.showState('$(sync~spin) Agent Ledger', 'Agent Ledger is opening its database…', 'Agent Ledger is opening its database', CommandId.ShowLog);
  }

  showIndexing(percent: number): void {
    this.showState(
      `$(sync~spin) Agent Ledger ${percent}%`,
      'Agent Ledger is reading your transcripts for the first time. Click to cancel; what was read is kept, and Refresh Now reads the rest.',
      `Agent Ledger is reading your transcripts for the first time, ${percent}% done; activate to cancel`,
      CommandId.CancelIndexing,
    );
  }

  /** A reading window before the updating window has saved anything: not "$0.00", which would be wrong. */
  showAwaitingFirstSave(): void {
    const message = 'Another VS Code window is reading your transcripts for the first time; this window shows the figures once that window has saved them.';
    this.showState('$(sync~spin) Agent Ledger', message, message, CommandId.ShowLog);
  }

  showError(message: string): void {
    this.showState('$(warning) Agent Ledger', `${message} — click to open the log`, `${message}; activate to open the log`, CommandId.ShowLog, 'statusBarItem.errorBackground');
  }

  /** Any state but the spend: plain text, a tooltip, what a screen reader says, the command a click runs. */
  private showState(text: string, tooltip: string, spoken: string, command: string, background?: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: spoken };
    this.item.command = command;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
  }

  /** Today's spend, and the tightest quota window when `limits` has one (coloured by its pace). */
  showSpend(snapshot: StatusSnapshot, view: SpendView): void {
    if (snapshot.awaitingFirstSave) {
      this.showAwaitingFirstSave();
      return;
    }
    const { shows, budget, limits, reading } = view;
    this.item.text = statusText(snapshot, shows) + limitStatusSuffix(limits) + (snapshot.readingPaused ? ' $(debug-pause)' : '');
    this.item.accessibilityInformation = { label: `${spokenStatus(snapshot, shows, budget, limitSpoken(limits))}; activate to open the cost panel` };
    const time = (ms: number) => new Date(ms).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
    const markdown = [
      tooltipMarkdown(snapshot, budget, new Date()),
      ...limitTooltipLines(limits, time),
      ...(reading ? ['', '$(eye) Another VS Code window is updating the ledger; this one shows its saves.'] : []),
      ...(snapshot.readingPaused
        ? ['', `$(debug-pause) The first read was cancelled: some transcripts are not counted yet. [Refresh Now](command:${CommandId.Refresh}) reads the rest.`]
        : []),
      ...(snapshot.noFolders
        ? ['', `$(info) No agent's files were found. [The cost panel](command:${CommandId.OpenPanel}) lists where Agent Ledger looks.`]
        : []),
    ].join('\n');
    const tooltip = new vscode.MarkdownString(markdown, true);
    tooltip.isTrusted = { enabledCommands: [CommandId.OpenPanel, CommandId.Refresh] };
    this.item.tooltip = tooltip;
    this.item.command = CommandId.OpenPanel;
    const level = worseLevel(budgetLevel(snapshot.todayUsd, budget), limitLevel(limits));
    this.item.backgroundColor =
      level === 'ok' ? undefined : new vscode.ThemeColor(level === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}

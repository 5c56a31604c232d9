/** Every command the extension contributes (package.json `contributes.commands`). */
export const CommandId = {
  OpenPanel: 'agentLedger.openPanel',
  RebuildMarts: 'agentLedger.rebuildMarts',
  Refresh: 'agentLedger.refresh',
  ShowLog: 'agentLedger.showLog',
  ExportCsv: 'agentLedger.exportCsv',
  ExportJson: 'agentLedger.exportJson',
  CancelIndexing: 'agentLedger.cancelIndexing',
  ShowClaudeQuota: 'agentLedger.showClaudeQuota',
  HideClaudeQuota: 'agentLedger.hideClaudeQuota',
} as const;

export const PANEL_VIEW_TYPE = 'agentLedger.costPanel';
export const INDEXING_CONTEXT_KEY = 'agentLedger.indexing';
/** True once the ledger could not be opened (or the engine stopped): commands that need it are hidden. */
export const FAILED_CONTEXT_KEY = 'agentLedger.failed';
/** True while the served agent's status line is Agent Ledger's: its set-up command is hidden, its undo offered. */
export const STATUS_LINE_CONTEXT_KEY = 'agentLedger.statusLineShown';
/** True while the cost panel is open: its export commands are offered then. */
export const PANEL_OPEN_CONTEXT_KEY = 'agentLedger.panelOpen';

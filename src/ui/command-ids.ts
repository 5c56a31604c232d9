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
/** True while the cost panel is open: its export commands are offered then. */
export const PANEL_OPEN_CONTEXT_KEY = 'agentLedger.panelOpen';

import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { PanelData } from '../protocol/panel-protocol';
import { panelCsv, panelJson } from './panel-export';

/** Asks where to save, then writes the panel's current view as CSV or ccusage-style JSON. */
export async function exportView(format: 'csv' | 'json', data: PanelData | undefined): Promise<void> {
  if (!data) {
    void vscode.window.showInformationMessage('Open the Agent Ledger cost panel first: the export saves what it shows.');
    return;
  }
  const span = [data.since ?? 'start', data.until ?? data.today].join('_');
  const target = await vscode.window.showSaveDialog({
    title: `Export Agent Ledger view as ${format.toUpperCase()}`,
    defaultUri: vscode.Uri.file(`agent-ledger-${span}.${format}`),
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
  });
  if (!target) return;
  await fs.writeFile(target.fsPath, format === 'csv' ? panelCsv(data) : panelJson(data), 'utf8');
  const open = await vscode.window.showInformationMessage(`Exported ${data.daily.length} rows to ${target.fsPath}`, 'Open');
  if (open) await vscode.window.showTextDocument(target);
}

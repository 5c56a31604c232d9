import * as os from 'node:os';
import * as vscode from 'vscode';
import type { PanelData } from '../protocol/panel-protocol';
import { panelCsv, panelJson } from './panel-export';

/** Asks where to save, then writes the panel's current view as CSV or ccusage-style JSON. */
export async function exportView(format: 'csv' | 'json', data: PanelData | undefined): Promise<void> {
  if (!data) {
    void vscode.window.showInformationMessage('Agent Ledger: nothing to export yet. The export saves what the cost panel shows: open it and wait for its figures.');
    return;
  }
  const span = [data.since ?? 'start', data.until ?? data.today].join('_');
  const target = await vscode.window.showSaveDialog({
    title: `Export Agent Ledger view as ${format.toUpperCase()}`,
    defaultUri: vscode.Uri.joinPath(defaultFolder(), `agent-ledger-${span}.${format}`),
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
  });
  if (!target) return;
  try {
    await vscode.workspace.fs.writeFile(target, Buffer.from(format === 'csv' ? panelCsv(data) : panelJson(data), 'utf8'));
  } catch (error) {
    void vscode.window.showErrorMessage(`Agent Ledger: could not write ${target.fsPath}: ${(error as Error).message}`);
    return;
  }
  const open = await vscode.window.showInformationMessage(`Agent Ledger: exported the view to ${target.fsPath}`, 'Open');
  if (open) await vscode.window.showTextDocument(target);
}

/** The save dialog starts in the first (local) workspace folder, else the home folder. */
function defaultFolder(): vscode.Uri {
  const local = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return local?.uri ?? vscode.Uri.file(os.homedir());
}

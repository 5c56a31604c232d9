import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { sanitizeFilter } from '../protocol/panel-filter';
import { DEFAULT_FILTER, type PanelData, type PanelFilter, type PanelMessage, type PanelRequest } from '../protocol/panel-protocol';
import type { LimitsView } from '../readers/limit-types';
import { PANEL_OPEN_CONTEXT_KEY, PANEL_VIEW_TYPE } from './command-ids';

export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  /** The panel's data for a filter from the engine thread; undefined while the ledger is opening. */
  panelData(filter: PanelFilter): Promise<PanelData | undefined>;
  /** Quota windows for the Limits section. */
  limits?(): Promise<LimitsView | undefined>;
  refresh(): Promise<void>;
  /** Saves the view where the user picks; says so itself when there is nothing to save yet. */
  exportView(format: 'csv' | 'json', data: PanelData | undefined): Promise<void>;
  showLog(): void;
  log: { error(message: string): void };
}

/** The cost panel: one instance, revived after a reload, fed full snapshots from the readers. */
export class CostPanel implements vscode.Disposable {
  private static current: CostPanel | undefined;
  /** The last data shown, for the first paint of a panel opened again (full snapshots only). */
  private static lastShown: PanelData | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private filter: PanelFilter = DEFAULT_FILTER;
  private lastData: PanelData | undefined;
  /** The panel shows "Reading transcripts…" until the ledger first answers. */
  private waitingForLedger = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHost,
  ) {
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.png');
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.webview.html = panelHtml(panel.webview, host.extensionUri, CostPanel.lastShown);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: PanelRequest) => void this.onMessage(m), null, this.disposables);
  }

  static show(host: PanelHost): void {
    if (CostPanel.current) {
      CostPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Agent Ledger', vscode.ViewColumn.Active, webviewOptions(host.extensionUri));
    CostPanel.current = new CostPanel(panel, host);
    setPanelOpen(true);
  }

  static serializer(host: PanelHost): vscode.WebviewPanelSerializer {
    return {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: { filter?: unknown } | undefined) {
        CostPanel.current?.dispose();
        CostPanel.current = new CostPanel(panel, host);
        setPanelOpen(true);
        CostPanel.current.filter = sanitizeFilter(state?.filter) ?? DEFAULT_FILTER;
      },
    };
  }

  /** Sends fresh data to the open panel, if any (after an ingest, a rebuild, a setting change). */
  /** Re-renders the open panel; `quota`, when the caller has just read it, saves a second query. */
  static refreshOpen(quota?: LimitsView): void {
    void CostPanel.current?.postData(quota);
  }

  static currentData(): PanelData | undefined {
    return CostPanel.current?.lastData;
  }

  static postBusy(busy: boolean, message?: string): void {
    CostPanel.current?.post({ type: 'busy', busy, message });
  }

  /** A request from the webview; a failure is logged once here and shown in the panel, never left spinning. */
  private async onMessage(message: PanelRequest): Promise<void> {
    try {
      await this.handle(message);
    } catch (error) {
      this.host.log.error(`cost panel: ${message.type} failed: ${(error as Error).message}`);
      this.post({ type: 'busy', busy: false });
      const what = message.type === 'refresh' ? 'Refresh' : message.type === 'export' ? 'The export' : 'Loading the data';
      this.post({ type: 'error', message: `${what} failed: ${(error as Error).message}. See the Agent Ledger log.` });
    }
  }

  private async handle(message: PanelRequest): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.filter = sanitizeFilter(message.filter) ?? this.filter;
        await this.postData();
        break;
      case 'setFilter':
        this.filter = sanitizeFilter(message.filter) ?? this.filter;
        await this.postData();
        break;
      case 'refresh':
        this.post({ type: 'busy', busy: true, message: 'Refreshing…' });
        try {
          await this.host.refresh();
        } finally {
          this.post({ type: 'busy', busy: false });
        }
        await this.postData();
        break;
      case 'export':
        await this.host.exportView(message.format, this.lastData);
        break;
      case 'showLog':
        this.host.showLog();
        break;
    }
  }

  private async postData(quota?: LimitsView): Promise<void> {
    let data: PanelData | undefined;
    try {
      data = await this.host.panelData(this.filter);
    } catch (error) {
      this.host.log.error(`cost panel query failed: ${(error as Error).message}`);
      this.post({ type: 'error', message: 'Could not read the ledger; see the Agent Ledger log.' });
      return;
    }
    if (!data) {
      this.waitingForLedger = true;
      this.post({ type: 'busy', busy: true, message: 'Reading transcripts…' });
      return;
    }
    if (this.waitingForLedger) {
      this.waitingForLedger = false;
      this.post({ type: 'busy', busy: false });
    }
    data = { ...data, limits: quota ?? (await this.host.limits?.()) };
    this.lastData = data;
    CostPanel.lastShown = data;
    this.post({ type: 'data', data });
  }

  private post(message: PanelMessage): void {
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (CostPanel.current === this) {
      CostPanel.current = undefined;
      setPanelOpen(false);
    }
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function setPanelOpen(open: boolean): void {
  void vscode.commands.executeCommand('setContext', PANEL_OPEN_CONTEXT_KEY, open);
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

/** JSON safe inside a <script> element: `<` is escaped so no string can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, initial: PanelData | undefined): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset('media', 'panel.css')}">
  <title>Agent Ledger</title>
</head>
<body>
  <div id="app"></div>
  ${initial ? `<script type="application/json" id="agent-ledger-initial-data">${scriptJson(initial)}</script>` : ''}
  <script nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
}

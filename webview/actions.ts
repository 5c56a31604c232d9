/** Refresh and export buttons; each posts its request to the host. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { PanelRequest } from '../src/protocol/panel-protocol';
import { h } from './dom';

export function actionButtons(post: (request: PanelRequest) => void): HTMLElement {
  const button = (text: string, title: string, request: PanelRequest) => {
    const b = h('vscode-button', { secondary: true, title }, text);
    b.addEventListener('click', () => post(request));
    return b;
  };
  return h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': 'Actions' },
    button('Refresh', 'Read new transcript lines and recompute', { type: 'refresh' }),
    button('Export CSV', 'Save the current view as CSV', { type: 'export', format: 'csv' }),
    button('Export JSON', 'Save the current view as JSON', { type: 'export', format: 'json' }),
  );
}

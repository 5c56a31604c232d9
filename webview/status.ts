/** Busy indicator, error banner and the "what am I looking at" line under the toolbar. */
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { PanelData } from '../src/protocol/panel-protocol';
import { h } from './dom';
import * as f from './format';

export class BusyIndicator {
  readonly element: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly text: HTMLElement;

  /** `busyTarget` gets aria-busy while the host works. */
  constructor(private readonly busyTarget: HTMLElement) {
    this.bar = h('vscode-progress-bar', { indeterminate: true, class: 'busy-bar', 'aria-label': 'Loading', hidden: true });
    this.text = h('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.element = h('div', { class: 'busy' }, this.bar, this.text);
  }

  set(busy: boolean, message?: string): void {
    this.bar.hidden = !busy;
    this.busyTarget.setAttribute('aria-busy', String(busy));
    this.text.textContent = busy ? (message ?? 'Loading…') : '';
  }
}

export class ErrorBanner {
  readonly element: HTMLElement;
  private readonly message: HTMLElement;

  constructor(onShowLog: () => void) {
    this.message = h('span', { class: 'banner-message' });
    const log = h('vscode-button', { secondary: true }, 'Show log');
    log.addEventListener('click', onShowLog);
    const dismiss = h('vscode-button', { secondary: true }, 'Dismiss');
    dismiss.addEventListener('click', () => this.clear());
    this.element = h('div', { class: 'banner banner-error', role: 'alert', hidden: true }, h('span', { class: 'banner-title' }, 'Error'), this.message, h('span', { class: 'banner-actions' }, log, dismiss));
  }

  show(message: string): void {
    this.message.textContent = message;
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    this.message.textContent = '';
  }
}

/** The resolved range, the time zone and when the snapshot was made. */
export class MetaLine {
  readonly element: HTMLElement;
  private readonly range: HTMLElement;
  private readonly detail: HTMLElement;

  constructor() {
    this.range = h('span', { class: 'meta-range' }, 'Loading…');
    this.detail = h('span', { class: 'meta-detail' });
    this.element = h('p', { class: 'meta' }, this.range, this.detail);
  }

  /** A line of its own, before any snapshot arrived. */
  message(text: string): void {
    this.range.textContent = text;
    this.detail.textContent = '';
  }

  update(data: PanelData, rangeText: string): void {
    this.range.textContent = rangeText;
    const total = data.composition;
    this.detail.textContent = `${f.usd(total.costUsd)} · ${f.tokens(total.totalTokens)} tokens · ${data.timeZone} · updated ${f.time(data.generatedAt, data.timeZone)}`;
    this.detail.title = `${f.integer(total.totalTokens)} tokens, ${f.integer(total.messages)} requests. Snapshot made ${f.fullDateTime(data.generatedAt, data.timeZone)}.`;
  }
}

/** Said while no agent's folder exists where Agent Ledger looks: where it looked, and how to point it elsewhere. */
export class FoldersNotice {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly list: HTMLElement;

  constructor() {
    this.summary = h('summary', {});
    this.list = h('ul', { class: 'folder-list' });
    this.element = h(
      'section',
      { class: 'banner banner-info', role: 'status', hidden: true },
      h('span', { class: 'banner-title' }, 'No agent files found'),
      h(
        'span',
        { class: 'banner-message' },
        'None of the folders where coding agents keep their usage exists on this machine yet. If an agent keeps its files elsewhere, add that folder to its Extra Roots setting (agentLedger.<agent>.extraRoots).',
      ),
      h('details', { class: 'folder-details' }, this.summary, this.list),
    );
  }

  update(data: PanelData): void {
    const folders = data.foldersNotFound ?? [];
    this.element.hidden = folders.length === 0;
    this.summary.textContent = `The ${folders.length} folders looked in`;
    this.list.replaceChildren(...folders.map((folder) => h('li', {}, h('code', {}, folder))));
  }
}

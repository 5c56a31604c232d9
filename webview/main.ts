/**
 * Cost panel webview entry: builds the page into #app, wires controls to the host and
 * renders each full snapshot the host sends. Talks to the host only through panel-protocol.
 */
import { sanitizeFilter } from '../src/protocol/panel-filter';
import { DEFAULT_FILTER, type PanelData, type PanelFilter, type PanelMessage } from '../src/protocol/panel-protocol';
import { actionButtons } from './actions';
import { AgentSplit, HeadlineCards, TokenComposition } from './cards';
import { CostChart } from './chart';
import { h, replaceChildren } from './dom';
import * as f from './format';
import { describeRange, FilterBar } from './filters';
import { LimitsSection } from './limits';
import { saveFilter, savedState } from './state';
import { BusyIndicator, ErrorBanner, FoldersNotice, MetaLine } from './status';
import { ModelsTable, ProjectsTable, SessionsTable } from './tables';
import { onThemeChange } from './theme';
import { post } from './vscode-api';

/** Id of the optional `<script type="application/json">` block holding an initial PanelData. */
const INITIAL_DATA_ID = 'agent-ledger-initial-data';

const restored = savedState().filter;

// Hidden until the first snapshot, so no empty skeleton flashes.
const content = h('div', { class: 'content', 'aria-busy': 'true', hidden: true });
const busy = new BusyIndicator(content);
const errors = new ErrorBanner(() => post({ type: 'showLog' }));
const meta = new MetaLine();

function changeFilter(filter: PanelFilter): void {
  saveFilter(filter);
  post({ type: 'setFilter', filter });
}

const filters = new FilterBar(restored ?? DEFAULT_FILTER, changeFilter);
const foldersNotice = new FoldersNotice();
const cards = new HeadlineCards();
const chart = new CostChart();
const agents = new AgentSplit();
const limits = new LimitsSection();
const composition = new TokenComposition();
const models = new ModelsTable();
const projects = new ProjectsTable();
const sessions = new SessionsTable((sessionLimit) => filters.patch({ sessionLimit }));

replaceChildren(
  content,
  foldersNotice.element,
  cards.element,
  chart.element,
  limits.element,
  h('div', { class: 'split' }, agents.element, composition.element),
  models.element,
  projects.element,
  sessions.element,
);

const root = document.getElementById('app') ?? document.body;
replaceChildren(
  root,
  h(
    'main',
    { class: 'panel' },
    h('h1', { class: 'visually-hidden' }, 'Agent Ledger: AI agent costs'),
    h('header', { class: 'panel-header' }, h('div', { class: 'toolbar' }, filters.element, actionButtons(post)), errors.element, busy.element),
    meta.element,
    content,
  ),
);

function render(data: PanelData): void {
  f.setAgentInfo(data.agentInfo ?? []);
  const filter = sanitizeFilter(data.filter) ?? filters.current();
  const snapshot = { ...data, filter };
  saveFilter(filter);
  // Shown first, so the chart measures a laid-out container.
  content.hidden = false;
  filters.update(snapshot);
  meta.update(snapshot, describeRange(snapshot));
  foldersNotice.update(snapshot);
  cards.update(snapshot);
  chart.update(snapshot);
  agents.update(snapshot);
  limits.update(snapshot);
  composition.update(snapshot);
  models.update(snapshot);
  projects.update(snapshot);
  sessions.update(snapshot);
  content.setAttribute('aria-busy', 'false');
}

/** Renders a snapshot; a malformed one shows in the error banner instead of breaking the page. */
function show(data: PanelData): void {
  try {
    render(data);
  } catch (err) {
    errors.show(`Could not show the usage data: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function isMessage(v: unknown): v is PanelMessage {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

let hostBusy = false;
busy.set(true, 'Loading…');

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = event.data;
  if (!isMessage(msg)) return;
  switch (msg.type) {
    case 'data':
      errors.clear();
      show(msg.data);
      // The loading bar shown before the first snapshot is ours; later ones are the host's to end.
      if (!hostBusy) busy.set(false);
      break;
    case 'busy':
      hostBusy = msg.busy;
      busy.set(msg.busy, msg.message);
      break;
    case 'error':
      hostBusy = false;
      busy.set(false);
      errors.show(msg.message);
      if (content.hidden) meta.message('No data to show yet.');
      break;
  }
});

onThemeChange(() => chart.retheme());

// Optional first paint without a round trip: the host may embed its last snapshot as a JSON data
// block. It is shown only when it was made for this panel's filter (else the reply to 'ready' is awaited).
const embedded = document.getElementById(INITIAL_DATA_ID);
if (embedded?.textContent) {
  try {
    const data = JSON.parse(embedded.textContent) as PanelData;
    if (!restored || sameFilter(data.filter, restored)) show(data);
  } catch {
    // Ignore a broken block: the reply to 'ready' brings the data anyway.
  }
}

function sameFilter(a: PanelFilter, b: PanelFilter): boolean {
  return a.range === b.range && a.since === b.since && a.until === b.until && a.agent === b.agent && a.project === b.project && a.sessionLimit === b.sessionLimit;
}

post({ type: 'ready', filter: restored });

/** Headline spend cards, the per-agent split and the token composition of the range. */
import type { AgentRow, Headline, PanelData, TokenTotals } from '../src/protocol/panel-protocol';
import { h, meter, replaceChildren, section, uid } from './dom';
import * as f from './format';

interface CardDef {
  key: keyof Headline;
  label: string;
  note: string;
  title?: string;
}

const CARDS: CardDef[] = [
  { key: 'todayUsd', label: 'Today', note: '' },
  { key: 'weekUsd', label: 'This week', note: 'Since Monday' },
  { key: 'monthUsd', label: 'This month', note: '' },
  { key: 'allTimeUsd', label: 'All time', note: 'All recorded usage' },
  { key: 'cacheSavingsUsd', label: 'Cache savings', note: 'All time', title: 'What cache reads saved against paying the input rate for the same tokens' },
];

export class HeadlineCards {
  readonly element: HTMLElement;
  private readonly values = new Map<keyof Headline, HTMLElement>();
  private readonly notes = new Map<keyof Headline, HTMLElement>();
  private readonly scope: HTMLElement;

  constructor() {
    const headingId = uid('cards');
    const list = h('ul', { class: 'cards', role: 'list' });
    for (const c of CARDS) {
      const labelId = uid('card');
      const value = h('p', { class: 'card-value', 'aria-describedby': labelId }, '—');
      const note = h('p', { class: 'card-note' }, c.note);
      this.values.set(c.key, value);
      this.notes.set(c.key, note);
      list.appendChild(h('li', { class: `card card-${c.key}`, title: c.title }, h('h3', { id: labelId, class: 'card-label' }, c.label), value, note));
    }
    this.scope = h('p', { class: 'section-note' });
    this.element = h('section', { class: 'headline', 'aria-labelledby': headingId }, h('h2', { id: headingId, class: 'visually-hidden' }, 'Spend'), list, this.scope);
  }

  update(data: PanelData): void {
    for (const c of CARDS) this.values.get(c.key)!.textContent = f.usd(data.headline[c.key]);
    this.notes.get('todayUsd')!.textContent = f.longDay(data.today);
    this.notes.get('monthUsd')!.textContent = f.month(data.today.slice(0, 7));
    const scope: string[] = [];
    if (data.filter.agent !== 'all') scope.push(f.agentName(data.filter.agent));
    if (data.filter.project !== 'all') scope.push(f.shortPath(data.filter.project, 60));
    const unpriced = data.models.filter((m) => !m.priced).length;
    const parts = [
      `Cards cover ${scope.length > 0 ? scope.join(' in ') : 'all agents and projects'} and ignore the date range.`,
      unpriced > 0 ? `${unpriced} ${unpriced === 1 ? 'model has' : 'models have'} no known price and ${unpriced === 1 ? 'counts' : 'count'} as $0.` : '',
    ];
    this.scope.textContent = parts.filter(Boolean).join(' ');
  }
}


export class AgentSplit {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;

  constructor() {
    this.list = h('ul', { class: 'split-list', role: 'list' });
    this.element = section('By agent', 'agents-section', [], this.list).element;
  }

  update(data: PanelData): void {
    const rows: AgentRow[] = [...data.agents].sort((a, b) => b.costUsd - a.costUsd);
    const total = rows.reduce((s, r) => s + r.costUsd, 0);
    if (rows.length === 0) {
      replaceChildren(this.list, h('li', { class: 'empty' }, 'No usage in this range.'));
      return;
    }
    replaceChildren(
      this.list,
      ...rows.map((r) =>
        h(
          'li',
          { class: 'split-row' },
          h('span', { class: 'split-name' }, h('span', { class: `swatch ${f.agentColour(r.agent)}`, 'aria-hidden': 'true' }), f.agentName(r.agent)),
          h('span', { class: 'split-value' }, f.usd(r.costUsd)),
          meter(total > 0 ? r.costUsd / total : 0, f.agentColour(r.agent)),
          h(
            'span',
            { class: 'split-detail' },
            `${f.percent(r.costUsd, total)} · ${f.integer(r.sessions)} ${r.sessions === 1 ? 'session' : 'sessions'} · ${f.tokens(r.totalTokens)} tokens` +
              // Where the agent records its own cost: shown beside ours, never used for the totals.
              (r.reportedCostUsd > 0 ? ` · ${f.usd(r.reportedCostUsd)} reported by the agent` : ''),
          ),
        ),
      ),
    );
  }
}

interface Part {
  label: string;
  value: (t: TokenTotals) => number;
  color: string;
}

const PARTS: Part[] = [
  { label: 'Input', value: (t) => t.inputTokens, color: 'c-blue' },
  { label: 'Output', value: (t) => t.outputTokens, color: 'c-purple' },
  { label: 'Cache write 5m', value: (t) => t.cacheWrite5mTokens, color: 'c-orange' },
  { label: 'Cache write 1h', value: (t) => t.cacheWrite1hTokens, color: 'c-red' },
  { label: 'Cache read', value: (t) => t.cacheReadTokens, color: 'c-green' },
];

export class TokenComposition {
  readonly element: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly note: HTMLElement;

  constructor() {
    this.bar = h('div', { class: 'stack-bar', 'aria-hidden': 'true' });
    this.legend = h('ul', { class: 'legend-list', role: 'list' });
    this.note = h('p', { class: 'section-note' });
    this.element = section('Token composition', 'composition-section', [], this.bar, this.legend, this.note).element;
  }

  update(data: PanelData): void {
    const t = data.composition;
    const total = PARTS.reduce((s, p) => s + p.value(t), 0);
    const segments = PARTS.filter((p) => p.value(t) > 0).map((p) => {
      const seg = h('span', { class: `stack-seg ${p.color}` });
      seg.style.flexGrow = String(p.value(t));
      return seg;
    });
    replaceChildren(this.bar, ...segments);
    this.bar.classList.toggle('is-empty', total === 0);
    replaceChildren(
      this.legend,
      ...PARTS.map((p) =>
        h(
          'li',
          { class: 'legend-row', title: `${f.integer(p.value(t))} tokens` },
          h('span', { class: `swatch ${p.color}`, 'aria-hidden': 'true' }),
          h('span', { class: 'legend-label' }, p.label),
          h('span', { class: 'legend-value' }, f.tokens(p.value(t))),
          h('span', { class: 'legend-pct' }, f.percent(p.value(t), total)),
        ),
      ),
    );
    this.note.textContent =
      total === 0
        ? 'No tokens in this range.'
        : `${f.integer(t.totalTokens)} tokens in ${f.integer(t.messages)} ${t.messages === 1 ? 'request' : 'requests'}${t.reasoningTokens > 0 ? `; output includes ${f.tokens(t.reasoningTokens)} reasoning` : ''}.`;
  }
}

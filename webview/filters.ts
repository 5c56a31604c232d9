/** The filter controls: date range (with a custom from/to), agent and project. */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { AgentId, PanelData, PanelFilter, RangePreset } from '../src/protocol/panel-protocol';
import { h, replaceChildren, uid } from './dom';
import * as f from './format';

type Select = HTMLElementTagNameMap['vscode-single-select'];
type TextField = HTMLElementTagNameMap['vscode-textfield'];

const RANGE_LABELS: Record<RangePreset, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'This month',
  all: 'All time',
  custom: 'Custom…',
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function labelled(text: string, control: HTMLElement, className: string): HTMLElement {
  const id = uid('filter');
  control.id = id;
  (control as unknown as { label: string }).label = text;
  return h('div', { class: `field ${className}` }, h('label', { class: 'inline-label', for: id }, text), control);
}

function options(select: Select, items: [value: string, label: string, title?: string][]): void {
  const current = [...select.querySelectorAll('vscode-option')].map((o) => `${o.value}\u0000${o.textContent}`).join('\u0001');
  const next = items.map(([v, l]) => `${v}\u0000${l}`).join('\u0001');
  if (current === next) return;
  replaceChildren(select, ...items.map(([value, label, title]) => h('vscode-option', { value, title }, label)));
}

export class FilterBar {
  readonly element: HTMLElement;
  private readonly range: Select;
  private readonly since: TextField;
  private readonly until: TextField;
  private readonly customFields: HTMLElement;
  private readonly agent: Select;
  private readonly project: Select;
  private filter: PanelFilter;
  /** The days the host resolved the current filter to, used to prefill a custom range. */
  private resolved: { since?: string; until?: string; today?: string; firstDay?: string } = {};

  constructor(initial: PanelFilter, private readonly onChange: (filter: PanelFilter) => void) {
    this.filter = initial;
    this.range = h('vscode-single-select', { class: 'range-select' });
    options(this.range, (Object.keys(RANGE_LABELS) as RangePreset[]).map((r) => [r, RANGE_LABELS[r]]));
    this.since = h('vscode-textfield', { type: 'date', class: 'date-field' });
    this.until = h('vscode-textfield', { type: 'date', class: 'date-field' });
    this.agent = h('vscode-single-select', { class: 'agent-select' });
    this.project = h('vscode-single-select', { class: 'project-select' });
    options(this.agent, [['all', 'All agents']]);
    options(this.project, [['all', 'All projects']]);

    this.customFields = h('div', { class: 'custom-range', role: 'group', 'aria-label': 'Custom date range' }, labelled('From', this.since, 'since'), labelled('To', this.until, 'until'));
    this.element = h(
      'div',
      { class: 'filters', role: 'group', 'aria-label': 'Filters' },
      labelled('Range', this.range, 'range'),
      this.customFields,
      labelled('Agent', this.agent, 'agent'),
      labelled('Project', this.project, 'project'),
    );

    this.range.addEventListener('change', () => this.onRange());
    this.since.addEventListener('change', () => this.onCustomDates());
    this.until.addEventListener('change', () => this.onCustomDates());
    this.agent.addEventListener('change', () => this.emit({ ...this.filter, agent: this.agent.value as AgentId | 'all' }));
    this.project.addEventListener('change', () => this.emit({ ...this.filter, project: this.project.value }));
    this.show();
  }

  /** Applies the host's snapshot: its filter wins, and the option lists follow its data. */
  update(data: PanelData): void {
    this.resolved = { since: data.since, until: data.until, today: data.today, firstDay: data.daily.reduce<string | undefined>((min, r) => (min === undefined || r.day < min ? r.day : min), undefined) };
    options(this.agent, [['all', 'All agents'], ...data.agentOptions.map((a): [string, string] => [a, f.agentName(a)])]);
    const projects = data.projectOptions.includes(data.filter.project) || data.filter.project === 'all' ? data.projectOptions : [...data.projectOptions, data.filter.project];
    options(this.project, [['all', 'All projects'], ...projects.map((p): [string, string, string] => [p, f.shortPath(p, 60), p])]);
    this.filter = data.filter;
    this.show();
  }

  current(): PanelFilter {
    return this.filter;
  }

  /** Sets a value not coming from the controls (e.g. the sessions limit) and reports it. */
  patch(change: Partial<PanelFilter>): void {
    this.emit({ ...this.filter, ...change });
  }

  private onRange(): void {
    const range = this.range.value as RangePreset;
    if (range === 'custom') {
      const until = this.filter.until ?? this.resolved.until ?? this.resolved.today ?? '';
      const since = this.filter.since ?? this.resolved.since ?? this.resolved.firstDay ?? until;
      this.filter = { ...this.filter, range, since, until };
      this.show();
      if (DAY.test(since) && DAY.test(until)) this.emit(this.filter);
      else this.since.focus();
      return;
    }
    const { since: _s, until: _u, ...rest } = this.filter;
    this.emit({ ...rest, range });
  }

  private onCustomDates(): void {
    const since = this.since.value;
    const until = this.until.value;
    const valid = DAY.test(since) && DAY.test(until) && since <= until;
    this.since.invalid = !valid && since !== '' && until !== '';
    this.until.invalid = this.since.invalid;
    if (valid) this.emit({ ...this.filter, range: 'custom', since, until });
  }

  private emit(filter: PanelFilter): void {
    this.filter = filter;
    this.show();
    this.onChange(filter);
  }

  /** Puts the filter into the controls. */
  private show(): void {
    const { range, agent, project } = this.filter;
    if (this.range.value !== range) this.range.value = range;
    if (this.agent.value !== agent) this.agent.value = agent;
    if (this.project.value !== project) this.project.value = project;
    const custom = range === 'custom';
    this.customFields.hidden = !custom;
    if (custom) {
      if (this.filter.since && this.since.value !== this.filter.since) this.since.value = this.filter.since;
      if (this.filter.until && this.until.value !== this.filter.until) this.until.value = this.filter.until;
    }
  }
}

/** "Last 30 days: Mar 1 – Mar 30, 2025" for the range the host resolved. */
export function describeRange(data: PanelData): string {
  const preset = data.filter.range === 'custom' ? 'Custom range' : RANGE_LABELS[data.filter.range];
  if (!data.since && !data.until) return preset;
  if (data.since && data.until && data.since === data.until) return `${preset}: ${f.longDay(data.since)}`;
  const from = data.since ? f.longDay(data.since) : 'the beginning';
  const to = data.until ? f.longDay(data.until) : 'today';
  return `${preset}: ${from} – ${to}`;
}

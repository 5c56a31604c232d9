/** The models, projects and sessions tables. */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { ModelRow, PanelData, ProjectRow, SessionRow } from '../src/protocol/panel-protocol';
import type { Child } from './dom';
import { h, section, uid } from './dom';
import * as f from './format';
import type { Column } from './sortable-table';
import { SortableTable } from './sortable-table';
import { SESSION_LIMITS, saveSort, savedState } from './state';
import type { SortState } from './state';

function sortFor(table: string, fallback: SortState): SortState {
  return savedState().sort[table] ?? fallback;
}

function tokensCol<R extends { totalTokens: number }>(key = 'tokens', label = 'Tokens', pick: (r: R) => number = (r) => r.totalTokens): Column<R> {
  return { key, label, numeric: true, sortValue: pick, cell: (r) => f.tokens(pick(r)), title: (r) => `${f.integer(pick(r))} tokens` };
}

function costCol<R extends { costUsd: number }>(): Column<R> {
  return { key: 'cost', label: 'Cost', numeric: true, sortValue: (r) => r.costUsd, cell: (r) => f.usd(r.costUsd), className: 'cost' };
}

function projectCell(path: string): Child {
  return h('span', { class: 'path' }, f.shortPath(path));
}

function badge(text: string, kind: string, title: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}`, title }, text);
}

export class ModelsTable {
  readonly element: HTMLElement;
  private readonly table: SortableTable<ModelRow>;

  constructor() {
    this.table = new SortableTable<ModelRow>({
      caption: 'Cost and tokens per model',
      emptyText: 'No models in this range.',
      sort: sortFor('models', { key: 'cost', dir: 'desc' }),
      onSort: (s) => saveSort('models', s),
      columns: [
        {
          key: 'model',
          label: 'Model',
          sortValue: (r) => f.modelLabel(r.model, r.speed),
          cell: (r) =>
            h(
              'span',
              { class: 'model-name' },
              h('span', { class: 'model-id' }, r.model),
              r.speed === 'fast' && badge('fast', 'info', 'Fast mode, priced at its own rate'),
              !r.priced && badge('unpriced', 'warning', 'No price is known for this model: its tokens count, its cost shows as $0.'),
            ),
        },
        { ...tokensCol<ModelRow>('input', 'Input', (r) => r.inputTokens), optional: 1 },
        { ...tokensCol<ModelRow>('output', 'Output', (r) => r.outputTokens), optional: 1 },
        { ...tokensCol<ModelRow>('cacheWrite', 'Cache write', (r) => r.cacheWrite5mTokens + r.cacheWrite1hTokens), optional: 2 },
        tokensCol<ModelRow>('cacheRead', 'Cache read', (r) => r.cacheReadTokens),
        tokensCol('tokens', 'Total'),
        { ...costCol<ModelRow>(), cell: (r) => (r.priced ? f.usd(r.costUsd) : h('span', { class: 'muted' }, '—')), title: (r) => (r.priced ? undefined : 'Unpriced') },
        { key: 'savings', label: 'Cache savings', numeric: true, sortValue: (r) => r.cacheSavingsUsd, cell: (r) => (r.priced ? f.usd(r.cacheSavingsUsd) : h('span', { class: 'muted' }, '—')) },
      ],
    });
    this.element = section('Models', 'models-section', [], this.table.element).element;
  }

  update(data: PanelData): void {
    this.table.setRows(data.models);
  }
}

export class ProjectsTable {
  readonly element: HTMLElement;
  private readonly table: SortableTable<ProjectRow>;
  private timeZone = 'UTC';

  constructor() {
    this.table = new SortableTable<ProjectRow>({
      caption: 'Cost and tokens per project',
      emptyText: 'No projects in this range.',
      sort: sortFor('projects', { key: 'cost', dir: 'desc' }),
      onSort: (s) => saveSort('projects', s),
      columns: [
        { key: 'project', label: 'Project', className: 'name', sortValue: (r) => r.project, cell: (r) => projectCell(r.project), title: (r) => r.project },
        { key: 'sessions', label: 'Sessions', numeric: true, sortValue: (r) => r.sessions, cell: (r) => f.integer(r.sessions) },
        { key: 'first', label: 'First', sortValue: (r) => r.firstTs, cell: (r) => f.dateOnly(r.firstTs, this.timeZone), title: (r) => f.fullDateTime(r.firstTs, this.timeZone), className: 'date', optional: 1 },
        { key: 'last', label: 'Last', sortValue: (r) => r.lastTs, cell: (r) => f.dateOnly(r.lastTs, this.timeZone), title: (r) => f.fullDateTime(r.lastTs, this.timeZone), className: 'date' },
        { key: 'model', label: 'Primary model', sortValue: (r) => r.primaryModel, cell: (r) => r.primaryModel, className: 'model', optional: 2 },
        tokensCol<ProjectRow>(),
        costCol<ProjectRow>(),
      ],
    });
    this.element = section('Projects', 'projects-section', [], this.table.element).element;
  }

  update(data: PanelData): void {
    this.timeZone = data.timeZone;
    this.table.setRows(data.projects);
  }
}

export class SessionsTable {
  readonly element: HTMLElement;
  private readonly table: SortableTable<SessionRow>;
  private readonly heading: HTMLHeadingElement;
  private readonly limitSelect: HTMLElement & { value: string };
  private timeZone = 'UTC';

  constructor(onLimit: (limit: number) => void) {
    this.table = new SortableTable<SessionRow>({
      caption: 'Costliest sessions',
      emptyText: 'No sessions in this range.',
      sort: sortFor('sessions', { key: 'cost', dir: 'desc' }),
      onSort: (s) => saveSort('sessions', s),
      rowTitle: (r) => `Session ${r.sessionId}`,
      columns: [
        { key: 'project', label: 'Project', className: 'name', sortValue: (r) => r.project, cell: (r) => projectCell(r.project), title: (r) => `${r.project}\nSession ${r.sessionId}` },
        { key: 'agent', label: 'Agent', sortValue: (r) => f.agentName(r.agent), cell: (r) => f.agentName(r.agent), className: 'agent' },
        { key: 'first', label: 'First', sortValue: (r) => r.firstTs, cell: (r) => f.dateTime(r.firstTs, this.timeZone), title: (r) => f.fullDateTime(r.firstTs, this.timeZone), className: 'date', optional: 1 },
        { key: 'last', label: 'Last', sortValue: (r) => r.lastTs, cell: (r) => f.dateTime(r.lastTs, this.timeZone), title: (r) => f.fullDateTime(r.lastTs, this.timeZone), className: 'date' },
        { key: 'model', label: 'Primary model', sortValue: (r) => r.primaryModel, cell: (r) => r.primaryModel, className: 'model', optional: 2 },
        tokensCol<SessionRow>(),
        costCol<SessionRow>(),
      ],
    });
    const selectId = uid('session-limit');
    this.limitSelect = h('vscode-single-select', { id: selectId, class: 'limit-select' }, ...SESSION_LIMITS.map((n) => h('vscode-option', { value: String(n) }, `Top ${n}`)));
    (this.limitSelect as unknown as { label: string }).label = 'Sessions shown';
    this.limitSelect.addEventListener('change', () => {
      const n = Number(this.limitSelect.value);
      if (Number.isFinite(n) && n > 0) onLimit(n);
    });
    const extras = [h('span', { class: 'spacer' }), h('label', { class: 'inline-label', for: selectId }, 'Show'), this.limitSelect];
    const s = section('Sessions', 'sessions-section', extras, this.table.element);
    this.element = s.element;
    this.heading = s.heading;
  }

  update(data: PanelData): void {
    this.timeZone = data.timeZone;
    const limit = data.filter.sessionLimit;
    const value = String(SESSION_LIMITS.includes(limit) ? limit : SESSION_LIMITS[1]);
    if (this.limitSelect.value !== value) this.limitSelect.value = value;
    const rows = [...data.sessions].sort((a, b) => b.costUsd - a.costUsd).slice(0, limit);
    this.heading.textContent = rows.length > 0 ? `Sessions (top ${rows.length} by cost)` : 'Sessions';
    this.table.setRows(rows);
  }
}

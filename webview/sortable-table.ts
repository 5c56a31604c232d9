/** A plain, accessible <table> whose column headers are sort buttons carrying aria-sort. */
import type { Child } from './dom';
import { h, replaceChildren, uid } from './dom';
import type { SortDir, SortState } from './state';

export interface Column<R> {
  key: string;
  label: string;
  /** Right-aligned, tabular figures, sorted descending first. */
  numeric?: boolean;
  /** What the column sorts by. */
  sortValue(row: R): string | number;
  /** The cell's content (text or nodes built with `h`). */
  cell(row: R): Child;
  /** Tooltip for the cell. */
  title?(row: R): string | undefined;
  /** Extra class on header and cells, e.g. to set a width. */
  className?: string;
  /** Narrow panels drop optional columns: 1 goes first (900px and less), 2 next (760px and less). */
  optional?: 1 | 2;
}

function columnClass<R>(c: Column<R>): string | undefined {
  return [c.numeric ? 'num' : '', c.className ?? '', c.optional ? `opt-${c.optional}` : ''].filter(Boolean).join(' ') || undefined;
}

export interface TableOptions<R> {
  caption: string;
  columns: Column<R>[];
  sort: SortState;
  emptyText: string;
  onSort(sort: SortState): void;
  /** Tooltip for a whole row. */
  rowTitle?(row: R): string | undefined;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export class SortableTable<R> {
  /** A scrollable, focusable region around the table, so narrow panels can scroll it by keyboard. */
  readonly element: HTMLDivElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly headers = new Map<string, { th: HTMLTableCellElement; indicator: HTMLSpanElement }>();
  private rows: readonly R[] = [];
  private sort: SortState;

  constructor(private readonly options: TableOptions<R>) {
    this.sort = options.columns.some((c) => c.key === options.sort.key) ? options.sort : { key: options.columns[0]!.key, dir: 'asc' };
    const captionId = uid('caption');
    const headRow = h('tr');
    for (const col of options.columns) {
      const indicator = h('span', { class: 'sort-indicator', 'aria-hidden': 'true' });
      const button = h('button', { type: 'button', class: 'sort-button' }, h('span', { class: 'sort-label' }, col.label), indicator);
      button.addEventListener('click', () => this.toggle(col));
      const th = h('th', { scope: 'col', class: columnClass(col) }, button);
      this.headers.set(col.key, { th, indicator });
      headRow.appendChild(th);
    }
    this.tbody = h('tbody');
    const table = h('table', { class: 'data-table' }, h('caption', { id: captionId, class: 'visually-hidden' }, options.caption), h('thead', null, headRow), this.tbody);
    this.element = h('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId }, table);
    // Only a table wider than its panel needs a tab stop of its own, to scroll it by keyboard.
    new ResizeObserver(() => this.updateScrollable()).observe(this.element);
    this.renderHeaders();
  }

  setRows(rows: readonly R[]): void {
    this.rows = rows;
    this.renderBody();
    this.updateScrollable();
  }

  private updateScrollable(): void {
    const scrollable = this.element.scrollWidth > this.element.clientWidth + 1;
    if (scrollable) this.element.setAttribute('tabindex', '0');
    else this.element.removeAttribute('tabindex');
  }

  private toggle(col: Column<R>): void {
    const dir: SortDir = this.sort.key === col.key ? (this.sort.dir === 'asc' ? 'desc' : 'asc') : col.numeric ? 'desc' : 'asc';
    this.sort = { key: col.key, dir };
    this.renderHeaders();
    this.renderBody();
    this.options.onSort(this.sort);
  }

  private renderHeaders(): void {
    for (const col of this.options.columns) {
      const { th, indicator } = this.headers.get(col.key)!;
      const active = col.key === this.sort.key;
      th.setAttribute('aria-sort', active ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      th.classList.toggle('sorted', active);
      indicator.textContent = active ? (this.sort.dir === 'asc' ? '▲' : '▼') : '';
    }
  }

  private renderBody(): void {
    const col = this.options.columns.find((c) => c.key === this.sort.key)!;
    const sign = this.sort.dir === 'asc' ? 1 : -1;
    const sorted = [...this.rows].sort((a, b) => {
      const va = col.sortValue(a);
      const vb = col.sortValue(b);
      const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
      return cmp * sign;
    });
    if (sorted.length === 0) {
      replaceChildren(this.tbody, h('tr', { class: 'empty-row' }, h('td', { colspan: this.options.columns.length }, this.options.emptyText)));
      return;
    }
    replaceChildren(
      this.tbody,
      ...sorted.map((row) =>
        h(
          'tr',
          { title: this.options.rowTitle?.(row) },
          ...this.options.columns.map((c) => h('td', { class: columnClass(c), title: c.title?.(row) }, c.cell(row))),
        ),
      ),
    );
  }
}

/** The stacked cost-per-day (or per-month) bar chart by model, with a screen-reader table beside it. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import type { DailyModelRow, PanelData } from '../src/protocol/panel-protocol';
import { h, replaceChildren, uid } from './dom';
import * as f from './format';
import { chartPalette, cssVar, themeKind } from './theme';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** More models than this are folded into one "Other models" series. */
const MAX_SERIES = 7;
/** Longer spans are drawn per month. */
const MAX_DAYS = 180;

export interface Series {
  label: string;
  values: number[];
  total: number;
}

export interface ChartModel {
  grain: 'day' | 'month';
  /** 'YYYY-MM-DD' or 'YYYY-MM', one per bar. */
  periods: string[];
  series: Series[];
  totals: number[];
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function daySpan(first: string, last: string): number {
  return Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Every period from the range's first to last day, so quiet days show as gaps, not as missing bars. */
function periodsOf(rows: readonly DailyModelRow[], since: string | undefined, until: string | undefined, today: string): { grain: 'day' | 'month'; periods: string[] } {
  const days = rows.map((r) => r.day).sort();
  const first = since ?? days[0];
  const lastData = days[days.length - 1];
  const last = until ?? (lastData && lastData > today ? lastData : today);
  if (!first || first > last) return { grain: 'day', periods: [...new Set(days)] };
  const span = daySpan(first, last);
  const grain = span > MAX_DAYS ? 'month' : 'day';
  const periods: string[] = [];
  if (grain === 'day') {
    for (let d = first; d <= last; d = addDays(d, 1)) periods.push(d);
  } else {
    let [y, m] = first.split('-').map(Number) as [number, number];
    const end = last.slice(0, 7);
    for (;;) {
      const p = `${y}-${String(m).padStart(2, '0')}`;
      periods.push(p);
      if (p >= end) break;
      m += 1;
      if (m > 12) {
        m = 1;
        y += 1;
      }
    }
  }
  return { grain, periods };
}

export function buildChartModel(data: Pick<PanelData, 'daily' | 'since' | 'until' | 'today'>): ChartModel {
  const { grain, periods } = periodsOf(data.daily, data.since, data.until, data.today);
  const index = new Map(periods.map((p, i) => [p, i]));
  const byModel = new Map<string, Series>();
  for (const row of data.daily) {
    const i = index.get(grain === 'day' ? row.day : row.day.slice(0, 7));
    if (i === undefined) continue;
    const label = f.modelLabel(row.model, row.speed);
    let s = byModel.get(label);
    if (!s) {
      s = { label, values: periods.map(() => 0), total: 0 };
      byModel.set(label, s);
    }
    s.values[i] = (s.values[i] ?? 0) + row.costUsd;
    s.total += row.costUsd;
  }
  // A model with no cost (unpriced, or only free tokens) would add an empty legend entry.
  let series = [...byModel.values()].filter((s) => s.total > 0).sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  if (series.length > MAX_SERIES) {
    const rest = series.slice(MAX_SERIES - 1);
    const other: Series = { label: 'Other models', values: periods.map((_, i) => rest.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)), total: 0 };
    other.total = other.values.reduce((a, b) => a + b, 0);
    series = [...series.slice(0, MAX_SERIES - 1), other];
  }
  const totals = periods.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  return { grain, periods, series, totals };
}

function periodLabel(grain: 'day' | 'month', p: string): string {
  return grain === 'day' ? f.shortDay(p) : f.month(p);
}

function periodLongLabel(grain: 'day' | 'month', p: string): string {
  return grain === 'day' ? f.longDay(p) : f.month(p);
}

interface Colors {
  series: string[];
  text: string;
  grid: string;
  border: string;
  hoverBg: string;
  hoverFg: string;
  hoverBorder: string;
  font: string;
  highContrast: boolean;
}

function readColors(): Colors {
  const kind = themeKind();
  return {
    series: chartPalette(),
    text: cssVar('--vscode-descriptionForeground', cssVar('--vscode-foreground', '#cccccc')),
    grid: cssVar('--vscode-panel-border', cssVar('--vscode-widget-border', 'rgba(128,128,128,0.35)')),
    border: cssVar('--vscode-contrastBorder', 'transparent'),
    hoverBg: cssVar('--vscode-editorHoverWidget-background', '#252526'),
    hoverFg: cssVar('--vscode-editorHoverWidget-foreground', cssVar('--vscode-foreground', '#cccccc')),
    hoverBorder: cssVar('--vscode-editorHoverWidget-border', '#454545'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    highContrast: kind === 'high-contrast' || kind === 'high-contrast-light',
  };
}

export class CostChart {
  readonly element: HTMLElement;
  readonly heading: HTMLHeadingElement;
  private readonly canvasWrap: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly empty: HTMLParagraphElement;
  private readonly fallback: HTMLTableElement;
  private chart: Chart<'bar', number[], string> | undefined;
  private model: ChartModel | undefined;
  /** Palette slot per series label, kept across snapshots so a model keeps its colour when filters change. */
  private readonly slots = new Map<string, number>();

  constructor() {
    const headingId = uid('chart-heading');
    this.heading = h('h2', { id: headingId }, 'Daily cost by model');
    this.canvas = h('canvas', { role: 'img', 'aria-label': 'Daily cost by model' });
    this.canvasWrap = h('div', { class: 'chart-canvas' }, this.canvas);
    this.empty = h('p', { class: 'empty', hidden: true }, 'No usage in this range.');
    this.fallback = h('table');
    // A table ignores a 1px width, so the wrapper is what hides it.
    const fallbackWrap = h('div', { class: 'visually-hidden' }, this.fallback);
    this.element = h('section', { class: 'panel-section chart-section', 'aria-labelledby': headingId }, this.heading, this.canvasWrap, this.empty, fallbackWrap);
  }

  update(data: PanelData): void {
    const model = buildChartModel(data);
    this.model = model;
    const hasData = model.series.some((s) => s.total > 0);
    this.heading.textContent = model.grain === 'day' ? 'Daily cost by model' : 'Monthly cost by model';
    this.canvasWrap.hidden = !hasData;
    this.empty.hidden = hasData;
    this.canvas.setAttribute('aria-label', this.summary(model));
    this.renderFallback(model);
    if (!hasData) {
      this.chart?.destroy();
      this.chart = undefined;
      return;
    }
    const colors = readColors();
    const labels = model.periods.map((p) => periodLabel(model.grain, p));
    const datasets = model.series.map((s) => this.dataset(s, this.slot(s.label, colors.series.length), colors));
    if (this.chart) {
      this.chart.data.labels = labels;
      this.chart.data.datasets = datasets;
      this.applyTheme(colors);
      this.chart.update('none');
    } else {
      this.chart = new Chart(this.canvas, this.config(labels, datasets, colors));
    }
  }

  /** The first free palette slot for a new label; the least used one once all are taken. */
  private slot(label: string, size: number): number {
    const known = this.slots.get(label);
    if (known !== undefined) return known;
    const used = new Array<number>(size).fill(0);
    for (const v of this.slots.values()) used[v % size]! += 1;
    const slot = used.indexOf(Math.min(...used));
    this.slots.set(label, slot);
    return slot;
  }

  /** Re-reads the theme's colours; call when VS Code switches theme. */
  retheme(): void {
    if (!this.chart) return;
    const colors = readColors();
    this.chart.data.datasets.forEach((d) => {
      const c = colors.series[this.slot(d.label ?? '', colors.series.length) % colors.series.length]!;
      d.backgroundColor = c;
      d.hoverBackgroundColor = c;
      d.borderColor = colors.highContrast ? colors.border : c;
      d.borderWidth = colors.highContrast ? 1 : 0;
    });
    this.applyTheme(colors);
    this.chart.update('none');
  }

  private dataset(s: Series, i: number, colors: Colors): ChartConfiguration<'bar', number[], string>['data']['datasets'][number] {
    const c = colors.series[i % colors.series.length]!;
    return {
      label: s.label,
      data: s.values,
      backgroundColor: c,
      hoverBackgroundColor: c,
      borderColor: colors.highContrast ? colors.border : c,
      borderWidth: colors.highContrast ? 1 : 0,
      stack: 'cost',
      maxBarThickness: 28,
      categoryPercentage: 0.8,
      barPercentage: 0.9,
    };
  }

  private config(labels: string[], datasets: ChartConfiguration<'bar', number[], string>['data']['datasets'], colors: Colors): ChartConfiguration<'bar', number[], string> {
    const config: ChartConfiguration<'bar', number[], string> = {
      type: 'bar',
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: { stacked: true, beginAtZero: true, ticks: { maxTicksLimit: 6, callback: (v) => f.usdCompact(Number(v)) } },
        },
        plugins: {
          legend: { position: 'bottom', align: 'start', labels: { boxWidth: 10, boxHeight: 10, padding: 14 } },
          tooltip: {
            filter: (item: TooltipItem<'bar'>) => (item.raw as number) > 0,
            itemSort: (a: TooltipItem<'bar'>, b: TooltipItem<'bar'>) => (b.raw as number) - (a.raw as number),
            callbacks: {
              title: (items: TooltipItem<'bar'>[]) => {
                const m = this.model;
                const i = items[0]?.dataIndex;
                return m && i !== undefined ? periodLongLabel(m.grain, m.periods[i]!) : '';
              },
              label: (item: TooltipItem<'bar'>) => ` ${item.dataset.label ?? ''}: ${f.usd(item.raw as number)}`,
              labelColor: (item: TooltipItem<'bar'>) => {
                const c = item.dataset.backgroundColor as string;
                return { borderColor: c, backgroundColor: c, borderWidth: 0 };
              },
              labelPointStyle: () => ({ pointStyle: 'rect', rotation: 0 }),
              footer: (items: TooltipItem<'bar'>[]) => {
                const i = items[0]?.dataIndex;
                return i === undefined || !this.model ? '' : `Total: ${f.usd(this.model.totals[i] ?? 0)}`;
              },
            },
          },
        },
      },
    };
    applyThemeToOptions(config.options!, colors);
    return config;
  }

  private applyTheme(colors: Colors): void {
    if (this.chart) applyThemeToOptions(this.chart.options, colors);
  }

  private summary(model: ChartModel): string {
    const total = model.totals.reduce((a, b) => a + b, 0);
    const first = model.periods[0];
    const last = model.periods[model.periods.length - 1];
    const span = first && last ? `${periodLongLabel(model.grain, first)} to ${periodLongLabel(model.grain, last)}` : 'no days';
    const top = model.series
      .slice(0, 3)
      .filter((s) => s.total > 0)
      .map((s) => `${s.label} ${f.usd(s.total)}`)
      .join(', ');
    return `Stacked bar chart of ${model.grain === 'day' ? 'daily' : 'monthly'} cost by model, ${span}. Total ${f.usd(total)}${top ? `. Top models: ${top}` : ''}. The same figures follow in a table.`;
  }

  /** A table with the chart's numbers, for screen readers. */
  private renderFallback(model: ChartModel): void {
    const caption = h('caption', null, `${model.grain === 'day' ? 'Daily' : 'Monthly'} cost by model`);
    const head = h('tr', null, h('th', { scope: 'col' }, model.grain === 'day' ? 'Day' : 'Month'), ...model.series.map((s) => h('th', { scope: 'col' }, s.label)), h('th', { scope: 'col' }, 'Total'));
    const rows = model.periods
      .map((p, i) => ({ p, i }))
      .filter(({ i }) => (model.totals[i] ?? 0) > 0)
      .map(({ p, i }) =>
        h('tr', null, h('th', { scope: 'row' }, periodLongLabel(model.grain, p)), ...model.series.map((s) => h('td', null, f.usd(s.values[i] ?? 0))), h('td', null, f.usd(model.totals[i] ?? 0))),
      );
    replaceChildren(this.fallback, caption, h('thead', null, head), h('tbody', null, ...rows));
  }
}

function applyThemeToOptions(options: NonNullable<ChartConfiguration<'bar', number[], string>['options']>, c: Colors): void {
  const font = { family: c.font, size: 12 };
  const x = options.scales?.x;
  const y = options.scales?.y;
  if (x) {
    x.ticks = { ...x.ticks, color: c.text, font };
    x.border = { color: c.grid };
  }
  if (y) {
    y.ticks = { ...y.ticks, color: c.text, font };
    y.grid = { color: c.grid };
    y.border = { display: false };
  }
  const plugins = options.plugins!;
  plugins.legend!.labels = { ...plugins.legend!.labels, color: c.text, font };
  Object.assign(plugins.tooltip!, {
    backgroundColor: c.hoverBg,
    borderColor: c.hoverBorder,
    borderWidth: 1,
    titleColor: c.hoverFg,
    bodyColor: c.hoverFg,
    footerColor: c.hoverFg,
    titleFont: { ...font, weight: 'bold' },
    bodyFont: font,
    footerFont: { ...font, weight: 'bold' },
    cornerRadius: 3,
    padding: 8,
    boxWidth: 10,
    boxHeight: 10,
    boxPadding: 4,
    multiKeyBackground: 'transparent',
    usePointStyle: true,
  });
}

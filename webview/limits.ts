/** The Limits section: each quota window's fill over time against an even pace, and each active 5-hour block's burn rate. */
import type { BlockView, LimitWindowView, PanelData } from '../src/protocol/panel-protocol';
import { h, meter, replaceChildren, section } from './dom';
import * as f from './format';

const SVG = 'http://www.w3.org/2000/svg';
const W = 240;
const HGT = 48;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A step line of the readings from the window's start to its reset, over the even-pace diagonal. */
function fillChart(w: LimitWindowView, now: number): SVGSVGElement {
  const start = w.resetsAt - w.windowMinutes * 60_000;
  const x = (t: number) => (Math.min(Math.max(t, start), w.resetsAt) - start) / (w.resetsAt - start) * W;
  const y = (p: number) => HGT - (p / 100) * HGT;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${HGT}`, width: W, height: HGT, class: 'limit-chart', role: 'img', 'aria-label': `${w.label} window fill over time` });
  chart.appendChild(svg('line', { x1: 0, y1: HGT, x2: W, y2: 0, class: 'limit-pace-line' }));
  const points = w.history.length ? w.history : [[w.observedAt, w.usedPercent] as [number, number]];
  // Nothing is known before the first reading: the line starts there.
  let d = `M ${x(points[0]![0]).toFixed(1)} ${y(points[0]![1]).toFixed(1)}`;
  for (const [t, p] of points) d += ` H ${x(t).toFixed(1)} V ${y(p).toFixed(1)}`;
  d += ` H ${x(Math.min(now, w.resetsAt)).toFixed(1)}`;
  chart.appendChild(svg('path', { d, class: `limit-fill-line level-${w.level}` }));
  chart.appendChild(svg('line', { x1: x(now), y1: 0, x2: x(now), y2: HGT, class: 'limit-now-line' }));
  return chart;
}


function windowRow(w: LimitWindowView, data: PanelData): HTMLElement {
  const tz = data.timeZone;
  const estimate = w.source === 'estimate';
  const detail = [
    w.stale ? `reset at ${f.dateTime(w.resetsAt, tz)}, no reading since` : `resets ${f.dateTime(w.resetsAt, tz)}`,
    `even pace now ${Math.round(w.expectedPercent)}%`,
    w.runOutAt !== undefined ? `runs out ${f.dateTime(w.runOutAt, tz)} at this pace` : '',
    `read ${f.dateTime(w.observedAt, tz)}`,
    w.planType ? `plan ${w.planType}` : '',
  ].filter(Boolean).join(' · ');
  return h(
    'li',
    { class: 'split-row limit-row', 'data-window': `${w.agent}-${w.label}` },
    h('span', { class: 'split-name' }, `${f.agentName(w.agent)} · ${w.label}`, estimate ? h('span', { class: 'limit-tag' }, 'estimate') : null),
    h('span', { class: 'split-value' }, `${estimate ? '~' : ''}${Math.round(w.usedPercent)}%`),
    meter(w.usedPercent / 100, `level-${estimate ? 'estimate' : w.level}`),
    h('span', { class: 'split-detail' }, detail),
    estimate ? h('span', { class: 'split-detail' }, 'No official figure for this agent: the active 5-hour block against the largest block of the last 30 days.') : fillChart(w, data.generatedAt),
  );
}

function blockRow(b: BlockView, data: PanelData): HTMLElement {
  const tz = data.timeZone;
  const rate = b.tokensPerMinute !== undefined ? `${f.tokens(b.tokensPerMinute)} tokens/min · ${f.usd(b.costPerHour ?? 0)}/h` : 'one request so far';
  const projected = b.projectedCost !== undefined ? ` · projected ${f.usd(b.projectedCost)} by ${f.time(b.endTime, tz)}` : '';
  return h(
    'li',
    { class: 'split-row limit-block' },
    h('span', { class: 'split-name' }, `${f.agentName(b.agent)} · active 5-hour block`),
    h('span', { class: 'split-value' }, f.usd(b.costUsd)),
    h('span', { class: 'split-detail' }, `${f.time(b.startTime, tz)}–${f.time(b.endTime, tz)} · ${f.tokens(b.totalTokens)} tokens · burn ${rate}${projected}`),
  );
}

export class LimitsSection {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;

  constructor() {
    this.list = h('ul', { class: 'split-list limits-list', role: 'list' });
    this.element = section('Limits', 'limits-section', [], this.list).element;
  }

  update(data: PanelData): void {
    const view = data.limits;
    if (!view || (view.windows.length === 0 && view.blocks.length === 0)) {
      const hints = data.quotaHints ?? [];
      replaceChildren(this.list, h('li', { class: 'empty' }, `No quota readings yet.${hints.length ? ` ${hints.join('; ')}.` : ''}`));
      return;
    }
    replaceChildren(this.list, ...view.windows.map((w) => windowRow(w, data)), ...view.blocks.map((b) => blockRow(b, data)));
  }
}

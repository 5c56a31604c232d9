import type { DailyModelRow } from './types';

/** ccusage's model breakdown shape (its `daily --json`). */
export interface CcusageBreakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: number;
  missingPricing?: true;
}

export interface CcusageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
  /** Present, as in ccusage, only when some model in the report has no price. */
  unpricedModels?: string[];
}

export type CcusagePeriodRow<K extends string> = Record<K, string> &
  CcusageTotals & { modelsUsed: string[]; modelBreakdowns: CcusageBreakdown[] };

/** The model name as ccusage prints it: fast mode is a `-fast` suffix. */
export function displayModel(model: string, speed: string): string {
  return speed === 'fast' ? `${model}-fast` : model;
}

function emptyTotals(): CcusageTotals {
  return { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0, totalCost: 0 };
}

function addRow(into: CcusageTotals, row: DailyModelRow): void {
  into.inputTokens += row.inputTokens;
  into.outputTokens += row.outputTokens;
  into.cacheCreationTokens += row.cacheWrite5mTokens + row.cacheWrite1hTokens;
  into.cacheReadTokens += row.cacheReadTokens;
  into.totalTokens += row.totalTokens;
  into.totalCost += row.costUsd;
}

/**
 * Day-by-model rows in ccusage's `daily --json` (or `monthly --json`) shape, so that
 * scripts written for ccusage read Agent Ledger's output unchanged.
 */
export function toCcusageReport<K extends 'date' | 'month'>(
  rows: readonly DailyModelRow[],
  periodKey: K,
  isPriced: (model: string) => boolean,
): { rows: CcusagePeriodRow<K>[]; totals: CcusageTotals } {
  const periods = new Map<string, DailyModelRow[]>();
  for (const row of rows) {
    const period = periodKey === 'date' ? row.day : row.day.slice(0, 7);
    const list = periods.get(period);
    if (list) list.push(row);
    else periods.set(period, [row]);
  }
  const totals = emptyTotals();
  const out = [...periods.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([period, periodRows]) => {
      const sum = emptyTotals();
      const breakdowns = new Map<string, CcusageBreakdown>();
      for (const row of periodRows) {
        addRow(sum, row);
        addRow(totals, row);
        const name = displayModel(row.model, row.speed);
        const b = breakdowns.get(name) ?? { modelName: name, inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, cost: 0 };
        b.inputTokens += row.inputTokens;
        b.outputTokens += row.outputTokens;
        b.cacheCreationTokens += row.cacheWrite5mTokens + row.cacheWrite1hTokens;
        b.cacheReadTokens += row.cacheReadTokens;
        b.cost += row.costUsd;
        if (!isPriced(row.model)) b.missingPricing = true;
        breakdowns.set(name, b);
      }
      const modelBreakdowns = [...breakdowns.values()].sort((a, b) => b.cost - a.cost || (a.modelName < b.modelName ? -1 : 1));
      return { [periodKey]: period, ...sum, modelsUsed: modelBreakdowns.map((b) => b.modelName), modelBreakdowns } as CcusagePeriodRow<K>;
    });
  const unpriced = [...new Set(rows.filter((r) => !isPriced(r.model)).map((r) => r.model))].sort();
  if (unpriced.length > 0) totals.unpricedModels = unpriced;
  return { rows: out, totals };
}

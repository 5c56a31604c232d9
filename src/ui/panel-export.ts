/** CSV and ccusage-style JSON of what the panel shows. No `vscode` import. */
import { isPriced } from '../pricing/cost';
import type { PanelData } from '../protocol/panel-protocol';
import { displayModel, toCcusageReport } from '../readers/ccusage-format';

const CSV_HEADER = ['date', 'model', 'input_tokens', 'output_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
  'cache_read_tokens', 'total_tokens', 'cost_usd', 'reported_cost_usd'];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-looking text is defused. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function panelCsv(data: PanelData): string {
  const rows = data.daily.map((r) => [r.day, displayModel(r.model, r.speed), r.inputTokens, r.outputTokens, r.cacheWrite5mTokens,
    r.cacheWrite1hTokens, r.cacheReadTokens, r.totalTokens, r.costUsd.toFixed(6), r.reportedCostUsd.toFixed(6)]);
  return [CSV_HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function panelJson(data: PanelData): string {
  const report = toCcusageReport(data.daily, 'date', isPriced);
  return `${JSON.stringify({ daily: report.rows, totals: report.totals }, null, 2)}\n`;
}

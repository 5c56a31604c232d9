import { terminalSafe } from './terminal-text';

/** A plain-text table for terminals: right-aligned numbers, a rule under the header, control characters escaped. */
export function renderTable(header: string[], unsafeRows: string[][], numeric: boolean[]): string {
  const rows = unsafeRows.map((r) => r.map(terminalSafe));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const formatInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const formatUsd = (n: number): string => `$${n.toFixed(2)}`;

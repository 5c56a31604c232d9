import stringWidth from 'string-width';
import { terminalSafe } from './terminal-text';

/**
 * A plain-text table for terminals: right-aligned numbers, a rule under the header, control
 * characters escaped. Cells are padded by the columns they take on screen (a CJK character or an
 * emoji takes two), not by their length.
 */
export function renderTable(header: string[], unsafeRows: string[][], numeric: boolean[]): string {
  const rows = unsafeRows.map((r) => r.map(terminalSafe));
  const widths = header.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ''))));
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - stringWidth(cell)));
    return numeric[i] ? fill + cell : cell + fill;
  };
  const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const formatInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const formatUsd = (n: number): string => `$${n.toFixed(2)}`;

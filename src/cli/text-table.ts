import type StringWidth from 'string-width';
import { terminalSafe } from './terminal-text';

let stringWidth: typeof StringWidth | undefined;

/**
 * The columns a cell takes on screen: its length when it is printable ASCII; else string-width's
 * measure, loaded only then (it takes ~50 ms to start, and the status line never draws a table).
 */
function widthOf(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  stringWidth ??= (require('string-width') as { default: typeof StringWidth }).default;
  return stringWidth(text);
}

/**
 * A plain-text table for terminals: right-aligned numbers, a rule under the header, control
 * characters escaped. Cells are padded by the columns they take on screen (a CJK character or an
 * emoji takes two), not by their length.
 */
export function renderTable(header: string[], unsafeRows: string[][], numeric: boolean[]): string {
  const rows = unsafeRows.map((r) => r.map(terminalSafe));
  const widths = header.map((h, i) => Math.max(widthOf(h), ...rows.map((r) => widthOf(r[i] ?? ''))));
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - widthOf(cell)));
    return numeric[i] ? fill + cell : cell + fill;
  };
  const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const formatInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const formatUsd = (n: number): string => `$${n.toFixed(2)}`;

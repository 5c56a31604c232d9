import { FIVE_HOUR_MINUTES, type LimitSnapshot } from '../core/limits';
import type { AgentId } from '../core/usage';
import type { StatusLineReading } from '../normalizers/agent-normalizer';
import type { StatusFigures } from '../readers/status-figures';

/** The parts of a status-line input we use (as its agent's normalizer reads them), and whose it is. */
export interface StatusInput extends StatusLineReading {
  /** The agent running the status line: the ledger's quota windows shown are its own. */
  agent: AgentId;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** `Opus 4.6 · session $1.23 · today $12.34 · 5h 62% ↻1h20m · ctx 45%`: what is known, nothing else. */
export function renderStatusLine(input: StatusInput, figures: StatusFigures, now: number): string {
  const parts: string[] = [];
  if (input.model) parts.push(input.model);
  if (figures.sessionUsd !== undefined) parts.push(`session ${usd(figures.sessionUsd)}`);
  if (figures.todayUsd !== undefined) parts.push(`today ${usd(figures.todayUsd)}`);
  const five = fiveHour(input.limits, now) ?? fiveHour(figures.limits.filter((l) => l.agent === input.agent), now);
  if (five) parts.push(`5h ${Math.round(five.usedPercent)}% ↻${untilReset(five.resetsAt - now)}`);
  if (input.contextPercent !== undefined) parts.push(`ctx ${Math.round(input.contextPercent)}%`);
  return parts.length ? parts.join(' · ') : 'Agent Ledger';
}

function fiveHour(limits: readonly LimitSnapshot[], now: number): LimitSnapshot | undefined {
  return limits.find((l) => l.windowMinutes === FIVE_HOUR_MINUTES && l.resetsAt > now);
}

/** `2h05m`, `45m`, `3d4h`. */
export function untilReset(ms: number): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

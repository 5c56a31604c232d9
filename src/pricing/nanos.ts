import type { Speed, TokenCounts } from '../core/usage';
import { costOf } from './cost';

const NANOS_PER_USD = 1e9;

/** A request's cost in integer nano-dollars: what the store keeps, so sums are exact. */
export function costNanos(tokens: TokenCounts, model: string, speed: Speed): number {
  return Math.round(costOf(tokens, model, speed).usd * NANOS_PER_USD);
}

export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

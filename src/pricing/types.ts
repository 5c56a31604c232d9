import type { Speed } from '../core/usage';

export type { Speed };

/** Who sets the price: decides the defaults (1h cache writes) and which long-context tier applies. */
export type Provider = 'anthropic' | 'openai' | 'google' | 'other';

/**
 * - `anthropic-200k`: total input (input + cache reads + 5m/1h cache writes) above the
 *   threshold bills the whole request, every token kind, at the tier rates.
 * - `openai-long-context`: input including cached input above the threshold bills the
 *   whole request at the tier rates (2× input, 2× cached, 1.5× output).

 * - `google-200k`: a prompt (input + cached input) above the threshold bills the whole request
 *   at the tier rates (Gemini Pro models).
 */
export type TierKind = 'anthropic-200k' | 'openai-long-context' | 'google-200k';

/**
 * Tokens of one request, by kind. `input` is the NON-cached input for both providers;
 * for OpenAI, `cacheRead` is the cached input. Core's `TokenCounts` is assignable to it.
 */
export interface TokenUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  readonly cacheRead: number;
}

/** Rates in USD per 1M tokens. */
export interface Rates {
  readonly input: number;
  readonly output: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  readonly cacheRead: number;
}

export interface TierRates extends Rates {
  readonly kind: TierKind;
  /** The tier applies when the request's input strictly exceeds this many tokens. */
  readonly threshold: number;
}

/** One price-table row with every default filled in. */
export interface ModelPrice extends Rates {
  /** The price-table key, e.g. `claude-opus-4-6`, `gpt-5.4`. */
  readonly model: string;
  readonly provider: Provider;
  readonly fastMultiplier: number;
  readonly tier: TierRates | undefined;
}

/** A row of `listPrices()`: the model's rates plus the alias names that map to it. */
export interface PriceRow extends ModelPrice {
  readonly aliases: readonly string[];
}

export interface Cost {
  readonly usd: number;
  /** False when the model is not in the price table (then `usd` is 0). */
  readonly priced: boolean;
}

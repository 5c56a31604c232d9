/**
 * Cost of one request. Pure; the only allocation per call is the result object.
 *
 * Tiers follow the providers' own rules (not ccusage's per-kind approximation): once a
 * request's input passes the tier threshold, every token kind of that request is billed
 * at the tier rates. The fast multiplier then applies to the whole request.
 */
import { aliases, prices, priceTableVersion } from './_table';
import { resolveModel } from './model-matcher';
import type { Cost, ModelPrice, PriceRow, Rates, Speed, TierKind, TokenUsage } from './types';

export { priceTableVersion };

/** The input that counts toward a tier threshold. */
function tierInput(kind: TierKind, u: TokenUsage): number {
  // OpenAI and Google: the prompt incl. cached input. Anthropic: input + cache reads + cache writes.
  if (kind === 'openai-long-context' || kind === 'google-200k') return u.input + u.cacheRead;
  return u.input + u.cacheRead + u.cacheWrite5m + u.cacheWrite1h;
}

function ratesFor(price: ModelPrice, u: TokenUsage): Rates {
  const tier = price.tier;
  return tier !== undefined && tierInput(tier.kind, u) > tier.threshold ? tier : price;
}

/** USD cost of one request's tokens. Unknown model → `{ usd: 0, priced: false }`. */
export function costOf(usage: TokenUsage, modelName: string, speed: Speed): Cost {
  const key = resolveModel(modelName);
  const price = key === undefined ? undefined : prices.get(key);
  if (price === undefined) return { usd: 0, priced: false };
  const r = ratesFor(price, usage);
  const perMillion =
    usage.input * r.input +
    usage.output * r.output +
    usage.cacheWrite5m * r.cacheWrite5m +
    usage.cacheWrite1h * r.cacheWrite1h +
    usage.cacheRead * r.cacheRead;
  const multiplier = speed === 'fast' ? price.fastMultiplier : 1;
  return { usd: (perMillion / 1_000_000) * multiplier, priced: true };
}

/** Whether the price table knows a model (an unknown one costs $0 and is flagged). */
export function isPriced(modelName: string): boolean {
  const key = resolveModel(modelName);
  return key !== undefined && prices.has(key);
}

/** Every price-table row with defaults filled, in table order, for the CLI `prices` command. */
export function listPrices(): PriceRow[] {
  const aliasesOf = new Map<string, string[]>();
  for (const [alias, key] of aliases) {
    const list = aliasesOf.get(key);
    if (list === undefined) aliasesOf.set(key, [alias]);
    else list.push(alias);
  }
  return [...prices.values()].map((p) => ({ ...p, aliases: aliasesOf.get(p.model) ?? [] }));
}

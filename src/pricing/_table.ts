/**
 * Loads and checks price-table.json once, filling defaults. Internal to pricing/.
 * A malformed table is a build defect, not an expected failure, so it throws at load.
 */
import table from './price-table.json';
import type { ModelPrice, Provider, TierKind, TierRates } from './types';

type Json = Record<string, unknown>;

const TIER_RULES: Record<TierKind, { provider: Provider; threshold: number }> = {
  'anthropic-200k': { provider: 'anthropic', threshold: 200_000 },
  'openai-long-context': { provider: 'openai', threshold: 272_000 },
  'google-200k': { provider: 'google', threshold: 200_000 },
};

const PROVIDERS: readonly Provider[] = ['anthropic', 'openai', 'google', 'other'];

function fail(where: string, what: string): never {
  throw new Error(`price-table.json: ${where}: ${what}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rate(o: Json, field: string, where: string, fallback?: number): number {
  const v = o[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(where, `${field} must be a number >= 0`);
  return v;
}

/** The 1h cache-write default: 2× input for Anthropic, none for OpenAI. */
function default1h(provider: Provider, input: number): number {
  return provider === 'anthropic' ? 2 * input : 0;
}

function parseTier(raw: unknown, provider: Provider, where: string): TierRates | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) fail(where, 'tier must be an object');
  const kind = raw.kind as TierKind;
  const rule = TIER_RULES[kind];
  if (rule === undefined) fail(where, `unknown tier kind ${String(raw.kind)}`);
  if (rule.provider !== provider) fail(where, `tier ${kind} does not apply to ${provider}`);
  if (raw.threshold !== rule.threshold) fail(where, `tier ${kind} threshold must be ${rule.threshold}`);
  const input = rate(raw, 'input', `${where}.tier`);
  return Object.freeze({
    kind,
    threshold: rule.threshold,
    input,
    output: rate(raw, 'output', `${where}.tier`),
    cacheWrite5m: rate(raw, 'cacheWrite5m', `${where}.tier`, provider === 'openai' ? 0 : provider === 'anthropic' ? undefined : input),
    cacheWrite1h: rate(raw, 'cacheWrite1h', `${where}.tier`, default1h(provider, input)),
    cacheRead: rate(raw, 'cacheRead', `${where}.tier`),
  });
}

function parseModel(model: string, raw: unknown): ModelPrice {
  if (!isObject(raw)) fail(model, 'entry must be an object');
  const provider = raw.provider as Provider;
  if (!PROVIDERS.includes(provider as Provider)) fail(model, `provider must be one of ${PROVIDERS.join(', ')}`);
  const input = rate(raw, 'input', model);
  return {
    model,
    provider,
    input,
    output: rate(raw, 'output', model),
    cacheWrite5m: rate(raw, 'cacheWrite5m', model),
    cacheWrite1h: rate(raw, 'cacheWrite1h', model, default1h(provider, input)),
    cacheRead: rate(raw, 'cacheRead', model),
    fastMultiplier: rate(raw, 'fastMultiplier', model, 1),
    tier: parseTier(raw.tier, provider, model),
  };
}

function parseAliases(raw: unknown, prices: ReadonlyMap<string, ModelPrice>): Map<string, string> {
  if (raw === undefined) return new Map();
  if (!isObject(raw)) fail('aliases', 'must be an object');
  const aliases = new Map<string, string>();
  for (const [alias, target] of Object.entries(raw)) {
    if (typeof target !== 'string' || !prices.has(target)) fail(`aliases.${alias}`, 'must name a model key');
    if (prices.has(alias)) fail(`aliases.${alias}`, 'is already a model key');
    aliases.set(alias, target);
  }
  return aliases;
}

function load(raw: unknown) {
  if (!isObject(raw)) fail('root', 'must be an object');
  if (typeof raw.version !== 'string' || raw.version === '') fail('version', 'must be a non-empty string');
  if (!isObject(raw.models)) fail('models', 'must be an object');
  const prices = new Map<string, ModelPrice>();
  for (const [model, entry] of Object.entries(raw.models)) prices.set(model, Object.freeze(parseModel(model, entry)));
  return { version: raw.version, prices, aliases: parseAliases(raw.aliases, prices) };
}

const loaded = load(table as unknown);

/** Changes whenever prices change; the store compares it to decide on a re-price. */
export const priceTableVersion: string = loaded.version;
/** Price-table key → prices with defaults filled. */
export const prices: ReadonlyMap<string, ModelPrice> = loaded.prices;
/** Alias name → price-table key. */
export const aliases: ReadonlyMap<string, string> = loaded.aliases;

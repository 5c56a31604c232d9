/**
 * Model name → price-table key (pricing-facts.md §2 "Model-name matching").
 *
 * 1. Exact key, then exact alias (gpt-5.3-spark → gpt-5.3-codex-spark).
 * 2. Fuzzy, case-insensitive, `.` and `@` read as `-`: a key (or alias) matches when it
 *    sits inside the name between non-alphanumeric boundaries; the longest one wins.
 *    `anthropic/claude-opus-4.6`, `claude-opus-4-6[1m]`, `claude-opus-4-6-thinking`,
 *    `us.anthropic.claude-sonnet-4-5-20250929-v1:0` all resolve.
 * 3. Right after the key, a date (`-20250514`, `-2026-03-05`) is skipped; any other
 *    number is a new version, so claude-opus-4-9 is not claude-opus-4 and gpt-5.4
 *    never falls back to gpt-5.
 * 4. A size word after the key (`-mini`, `-nano`, `-pro`, `-plus`, `-air`, …) names a different
 *    model: gpt-5-nano or o3-mini stay unknown rather than borrow gpt-5 or o3 prices; a `-v3`
 *    after a key is a version (deepseek-chat-v3.1 is not deepseek-chat), Bedrock's `-v1:0` is not.
 *
 * Before the fuzzy step, agents' ids are normalised (agents.md §7): routing prefixes
 * (`copilot/`, `custom:`, `github.copilot-chat/`) and a `vendor/` prefix are split off, case is
 * lowered, and Claude's version dots become dashes (`anthropic/claude-sonnet-4.5` →
 * `claude-sonnet-4-5`); the exact name, then `vendor/name`, then the bare name are looked up.
 */
import { aliases, prices } from './_table';

interface Candidate {
  readonly norm: string;
  readonly key: string;
}

const DATE_AFTER_KEY = /^-(?:\d{8}|\d{4}-\d{2}-\d{2})(?![a-z0-9])/;
const NEW_VERSION = /^-(?:\d|v\d+(?![\d:]))/;
const VARIANT_WORD = /(?:^|[^a-z0-9])(?:mini|nano|pro|max|spark|lite|plus|air|turbo|flash)(?![a-z0-9])/;
const ROUTING_PREFIX = /^(?:github\.copilot-chat\/|copilot\/|custom:)/;
const CLAUDE_VERSION_DOT = /^(claude-[a-z]+-\d+)\.(\d)/;
const MEMO_LIMIT = 10_000;

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/[.@]/g, '-');
}

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 122);
}

/** Every key and alias in normalized form, longest first (ties alphabetical, for determinism). */
function buildCandidates(): Candidate[] {
  const byNorm = new Map<string, string>();
  const add = (name: string, key: string): void => {
    const norm = normalize(name);
    const other = byNorm.get(norm);
    if (other !== undefined && other !== key) {
      throw new Error(`price-table.json: ${name} and ${other} collide as ${norm}`);
    }
    byNorm.set(norm, key);
  };
  for (const key of prices.keys()) add(key, key);
  for (const [alias, key] of aliases) add(alias, key);
  const list = [...byNorm].map(([norm, key]) => ({ norm, key }));
  return list.sort((a, b) => b.norm.length - a.norm.length || (a.norm < b.norm ? -1 : 1));
}

const candidates: readonly Candidate[] = buildCandidates();
/** name → key, or null when known to be unpriced. */
const memo = new Map<string, string | null>();

/** Does `norm` sit in `name` at `at` with valid boundaries and no version/variant after it? */
function fitsAt(name: string, at: number, norm: string): boolean {
  if (at > 0 && isAlnum(name.charCodeAt(at - 1))) return false;
  const end = at + norm.length;
  if (end < name.length && isAlnum(name.charCodeAt(end))) return false;
  const rest = name.slice(end).replace(DATE_AFTER_KEY, '');
  return !NEW_VERSION.test(rest) && !VARIANT_WORD.test(rest);
}

function occurs(name: string, norm: string): boolean {
  for (let at = name.indexOf(norm); at !== -1; at = name.indexOf(norm, at + 1)) {
    if (fitsAt(name, at, norm)) return true;
  }
  return false;
}

function exact(name: string): string | undefined {
  if (prices.has(name)) return name;
  return aliases.get(name);
}

/** The names an agent's model id may be listed under, most specific first (agents.md §7). */
function idCandidates(name: string): string[] {
  const routed = name.trim().replace(ROUTING_PREFIX, '').toLowerCase();
  const slash = routed.lastIndexOf('/');
  const bare = (slash >= 0 ? routed.slice(slash + 1) : routed).replace(CLAUDE_VERSION_DOT, '$1-$2');
  const vendor = slash >= 0 ? routed.slice(0, slash) : undefined;
  return [...new Set([name, routed, ...(vendor ? [`${vendor}/${bare}`] : []), bare])];
}

function lookup(name: string): string | undefined {
  for (const candidate of idCandidates(name)) {
    const key = exact(candidate);
    if (key !== undefined) return key;
  }
  const norm = normalize(name);
  if (norm === '') return undefined;
  for (const c of candidates) if (occurs(norm, c.norm)) return c.key;
  return undefined;
}

/** The price-table key for a model name as written in a transcript, or undefined if unpriced. */
export function resolveModel(name: string): string | undefined {
  const hit = memo.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const key = lookup(name);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(name, key ?? null);
  return key;
}

/**
 * Edits one top-level property of a JSON object document as text, so that every other byte
 * (other keys, their order, formatting, a final newline) stays exactly as it was.
 */

export type Edit = { ok: true; text: string } | { ok: false; reason: string };

interface Member {
  key: string;
  /** Where the member's key starts and its value ends. */
  start: number;
  valueStart: number;
  valueEnd: number;
}

interface Scan {
  open: number;
  close: number;
  members: Member[];
}

/** Checks the document is a JSON object: the only thing these edits accept. */
export function parseObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `it is not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'it is not a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** The raw text of a top-level property's value, or undefined when absent. */
export function propertyText(text: string, key: string): string | undefined {
  const scan = scanObject(text);
  const member = scan && lastMember(scan, key);
  return member ? text.slice(member.valueStart, member.valueEnd) : undefined;
}

/** Sets `key` to the JSON text `valueJson`: replaces the value in place, or adds the member last. */
export function setProperty(text: string, key: string, valueJson: string): Edit {
  const checked = parseObject(text);
  if (!checked.ok) return checked;
  if (text.trim() === '') return { ok: true, text: `{\n  ${JSON.stringify(key)}: ${valueJson}\n}\n` };
  const scan = scanObject(text);
  if (!scan) return { ok: false, reason: 'its layout could not be read' };
  const existing = lastMember(scan, key);
  if (existing) return { ok: true, text: text.slice(0, existing.valueStart) + valueJson + text.slice(existing.valueEnd) };
  const last = scan.members[scan.members.length - 1];
  const indent = last ? indentOf(text, last.start) : '  ';
  const member = `${JSON.stringify(key)}: ${valueJson}`;
  if (!last) return { ok: true, text: `${text.slice(0, scan.open + 1)}\n${indent}${member}\n${text.slice(scan.close)}` };
  return { ok: true, text: `${text.slice(0, last.valueEnd)},\n${indent}${member}${text.slice(last.valueEnd)}` };
}

/** Removes `key` with its separator, leaving the rest as it was. */
export function removeProperty(text: string, key: string): Edit {
  const checked = parseObject(text);
  if (!checked.ok) return checked;
  const scan = scanObject(text);
  if (!scan) return { ok: false, reason: 'its layout could not be read' };
  const index = scan.members.findIndex((m) => m.key === key);
  if (index < 0) return { ok: true, text };
  const member = scan.members[index]!;
  const previous = scan.members[index - 1];
  const next = scan.members[index + 1];
  // Cut from the end of the previous value (its comma included) when there is one, else up to the next key.
  if (previous) return { ok: true, text: text.slice(0, previous.valueEnd) + text.slice(member.valueEnd) };
  if (next) return { ok: true, text: text.slice(0, member.start) + text.slice(next.start) };
  return { ok: true, text: text.slice(0, scan.open + 1) + text.slice(skipSpace(text, member.valueEnd) === scan.close ? scan.close : member.valueEnd) };
}

function lastMember(scan: Scan, key: string): Member | undefined {
  // JSON.parse keeps the last of duplicate keys; so do we.
  return [...scan.members].reverse().find((m) => m.key === key);
}

function indentOf(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, at))![0];
}

/** The members of the top-level object of a document already known to be valid JSON. */
function scanObject(text: string): Scan | undefined {
  const open = skipSpace(text, 0);
  if (text[open] !== '{') return undefined;
  const members: Member[] = [];
  let at = skipSpace(text, open + 1);
  if (text[at] === '}') return { open, close: at, members };
  for (;;) {
    const start = at;
    const keyEnd = skipValue(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    at = skipSpace(text, keyEnd);
    if (text[at] !== ':') return undefined;
    const valueStart = skipSpace(text, at + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, start, valueStart, valueEnd });
    at = skipSpace(text, valueEnd);
    if (text[at] === '}') return { open, close: at, members };
    if (text[at] !== ',') return undefined;
    at = skipSpace(text, at + 1);
  }
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

/** The end of the JSON value starting at `at` (strings with escapes, nested containers, literals). */
function skipValue(text: string, at: number): number {
  const c = text[at];
  if (c === '"') {
    let i = at + 1;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    return i + 1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    let i = at;
    do {
      const ch = text[i];
      if (ch === '"') {
        i = skipValue(text, i);
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') depth--;
      i++;
    } while (depth > 0);
    return i;
  }
  let i = at;
  while (i < text.length && !/[\s,}\]]/.test(text[i]!)) i++;
  return i;
}

/**
 * Pointing an agent's status-line setting at `agent-ledger statusline`, and back. What is the
 * agent's (its settings file's key, the value's shape, its name) comes from its normalizer's
 * `statusLine`; by default the registry's status-line agent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCrypto } from '../core/lazy-builtins';
import { parseObject, propertyText, removeProperty, setProperty } from '../core/json-edit';
import { servedAgent } from '../normalizers/registry';
import { writeFileAtomic } from '../store/atomic-file';
import { previousLineFate, readStatusLineConfig, writeStatusLineConfig, type ChainMode } from './statusline-config';

/** What the set-up remembers (beside the ledger) so that undoing it is exact. */
interface SetupRecord {
  settingsPath: string;
  /** The file before we wrote it; null when it did not exist. */
  original: string | null;
  /** sha256 of what we wrote. */
  written: string;
  /** The raw JSON text of the setting's previous value; null when there was none. */
  previousValue: string | null;
  /** The raw JSON text we put there. */
  ourValue: string;
}

export type SetupResult = { ok: true; changed: boolean; message: string; backup?: string } | { ok: false; message: string };

const RECORD_NAME = 'statusline-setup.json';

/** The status-line command: POSIX-shell quoted (the agent runs it through a shell). */
export function statusLineCommand(node: string, cliPath: string, dbPath: string): string {
  return `${node} ${shellQuote(cliPath)} statusline --db ${shellQuote(dbPath)}`;
}

export function shellQuote(value: string): string {
  return `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** Whether the agent's settings point at this ledger's status line (as set up from here). */
export function isInstalled(ledgerDir: string): boolean {
  return readRecord(ledgerDir) !== undefined;
}

/**
 * Points the status-line setting at our command: one property replaced (or added), every other
 * byte of the file kept; a backup beside it; atomic write. The previous command is kept for
 * chaining. A file that is not a JSON object is left untouched.
 */
export function installStatusLine(settingsPath: string, command: string, ledgerDir: string, chain: ChainMode, agent = servedAgent()): SetupResult {
  const { label, statusLine: { settingKey, settingValue, commandOf } } = agent;
  const original = readText(settingsPath);
  const parsed = parseObject(original ?? '');
  if (!parsed.ok) return { ok: false, message: `${settingsPath} was left unchanged: ${parsed.reason}.` };
  const ourValue = JSON.stringify(settingValue(command));
  const previousCommand = commandOf(parsed.value[settingKey]);
  if (previousCommand === command) return { ok: true, changed: false, message: `${label} already shows the quota through Agent Ledger.` };
  const edit = setProperty(original ?? '', settingKey, ourValue);
  if (!edit.ok) return { ok: false, message: `${settingsPath} was left unchanged: ${edit.reason}.` };
  const backup = original === null ? undefined : `${settingsPath}.agent-ledger-backup`;
  if (backup) writeFileAtomic(backup, Buffer.from(original!, 'utf8'));
  writeStatusLineConfig(ledgerDir, { ...(previousCommand ? { previousCommand } : {}), chain });
  writeRecord(ledgerDir, { settingsPath, original, written: sha(edit.text), previousValue: propertyText(original ?? '', settingKey) ?? null, ourValue });
  writeFileAtomic(settingsPath, Buffer.from(edit.text, 'utf8'));
  return { ok: true, changed: true, message: previousCommand ? `${label} now shows the quota; your previous status line ${previousLineFate(chain)}.` : `${label} now shows the quota.`, backup };
}

/**
 * Undoes the set-up: the file exactly as it was when nothing else changed it since; else only
 * the status-line setting goes back (or away), provided it is still ours. Never touches an unreadable file.
 */
export function uninstallStatusLine(ledgerDir: string, agent = servedAgent()): SetupResult {
  const { label, statusLine: { settingKey } } = agent;
  const record = readRecord(ledgerDir);
  if (!record) return { ok: false, message: `Agent Ledger did not set up ${label}'s status line (nothing to undo).` };
  const text = readText(record.settingsPath);
  if (text === null) return finish(ledgerDir, `${label}'s settings file is gone; nothing to undo.`);
  if (sha(text) === record.written) {
    if (record.original === null) fs.rmSync(record.settingsPath);
    else writeFileAtomic(record.settingsPath, Buffer.from(record.original, 'utf8'));
    return finish(ledgerDir, `${label}'s settings are back as they were.`);
  }
  const parsed = parseObject(text);
  if (!parsed.ok) return { ok: false, message: `${record.settingsPath} was left unchanged: ${parsed.reason}.` };
  const current = propertyText(text, settingKey);
  if (current === undefined || !sameJson(current, record.ourValue)) {
    return finish(ledgerDir, `${label}'s status line was changed since; it was left as it is.`);
  }
  const edit = record.previousValue === null ? removeProperty(text, settingKey) : setProperty(text, settingKey, record.previousValue);
  if (!edit.ok) return { ok: false, message: `${record.settingsPath} was left unchanged: ${edit.reason}.` };
  writeFileAtomic(record.settingsPath, Buffer.from(edit.text, 'utf8'));
  return finish(ledgerDir, `${label}'s previous status line is back.`);
}

/** Updates the chaining mode of an installed status line. */
export function setChainMode(ledgerDir: string, chain: ChainMode): void {
  if (!isInstalled(ledgerDir)) return;
  const config = readStatusLineConfig(ledgerDir);
  if (config.chain !== chain) writeStatusLineConfig(ledgerDir, { ...config, chain });
}

function finish(ledgerDir: string, message: string): SetupResult {
  fs.rmSync(path.join(ledgerDir, RECORD_NAME), { force: true });
  writeStatusLineConfig(ledgerDir, { chain: readStatusLineConfig(ledgerDir).chain });
  return { ok: true, changed: true, message };
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function readRecord(ledgerDir: string): SetupRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(ledgerDir, RECORD_NAME), 'utf8')) as SetupRecord;
  } catch {
    return undefined;
  }
}

function writeRecord(ledgerDir: string, record: SetupRecord): void {
  writeFileAtomic(path.join(ledgerDir, RECORD_NAME), Buffer.from(JSON.stringify(record, null, 2)));
}

function sha(text: string): string {
  return nodeCrypto().createHash('sha256').update(text).digest('hex');
}

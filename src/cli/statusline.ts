import { nodeChildProcess } from '../core/lazy-builtins';
import { asObject } from '../normalizers/agent-normalizer';
import { statusLineAgent } from '../normalizers/registry';
import { NO_FIGURES, readStatusFigures, type StatusFigures } from '../readers/status-figures';
import { journalReading } from '../statusline/limits-journal';
import { renderStatusLine, type StatusInput } from '../statusline/render-line';
import { readStatusLineConfig } from '../statusline/statusline-config';

/** A chained command that hangs must not freeze the agent's status line. */
const CHAINED_TIMEOUT_MS = 3000;

/**
 * `agent-ledger statusline`, run by the registry's status-line agent with its status JSON on stdin. Records the
 * quota reading (one line in the ledger folder's journal; never the database), prints one line
 * from the saved ledger, and chains the user's previous status line. Never fails: every step
 * that goes wrong is skipped, and `note` gets one line for stderr.
 */
export async function runStatusLine(rawInput: string, ledgerDir: string, now: number, note: (m: string) => void): Promise<string> {
  const json = parse(rawInput, note);
  const input = statusInput(json, now);
  try {
    const journal = statusLineAgent()?.statusLine.journal;
    if (journal) journalReading(ledgerDir, input.quota, now, journal);
  } catch (error) {
    note(`could not record the quota reading: ${(error as Error).message}`);
  }
  let figures: StatusFigures = NO_FIGURES;
  try {
    figures = await readStatusFigures(ledgerDir, { agent: input.agent, id: input.sessionId }, now);
  } catch (error) {
    note(`could not read the ledger: ${(error as Error).message}`);
  }
  const ours = renderStatusLine(input, figures, now);
  return chain(ours, rawInput, ledgerDir, note);
}

function parse(raw: string, note: (m: string) => void): Record<string, unknown> | undefined {
  try {
    return asObject(JSON.parse(raw));
  } catch {
    note('the status-line input is not JSON');
    return undefined;
  }
}

/** What the status-line agent's normalizer reads from its input. */
export function statusInput(json: Record<string, unknown> | undefined, now: number): StatusInput {
  const agent = statusLineAgent();
  return agent ? { agent: agent.agent, ...agent.statusLine.readInput(json, now) } : { agent: '', limits: [] };
}

function chain(ours: string, rawInput: string, ledgerDir: string, note: (m: string) => void): string {
  const config = readStatusLineConfig(ledgerDir);
  if (!config.previousCommand || config.chain === 'off') return ours;
  const result = nodeChildProcess().spawnSync(config.previousCommand, { shell: true, input: rawInput, encoding: 'utf8', timeout: CHAINED_TIMEOUT_MS, windowsHide: true });
  if (result.error || result.status !== 0) note(`the previous status-line command failed (${result.error?.message ?? `exit ${result.status}`})`);
  const theirs = (result.stdout ?? '').replace(/\s+$/, '');
  if (!theirs) return ours;
  return config.chain === 'instead' ? theirs : `${ours}\n${theirs}`;
}

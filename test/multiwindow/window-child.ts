/**
 * One "VS Code window": a LiveLedger on a shared ledger folder, with the production timings
 * (lock renewal, stale time, debounce, save delay). Prints its role changes and totals as JSON lines.
 */
import { LiveLedger } from '../../src/pipeline/live-ledger';
import type { Logger } from '../../src/core/log';

const [ledgerDir, claudeRoot, codexHome] = process.argv.slice(2);
const log: Logger = { debug() {}, info: (m) => say({ info: m }), warn: (m) => say({ warn: m }), error: (m) => say({ error: m }) };
function say(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const live = new LiveLedger({ ledgerDir: ledgerDir!, timeZone: 'UTC', log, ingest: { roots: { claude: [claudeRoot!], codex: [codexHome!] } } });
live.on('role', (role) => say({ role }));
live.on('changed', () => say({ changed: live.engine?.readers.periodTotals().outputTokens }));
process.on('SIGTERM', () => {
  void live.dispose().then(() => process.exit(0));
});
process.on('unhandledRejection', (reason) => say({ unhandledRejection: String(reason) }));
void live.start().then(() => say({ started: live.role }));
// A window's host process stays up on its own; the ledger's timers and watchers never hold a process open.
setInterval(() => undefined, 1 << 30);

/** One "VS Code window": a LiveLedger on a shared storage folder. Prints role changes as JSON lines. */
import { LiveLedger } from '../../src/pipeline/live-ledger';
import type { Logger } from '../../src/core/log';

const [storageDir, claudeRoot, codexHome] = process.argv.slice(2);
const log: Logger = { debug() {}, info() {}, warn: (m) => say({ warn: m }), error: (m) => say({ error: m }) };
function say(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const live = new LiveLedger({
  storageDir: storageDir!,
  timeZone: 'UTC',
  log,
  ingestOptions: () => ({ roots: { claude: [claudeRoot!], codex: [codexHome!] } }),
  debounceMs: 20,
  saveDelayMs: 30,
  pollMs: 150,
  lockStaleMs: 800,
});
live.on('role', (role) => say({ role }));
live.on('changed', () => say({ changed: live.engine?.readers.periodTotals().outputTokens }));
process.on('SIGTERM', () => {
  void live.dispose().then(() => process.exit(0));
});
void live.start().then(() => say({ started: live.role }));

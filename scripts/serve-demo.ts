/** Opens the packaged extension in code-server (a real VS Code in the browser) until Ctrl-C. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installVsix, startCodeServer } from '../test/e2e/code-server';

async function main(): Promise<void> {
  const [vsix, claudeDir, codexDir] = process.argv.slice(2);
  const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-demo-ext-'));
  await installVsix(path.resolve(vsix!), extensionsDir);
  const env: Record<string, string> = {};
  if (claudeDir) env.CLAUDE_CONFIG_DIR = claudeDir;
  if (codexDir) env.CODEX_HOME = codexDir;
  const server = await startCodeServer({ extensionsDir, env, port: Number(process.env.PORT ?? 8080), folder: claudeDir ?? os.homedir() });
  process.stdout.write(`\nAgent Ledger is running in VS Code at ${server.url}\nOpen it in a browser; press Ctrl-C to stop.\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise(() => undefined);
}

void main().catch((error) => {
  process.stderr.write(`serve-demo: ${(error as Error).message}\n`);
  process.exit(1);
});

/**
 * The same extension-host suite under @vscode/test-electron, for machines that can download
 * VS Code (not this project's CI, which has no network: there `npm test` uses code-server).
 *   npm run test:electron
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { writeFixtureCorpus } from './fixture-corpus';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const corpus = fs.mkdtempSync(path.join(os.tmpdir(), 'al-corpus-electron-'));
  writeFixtureCorpus(corpus);
  Object.assign(process.env, {
    CLAUDE_CONFIG_DIR: path.join(corpus, 'claude'),
    CODEX_HOME: path.join(corpus, 'codex'),
    AGENT_LEDGER_FIXTURE_CORPUS: corpus,
    TZ: 'UTC',
  });
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'dist', 'test', 'suite', 'index.js'),
      launchArgs: [corpus, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    fs.rmSync(corpus, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`extension tests failed: ${(error as Error).message}\n`);
  process.exit(1);
});

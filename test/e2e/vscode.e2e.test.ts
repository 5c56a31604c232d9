/**
 * Agent Ledger in a real VS Code (code-server + Debian Chromium, see scripts/e2e/setup.sh):
 * the mocha suite in the extension host, then what a user sees with the packaged .vsix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  installVsix, launchBrowser, openWorkbench, runCommand, runExtensionHostTests, screenshot, startCodeServer,
  statusBarItem, waitForStatusBarText, webviewFrame,
} from './code-server';
import { parseSuiteResult, testsDefinedIn } from '../suite/suite-result';
import { expectedFixtureCost, writeFixtureCorpus } from './fixture-corpus';

const ROOT = path.resolve(__dirname, '..', '..');
// Ignored by git; `npm run screenshots` points this at docs/screenshots to refresh the README's images.
const SHOTS = path.resolve(ROOT, process.env.AGENT_LEDGER_SCREENSHOTS || path.join('test-results', 'screenshots'));
const STATUS_ID = 'agent-ledger.agent-ledger.agentLedger.spend';
const dollars = (usd: number) => `$${usd.toFixed(2)}`;

/** A progress line for the long UI steps, with the seconds since `t0`. */
function progress(t0: number, message: string): void {
  console.log(`[e2e] ${message} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/** `npm run package` without vsce's file listing: one line, or the whole output when it fails. */
function packageVsix(): string {
  const vsix = path.join(ROOT, 'dist', 'agent-ledger.vsix');
  const run = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm run package failed (${run.status}):\n${run.stdout}${run.stderr}`);
  console.log(`[e2e] packaged ${path.relative(ROOT, vsix)} (${Math.round(fs.statSync(vsix).size / 1024)} KB)`);
  return vsix;
}

function corpusEnv(corpus: string): Record<string, string> {
  return {
    CLAUDE_CONFIG_DIR: path.join(corpus, 'claude'),
    CODEX_HOME: path.join(corpus, 'codex'),
    AGENT_LEDGER_FIXTURE_CORPUS: corpus,
    TZ: 'UTC',
  };
}

describe('Agent Ledger in a real VS Code', () => {
  let corpus: string;
  before(() => {
    corpus = fs.mkdtempSync(path.join(os.tmpdir(), 'al-corpus-'));
    writeFixtureCorpus(corpus);
  });
  after(() => fs.rmSync(corpus, { recursive: true, force: true }));

  test('the integration suite passes in the extension host, every test of it', async () => {
    const lines: string[] = [];
    const code = await runExtensionHostTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'dist', 'test', 'suite', 'index.js'),
      start: { env: corpusEnv(corpus), settings: { 'agentLedger.timeZone': 'UTC' } },
      timeoutMs: 240_000,
      log: (line) => {
        lines.push(line);
        console.log(line);
      },
    });
    assert.equal(code, 0, 'mocha suite exit code');
    const defined = testsDefinedIn(path.join(ROOT, 'test', 'suite', 'extension.test.ts'));
    assert.ok(defined > 0, 'the suite source defines tests');
    assert.deepEqual(parseSuiteResult(lines), { ran: defined, passed: defined, failed: 0 }, 'every test of the suite ran and passed');
  });

  test('the packaged extension: status bar, tooltip and cost panel in dark and light themes', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'al-corpus-ui-'));
    writeFixtureCorpus(fresh);
    const t0 = Date.now();
    const vsix = packageVsix();
    const expected = dollars(expectedFixtureCost().todayUsd);
    try {
      for (const theme of ['Default Dark Modern', 'Default Light Modern']) {
        const tag = theme.includes('Dark') ? 'dark' : 'light';
        const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-ext-'));
        await installVsix(vsix, extensionsDir);
        progress(t0, `${tag}: installed the .vsix`);
        const server = await startCodeServer({ extensionsDir, env: corpusEnv(fresh), colorTheme: theme, folder: fresh });
        const browser = await launchBrowser({ viewport: { width: 1400, height: 900 } });
        try {
          const { page } = browser;
          await openWorkbench(page, server, { folder: fresh });
          progress(t0, `${tag}: workbench open`);
          const text = await waitForStatusBarText(page, STATUS_ID, `${expected} today · 5h 62%`, { timeoutMs: 60_000 });
          assert.equal(text, `${expected} today · 5h 62%`, 'today\'s cost and the Codex 5-hour quota');
          progress(t0, `${tag}: status bar shows "${text}"`);
          await screenshot(page, path.join(SHOTS, `status-bar-${tag}.png`));
          if (tag === 'dark') {
            await statusBarItem(page, STATUS_ID).hover();
            await page.locator('.monaco-hover').filter({ hasText: 'Agent Ledger' }).first().waitFor({ state: 'visible', timeout: 15_000 });
            await screenshot(page, path.join(SHOTS, 'status-bar-tooltip.png'));
            await page.mouse.move(700, 300);
          }
          await runCommand(page, 'Agent Ledger: Open Cost Panel');
          const panel = await webviewFrame(page, { extensionId: 'agent-ledger.agent-ledger', timeoutMs: 30_000 });
          await panel.getByText(expected, { exact: false }).first().waitFor({ timeout: 30_000 });
          const body = await panel.locator('body').innerText();
          assert.ok(body.includes(expected), `headline shows today's ${expected}`);
          assert.ok(body.includes('/work/demo-app'), 'projects table lists the fixture project');
          assert.ok(body.includes('claude-sonnet-4-5-20250929'), 'models table lists the fixture model');
          const limits = await panel.locator('.limits-section').innerText();
          assert.match(limits, /Limits/i);
          assert.match(limits, /Codex CLI · 5h\s+62%/, 'the Limits section shows the Codex 5-hour window');
          assert.match(limits, /Codex CLI · weekly\s+20%/);
          await panel.locator('.limits-section').scrollIntoViewIfNeeded();
          if (tag === 'dark') await screenshot(page, path.join(SHOTS, 'limits-section.png'));
          await screenshot(page, path.join(SHOTS, `cost-panel-${tag}.png`));
          progress(t0, `${tag}: cost panel checked; screenshots in ${path.relative(ROOT, SHOTS)}`);
        } finally {
          await browser.close();
          await server.stop();
          fs.rmSync(extensionsDir, { recursive: true, force: true });
        }
      }
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});

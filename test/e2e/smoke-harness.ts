/**
 * Runs an extension in a real VS Code (code-server) end to end: its mocha suite in the extension
 * host, then optional UI checks (status bar, command palette, notifications, webview) with
 * screenshots. Exit code 0 only when every step passed.
 *
 *   bash scripts/e2e/setup.sh
 *   node --import tsx test/e2e/smoke-harness.ts <extensionPath> [options]
 *
 * Options:
 *   --tests <file>            suite entry exporting run() (default <ext>/test/index.js when present)
 *   --no-tests                skip the extension-host suite
 *   --folder <dir>            workspace folder to open (default: an empty temp folder)
 *   --vsix <file>             UI step: install this .vsix instead of loading <ext> as a development extension
 *   --status <id|text>        UI step: wait for this status bar item (id = publisher.name.itemId)
 *   --command <title>         UI step: run this from the command palette (repeatable, in order)
 *   --expect-status <regex>   UI step: the status item's text must match this after the commands
 *   --expect-notification <regex>  UI step: a notification must match this after the commands
 *   --webview-command <title> UI step: run this, then print the webview's text
 *   --theme <name>            workbench.colorTheme for the UI step (e.g. 'Default Light Modern')
 *   --screenshots <dir>       where screenshots go (default /tmp/agent-ledger-e2e-shots)
 *   --env K=V                 environment for code-server / the extension host (repeatable)
 *   --timeout <ms>            limit for the suite (default 300000)
 *   --verbose                 forward every workbench log line
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  installVsix,
  launchBrowser,
  notifications,
  openWorkbench,
  runCommand,
  runExtensionHostTests,
  screenshot,
  startCodeServer,
  statusBarText,
  waitForStatusBarText,
  webviewFrame,
} from './code-server';

interface Args {
  ext: string;
  tests?: string;
  noTests: boolean;
  folder?: string;
  vsix?: string;
  status?: string;
  commands: string[];
  expectStatus?: RegExp;
  expectNotification?: RegExp;
  webviewCommand?: string;
  theme?: string;
  shots: string;
  env: Record<string, string>;
  timeoutMs: number;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    ext: '',
    noTests: false,
    commands: [],
    shots: '/tmp/agent-ledger-e2e-shots',
    env: {},
    timeoutMs: 300_000,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    switch (k) {
      case '--tests': a.tests = path.resolve(v()); break;
      case '--no-tests': a.noTests = true; break;
      case '--folder': a.folder = path.resolve(v()); break;
      case '--vsix': a.vsix = path.resolve(v()); break;
      case '--status': a.status = v(); break;
      case '--command': a.commands.push(v()); break;
      case '--expect-status': a.expectStatus = new RegExp(v()); break;
      case '--expect-notification': a.expectNotification = new RegExp(v()); break;
      case '--webview-command': a.webviewCommand = v(); break;
      case '--theme': a.theme = v(); break;
      case '--screenshots': a.shots = path.resolve(v()); break;
      case '--env': {
        const [key, ...rest] = v().split('=');
        a.env[key!] = rest.join('=');
        break;
      }
      case '--timeout': a.timeoutMs = Number(v()); break;
      case '--verbose': a.verbose = true; break;
      case '-h': case '--help':
        console.log('usage: node --import tsx test/e2e/smoke-harness.ts <extensionPath> [options]  (see the file header)');
        process.exit(0);
      default:
        if (k!.startsWith('--') || a.ext) throw new Error(`unexpected argument ${k}`);
        a.ext = path.resolve(k!);
    }
  }
  if (!a.ext) throw new Error('usage: smoke-harness.ts <extensionPath> [options]');
  if (!a.tests && !a.noTests && existsSync(path.join(a.ext, 'test', 'index.js'))) a.tests = path.join(a.ext, 'test', 'index.js');
  return a;
}

const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

async function suiteStep(a: Args): Promise<boolean> {
  const t0 = Date.now();
  console.log(`[e2e] extension-host suite ${a.tests}`);
  const code = await runExtensionHostTests({
    extensionDevelopmentPath: a.ext,
    extensionTestsPath: a.tests!,
    folder: a.folder,
    timeoutMs: a.timeoutMs,
    verbose: a.verbose,
    start: { env: a.env },
    screenshotPath: path.join(a.shots, 'suite-end.png'),
  });
  console.log(`[e2e] extension-host suite exit code ${code} (${secs(t0)})`);
  return code === 0;
}

async function uiStep(a: Args): Promise<boolean> {
  const t0 = Date.now();
  const scratch = mkdtempSync(path.join(tmpdir(), 'al-ui-'));
  const folder = a.folder ?? path.join(scratch, 'ws');
  const extensionsDir = path.join(scratch, 'ext');
  if (a.vsix) {
    await installVsix(a.vsix, extensionsDir);
    console.log(`[e2e] installed ${path.basename(a.vsix)} (${secs(t0)})`);
  }
  mkdirSync(folder, { recursive: true });
  const server = await startCodeServer({ folder, extensionsDir, colorTheme: a.theme, env: a.env });
  console.log(`[e2e] code-server up on ${server.url} (${secs(t0)}), log ${server.logFile}`);
  const browser = await launchBrowser();
  const { page } = browser;
  let ok = true;
  const check = (cond: boolean, what: string) => {
    console.log(`[e2e] ${cond ? 'ok  ' : 'FAIL'} ${what}`);
    if (!cond) ok = false;
  };
  try {
    await openWorkbench(page, server, {
      payload: a.vsix ? undefined : [['extensionDevelopmentPath', server.remoteUri(a.ext)]],
    });
    console.log(`[e2e] workbench restored (${secs(t0)})`);
    if (a.status) {
      // The item appears once the extension has activated: the simplest activation signal.
      const text = await statusBarText(page, a.status, { timeoutMs: 30_000 });
      check(true, `status bar "${a.status}" = "${text}" (${secs(t0)})`);
    }
    for (const c of a.commands) {
      await runCommand(page, c);
      check(true, `ran "${c}"`);
    }
    if (a.status && a.expectStatus) {
      const re = a.expectStatus;
      const [good, text] = await waitForStatusBarText(page, a.status, re, { timeoutMs: 10_000 }).then(
        (t) => [true, t] as const,
        (e: Error) => [false, e.message] as const,
      );
      check(good, `status bar matches ${re}: ${JSON.stringify(text)}`);
    }
    if (a.expectNotification) {
      const list = await notifications(page);
      check(list.some((n) => a.expectNotification!.test(n)), `notification ${a.expectNotification} in ${JSON.stringify(list)}`);
    }
    await screenshot(page, path.join(a.shots, 'ui-after-commands.png'));
    if (a.webviewCommand) {
      await runCommand(page, a.webviewCommand);
      const frame = await webviewFrame(page);
      const text = (await frame.locator('body').innerText()).trim();
      check(text.length > 0, `webview text: ${JSON.stringify(text.slice(0, 200))}`);
      await screenshot(page, path.join(a.shots, 'ui-webview.png'));
    }
  } catch (e) {
    check(false, `UI step: ${(e as Error).message.split('\n')[0]}`);
    await screenshot(page, path.join(a.shots, 'ui-failure.png')).catch(() => undefined);
  } finally {
    await browser.close();
    await server.stop({ keepLog: !ok });
    if (!ok) console.log(`[e2e] code-server log: ${server.logFile}`);
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`[e2e] UI step ${ok ? 'passed' : 'failed'} (${secs(t0)}); screenshots in ${a.shots}`);
  return ok;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  const results: boolean[] = [];
  if (a.tests) results.push(await suiteStep(a));
  if (a.vsix || a.status || a.commands.length || a.webviewCommand) results.push(await uiStep(a));
  if (!results.length) throw new Error('nothing to do: no test/index.js and no UI option');
  const passed = results.filter(Boolean).length;
  console.log(`e2e: ${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[e2e] ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);

/**
 * A real VS Code (code-server 4.139.1 = VS Code 1.139.1) driven by playwright-core and Debian's
 * chromium, offline. Install it first: `bash scripts/e2e/setup.sh` (cached, ~0 s when present).
 *
 * Two uses:
 *  - runExtensionHostTests(): a mocha suite (`run()` from an index.js) inside the real extension
 *    host, like @vscode/test-electron's runTests(); resolves with the exit code.
 *  - UI checks: startCodeServer() + launchBrowser() + openWorkbench(), then runCommand(),
 *    statusBarText(), webviewFrame(), notifications(), screenshot().
 *
 * Runs under the project's Node (20) with `node --import tsx`; code-server itself runs on the
 * Node 24 that setup.sh installs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';

// ------------------------------------------------------------------------------------------------
// Locating the installation
// ------------------------------------------------------------------------------------------------

export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM_PATH = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export interface CodeServerInstall {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** code-server's entry script (out/node/entry.js). */
  entry: string;
}

/** Finds what scripts/e2e/setup.sh installed (env overrides: E2E_NODE24_BIN, CODE_SERVER_ENTRY). */
export function findCodeServer(): CodeServerInstall {
  const cache = process.env.AGENT_LEDGER_CACHE || path.join(homedir(), '.cache', 'agent-ledger-e2e');
  const platformPkg = `node-${process.platform}-${process.arch}`;
  const node =
    process.env.E2E_NODE24_BIN ||
    [
      path.join(cache, 'node24', 'node_modules', 'node', 'node_modules', platformPkg, 'bin', 'node'),
      path.join(cache, 'node24', 'node_modules', platformPkg, 'bin', 'node'), // setup.sh's fallback
    ].find((p) => existsSync(p)) ||
    path.join(cache, 'node24', 'node_modules', 'node', 'node_modules', platformPkg, 'bin', 'node');
  const entry =
    process.env.CODE_SERVER_ENTRY ||
    path.join(cache, `code-server-${CODE_SERVER_VERSION}`, 'lib', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  for (const [what, p] of [['Node 24', node], ['code-server', entry], ['chromium', CHROMIUM_PATH]] as const) {
    if (!existsSync(p)) throw new Error(`${what} not found at ${p}: run \`bash scripts/e2e/setup.sh\` first`);
  }
  return { node, entry };
}

// ------------------------------------------------------------------------------------------------
// Small utilities
// ------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Kills a detached child's whole process group: SIGTERM, then SIGKILL after graceMs. */
async function killTree(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    while (alive()) await sleep(50);
  }
}

/**
 * Settings that keep a test window quiet: no telemetry, experiments, welcome page, tips,
 * recommendations, release notes, AI/chat panes, trust prompts or auto-updates.
 */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
};

/** Writes <userDataDir>/User/settings.json (QUIET_SETTINGS merged with `settings`). Call before start. */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown> = {}): string {
  const dir = path.join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'settings.json');
  writeFileSync(file, JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  return file;
}

// ------------------------------------------------------------------------------------------------
// code-server
// ------------------------------------------------------------------------------------------------

export interface StartOptions {
  /** Folder the bare URL opens (a page can still open another with ?folder=). */
  folder?: string;
  /** Default: a fresh temp dir, removed on stop(). Must be short (it holds a unix socket). */
  userDataDir?: string;
  /** Default: a fresh temp dir, removed on stop(). */
  extensionsDir?: string;
  /** Default: a free port. */
  port?: number;
  /** Extra user settings (merged over QUIET_SETTINGS) written to settings.json before start. */
  settings?: Record<string, unknown>;
  /** Shorthand for settings['workbench.colorTheme'], e.g. 'Default Light Modern', 'Default High Contrast'. */
  colorTheme?: string;
  /** Extra environment for code-server and so for the extension host (e.g. CLAUDE_CONFIG_DIR). */
  env?: Record<string, string | undefined>;
  /**
   * Where code-server's stdout/stderr go. Default: a file in the run's temp dir, deleted by
   * stop() unless stop({ keepLog: true }) or E2E_KEEP=1 (which keeps the whole temp dir).
   */
  logFile?: string;
  /** More code-server arguments. */
  extraArgs?: string[];
  /** Default 30 s. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  /** `127.0.0.1:<port>`: the remote authority the browser sees. */
  authority: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  folder?: string;
  /** `vscode-remote://127.0.0.1:<port>/abs/path` for a path on this machine. */
  remoteUri(absPath: string): string;
  /** Workbench URL: `/?folder=<abs>` plus `&payload=<json>` when given. */
  workbenchUrl(opts?: { folder?: string; payload?: Array<[string, string]> }): string;
  /** Kills code-server's process tree and removes the temp dirs it made (not the ones passed in). */
  stop(opts?: { keepLog?: boolean }): Promise<void>;
}

// code-server runs in its own process group (so stop() can kill its tree), which also means a
// Ctrl-C or a CI kill of the test process would not reach it: kill what is left on the way out.
const exitCleanups = new Set<() => void>();
let exitHandlersInstalled = false;
function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  const killAll = () => {
    for (const cleanup of exitCleanups) {
      try {
        cleanup();
      } catch {
        /* best effort */
      }
    }
    exitCleanups.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig);
    });
  }
}

export async function startCodeServer(opts: StartOptions = {}): Promise<CodeServer> {
  const { node, entry } = findCodeServer();
  const port = opts.port ?? (await freePort());
  const scratch = tempDir('al-cs-');
  const userDataDir = opts.userDataDir ?? path.join(scratch, 'ud');
  const extensionsDir = opts.extensionsDir ?? path.join(scratch, 'ext');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(path.join(scratch, 'tmp'), { mode: 0o700 });
  const settings = { ...(opts.settings ?? {}) };
  if (opts.colorTheme) settings['workbench.colorTheme'] = opts.colorTheme;
  writeUserSettings(userDataDir, settings);
  // code-server would otherwise write ~/.config/code-server/config.yaml and
  // ~/.local/share/code-server/coder-logs: keep both in the scratch dir.
  const configFile = path.join(scratch, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const logFile = opts.logFile ?? path.join(scratch, `code-server-${port}.log`);
  mkdirSync(path.dirname(logFile), { recursive: true });

  const args = [
    entry,
    '--config', configFile,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(opts.extraArgs ?? []),
    ...(opts.folder ? [opts.folder] : []),
  ];
  const fd = openSync(logFile, 'a');
  const child = spawn(node, args, {
    detached: true, // own process group, so stop() can kill the whole tree
    stdio: ['ignore', fd, fd],
    env: {
      ...process.env,
      XDG_DATA_HOME: path.join(scratch, 'xdg-data'),
      // The extension host and the git extension make IPC sockets (vscode-ipc-*.sock,
      // vscode-git-*.sock) in $XDG_RUNTIME_DIR or else the temp dir, and never remove them.
      TMPDIR: path.join(scratch, 'tmp'),
      XDG_RUNTIME_DIR: path.join(scratch, 'tmp'),
      // No extension gallery (open-vsx.org by default): nothing to reach offline, and no
      // update/recommendation queries failing in the log.
      EXTENSIONS_GALLERY: '{}',
      ...opts.env,
    },
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code, signal) => {
    exited = code ?? (signal ? 128 : 1);
  });
  const cleanupOnExit = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    if (process.env.E2E_KEEP !== '1') rmSync(scratch, { recursive: true, force: true });
  };
  exitCleanups.add(cleanupOnExit);
  installExitHandlers();

  const url = `http://127.0.0.1:${port}/`;
  const authority = `127.0.0.1:${port}`;
  let stopped = false;
  const stop = async (o: { keepLog?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    exitCleanups.delete(cleanupOnExit);
    await killTree(child);
    if (process.env.E2E_KEEP === '1') return; // keep everything for a post-mortem
    const keepLog = o.keepLog && logFile.startsWith(scratch + path.sep);
    if (!keepLog) {
      rmSync(scratch, { recursive: true, force: true });
      return;
    }
    for (const name of readdirSync(scratch)) {
      const p = path.join(scratch, name);
      if (p !== logFile) rmSync(p, { recursive: true, force: true });
    }
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined) {
      await stop({ keepLog: true });
      throw new Error(`code-server exited (${exited}) before answering /healthz; log ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop({ keepLog: true });
      throw new Error(`code-server did not answer /healthz on ${url}; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(100);
  }

  // Each path segment percent-encoded ('#', '?', '%' and spaces would otherwise break the URI).
  const remoteUri = (absPath: string) =>
    `vscode-remote://${authority}${path.resolve(absPath).split('/').map(encodeURIComponent).join('/')}`;
  const workbenchUrl = (o: { folder?: string; payload?: Array<[string, string]> } = {}) => {
    const q = new URLSearchParams();
    const folder = o.folder ?? opts.folder;
    if (folder) q.set('folder', path.resolve(folder));
    if (o.payload) q.set('payload', JSON.stringify(o.payload));
    const qs = q.toString();
    return qs ? `${url}?${qs}` : url;
  };
  return { url, port, authority, userDataDir, extensionsDir, logFile, folder: opts.folder, remoteUri, workbenchUrl, stop };
}

/**
 * Installs a .vsix into extensionsDir with `code-server --install-extension` (offline; a
 * dependency on a Marketplace extension would fail). Do it before startCodeServer() with the
 * same extensionsDir, or restart: a running server does not pick it up in open windows.
 */
export async function installVsix(vsixPath: string, extensionsDir: string, opts: { userDataDir?: string } = {}): Promise<void> {
  const { node, entry } = findCodeServer();
  const scratch = tempDir('al-vsix-');
  const args = [
    entry,
    '--config', path.join(scratch, 'config.yaml'),
    '--user-data-dir', opts.userDataDir ?? path.join(scratch, 'ud'),
    '--extensions-dir', extensionsDir,
    '--install-extension', path.resolve(vsixPath),
    '--force',
  ];
  writeFileSync(path.join(scratch, 'config.yaml'), 'auth: none\n');
  mkdirSync(extensionsDir, { recursive: true });
  const out: Buffer[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(node, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_DATA_HOME: path.join(scratch, 'xdg-data') },
    });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  rmSync(scratch, { recursive: true, force: true });
  const text = Buffer.concat(out).toString();
  if (code !== 0 || (/Failed|error/i.test(text) && !/successfully installed/i.test(text))) {
    throw new Error(`installing ${vsixPath} failed (${code}):\n${text}`);
  }
}

// ------------------------------------------------------------------------------------------------
// Browser
// ------------------------------------------------------------------------------------------------

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Debian's chromium in a fresh profile (headless unless headless: false / E2E_HEADED=1). */
export async function launchBrowser(
  opts: { headless?: boolean; viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<BrowserSession> {
  findCodeServer(); // fail early, with the set-up hint, when chromium is missing
  const root = tempDir('al-chromium-');
  const profile = path.join(root, 'profile');
  const tmp = path.join(root, 'tmp');
  mkdirSync(tmp);
  const context = await chromium.launchPersistentContext(profile, {
    // Keep chromium's scratch (org.chromium.*, ~/.config/chromium/Crash Reports, caches) in root.
    env: { ...process.env, TMPDIR: tmp, XDG_CONFIG_HOME: tmp, XDG_CACHE_HOME: tmp },
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? process.env.E2E_HEADED !== '1',
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    colorScheme: opts.colorScheme,
    // The workbench reads/writes the clipboard; never show a permission prompt.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const removeProfile = () => rmSync(root, { recursive: true, force: true });
  exitCleanups.add(removeProfile);
  installExitHandlers();
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      exitCleanups.delete(removeProfile);
      removeProfile();
    },
  };
}

/**
 * Opens the workbench and waits until it is restored (smoke-test driver's whenWorkbenchRestored),
 * i.e. the layout is up and `onStartupFinished` extensions are being activated.
 */
export async function openWorkbench(
  page: Page,
  server: CodeServer,
  opts: { folder?: string; payload?: Array<[string, string]>; timeoutMs?: number } = {},
): Promise<void> {
  const timeout = opts.timeoutMs ?? 60_000;
  await page.goto(server.workbenchUrl(opts), { waitUntil: 'domcontentloaded', timeout });
  await page.locator('.monaco-workbench').waitFor({ state: 'attached', timeout });
  await page.waitForFunction(() => typeof (globalThis as { driver?: unknown }).driver === 'object', undefined, { timeout });
  await page.evaluate(() => (globalThis as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored());
}

// ------------------------------------------------------------------------------------------------
// Extension-host tests (mocha `run()` inside the real extension host)
// ------------------------------------------------------------------------------------------------

export interface ExtensionTestOptions {
  /** Absolute path of the extension folder (its package.json). */
  extensionDevelopmentPath: string;
  /** Absolute path of the suite's entry (a JS file exporting `run(): Promise<void>`), or its folder with index.js. */
  extensionTestsPath: string;
  /** Workspace folder to open (default: a fresh empty temp folder). */
  folder?: string;
  /** Whole-run limit; on expiry the result is 124. Default 5 min. */
  timeoutMs?: number;
  /** Reuse a running server instead of starting one (it is not stopped). */
  server?: CodeServer;
  /** Passed to startCodeServer() when no server is given. */
  start?: Omit<StartOptions, 'folder'>;
  /** Where the workbench log lines go (default: stdout; extension-host console output included). */
  log?: (line: string) => void;
  /** Forward every log line, including the workbench's start-up chatter (also E2E_VERBOSE=1). */
  verbose?: boolean;
  /** Screenshot of the window at the end (handy when a test failed). */
  screenshotPath?: string;
}

/** Workbench log messages that say nothing about the tests (dropped unless verbose). */
const LOG_NOISE = [
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost:remote|AccountPolicyGate)\]/,
  /^Creation of workbench contribution/,
  /^No search provider registered for scheme/,
  /^Canceled: Canceled/, // extension host torn down after the exit code is sent
  // The workbench's account menu waits for GitHub sign-in, which code-server does not ship
  // (and which is offline here): an [error] of the editor's, not of the extension under test.
  /^Timed out waiting for authentication provider 'github' to register/,
];

/** Runs a mocha suite in the real extension host and resolves with its exit code (0 = passed). */
export async function runExtensionHostTests(o: ExtensionTestOptions): Promise<number> {
  const log = o.log ?? ((line: string) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`));
  const timeoutMs = o.timeoutMs ?? 300_000;
  const verbose = o.verbose ?? process.env.E2E_VERBOSE === '1';
  let emptyFolder: string | undefined;
  const folder = o.folder ?? (emptyFolder = tempDir('al-ws-'));
  const removeFolder = () => emptyFolder && rmSync(emptyFolder, { recursive: true, force: true });
  exitCleanups.add(removeFolder);
  installExitHandlers();
  const server = o.server ?? (await startCodeServer({ ...o.start, folder }));
  let browser: BrowserSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  let exitCode = 1;
  try {
    browser = await launchBrowser();
    const { page } = browser;
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // The extension host's console.* arrives here as printf-style argument lists.
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!verbose && LOG_NOISE.some((re) => re.test(text))) return;
      log(type === 'info' ? text : `[${type}] ${text}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(typeof code === 'number' ? code : 1));
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', server.remoteUri(o.extensionDevelopmentPath)],
      ['extensionTestsPath', server.remoteUri(o.extensionTestsPath)],
    ];
    const timedOut = new Promise<number>((r) => {
      timer = setTimeout(() => {
        log(`[e2e] extension tests timed out after ${timeoutMs} ms`);
        r(124);
      }, timeoutMs);
    });
    await page.goto(server.workbenchUrl({ folder, payload }), { waitUntil: 'domcontentloaded' });
    exitCode = await Promise.race([exited, timedOut]);
    if (o.screenshotPath) await screenshot(page, o.screenshotPath).catch(() => undefined);
    return exitCode;
  } finally {
    if (timer) clearTimeout(timer);
    await browser?.close();
    if (!o.server) {
      await server.stop({ keepLog: exitCode !== 0 });
      if (exitCode !== 0) log(`[e2e] code-server log: ${server.logFile}`);
    }
    exitCleanups.delete(removeFolder);
    removeFolder();
  }
}

// ------------------------------------------------------------------------------------------------
// UI helpers
// ------------------------------------------------------------------------------------------------

/**
 * Runs a command from the command palette: F1, type `label` (its title as shown, e.g.
 * 'Agent Ledger: Open Dashboard'), Enter on the matching row.
 */
export async function runCommand(page: Page, label: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeout = opts.timeoutMs ?? 15_000;
  const widget = page.locator('.quick-input-widget');
  // Focus the workbench (not an iframe) so F1 reaches it.
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
  await page.keyboard.press('F1');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${label}`);
  // Wait for the focused row to be the one we want, then accept it.
  const row = widget.locator('.monaco-list-row.focused');
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = (await row.first().getAttribute('aria-label').catch(() => null)) ?? '';
    if (text.toLowerCase().includes(label.toLowerCase())) break;
    if (Date.now() > deadline) throw new Error(`command "${label}" not found in the palette (focused row: "${text}")`);
    await sleep(100);
  }
  await input.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout }).catch(() => undefined);
}

/**
 * The status bar item of an extension. Its DOM id is `<publisher>.<name>.<itemId>` for
 * `createStatusBarItem(itemId, ...)` (e.g. 'agent-ledger.agent-ledger.status'); anything else is
 * matched against the item's aria-label / visible text (`item.name` is NOT in the DOM; the
 * aria-label is the text with `$(icon)` turned into the icon name, unless accessibilityInformation is set).
 */
export function statusBarItem(page: Page, idOrText: string) {
  const byId = page.locator(`.part.statusbar [id="${idOrText.replace(/"/g, '\\"')}"]`);
  const byLabel = page.locator('.part.statusbar .statusbar-item').filter({
    has: page.locator(`[aria-label*="${idOrText.replace(/"/g, '\\"')}"]`),
  });
  const byText = page.locator('.part.statusbar .statusbar-item').filter({ hasText: idOrText });
  return byId.or(byLabel).or(byText).first();
}

/** Visible text of a status bar item (codicons such as $(pulse) contribute nothing). */
export async function statusBarText(page: Page, idOrText: string, opts: { timeoutMs?: number } = {}): Promise<string> {
  const item = statusBarItem(page, idOrText);
  await item.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 30_000 });
  return (await item.innerText()).trim();
}

/** Waits until a status bar item shows text matching `expected`; resolves with the text. */
export async function waitForStatusBarText(
  page: Page,
  idOrText: string,
  expected: string | RegExp,
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last = '';
  for (;;) {
    last = await statusBarText(page, idOrText, { timeoutMs: Math.max(1, deadline - Date.now()) }).catch(() => last);
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`status bar "${idOrText}" shows "${last}", expected ${expected}`);
    await sleep(200);
  }
}

/**
 * The content frame of a webview (panel or view): the outer `iframe.webview.ready`, then its
 * `iframe#active-frame`. Only visible webviews count (a panel in a background tab keeps its
 * iframe, hidden). Narrow with `extensionId` ('publisher.name', part of the iframe's src) and/or
 * `index`. The panel title is not on the iframe: check the tab (`.tab[aria-label]`) instead.
 */
export async function webviewFrame(
  page: Page,
  opts: { timeoutMs?: number; index?: number; extensionId?: string } = {},
): Promise<Frame> {
  const timeout = opts.timeoutMs ?? 30_000;
  let outer = page.locator('iframe.webview.ready').filter({ visible: true });
  if (opts.extensionId) outer = outer.and(page.locator(`iframe[src*="extensionId=${encodeURIComponent(opts.extensionId)}&"]`));
  const handle = await outer.nth(opts.index ?? 0).elementHandle({ timeout });
  const outerFrame = await handle?.contentFrame();
  if (!outerFrame) throw new Error('webview outer frame not found');
  const innerHandle = await outerFrame.waitForSelector('iframe#active-frame', { timeout, state: 'attached' });
  const inner = await innerHandle.contentFrame();
  if (!inner) throw new Error('webview active-frame not found');
  await inner.waitForLoadState('domcontentloaded', { timeout });
  return inner;
}

/**
 * Messages of the notifications shown so far. In smoke-test mode toasts go straight to the
 * notification centre, so this opens the centre (command 'Notifications: Show Notifications')
 * when it is not already open, reads it, and leaves it open unless `close` is set.
 */
export async function notifications(page: Page, opts: { close?: boolean } = {}): Promise<string[]> {
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible().catch(() => false))) await runCommand(page, 'Notifications: Show Notifications');
  await center.waitFor({ state: 'visible', timeout: 10_000 });
  const texts = await center.locator('.notification-list-item-message').allInnerTexts();
  if (opts.close) await page.keyboard.press('Escape');
  return texts.map((t) => t.trim());
}

/** Screenshot of what a user sees (the whole window). Creates the folder. */
export async function screenshot(page: Page, file: string): Promise<string> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

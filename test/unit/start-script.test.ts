/**
 * `npm start` and the demo set-up never install system packages unasked: apt-get, sudo and
 * dpkg-query are stubs here that record any call (and report every package missing).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm start and the demo set-up', () => {
  let scratch: string;
  let calls: string;
  let env: NodeJS.ProcessEnv;
  let codeOnPath = false;
  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'al-start-'));
    const stubs = path.join(scratch, 'stubs');
    fs.mkdirSync(stubs);
    calls = path.join(scratch, 'calls.txt');
    for (const name of ['apt-get', 'sudo']) {
      fs.writeFileSync(path.join(stubs, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\nexit 1\n`, { mode: 0o755 });
    }
    fs.writeFileSync(path.join(stubs, 'dpkg-query'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    // No `code` command: drop the PATH folders that hold one.
    const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && !fs.existsSync(path.join(d, 'code')));
    codeOnPath = !dirs.some((d) => fs.existsSync(path.join(d, 'bash')));
    const home = path.join(scratch, 'home');
    fs.mkdirSync(home);
    env = { ...process.env, PATH: [stubs, ...dirs].join(path.delimiter), HOME: home, AGENT_LEDGER_CACHE: path.join(scratch, 'cache') };
    for (const key of ['CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'AGENT_LEDGER_SERVE', 'XDG_DATA_HOME']) delete env[key];
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const recorded = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : '');

  test('npm start at a terminal without `code` packages, reports, and says how to open the demo', { timeout: 240_000 }, (t) => {
    if (codeOnPath) return t.skip('`code` sits beside bash on PATH here');
    // `script` gives the run a terminal, as when a user types `npm start`.
    const run = spawnSync('script', ['-qec', 'bash scripts/start.sh', '/dev/null'], { cwd: ROOT, env, encoding: 'utf8', timeout: 220_000 });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(recorded(), '', 'no apt-get or sudo');
    assert.equal(run.status, 0, output);
    assert.match(output, /Packaged dist\/agent-ledger\.vsix/);
    assert.match(output, /daily report for a demo corpus/);
    assert.match(output, /npm run demo/);
    assert.match(output, /installs Node 24 and code-server/);
    assert.ok(!fs.existsSync(env.AGENT_LEDGER_CACHE!), 'nothing installed into the cache');
  });

  test('the demo set-up, without a terminal, prints the apt-get command instead of running it', () => {
    const run = spawnSync('bash', ['scripts/e2e/setup.sh', '--demo'], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    assert.equal(recorded(), '', 'no apt-get or sudo');
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /sudo apt-get install --no-install-recommends libkrb5-dev/);
    assert.doesNotMatch(run.stderr, /chromium/, 'the demo needs no browser of ours');
    assert.equal(run.stdout, '', 'nothing to eval');
  });
});

import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { MemoryLogger } from '../../src/core/log';
import { missingRootWarnings, raisedToWarnLevel } from '../../src/ui/setting-checks';

test('an extraRoots folder that does not exist is said, one line each; existing ones (~ expanded) are not', () => {
  const warnings = missingRootWarnings('agentLedger', { claude: [os.tmpdir(), '~', path.join(os.tmpdir(), 'no-such-folder-al')], codex: ['/no/such/codex'] });
  assert.deepEqual(warnings, [
    `agentLedger.claude.extraRoots: "${path.join(os.tmpdir(), 'no-such-folder-al')}" does not exist; it is read once it does`,
    'agentLedger.codex.extraRoots: "/no/such/codex" does not exist; it is read once it does',
  ]);
});

test('a critical quota level below the warning level is said and raised to it', () => {
  const log = new MemoryLogger();
  assert.equal(raisedToWarnLevel('agentLedger', 80, 95, log), 95);
  assert.equal(log.lines.length, 0);
  assert.equal(raisedToWarnLevel('agentLedger', 80, 60, log), 80);
  assert.deepEqual(log.lines, ['warn agentLedger.limits.criticalAt (60%) is below agentLedger.limits.warnAt (80%); using 80%']);
});

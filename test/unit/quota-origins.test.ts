/**
 * The quota messages are built from the registry (issue 7's boundary) and say what they said
 * when they were written out per agent.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { USAGE } from '../../src/cli/options';
import { quotaOrigins, servedAgent } from '../../src/normalizers/registry';
import { CommandId } from '../../src/ui/command-ids';
import { editorQuotaHints, hideQuotaTitle, showQuotaTitle } from '../../src/ui/limit-status';

test('where quota readings come from: transcripts first, then status lines, in the same words as before', () => {
  assert.deepEqual(quotaOrigins().map((o) => o.clause), ['Codex writes them into its rollouts', 'Claude Code gives them to its status line']);
  assert.deepEqual(editorQuotaHints(), ['Codex writes them into its rollouts', 'for Claude Code, run "Agent Ledger: Show Claude Code Quota"']);
  assert.ok(USAGE.includes('\n  limits          every known quota window: official (Codex, Claude Code status line) or estimated\n'));
  assert.ok(USAGE.includes("\n  statusline      Claude Code's status line: reads its JSON on stdin, prints one line\n"));
});

test("the status-line agent's declaration: its settings file, setting and input", () => {
  const { agent, statusLine } = servedAgent();
  assert.equal(agent, 'claude');
  const home = os.homedir();
  assert.equal(statusLine.settingsPath({}, home), path.join(home, '.claude', 'settings.json'));
  assert.equal(statusLine.settingsPath({ CLAUDE_CONFIG_DIR: ' ~/alt , /other' }, home), path.join(home, 'alt', 'settings.json'));
  assert.deepEqual(statusLine.settingValue('x y'), { type: 'command', command: 'x y' });
  assert.equal(statusLine.commandOf(statusLine.settingValue('x y')), 'x y');
  assert.equal(statusLine.commandOf('x y'), undefined);
  const reading = statusLine.readInput({ session_id: 's', model: { id: 'm' }, rate_limits: { five_hour: { used_percentage: 5, resets_at: 2e9 } } }, 0);
  assert.deepEqual([reading.sessionId, reading.model, reading.limits.length], ['s', 'm', 1]);
  assert.equal(statusLine.journal.entry(reading.quota), '"rate_limits":{"five_hour":{"used_percentage":5,"resets_at":2000000000}}');
});

test("package.json's set-up command titles are the ones the editor's messages name", () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8'));
  const title = (id: string) => {
    const c = (pkg.contributes.commands as { command: string; title: string; category?: string }[]).find((x) => x.command === id);
    return c && `${c.category}: ${c.title}`;
  };
  const { label } = servedAgent();
  assert.equal(title(CommandId.ShowClaudeQuota), showQuotaTitle(label));
  assert.equal(title(CommandId.HideClaudeQuota), hideQuotaTitle(label));
});

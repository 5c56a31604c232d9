import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AgentLedgerApi } from '../../src/extension';
import { DEFAULT_FILTER } from '../../src/protocol/panel-protocol';
import { claudeAssistant } from '../fixtures/transcript-lines';
import { expectedFixtureCost, fixtureRateLimits, fixtureRolloutPath, fixtureTranscriptPath } from '../e2e/fixture-corpus';

const EXTENSION_ID = 'agent-ledger.agent-ledger';

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const dollars = (usd: number) => `$${usd.toFixed(2)}`;

/** Runs in the real extension host, against the fixture corpus the runner wrote (see test/e2e/fixture-corpus.ts). */
export function extensionSuite(): void {
  suite('Agent Ledger in VS Code', () => {
    let api: AgentLedgerApi;
    const corpus = process.env.AGENT_LEDGER_FIXTURE_CORPUS;

    suiteSetup(async () => {
      assert.ok(corpus, 'AGENT_LEDGER_FIXTURE_CORPUS names the fixture corpus');
      const extension = vscode.extensions.getExtension<AgentLedgerApi>(EXTENSION_ID);
      assert.ok(extension, 'the extension is installed');
      api = await extension.activate();
      await api.ready();
    });

    test('contributes its commands', async () => {
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['openPanel', 'rebuildMarts', 'refresh', 'showLog', 'exportCsv', 'exportJson', 'showClaudeQuota', 'hideClaudeQuota']) {
        assert.ok(commands.includes(`agentLedger.${id}`), `agentLedger.${id} is registered`);
      }
    });

    test('the API answers queries only: it cannot save, rebuild or stop the ledger', async () => {
      await assert.rejects(api.engine().request('dispose' as 'status', {} as never), /not a query/);
      assert.ok(await api.engine().request('status', { workspaceFolders: [] }), 'a query is answered');
    });

    test("the status bar shows today's cost of the fixture corpus and the Codex 5-hour quota", async () => {
      const expected = `$(pulse) ${dollars(expectedFixtureCost().todayUsd)} today · 5h 62%`;
      await until(`status bar "${expected}"`, () => api.statusBarText() === expected);
    });

    test('Refresh Now (like the 30 s rescan) keeps the spend in the status bar: only the first indexing shows progress', async () => {
      const shown = api.statusBarText();
      assert.match(shown, /today/);
      await vscode.commands.executeCommand('agentLedger.refresh');
      // The engine's events reach the host before its reply: any progress it sent is handled by now.
      assert.equal(api.statusBarText(), shown);
    });

    test('appending a line updates the status bar', async () => {
      const before = expectedFixtureCost().todayUsd;
      // Claude Sonnet 4.5: 1,000,000 output tokens at $15/M.
      fs.appendFileSync(fixtureTranscriptPath(corpus!), `${claudeAssistant({ messageId: 'msg_live', requestId: 'req_live', sessionId: 'session-app', cwd: '/work/demo-app', ts: new Date().toISOString(), input: 0, output: 1_000_000 })}\n`);
      const expected = `$(pulse) ${dollars(before + 15)} today · 5h 62%`;
      await until(`status bar "${expected}"`, () => api.statusBarText() === expected);
    });

    test('Rebuild Marts gives the same numbers', async () => {
      const everything = async () => {
        const data = await api.engine().request('panel', { filter: { ...DEFAULT_FILTER, range: 'all' } });
        assert.ok(data, 'the engine answers');
        return JSON.stringify([data.daily, data.projects, data.sessions, data.models, data.agents]);
      };
      const before = await everything();
      await vscode.commands.executeCommand('agentLedger.rebuildMarts');
      assert.equal(await everything(), before);
    });

    test('the cost panel receives the right data', async () => {
      await vscode.commands.executeCommand('agentLedger.openPanel');
      const data = await until('panel data', () => api.panelData());
      const expected = expectedFixtureCost();
      assert.equal(data.headline.todayUsd.toFixed(6), (expected.todayUsd + 15).toFixed(6));
      assert.deepEqual(data.projects.map((p) => p.project).sort(), [...expected.projects].sort());
      assert.ok(data.models.some((m) => m.model === 'claude-sonnet-4-5-20250929'), 'the models table lists Sonnet 4.5');
    });

    test("the panel's Limits data has the Codex windows, with pace", async () => {
      const data = await until('panel data', () => api.panelData());
      const codex = (data.limits?.windows ?? []).filter((w) => w.agent === 'codex').map((w) => [w.label, w.usedPercent, w.source, w.level]);
      assert.deepEqual(codex, [['5h', 62, 'official', 'ok'], ['weekly', 20, 'official', 'ok']]);
    });

    test('crossing 80% shows the notification once', async () => {
      const rollout = fixtureRolloutPath(corpus!);
      const now = Date.now();
      const alerts = () => api.limitAlertsShown().filter((m) => m.startsWith('Codex CLI 5h quota'));
      assert.deepEqual(alerts(), []);
      fs.appendFileSync(rollout, `${fixtureRateLimits(now, 85, now)}\n`);
      await until('the status bar at 85%', () => api.statusBarText().endsWith('· 5h 85%'));
      await until('the 80% notification', () => alerts().length === 1);
      assert.match(alerts()[0]!, /85% used/);
      fs.appendFileSync(rollout, `${fixtureRateLimits(now, 88, now + 1000)}\n`);
      await until('the status bar at 88%', () => api.statusBarText().endsWith('· 5h 88%'));
      await vscode.commands.executeCommand('agentLedger.refresh');
      assert.equal(alerts().length, 1, 'no second notification for the same window');
    });

    test('Refresh Now reads a new transcript before it returns', async () => {
      const todayUsd = async () => (await api.engine().request('status', { workspaceFolders: [] }))!.todayUsd;
      const before = await todayUsd();
      // Claude Sonnet 4.5: 100,000 output tokens at $15/M = $1.50, in a file no test wrote before.
      const file = fixtureTranscriptPath(corpus!).replace(/session-app\.jsonl$/, 'session-refresh.jsonl');
      fs.writeFileSync(file, `${claudeAssistant({ messageId: 'msg_refresh', requestId: 'req_refresh', sessionId: 'session-refresh', cwd: '/work/demo-app', ts: new Date().toISOString(), input: 0, output: 100_000 })}\n`);
      const refreshed = await vscode.commands.executeCommand<{ requests: number } | undefined>('agentLedger.refresh');
      assert.equal(refreshed?.requests, 1, 'the refresh ran an ingest that read the new request');
      assert.equal((await todayUsd() - before).toFixed(6), '1.500000');
    });

    test('Show Log opens the log with what was read', async () => {
      await vscode.commands.executeCommand('agentLedger.showLog');
      const log = await until('the Agent Ledger log document', () =>
        vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /Agent.?Ledger/i.test(decodeURIComponent(d.uri.toString()))));
      await until('the first ingest in the log', () => /scanned \d+\/\d+ files/.test(log.getText()));
    });
  });
}

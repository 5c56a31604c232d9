import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { AgentDir, agentTotals } from '../fixtures/agent-dir';
import { eventTotals, memoryEngine, tempLedgerDir } from '../fixtures/engine-harness';
import { opencodeDb, upsertMessage } from '../fixtures/opencode-db';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const warnings = (lines: string[]) => lines.filter((l) => /^(warn|error)/.test(l));

test('a usage line with an absurd or missing time is rejected once and logged; the file and its later lines still count', async () => {
  const dir = new TranscriptDir();
  const { engine, log } = await memoryEngine();
  try {
    const noTime = JSON.parse(claudeAssistant({ messageId: 'm4', requestId: 'r4', ts: '2026-11-20T10:00:00Z', input: 7, output: 1 }));
    delete noTime.timestamp;
    const file = dir.write(dir.claudePath('-w/a.jsonl'), [
      claudeAssistant({ messageId: 'm1', requestId: 'r1', ts: '2026-11-20T10:00:00Z', input: 1, output: 1 }),
      claudeAssistant({ messageId: 'm2', requestId: 'r2', ts: '+275760-09-12T00:00:00.000Z', input: 10, output: 1 }),
      claudeAssistant({ messageId: 'm3', requestId: 'r3', ts: '1970-01-01T00:00:00.000Z', input: 20, output: 1 }),
      JSON.stringify(noTime),
      claudeAssistant({ messageId: 'm5', requestId: 'r5', ts: '2026-11-20T10:01:00Z', input: 100, output: 1 }),
    ]);
    const first = await engine.ingest({ roots: dir.roots });
    assert.equal(first.invalidLines, 3);
    assert.equal(warnings(log.lines).filter((l) => / at byte \d+ skipped$/.test(l)).length, 3, log.lines.join('\n'));
    assert.ok(log.has('warn', 'timestamp out of range') && log.has('warn', 'missing or invalid timestamp'), log.lines.join('\n'));
    dir.append(file, `${claudeAssistant({ messageId: 'm6', requestId: 'r6', ts: '2026-11-20T10:02:00Z', input: 1000, output: 1 })}\n`);
    const logged = log.lines.length;
    const second = await engine.ingest({ roots: dir.roots });
    assert.equal(second.invalidLines, 0, 'the rejected lines are not read again');
    assert.deepEqual(warnings(log.lines.slice(logged)), [], 'nor logged again');
    assert.equal(eventTotals(engine).input, 1101);
    assert.deepEqual(engine.ledger.months.months(), ['2026-11'], 'no month file for an absurd time');
  } finally {
    engine.close();
    dir.dispose();
  }
});

test('one damaged count in a task file or a database row leaves out that entry only, logged once', async () => {
  const dir = new AgentDir();
  const { engine, log } = await memoryEngine();
  try {
    const say = (ts: number, info: Record<string, number>) =>
      ({ ts, type: 'say', say: 'api_req_started', text: JSON.stringify(info), modelInfo: { modelId: 'claude-sonnet-4-5', providerId: 'anthropic' } });
    dir.writeJson(dir.task('saoudrizwan.claude-dev', 'task-1'), [say(T0, { tokensIn: 100, tokensOut: 1 }), say(T0 + 1000, { tokensIn: -1, tokensOut: 1 }), say(T0 + 2000, { tokensIn: 1000, tokensOut: 1 })]);
    const db = await opencodeDb();
    upsertMessage(db, 'msg_1', T0, T0, { input: 10, output: 1 });
    upsertMessage(db, 'msg_2', T0 + 1000, T0 + 1000, { input: 1e12, output: 1 });
    upsertMessage(db, 'msg_3', T0 + 2000, T0 + 2000, { input: 20, output: 1 });
    fs.mkdirSync(dir.opencodeData, { recursive: true });
    fs.writeFileSync(path.join(dir.opencodeData, 'opencode.db'), db.export());
    db.close();

    const first = await engine.ingest(dir.options);
    assert.equal(first.invalidLines, 2);
    assert.equal(agentTotals(engine, 'cline').input, 1100);
    assert.equal(agentTotals(engine, 'opencode').input, 30);
    assert.deepEqual(warnings(log.lines).filter((l) => /^error/.test(l)), [], 'no file failed');
    assert.equal(warnings(log.lines).filter((l) => l.includes('token count out of range in')).length, 2, log.lines.join('\n'));
    const logged = log.lines.length;
    await engine.ingest(dir.options);
    assert.deepEqual(warnings(log.lines.slice(logged)), [], 'unchanged files are not read or logged again');
  } finally {
    engine.close();
    dir.dispose();
  }
});

test('a task file re-read after a change logs only entries newly damaged, across restarts', async () => {
  const dir = new AgentDir();
  const ledgerDir = tempLedgerDir();
  const say = (ts: number, tokensIn: number) =>
    ({ ts, type: 'say', say: 'api_req_started', text: JSON.stringify({ tokensIn, tokensOut: 1 }), modelInfo: { modelId: 'claude-sonnet-4-5', providerId: 'anthropic' } });
  const task = dir.task('saoudrizwan.claude-dev', 'task-1');
  const messages = [say(T0, 100), say(T0 + 1000, -1)];
  const damageLines = (lines: string[]) => warnings(lines).filter((l) => l.includes('token count out of range in'));
  let { engine, log } = await memoryEngine(ledgerDir);
  try {
    dir.writeJson(task, messages);
    await engine.ingest(dir.options);
    assert.equal(damageLines(log.lines).length, 1, log.lines.join('\n'));

    messages.push(say(T0 + 2000, 1000));
    dir.writeJson(task, messages);
    let logged = log.lines.length;
    const second = await engine.ingest(dir.options);
    assert.equal(second.filesRead, 1, 'the changed task file is read again');
    assert.equal(second.invalidLines, 1, 'its damaged entry is still left out');
    assert.deepEqual(damageLines(log.lines.slice(logged)), [], 'but not logged again');
    assert.equal(agentTotals(engine, 'cline').input, 1100);
    engine.save();
    engine.close();

    ({ engine, log } = await memoryEngine(ledgerDir));
    messages.push(say(T0 + 3000, 10), say(T0 + 4000, -5));
    dir.writeJson(task, messages);
    logged = log.lines.length;
    await engine.ingest(dir.options);
    const fresh = damageLines(log.lines.slice(logged));
    assert.equal(fresh.length, 1, `after a restart, only the new damage is logged:\n${log.lines.join('\n')}`);
    assert.match(fresh[0]!, /in entry 4:/);
    assert.equal(agentTotals(engine, 'cline').input, 1110);
  } finally {
    engine.close();
    dir.dispose();
  }
});

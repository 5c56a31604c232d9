import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readStatusFigures } from '../../src/readers/status-figures';
import { STATUS_CARD_FILE } from '../../src/store/ledger-layout';
import { memoryEngine, tempLedgerDir } from '../fixtures/engine-harness';
import { TranscriptDir } from '../fixtures/transcript-dir';
import { claudeAssistant } from '../fixtures/transcript-lines';

test("the writer's status card gives the status line the same figures as the state file, without SQLite", async () => {
  const dir = new TranscriptDir('agent-ledger-card-');
  const ledger = tempLedgerDir();
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  dir.write(dir.claudePath('-w/s1.jsonl'), [
    claudeAssistant({ sessionId: 's1', messageId: 'm1', requestId: 'r1', ts: at(3), model: 'claude-opus-4-6', input: 1000, output: 1000 }),
    claudeAssistant({ sessionId: 's1', messageId: 'm2', requestId: 'r2', ts: at(2), model: 'claude-opus-4-6', input: 1000, output: 1000 }),
  ]);
  dir.write(dir.claudePath('-w/s2.jsonl'), [claudeAssistant({ sessionId: 's2', messageId: 'm3', requestId: 'r3', ts: at(1), output: 7000 })]);
  const { engine } = await memoryEngine(ledger, { timeZone: 'Asia/Tokyo' });
  await engine.ingest({ roots: dir.roots });
  engine.save();
  engine.close();
  assert.ok(fs.existsSync(path.join(ledger, STATUS_CARD_FILE)), 'the commit wrote the card');
  const session = { agent: 'claude', id: 's1' };
  const fromCard = await readStatusFigures(ledger, session, now);
  fs.rmSync(path.join(ledger, STATUS_CARD_FILE));
  const fromState = await readStatusFigures(ledger, session, now);
  assert.deepEqual(fromCard, fromState);
  assert.ok(fromCard.sessionUsd! > 0 && fromCard.todayUsd! > fromCard.sessionUsd!, JSON.stringify(fromCard));
  dir.dispose();
});

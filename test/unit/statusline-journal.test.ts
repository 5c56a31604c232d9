import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { LedgerEngine } from '../../src/pipeline/engine';
import { journalPath, journalReading } from '../../src/statusline/limits-journal';
import { latestLimits, limitHistory } from '../../src/store/limit-store';
import { memoryEngine } from '../fixtures/engine-harness';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const RESET_5H = NOW / 1000 + 2 * 3600;
const RESET_7D = NOW / 1000 + 3 * 86_400;
const limits = (five: number, seven: number) => ({
  five_hour: { used_percentage: five, resets_at: RESET_5H },
  seven_day: { used_percentage: seven, resets_at: RESET_7D },
});

describe('the status-line journal, a limit source in the ledger folder', () => {
  let dir: string;
  let engine: LedgerEngine;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-journal-'));
    ({ engine } = await memoryEngine());
  });
  afterEach(() => {
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ingest = () => engine.ingest({ roots: { claude: [path.join(dir, 'none')], codex: [path.join(dir, 'none')] }, ledgerDir: dir });

  test('one line per change, only the figures; the writer reads it like a transcript, from its offset', async () => {
    assert.equal(journalReading(dir, { ...limits(12, 40), other: 'x' }, NOW), true);
    assert.equal(journalReading(dir, limits(12, 40), NOW + 1000), false, 'same figures: nothing appended');
    assert.equal(journalReading(dir, null, NOW + 1000), false);
    assert.equal(journalReading(dir, { five_hour: { used_percentage: 'x' } }, NOW + 1000), false);
    const text = fs.readFileSync(journalPath(dir), 'utf8');
    assert.equal(text, `{"ts":"${new Date(NOW).toISOString()}","rate_limits":{"five_hour":{"used_percentage":12,"resets_at":${RESET_5H}},"seven_day":{"used_percentage":40,"resets_at":${RESET_7D}}}}\n`);

    const first = await ingest();
    assert.equal(first.limitReadings, 2);
    assert.deepEqual(latestLimits(engine.db).map((l) => [l.agent, l.windowMinutes, l.usedPercent, l.resetsAt, l.observedAt, l.source]), [
      ['claude', 300, 12, RESET_5H * 1000, NOW, 'official'],
      ['claude', 10080, 40, RESET_7D * 1000, NOW, 'official'],
    ]);
    assert.equal((await ingest()).limitReadings, 0, 'nothing new');
    journalReading(dir, limits(15, 40), NOW + 60_000);
    fs.appendFileSync(journalPath(dir), '{"ts":"half-writ');
    assert.equal((await ingest()).limitReadings, 1, 'only the changed window adds a history point');
    assert.deepEqual(limitHistory(engine.db, { agent: 'claude', limitId: 'claude', windowMinutes: 300 }, 0).map((p) => p.usedPercent), [12, 15]);
    assert.equal(latestLimits(engine.db).find((l) => l.windowMinutes === 10080)!.observedAt, NOW + 60_000);
  });
});

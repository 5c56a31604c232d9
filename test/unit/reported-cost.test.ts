import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentDir } from '../fixtures/agent-dir';
import { memoryEngine } from '../fixtures/engine-harness';

test("an agent's own recorded cost is kept beside ours ('reported'), never used for the totals", async () => {
  const dir = new AgentDir();
  const { engine } = await memoryEngine();
  try {
    const ts = Date.UTC(2026, 10, 20, 10);
    const request = (n: number, cost: number) => ({
      ts: ts + n * 60_000, type: 'say', say: 'api_req_started',
      text: JSON.stringify({ tokensIn: 1_000_000, tokensOut: 0, cacheReads: 0, cacheWrites: 0, cost, apiProtocol: 'anthropic' }),
    });
    dir.writeJson(dir.task('rooveterinaryinc.roo-cline', 'task-1'), [request(0, 0.5), request(1, 0.25)]);
    await engine.ingest(dir.options);
    const roo = engine.readers.agents().find((a) => a.agent === 'roo');
    assert.ok(roo, 'the Roo task was read');
    assert.equal(roo.reportedCostUsd.toFixed(6), '0.750000', 'the two costs Roo recorded');
    assert.notEqual(roo.costUsd.toFixed(6), '0.750000', 'our cost comes from the price table');
    assert.equal(engine.readers.periodTotals().reportedCostUsd.toFixed(6), '0.750000');
  } finally {
    engine.close();
    dir.dispose();
  }
});

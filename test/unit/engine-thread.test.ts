import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EngineClient } from '../../src/pipeline/engine-client';
import type { EngineEvent } from '../../src/pipeline/engine-protocol';

test('a ledger folder that is not a ledger: the engine thread reports it once as fatal, stays up and answers', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-not-a-ledger-'));
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'the user\'s own file');
  const client = new EngineClient({ ledgerDir: folder, timeZone: 'UTC', ingest: {} });
  try {
    const fatal = await new Promise<Extract<EngineEvent, { type: 'fatal' }>>((resolve) =>
      client.on('event', (event) => event.type === 'fatal' && resolve(event)));
    assert.match(fatal.message, /not an Agent Ledger/i);
    assert.equal(await client.request('status', { workspaceFolders: [] }), undefined, 'the thread still answers (nothing to show)');
    assert.deepEqual(fs.readdirSync(folder), ['notes.txt'], 'the folder was left as it was');
  } finally {
    await client.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

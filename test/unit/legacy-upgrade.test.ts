import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { toCcusageReport } from '../../src/readers/ccusage-format';
import { isPriced } from '../../src/pricing/cost';
import { resolveLedgerLocation } from '../../src/store/ledger-layout';
import { MemoryLogger } from '../../src/core/log';
import { LedgerEngine } from '../../src/pipeline/engine';

const FIXTURE = path.resolve(__dirname, '../fixtures/ledger-0.1.0');
const REPO = path.resolve(__dirname, '../..');

interface Daily { daily: { date: string; modelBreakdowns: { modelName: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number }[] }[] }

/** Tokens per (day, model): what must survive the upgrade exactly. */
function tokensByDayModel(report: Daily): string[] {
  return report.daily.flatMap((d) => d.modelBreakdowns.map((m) => `${d.date} ${m.modelName} ${m.inputTokens}/${m.outputTokens}/${m.cacheCreationTokens}/${m.cacheReadTokens}`)).sort();
}

function copyFixture(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-upgrade-'));
  fs.cpSync(FIXTURE, base, { recursive: true });
  return base;
}

test('a ledger.sqlite written by 0.1.0 is upgraded in place: every day as before, nothing counted twice, the old file untouched', async () => {
  const base = copyFixture();
  const legacy = path.join(base, 'ledger.sqlite');
  const legacyBytes = fs.readFileSync(legacy);
  const expected = tokensByDayModel(JSON.parse(fs.readFileSync(path.join(base, 'daily-0.1.0.json'), 'utf8')) as Daily);
  const location = resolveLedgerLocation(path.join(base, 'ledger'));
  assert.deepEqual(location, { dir: path.join(base, 'ledger'), legacyFile: legacy }, 'the old file beside the folder is found');

  const log = new MemoryLogger();
  let engine = await LedgerEngine.open({ location, timeZone: 'UTC', log });
  try {
    assert.ok(log.has('info', 'upgraded the 0.1.0 ledger'), log.lines.join('\n'));
    const report = () => toCcusageReport(engine.readers.dailyByModel(), 'date', isPriced) as unknown as { rows: Daily['daily'] };
    assert.deepEqual(tokensByDayModel({ daily: report().rows }), expected, 'every day and model as 0.1.0 reported');
    // The transcripts are read again (their paths differ from the ones 0.1.0 recorded): nothing is counted twice.
    const again = await engine.ingest({ roots: { claude: [path.join(base, 'corpus/claude')], codex: [path.join(base, 'corpus/codex')] } });
    assert.equal(again.requests, 0, 'no request is new');
    assert.ok(again.duplicates > 0, 'the re-read found the upgraded requests');
    assert.deepEqual(tokensByDayModel({ daily: report().rows }), expected, 'unchanged after reading the transcripts again');
    engine.save();
    engine.close();

    const reopenLog = new MemoryLogger();
    engine = await LedgerEngine.open({ location: resolveLedgerLocation(path.join(base, 'ledger')), timeZone: 'UTC', log: reopenLog });
    assert.ok(!reopenLog.has('info', 'upgraded'), 'upgraded once only');
    assert.deepEqual(tokensByDayModel({ daily: report().rows }), expected);
  } finally {
    engine.close();
  }
  assert.deepEqual(fs.readFileSync(legacy), legacyBytes, 'the 0.1.0 file is left as it was');
  fs.rmSync(base, { recursive: true, force: true });
});

test('the CLI given the 0.1.0 file itself upgrades it into the folder beside it', () => {
  const base = copyFixture();
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli.ts'), '--db', path.join(base, 'ledger.sqlite'), 'daily', '--json', '--no-ingest', '-z', 'UTC'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(tokensByDayModel(JSON.parse(result.stdout) as Daily), tokensByDayModel(JSON.parse(fs.readFileSync(path.join(base, 'daily-0.1.0.json'), 'utf8')) as Daily));
  assert.ok(fs.existsSync(path.join(base, 'ledger', 'manifest.json')), 'the folder ledger was written');
  fs.rmSync(base, { recursive: true, force: true });
});

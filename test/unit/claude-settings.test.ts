import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import { propertyText, removeProperty, setProperty } from '../../src/core/json-edit';
import { installStatusLine, isInstalled, statusLineCommand, uninstallStatusLine } from '../../src/statusline/status-line-setup';
import { readStatusLineConfig } from '../../src/statusline/statusline-config';

const OURS = statusLineCommand('node', '/home/u/.config/Code/User/globalStorage/agent-ledger.agent-ledger/cli/cli.js', '/home/u/x/ledger.sqlite');

const ORIGINAL = `{
\t"$schema": "https://json.schemastore.org/claude-code-settings.json",
\t"model": "opus",
\t"statusLine": { "type": "command", "command": "~/.claude/statusline.sh", "padding": 1 },
\t"permissions": {"allow": ["Bash(npm test:*)"], "deny": []},
\t"cleanupPeriodDays": 1.0e2,
\t"env": {"Ü": "\\u00dc \\"quoted\\" {not: a brace}"}
}
`;

describe('pointing Claude Code\'s statusLine at agent-ledger, and back', () => {
  let dir: string;
  let settings: string;
  let ledger: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ledger-settings-'));
    settings = path.join(dir, '.claude', 'settings.json');
    ledger = path.join(dir, 'storage');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the command quotes its paths for the shell', () => {
    assert.equal(statusLineCommand('node', '/a b/c"$x.js', '/d/l.sqlite'), 'node "/a b/c\\"\\$x.js" statusline --db "/d/l.sqlite"');
  });

  test('only statusLine changes: every other key keeps its bytes; a backup; the previous command is kept for chaining', () => {
    fs.writeFileSync(settings, ORIGINAL);
    const result = installStatusLine(settings, OURS, ledger, 'after');
    assert.ok(result.ok && result.changed);
    const text = fs.readFileSync(settings, 'utf8');
    for (const key of ['$schema', 'model', 'permissions', 'cleanupPeriodDays', 'env']) assert.equal(propertyText(text, key), propertyText(ORIGINAL, key), key);
    assert.equal(text.replace(propertyText(text, 'statusLine')!, ''), ORIGINAL.replace(propertyText(ORIGINAL, 'statusLine')!, ''), 'nothing else moved');
    assert.deepEqual(JSON.parse(text).statusLine, { type: 'command', command: OURS });
    assert.equal(fs.readFileSync(`${settings}.agent-ledger-backup`, 'utf8'), ORIGINAL);
    assert.deepEqual(readStatusLineConfig(ledger), { previousCommand: '~/.claude/statusline.sh', chain: 'after' });
    assert.ok(isInstalled(ledger));
    const again = installStatusLine(settings, OURS, ledger, 'after');
    assert.ok(again.ok && !again.changed, 'installing twice changes nothing');
  });

  test("the set-up says what becomes of the previous status line, by the previousCommand setting", () => {
    const said = (['after', 'instead', 'off'] as const).map((chain) => {
      fs.writeFileSync(settings, ORIGINAL);
      const message = installStatusLine(settings, OURS, ledger, chain).message;
      uninstallStatusLine(ledger);
      return message.replace(/^.*status line /, '');
    });
    assert.deepEqual(said, ['is shown below it.', 'is shown instead of it (the quota is still recorded).', 'is kept in the backup but not run.']);
  });

  test('undo restores the file exactly', () => {
    fs.writeFileSync(settings, ORIGINAL);
    installStatusLine(settings, OURS, ledger, 'after');
    assert.ok(uninstallStatusLine(ledger).ok);
    assert.equal(fs.readFileSync(settings, 'utf8'), ORIGINAL);
    assert.equal(isInstalled(ledger), false);
    assert.deepEqual(readStatusLineConfig(ledger), { chain: 'after' });
  });

  test('undo after the user changed other keys: only statusLine goes back, their change stays', () => {
    fs.writeFileSync(settings, ORIGINAL);
    installStatusLine(settings, OURS, ledger, 'after');
    const edited = fs.readFileSync(settings, 'utf8').replace('"model": "opus"', '"model": "sonnet"');
    fs.writeFileSync(settings, edited);
    assert.ok(uninstallStatusLine(ledger).ok);
    assert.equal(fs.readFileSync(settings, 'utf8'), ORIGINAL.replace('"model": "opus"', '"model": "sonnet"'));
  });

  test('undo leaves a statusLine the user replaced since', () => {
    fs.writeFileSync(settings, ORIGINAL);
    installStatusLine(settings, OURS, ledger, 'after');
    const replaced = `${JSON.stringify({ statusLine: { type: 'command', command: 'mine' } })}\n`;
    fs.writeFileSync(settings, replaced);
    const result = uninstallStatusLine(ledger);
    assert.ok(result.ok);
    assert.match(result.message, /changed since/);
    assert.equal(fs.readFileSync(settings, 'utf8'), replaced);
  });

  test('no statusLine and no file before: added, then removed; a missing file is created, then deleted', () => {
    const plain = '{\n  "model": "opus"\n}\n';
    fs.writeFileSync(settings, plain);
    installStatusLine(settings, OURS, ledger, 'after');
    assert.equal(fs.readFileSync(settings, 'utf8'), `{\n  "model": "opus",\n  "statusLine": ${JSON.stringify({ type: 'command', command: OURS })}\n}\n`);
    assert.deepEqual(readStatusLineConfig(ledger), { chain: 'after' });
    fs.appendFileSync(settings, '\n'); // changed since: the textual undo path
    uninstallStatusLine(ledger);
    assert.equal(fs.readFileSync(settings, 'utf8'), `${plain}\n`);

    fs.rmSync(settings);
    installStatusLine(settings, OURS, ledger, 'after');
    assert.deepEqual(JSON.parse(fs.readFileSync(settings, 'utf8')), { statusLine: { type: 'command', command: OURS } });
    uninstallStatusLine(ledger);
    assert.equal(fs.existsSync(settings), false);
  });

  test('a file it cannot parse is refused, with a message, and left untouched', () => {
    for (const bad of ['{\n  // comment\n  "model": "opus"\n}\n', '[1, 2]', '{"model": "opus",}', '{"a": 1} trailing']) {
      fs.writeFileSync(settings, bad);
      const result = installStatusLine(settings, OURS, ledger, 'after');
      assert.equal(result.ok, false);
      assert.match(result.message, /left unchanged/);
      assert.equal(fs.readFileSync(settings, 'utf8'), bad);
      assert.equal(fs.existsSync(`${settings}.agent-ledger-backup`), false);
      assert.equal(isInstalled(ledger), false);
    }
  });

  test('property: for any JSON object in any layout, setting then removing a key keeps every other value, and undoes exactly', () => {
    fc.assert(fc.property(
      fc.dictionary(fc.string(), fc.jsonValue()).filter((o) => !('statusLine' in o)),
      fc.constantFrom(0, 1, 2, '\t'),
      fc.jsonValue(),
      (object, indent, value) => {
        const text = JSON.stringify(object, null, indent as number | string);
        const set = setProperty(text, 'statusLine', JSON.stringify(value));
        assert.ok(set.ok);
        const parsed = JSON.parse(set.text) as Record<string, unknown>;
        assert.deepEqual(JSON.parse(JSON.stringify(parsed.statusLine)), JSON.parse(JSON.stringify(value)));
        delete parsed.statusLine;
        assert.deepEqual(parsed, JSON.parse(text));
        const removed = removeProperty(set.text, 'statusLine');
        assert.ok(removed.ok);
        if (Object.keys(object).length > 0 || indent === 0) assert.equal(removed.text, text);
        else assert.deepEqual(JSON.parse(removed.text), {});
      },
    ), { numRuns: 300 });
  });
});

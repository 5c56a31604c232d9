/**
 * The agent boundary: everything agent-specific lives in src/normalizers/ (and the registry),
 * so that adding an agent is one normalizer file, its fixtures and its tests.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseCli } from '../../src/cli/options';
import { fileSetsOf } from '../../src/normalizers/agent-normalizer';
import { NORMALIZERS } from '../../src/normalizers/registry';
import { withAgentSettings, type SettingSchema } from '../../src/ui/settings-contribution';

const REPO = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs)$/.test(e.name) ? [full] : [];
  });
}

/** Code without comments (prose may name agents; code may not). */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Ways a module can hard-code an agent: its id as a word (not inside a model name like claude-opus-4), its label, its environment variables. */
function agentPatterns(): { agent: string; pattern: RegExp }[] {
  return NORMALIZERS.flatMap((n) => {
    const words = [n.agent, n.label];
    for (const set of fileSetsOf(n)) for (const e of set.roots.env ?? []) if (!e.name.startsWith('XDG_')) words.push(e.name);
    return words.map((word) => ({
      agent: n.agent,
      pattern: new RegExp(`(?<![\\w.\\/-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.\\/-])`, 'i'),
    }));
  });
}

test('no module outside src/normalizers names an agent (ids, labels, environment variables)', () => {
  const files = [...sourceFiles(path.join(REPO, 'src')), ...sourceFiles(path.join(REPO, 'webview'))]
    .filter((f) => !f.startsWith(path.join(REPO, 'src', 'normalizers') + path.sep));
  assert.ok(files.length > 40, 'the scan sees the sources');
  const leaks: string[] = [];
  for (const file of files) {
    const code = codeOf(fs.readFileSync(file, 'utf8'));
    for (const { agent, pattern } of agentPatterns()) {
      const hit = pattern.exec(code);
      if (hit) leaks.push(`${path.relative(REPO, file)}: ${agent} (${JSON.stringify(code.slice(Math.max(0, hit.index - 30), hit.index + 30))})`);
    }
  }
  assert.deepEqual(leaks, []);
});

test('the scan catches a hard-coded agent (the check itself can fail)', () => {
  const leaky = codeOf(`const AGENT_LABELS = { claude: 'Claude Code', gemini: 'Gemini CLI' }; // qwen in a comment is fine`);
  const found = agentPatterns().filter(({ pattern }) => pattern.test(leaky)).map((p) => p.agent);
  assert.deepEqual([...new Set(found)].sort(), ['claude', 'gemini']);
  assert.equal(agentPatterns().some(({ pattern }) => pattern.test(codeOf(`resolveModel('claude-opus-4-6'); 'gpt-5.3-codex'`))), false, 'model names are not agent names');
});

test("package.json's per-agent settings are the registry's (npm run sync-settings writes them)", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const properties = pkg.contributes.configuration.properties as Record<string, SettingSchema>;
  assert.deepEqual(properties, withAgentSettings(properties));
  for (const n of NORMALIZERS) {
    assert.equal(properties[`agentLedger.${n.agent}.enabled`]?.type, 'boolean', n.agent);
    assert.equal(properties[`agentLedger.${n.agent}.extraRoots`]?.type, 'array', n.agent);
  }
});

test('every agent has --<agent>-dir and --agent NAME on the CLI', () => {
  for (const n of NORMALIZERS) {
    const options = parseCli(['daily', `--${n.agent}-dir`, '/tmp/a', `--${n.agent}-dir`, '/tmp/b', '--agent', n.agent]);
    assert.ok(options !== 'help' && options !== 'version');
    if (typeof options === 'string') continue;
    assert.deepEqual(options.dirs, { [n.agent]: ['/tmp/a', '/tmp/b'] });
    assert.equal(options.agent, n.agent);
  }
});

test('every agent declares a label, a colour and where its files are', () => {
  const colours = new Set<string>();
  for (const n of NORMALIZERS) {
    assert.ok(n.label && n.colour && n.rootHint, n.agent);
    colours.add(n.colour!);
    assert.ok(fileSetsOf(n).length > 0, `${n.agent} has file sets`);
  }
  assert.equal(colours.size, NORMALIZERS.length, 'each agent its own colour');
});

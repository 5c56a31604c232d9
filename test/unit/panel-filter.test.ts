import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sanitizeFilter } from '../../src/protocol/panel-filter';

test("the panel's filter is taken (from saved state or a webview message) only when every field has its shape", () => {
  assert.deepEqual(sanitizeFilter({ range: '7d', agent: 'codex', project: '/w/app', sessionLimit: 100 }), { range: '7d', agent: 'codex', project: '/w/app', sessionLimit: 100 });
  assert.deepEqual(
    sanitizeFilter({ range: 'custom', since: '2026-11-01', until: 'yesterday', agent: 'all', project: 'all', sessionLimit: -3 }),
    { range: 'custom', since: '2026-11-01', agent: 'all', project: 'all', sessionLimit: 25 },
    'a malformed day is dropped, a bad limit becomes the default',
  );
  assert.equal(sanitizeFilter({ range: '7d', since: '2026-11-01', agent: 'all', project: 'all' })?.since, undefined, 'days only with a custom range');
  for (const bad of [undefined, null, 'x', { range: 'forever', agent: 'all', project: 'all' }, { range: '7d', agent: 1, project: 'all' }, { range: '7d', agent: 'all' }]) {
    assert.equal(sanitizeFilter(bad), undefined, JSON.stringify(bad));
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable } from '../../src/cli/text-table';

test('columns line up on screen when names hold characters two columns wide (CJK, emoji)', () => {
  const table = renderTable(['Project', 'Cost'], [['/home/me/项目文档', '$1.00'], ['/home/me/web', '$10.00'], ['🚀 launch', '$0.50']], [false, true]);
  // '/home/me/项目文档' takes 17 columns (9 + 4 × 2): the widest project, so every cost ends at column 25.
  assert.deepEqual(table.split('\n'), [
    'Project              Cost',
    '─────────────────  ──────',
    '/home/me/项目文档   $1.00',
    '/home/me/web       $10.00',
    '🚀 launch           $0.50',
  ]);
});

// The newest release a range requirement would install (hover/newestMatch.ts), pre-releases as pip treats them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newestMatch } from '../../server/src/hover/newestMatch';

const files = (...names: string[]) => names.map((filename) => ({ filename, yanked: filename.includes('9.9') }));
const index = files('requests-2.31.0.tar.gz', 'requests-2.32.3-py3-none-any.whl', 'requests-2.33.0rc1.tar.gz', 'requests-9.9.0.tar.gz', 'README');

test('the newest final release in range; yanked files skipped; pre-releases only when named or nothing else matches', () => {
  assert.equal(newestMatch(index, 'requests', '>=2.31'), '2.32.3');
  assert.equal(newestMatch(index, 'requests', ''), '2.32.3');
  assert.equal(newestMatch(index, 'requests', '<2.32'), '2.31.0');
  assert.equal(newestMatch(index, 'requests', '>=2.33.0rc1'), '2.33.0rc1');
  assert.equal(newestMatch(index, 'requests', '>2.32.3'), '2.33.0rc1', 'no final release matches: pip takes the pre-release');
  assert.equal(newestMatch(index, 'requests', '>=3,<9'), undefined);
  assert.equal(newestMatch(index, 'requests', 'not a range'), undefined);
});

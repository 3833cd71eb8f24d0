import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { initializationOptions, withClientFacts } from '../../client/src/server/clientSettings';
import { serverModulePath } from '../../client/src/server/serverModule';

const facts = { workspaceTrusted: false, defaultCacheDirectory: '/storage/pypi' };

test('workspaceTrusted is always VS Code\'s trust, whatever the settings say', () => {
  assert.equal(withClientFacts({ workspaceTrusted: true }, facts).workspaceTrusted, false);
  assert.equal(withClientFacts({ workspaceTrusted: false }, { ...facts, workspaceTrusted: true }).workspaceTrusted, true);
});

test('an empty cacheDirectory becomes the extension storage; a set one stays', () => {
  assert.equal(withClientFacts({}, facts).cacheDirectory, '/storage/pypi');
  assert.equal(withClientFacts({ cacheDirectory: '  ' }, facts).cacheDirectory, '/storage/pypi');
  assert.equal(withClientFacts({ cacheDirectory: 42 }, facts).cacheDirectory, '/storage/pypi');
  assert.equal(withClientFacts({ cacheDirectory: '/mine' }, facts).cacheDirectory, '/mine');
});

test('other settings pass through untouched; a section that is not an object becomes one', () => {
  const section = { indexUrl: 'https://example.test/simple/', severity: { unpinned: 'off' }, trace: { server: 'off' } };
  const result = withClientFacts(section, facts);
  assert.deepEqual(result, { ...section, workspaceTrusted: false, cacheDirectory: '/storage/pypi' });
  assert.deepEqual(section, { indexUrl: 'https://example.test/simple/', severity: { unpinned: 'off' }, trace: { server: 'off' } }, 'the input is not changed');
  for (const junk of [null, undefined, 'x', 3, ['a']]) assert.deepEqual(withClientFacts(junk, facts), { workspaceTrusted: false, cacheDirectory: '/storage/pypi' });
});

test('initializationOptions carry the section under settings.pypiProvenance (CONTRACT.md §2)', () => {
  assert.deepEqual(initializationOptions({ offline: true }, facts), { settings: { pypiProvenance: { offline: true, workspaceTrusted: false, cacheDirectory: '/storage/pypi' } }, hoverHtml: true });
});

test('the server module: sources in development, the bundle when packaged, whichever exists otherwise', () => {
  const both = () => true;
  assert.equal(serverModulePath('/ext', true, both), '/ext/server/out/server.js');
  assert.equal(serverModulePath('/ext', false, both), '/ext/dist/server/server.js');
  assert.equal(serverModulePath('/ext', true, (f) => f.includes('dist')), '/ext/dist/server/server.js');
  assert.equal(serverModulePath('/ext', false, (f) => f.includes('/out/')), '/ext/server/out/server.js');
  assert.throws(() => serverModulePath('/ext', false, () => false), /language server is missing/);
});

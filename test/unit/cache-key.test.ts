/**
 * The per-user key that authenticates cache entries (server/src/core/cacheKey.ts): made on first
 * use with mode 0600 in a 0700 folder and read back by later processes; two processes making it
 * at once agree on one; a folder where it cannot be made gives no key, said once, never the key
 * itself; MACs reject anything missing, truncated or made under another key; where the key lives.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CacheKey, KEY_DIRECTORY_ENV, KEY_FILE_NAME, cacheKeyIn, defaultKeyDirectory } from '../../server/src/core/cacheKey';
import { newCacheKey } from '../support/cacheKey';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-key-'));
  dirs.push(dir);
  return dir;
}

test('the key is made on first use, mode 0600 in a 0700 folder, and read back by a later process', async () => {
  const folder = path.join(tempDir(), 'config', 'pypi-provenance');
  const first = await cacheKeyIn(folder)();
  assert.ok(first instanceof CacheKey);
  const file = path.join(folder, KEY_FILE_NAME);
  if (process.platform !== 'win32') {
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(folder).mode & 0o777, 0o700);
  }
  assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/);
  const again = await cacheKeyIn(folder)();
  assert.equal(again?.mac('s', 'k', 'c'), first.mac('s', 'k', 'c'), 'the same key');
});

test('two processes making the key at once agree on one', async () => {
  const folder = tempDir();
  const [a, b] = await Promise.all([cacheKeyIn(folder)(), cacheKeyIn(folder)()]);
  assert.equal(a?.mac('s', 'k', 'c'), b?.mac('s', 'k', 'c'));
});

test('a folder where the key cannot be made gives no key, said once; a file that is not a key is not used', async () => {
  const blocker = path.join(tempDir(), 'a-file');
  writeFileSync(blocker, 'x');
  const logs: string[] = [];
  const source = cacheKeyIn(path.join(blocker, 'keys'), { log: (m) => logs.push(m) });
  assert.equal(await source(), undefined);
  assert.equal(await source(), undefined);
  assert.equal(logs.length, 1, logs.join('\n'));
  assert.match(logs[0], /cannot be read or made .*kept in memory only/);

  const folder = tempDir();
  writeFileSync(path.join(folder, KEY_FILE_NAME), 'short\n');
  const bad: string[] = [];
  assert.equal(await cacheKeyIn(folder, { log: (m) => bad.push(m) })(), undefined);
  assert.match(bad[0], /is not a key \(remove it/);
});

test('a MAC binds the store, the entry key and the content, under one key; missing, truncated or foreign ones fail', () => {
  const key = newCacheKey();
  const mac = key.mac('verified-attestations-v2', 'a'.repeat(64), '{"status":"verified"}');
  assert.match(mac, /^[0-9a-f]{64}$/);
  assert.equal(key.authentic('verified-attestations-v2', 'a'.repeat(64), '{"status":"verified"}', mac), true);
  for (const [store, entry, content, candidate] of [
    ['trusted-publishers-v2', 'a'.repeat(64), '{"status":"verified"}', mac],
    ['verified-attestations-v2', 'b'.repeat(64), '{"status":"verified"}', mac],
    ['verified-attestations-v2', 'a'.repeat(64), '{"status":"verified" }', mac],
    ['verified-attestations-v2', 'a'.repeat(64), '{"status":"verified"}', mac.slice(0, 32)],
    ['verified-attestations-v2', 'a'.repeat(64), '{"status":"verified"}', `${mac}00`],
    ['verified-attestations-v2', 'a'.repeat(64), '{"status":"verified"}', undefined],
    ['verified-attestations-v2', 'a'.repeat(64), '{"status":"verified"}', mac.toUpperCase()],
  ] as const) {
    assert.equal(key.authentic(store, entry, content, candidate), false, `${store} ${entry.slice(0, 4)} ${content} ${String(candidate)}`);
  }
  assert.equal(newCacheKey().authentic('verified-attestations-v2', 'a'.repeat(64), '{"status":"verified"}', mac), false, 'another key');
  assert.equal(JSON.stringify({ key }), '{"key":"[cache key]"}', 'the secret is never serialized');
});

test('where the key lives: the override, APPDATA, Application Support, XDG_CONFIG_HOME or ~/.config', () => {
  assert.equal(defaultKeyDirectory({ [KEY_DIRECTORY_ENV]: '/tmp/k' }, 'linux', '/home/u'), '/tmp/k');
  assert.equal(defaultKeyDirectory({ [KEY_DIRECTORY_ENV]: 'relative' }, 'linux', '/home/u'), '/home/u/.config/pypi-provenance');
  assert.equal(defaultKeyDirectory({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u'), '/x/pypi-provenance');
  assert.equal(defaultKeyDirectory({ XDG_CONFIG_HOME: 'rel' }, 'linux', '/home/u'), '/home/u/.config/pypi-provenance');
  assert.equal(defaultKeyDirectory({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/pypi-provenance');
  assert.equal(defaultKeyDirectory({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Roaming\\pypi-provenance');
  assert.equal(defaultKeyDirectory({}, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Roaming\\pypi-provenance');
});

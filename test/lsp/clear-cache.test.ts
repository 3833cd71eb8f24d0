// pypiProvenance/clearCache (CONTRACT §5) through the built server: the cached index answers and
// verdicts leave the disk, the trust memory stays, and the next analysis asks the index again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withClient } from '../support/lspClient';
import { startIndexServer, type IndexServer } from '../support/indexServer';
import { FAST_INDEX_ENV, TempDirs, uriIn } from './resolutionSupport';
import { SignedIndex, report } from './verificationSupport';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;

before(async () => {
  index = await startIndexServer();
  signed = new SignedIndex(index, dirs.make('root'));
  signed.serve('cached-one', [{ version: '1.0' }]);
});
after(async () => {
  await index.close();
  dirs.cleanup();
});

function filesUnder(directory: string): string[] {
  return existsSync(directory) ? readdirSync(directory, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
}

test('clearCache removes the cached index answers and verdicts, keeps trusted publishers, and the next analysis asks the index again', async () => {
  const cache = dirs.make('cache');
  // Trust memory the request must leave alone.
  mkdirSync(path.join(cache, 'trusted-publishers-v2'), { recursive: true });
  writeFileSync(path.join(cache, 'trusted-publishers-v2', 'kept.json'), '{}');
  await withClient({ settings: { indexUrl: index.url, cacheDirectory: cache, trustedRoot: signed.trustedRootPath }, env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    client.open(uri, 'cached-one==1.0\n');
    assert.equal((await report(client, uri)).dependencies[0].status, 'verified');
    const cached = [...filesUnder(path.join(cache, 'index-http-v1')), ...filesUnder(path.join(cache, 'verified-attestations-v2'))];
    assert.ok(cached.length > 0, 'the first analysis cached something');
    const trusted = filesUnder(path.join(cache, 'trusted-publishers-v2')).sort();
    assert.ok(trusted.includes('kept.json'));
    const before = index.count('/simple/cached-one/');

    const answer = await client.request<{ removedFiles: number; removedBytes: number }>('pypiProvenance/clearCache', null);
    assert.equal(answer.removedFiles, cached.length);
    assert.ok(answer.removedBytes > 0);
    assert.deepEqual(filesUnder(path.join(cache, 'index-http-v1')), []);
    assert.deepEqual(filesUnder(path.join(cache, 'verified-attestations-v2')), []);
    assert.deepEqual(filesUnder(path.join(cache, 'trusted-publishers-v2')).sort(), trusted);

    // Re-analysed: the index is asked again.
    assert.equal((await report(client, uri)).dependencies[0].status, 'verified');
    for (let i = 0; i < 50 && index.count('/simple/cached-one/') === before; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(index.count('/simple/cached-one/') > before, 'the index was asked again');
    assert.deepEqual(client.errors(), []);
  });
});

test("in a multi-root workspace Clear Cache and Forget reach a folder's own cache directory too", async () => {
  const workspaceCache = dirs.make('cache');
  const folderCache = dirs.make('folder-cache');
  const folder = dirs.make('folder-b');
  await withClient(
    {
      settings: { indexUrl: index.url, cacheDirectory: workspaceCache, trustedRoot: signed.trustedRootPath },
      scopedSettings: (scopeUri) => (scopeUri.startsWith(uriIn(folder, '')) ? { cacheDirectory: folderCache } : undefined),
      env: FAST_INDEX_ENV,
    },
    async (client) => {
      const uri = uriIn(folder, 'requirements.txt');
      client.open(uri, 'cached-one==1.0\n');
      assert.equal((await report(client, uri)).dependencies[0].status, 'verified');
      assert.ok(filesUnder(path.join(folderCache, 'verified-attestations-v2')).length > 0, "the folder's analysis used its own cache directory");
      assert.ok(filesUnder(path.join(folderCache, 'trusted-publishers-v2')).length > 0);

      const counts = await client.request<{ trustedPublishers: number; releaseFileSets: number }>('pypiProvenance/trustMemory', null);
      assert.ok(counts.trustedPublishers >= 1, `the folder's trusted publisher is counted: ${JSON.stringify(counts)}`);
      await client.request('pypiProvenance/clearCache', null);
      assert.deepEqual(filesUnder(path.join(folderCache, 'verified-attestations-v2')), []);
      assert.deepEqual(filesUnder(path.join(folderCache, 'index-http-v1')), []);
      assert.ok(filesUnder(path.join(folderCache, 'trusted-publishers-v2')).length > 0, 'Clear Cache keeps trust memory');

      const forgotten = await client.request<{ trustedPublishers: number }>('pypiProvenance/forgetTrustMemory', { trustedPublishers: true });
      assert.equal(forgotten.trustedPublishers, counts.trustedPublishers);
      assert.deepEqual(filesUnder(path.join(folderCache, 'trusted-publishers-v2')), []);
      assert.deepEqual(client.errors(), []);
    },
  );
});

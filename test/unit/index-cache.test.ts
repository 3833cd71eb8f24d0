import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { promises as nodeFs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Dispatcher } from 'undici';
import { createIndexClient, type IndexClient, type IndexClientOptions } from '../../server/src/index/indexClient';
import { setStoredEntryText, storedEntries, storedEntryText } from '../support/responseCacheDisk';
import { cacheKey, createResponseCache, freshnessSeconds, writeFileAtomic, type CacheFs } from '../../server/src/index/responseCache';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';

const SIMPLE = 'application/vnd.pypi.simple.v1+json';
const CACHE_SUBDIR = 'index-http-v1';
let index: IndexServer;
let dir: string;
const clients: IndexClient[] = [];

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await index.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pypi-provenance-cache-'));
  index.setMode('sampleproject', undefined);
  index.setProject(makeProject('sampleproject', { releases: ['3.0.0', '4.0.0'] }));
  index.resetCounts();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await rm(dir, { recursive: true, force: true });
});

function client(options: IndexClientOptions = {}): IndexClient {
  const created = createIndexClient({ cacheDirectory: dir, http: { sleep: async () => undefined, timeouts: { totalMs: 5_000 } }, ...options });
  clients.push(created);
  return created;
}

function pageKey(url = `${index.url}sampleproject/`): string {
  return cacheKey(url, SIMPLE);
}

const cacheSubdir = () => path.join(dir, CACHE_SUBDIR);

/** A dispatcher that records any attempt to use the network. */
class NoNetwork extends Dispatcher {
  calls = 0;
  dispatch(): boolean {
    this.calls++;
    throw new Error('the network was used');
  }
}

test('within the freshness window no request is made, also by a new client on the same cache directory', async () => {
  assert.equal((await client().getProject(index.url, 'sampleproject')).kind, 'found');
  assert.equal(index.totalRequests, 1);
  const again = await client().getProject(index.url, 'sampleproject');
  assert.equal(again.kind, 'found');
  if (again.kind === 'found') {
    assert.equal(again.source.from, 'cache');
    assert.equal(again.source.stale, undefined);
    assert.equal(again.page.files.length, 4);
  }
  assert.equal(index.totalRequests, 1);
});

test('an expired answer is revalidated with If-None-Match and a 304 reuses it', async () => {
  const project = makeProject('sampleproject', { releases: ['4.0.0'], cacheControl: 'max-age=0' });
  index.setProject(project);
  const c = client();
  const first = await c.getProject(index.url, 'sampleproject');
  assert.equal(first.kind, 'found');
  const etag = index.requests[0] && (await readEntry()).etag;
  assert.ok(etag);
  const second = await c.getProject(index.url, 'sampleproject');
  assert.equal(second.kind, 'found');
  if (second.kind === 'found') {
    assert.equal(second.source.from, 'revalidated');
    assert.equal(second.page.files[0].filename, 'sampleproject-4.0.0.tar.gz');
  }
  assert.equal(index.totalRequests, 2);
  assert.equal(index.requests[1].headers['if-none-match'], etag);
  assert.equal(c.stats.revalidated, 1);

  // A changed page is a 200 again, and replaces the entry.
  index.setProject(makeProject('sampleproject', { releases: ['4.0.0', '4.0.1'], cacheControl: 'max-age=0' }));
  const third = await c.getProject(index.url, 'sampleproject');
  assert.ok(third.kind === 'found' && third.source.from === 'network' && third.page.files.length === 4);
});

test('served stale when the index fails, and it says so', async () => {
  index.setProject(makeProject('sampleproject', { releases: ['4.0.0'], cacheControl: 'max-age=0' }));
  assert.equal((await client().getProject(index.url, 'sampleproject')).kind, 'found');

  index.setMode('sampleproject', 'server-error');
  const answer = await client({ http: { sleep: async () => undefined, retry: { maxRetries: 1 } } }).getProject(index.url, 'sampleproject');
  assert.equal(answer.kind, 'found');
  if (answer.kind === 'found') {
    assert.equal(answer.source.from, 'cache');
    assert.equal(answer.source.stale?.reason, 'http-status');
    assert.match(answer.source.stale?.message ?? '', /HTTP 500/);
  }

  // A bad answer is not cached over the good one.
  index.setMode('sampleproject', 'garbage-json');
  const garbage = await client().getProject(index.url, 'sampleproject');
  assert.ok(garbage.kind === 'found' && garbage.source.stale?.reason === 'bad-json');
  assert.equal((await readEntry()).status, 200);
  assert.doesNotMatch((await readEntry()).body, /not json/);
});

test('served stale when the index is unreachable', async () => {
  const other = await startIndexServer();
  other.setProject(makeProject('sampleproject', { releases: ['4.0.0'], cacheControl: 'max-age=0' }));
  assert.equal((await client().getProject(other.url, 'sampleproject')).kind, 'found');
  await other.close();
  const answer = await client({ http: { sleep: async () => undefined, retry: { maxRetries: 0 } } }).getProject(other.url, 'sampleproject');
  assert.ok(answer.kind === 'found' && answer.source.stale?.reason === 'unreachable', JSON.stringify(answer));
});

test('offline: answers from the cache and never opens a socket', async () => {
  index.setProject(makeProject('sampleproject', { releases: ['4.0.0'], cacheControl: 'max-age=0' }));
  assert.equal((await client().getProject(index.url, 'sampleproject')).kind, 'found');
  index.resetCounts();

  const connect = net.Socket.prototype.connect;
  let sockets = 0;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    sockets++;
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  const trap = new NoNetwork();
  try {
    const withTrap = client({ offline: true, http: { dispatcher: trap } });
    const cached = await withTrap.getProject(index.url, 'sampleproject');
    assert.equal(cached.kind, 'found');
    if (cached.kind === 'found') {
      assert.equal(cached.source.from, 'cache');
      assert.equal(cached.source.stale?.reason, 'offline');
    }
    const missing = await withTrap.getProject(index.url, 'never-fetched');
    assert.ok(missing.kind === 'error' && missing.error.reason === 'offline', JSON.stringify(missing));
    assert.match(missing.kind === 'error' ? missing.error.message : '', /offline: .* is not in the cache/);
    const provenance = await withTrap.getProvenance(`${index.origin}/integrity/x/1/x-1.tar.gz/provenance`);
    assert.ok(provenance.kind === 'error' && provenance.error.reason === 'offline');

    // Without an injected dispatcher too: no pool is even created.
    const plain = client({ offline: true });
    assert.equal((await plain.getProject(index.url, 'sampleproject')).kind, 'found');
    assert.equal((await plain.getProject(index.url, 'also-never-fetched')).kind, 'error');
    assert.equal(plain.stats.sent, 0);
  } finally {
    net.Socket.prototype.connect = connect;
  }
  assert.equal(trap.calls, 0);
  assert.equal(sockets, 0);
  assert.equal(index.totalRequests, 0);
});

test('a corrupt cache file is discarded, not fatal', async () => {
  for (const corrupt of ['{"v":1,"url":"trunc', 'not json at all', JSON.stringify({ v: 1, url: 'elsewhere' }), JSON.stringify({ v: 99 }), '']) {
    await client().getProject(index.url, 'sampleproject');
    setStoredEntryText(cacheSubdir(), pageKey(), corrupt);
    index.resetCounts();
    const logs: string[] = [];
    const answer = await client({ log: (m) => logs.push(m) }).getProject(index.url, 'sampleproject');
    assert.equal(answer.kind, 'found', corrupt);
    assert.equal(index.totalRequests, 1, 'refetched from the index');
    assert.equal((await readEntry()).status, 200, 'rewritten');
    assert.ok(logs.some((l) => /discarding an unreadable cache entry/.test(l)), corrupt);
  }
});

test('a cached entry whose body no longer reads as a page is refetched', async () => {
  await client().getProject(index.url, 'sampleproject');
  const entry = await readEntry();
  setStoredEntryText(cacheSubdir(), pageKey(), JSON.stringify({ ...entry, body: '{"broken": true}' }));
  index.resetCounts();
  const answer = await client().getProject(index.url, 'sampleproject');
  assert.equal(answer.kind, 'found');
  assert.equal(index.totalRequests, 1);
});

test('writes are atomic: a failed write or rename leaves the old entry whole and no temp file', async () => {
  const target = path.join(dir, 'entry.json');
  await writeFile(target, 'old');
  const failing = (stage: 'write' | 'rename'): CacheFs => ({
    ...(nodeFs as unknown as CacheFs),
    async writeFile(file, data) {
      if (stage === 'write') {
        await nodeFs.writeFile(file, data.slice(0, 3)); // killed half way
        throw new Error('disk full');
      }
      await nodeFs.writeFile(file, data);
    },
    async rename(from, to) {
      if (stage === 'rename') throw new Error('killed before rename');
      await nodeFs.rename(from, to);
    },
  });
  for (const stage of ['write', 'rename'] as const) {
    await assert.rejects(writeFileAtomic(target, 'new content', failing(stage)));
    assert.equal(await readFile(target, 'utf8'), 'old');
    assert.deepEqual(await readdir(dir), ['entry.json']);
  }
  await writeFileAtomic(target, 'new content', nodeFs as unknown as CacheFs);
  assert.equal(await readFile(target, 'utf8'), 'new content');
  assert.deepEqual(await readdir(dir), ['entry.json']);

  // Through the client: many writes, no temp file left behind, every entry readable.
  const c = client();
  for (let i = 0; i < 5; i++) index.setProject(makeProject(`w${i}`, { releases: ['1.0'] }));
  await Promise.all(Array.from({ length: 5 }, (_, i) => c.getProject(index.url, `w${i}`)));
  const names = await readdir(path.join(dir, CACHE_SUBDIR));
  assert.equal(storedEntries(cacheSubdir()).size, 5);
  assert.deepEqual(names.filter((n) => n.endsWith('.tmp')), []);
  assert.ok(names.every((n) => /^[0-9a-f]{64}\.json$|^pack-\d+-[0-9a-f]+\.jsonl$/.test(n)), names.join(', '));
  for (const text of storedEntries(cacheSubdir()).values()) assert.equal((JSON.parse(text) as { status: number }).status, 200);
});

test('a cache write failure is not fatal: the answer is still served', async () => {
  const broken: CacheFs = { ...(nodeFs as unknown as CacheFs), writeFile: async () => Promise.reject(new Error('read-only file system')) };
  const logs: string[] = [];
  const answer = await client({ fs: broken, log: (m) => logs.push(m) }).getProject(index.url, 'sampleproject');
  assert.equal(answer.kind, 'found');
  assert.ok(logs.some((l) => /could not write cache entry/.test(l)));
});

test('temp files left by a killed process are cleaned up when old', async () => {
  const sub = path.join(dir, CACHE_SUBDIR);
  await nodeFs.mkdir(sub, { recursive: true });
  await writeFile(path.join(sub, 'a.json.123.abc.tmp'), 'half');
  await writeFile(path.join(sub, 'b.json.456.def.tmp'), 'half');
  const old = new Date(Date.now() - 2 * 3600 * 1000);
  await utimes(path.join(sub, 'a.json.123.abc.tmp'), old, old);
  const cache = createResponseCache({ directory: dir });
  assert.equal(await cache.read('https://x/simple/p/', SIMPLE), undefined);
  assert.deepEqual(await readdir(sub), ['b.json.456.def.tmp']);
});

test('credentials never reach cache file names or contents', async () => {
  const secretUrl = index.url.replace('http://', 'http://alice:s3cret@');
  assert.equal((await client().getProject(secretUrl, 'sampleproject')).kind, 'found');
  const sub = path.join(dir, CACHE_SUBDIR);
  const names = await readdir(sub);
  assert.equal(storedEntries(sub).size, 1);
  for (const name of names) {
    assert.doesNotMatch(name, /alice|s3cret/);
    assert.doesNotMatch(await readFile(path.join(sub, name), 'utf8'), /alice|s3cret/);
  }
  // The same page without credentials (or with other ones) is another entry: an answer given to
  // one account is never served to another.
  index.resetCounts();
  assert.equal((await client().getProject(index.url, 'sampleproject')).kind, 'found');
  assert.equal(index.totalRequests, 1);
  assert.equal((await client().getProject(index.url.replace('http://', 'http://bob:other@'), 'sampleproject')).kind, 'found');
  assert.equal(index.totalRequests, 2);
  assert.equal(storedEntries(sub).size, 3);
});

test('no-store answers are not written; 404s are cached for their max-age', async () => {
  index.setProject(makeProject('private', { releases: ['1.0'], cacheControl: 'no-store' }));
  assert.equal((await client().getProject(index.url, 'private')).kind, 'found');
  assert.equal(storedEntryText(cacheSubdir(), pageKey(`${index.url}private/`)), undefined);

  assert.equal((await client().getProject(index.url, 'missing')).kind, 'not-found');
  index.resetCounts();
  assert.equal((await client().getProject(index.url, 'missing')).kind, 'not-found');
  assert.equal(index.totalRequests, 0);
});

test('freshness from Cache-Control: max-age minus Age, no-cache, the default', () => {
  assert.equal(freshnessSeconds({ 'cache-control': 'max-age=600, public' }, 60), 600);
  assert.equal(freshnessSeconds({ 'cache-control': 'public, max-age=600', age: '100' }, 60), 500);
  assert.equal(freshnessSeconds({ 'cache-control': 'no-cache' }, 60), 0);
  assert.equal(freshnessSeconds({ 'cache-control': 'max-age=banana' }, 60), 60);
  assert.equal(freshnessSeconds({}, 60), 60);
});

async function readEntry(): Promise<{ etag?: string; status: number; body: string }> {
  return JSON.parse(storedEntryText(cacheSubdir(), pageKey()) ?? 'null');
}

// Large bodies in the response cache (issue 15 item 7): a page of 1 MB or more is stored as its
// raw bytes after the entry's JSON line (length and SHA-256), never as an escaped JSON string;
// the memory layer keeps the parsed page, not the bytes. A large page round-trips through the
// disk, is served offline as it was read online, and revalidates with a 304; an entry file cut
// short, changed, or pointing at other bytes is discarded and fetched again, never believed;
// writers racing for one entry leave one whole entry, and readers see one whole body or none.
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIndexClient, type IndexClient, type IndexClientOptions } from '../../server/src/index/indexClient';
import { createPageParser } from '../../server/src/index/pageParser';
import { cacheKey, createResponseCache, LARGE_BODY_BYTES, type CachedResponse } from '../../server/src/index/responseCache';
import { parseProjectPage } from '../../server/src/index/simpleApi';
import { largePageJson } from '../support/largePages';
import { makeProject, SIMPLE_JSON, startIndexServer, type IndexServer } from '../support/indexServer';

const WORKER = path.resolve(__dirname, '../../server/out/index/pageWorker.js');
const noWorker = existsSync(WORKER) ? false : 'server/out/index/pageWorker.js is not built (run npm run build)';
const NAME = 'big-cached';
let index: IndexServer;
let dir: string;
let body: string;
const clients: IndexClient[] = [];

before(async () => {
  index = await startIndexServer();
  body = largePageJson(NAME, 1_500_000, index.origin);
});
after(async () => {
  await index.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pypi-provenance-large-cache-'));
  index.setMode(NAME, { kind: 'raw', status: 200, contentType: SIMPLE_JSON, body });
  index.resetCounts();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await rm(dir, { recursive: true, force: true });
});

function client(options: IndexClientOptions = {}): IndexClient {
  const created = createIndexClient({ cacheDirectory: dir, http: { sleep: async () => undefined, timeouts: { totalMs: 10_000 } }, ...options });
  clients.push(created);
  return created;
}

const pageUrl = () => `${index.url}${NAME}/`;
const entryFile = () => path.join(dir, 'index-http-v1', `${cacheKey(pageUrl(), SIMPLE_JSON)}.json`);
const expected = () => parseProjectPage(body, SIMPLE_JSON, pageUrl(), NAME);

/** The entry file as JSON line + bytes. */
async function readEntryFile(): Promise<{ header: Record<string, unknown>; rest: Buffer; whole: Buffer }> {
  const whole = await readFile(entryFile());
  const newline = whole.indexOf(0x0a);
  assert.ok(newline > 0, 'the entry file has a JSON line before the body');
  return { header: JSON.parse(whole.toString('utf8', 0, newline)) as Record<string, unknown>, rest: whole.subarray(newline + 1), whole };
}

test('a large page is stored as its raw bytes after a JSON line, and served offline as it was read online', async () => {
  assert.ok(Buffer.byteLength(body) >= LARGE_BODY_BYTES);
  const online = await client().getProject(index.url, NAME);
  assert.equal(online.kind, 'found');
  if (online.kind !== 'found') return;
  assert.deepStrictEqual(online.page, expected());

  const { header, rest } = await readEntryFile();
  assert.equal(header.body, undefined, 'no body in the JSON line');
  assert.deepEqual(header.large, { bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex') });
  assert.equal(rest.toString('utf8'), body, 'the bytes as the index sent them');

  const offline = await client({ offline: true }).getProject(index.url, NAME);
  assert.equal(offline.kind, 'found');
  if (offline.kind !== 'found') return;
  assert.equal(offline.source.from, 'cache');
  assert.deepStrictEqual(offline.page, online.page);
  assert.equal(index.totalRequests, 1);
});

test('the memory layer keeps a large entry without its bytes; readBody reads them back from disk', async () => {
  const cache = createResponseCache({ directory: dir });
  const entry: CachedResponse = { v: 1, url: pageUrl(), accept: SIMPLE_JSON, status: 200, finalUrl: pageUrl(), fetchedAt: 1, maxAgeSeconds: 60, body: Buffer.from(body) };
  const kept = await cache.write(entry);
  assert.equal(kept.body, '');
  assert.equal(kept.large?.bytes, Buffer.byteLength(body));
  assert.equal(await cache.read(pageUrl(), SIMPLE_JSON), kept, 'the same entry, from memory');
  assert.equal((await cache.readBody(kept))?.toString('utf8'), body);

  const fresh = createResponseCache({ directory: dir });
  const read = await fresh.read(pageUrl(), SIMPLE_JSON);
  assert.ok(read);
  assert.equal(read.body, '');
  assert.deepEqual(read.large, kept.large);
  assert.equal((await fresh.readBody(read))?.toString('utf8'), body);
});

test('a large entry cut short, changed, or lying about its length is discarded and fetched again', async () => {
  const corruptions: Array<[string, (file: Buffer) => Buffer]> = [
    ['cut short', (file) => file.subarray(0, file.length - 10)],
    ['one byte changed, still valid JSON', (file) => Buffer.from(file.toString('latin1').replace(/big_cached-1\.0\.0-cp39/, 'big_cached-1.0.0-cp38'), 'latin1')],
    ['a longer body than the JSON line says', (file) => Buffer.concat([file, Buffer.from(' ')])],
    ['a JSON line that is not an entry', (file) => Buffer.concat([Buffer.from('{"v":1,"large":{"bytes":3}}\n'), file.subarray(file.indexOf(0x0a) + 1)])],
  ];
  for (const [what, corrupt] of corruptions) {
    await client().getProject(index.url, NAME);
    const original = await readFile(entryFile());
    const changed = corrupt(original);
    assert.notDeepEqual(changed, original, what);
    await writeFile(entryFile(), changed);
    index.resetCounts();
    const logs: string[] = [];
    const answer = await client({ log: (m) => logs.push(m) }).getProject(index.url, NAME);
    assert.equal(answer.kind, 'found', what);
    if (answer.kind === 'found') assert.deepStrictEqual(answer.page, expected(), what);
    assert.equal(index.totalRequests, 1, `${what}: fetched again`);
    assert.ok(logs.some((l) => /discarding an unreadable cache entry/.test(l)), what);
    assert.equal((await readEntryFile()).rest.toString('utf8'), body, `${what}: written again whole`);
    // Offline, a corrupt entry is no answer at all.
    await writeFile(entryFile(), changed);
    const offline = await client({ offline: true }).getProject(index.url, NAME);
    assert.ok(offline.kind === 'error' && offline.error.reason === 'offline', `${what}: ${JSON.stringify(offline).slice(0, 200)}`);
    await rm(entryFile(), { force: true });
  }
});

test('an entry whose body another process has replaced is not paired with the other bytes', async () => {
  const cache = createResponseCache({ directory: dir });
  const base = { v: 1 as const, url: pageUrl(), accept: SIMPLE_JSON, status: 200, finalUrl: pageUrl(), fetchedAt: 1, maxAgeSeconds: 60 };
  const first = await cache.write({ ...base, etag: '"a"', body: Buffer.from(body) });
  const other = largePageJson(NAME, 1_200_000, index.origin, { pinnedVersion: '2.0.0' });
  await createResponseCache({ directory: dir }).write({ ...base, etag: '"b"', body: Buffer.from(other) });
  assert.equal(await cache.readBody(first), undefined, 'the first entry has no body any more');
  const now = await createResponseCache({ directory: dir }).read(pageUrl(), SIMPLE_JSON);
  assert.equal(now?.etag, '"b"');
  assert.equal((await cache.readBody(now!))?.toString('utf8'), other);
});

test('writers racing for one large entry leave one whole entry; readers meanwhile see one whole body or none', async () => {
  const bodies = [body, largePageJson(NAME, 1_200_000, index.origin, { pinnedVersion: '2.0.0' }), largePageJson(NAME, 1_800_000, index.origin, { pinnedVersion: '3.0.0' })];
  const base = { v: 1 as const, url: pageUrl(), accept: SIMPLE_JSON, status: 200, finalUrl: pageUrl(), maxAgeSeconds: 60 };
  // Each writer is a cache of its own, as another process would be.
  const writers = bodies.map(() => createResponseCache({ directory: dir }));
  let writing = true;
  const seen = new Set<string>();
  const reading = (async () => {
    let reads = 0;
    while (writing || reads < 5) {
      const reader = createResponseCache({ directory: dir });
      const entry = await reader.read(pageUrl(), SIMPLE_JSON);
      if (entry !== undefined) {
        const bytes = await reader.readBody(entry);
        if (bytes !== undefined) {
          const text = bytes.toString('utf8');
          assert.ok(bodies.includes(text), 'a whole body of one writer');
          assert.equal(createHash('sha256').update(text).digest('hex'), entry.large?.sha256, 'paired with its own entry');
          seen.add(text);
        }
      }
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  for (let round = 0; round < 5; round++) {
    await Promise.all(writers.map((writer, i) => writer.write({ ...base, fetchedAt: round, etag: `"${i}"`, body: Buffer.from(bodies[i]) })));
  }
  writing = false;
  await reading;
  assert.ok(seen.size >= 1);
  const names = await readdir(path.join(dir, 'index-http-v1'));
  assert.deepEqual(names, [path.basename(entryFile())], 'no temp file left, one entry');
  const { header, rest } = await readEntryFile();
  const winner = bodies[Number(String(header.etag).replace(/"/g, ''))];
  assert.equal(rest.toString('utf8'), winner);
});

test('a large page past its freshness is revalidated with a 304, in this client and in a new one', async () => {
  // A page of the test index's own (with an ETag), large enough to be stored raw.
  index.setMode(NAME, undefined);
  index.setProject(makeProject(NAME, { releases: Array.from({ length: 4000 }, (_, i) => `1.${i}`), cacheControl: 'max-age=0' }));
  const c = client();
  const first = await c.getProject(index.url, NAME);
  assert.ok(first.kind === 'found' && first.source.from === 'network');
  const { header } = await readEntryFile();
  assert.ok(header.large !== undefined, 'stored raw');
  const again = await c.getProject(index.url, NAME);
  assert.ok(again.kind === 'found' && again.source.from === 'revalidated');
  assert.equal(again.page, first.page, 'the parsed page kept in memory is reused');
  const other = await client().getProject(index.url, NAME);
  assert.ok(other.kind === 'found' && other.source.from === 'revalidated', JSON.stringify(other).slice(0, 200));
  assert.deepStrictEqual(other.page, first.page);
  assert.equal(index.totalRequests, 3);
  assert.equal(index.requests.filter((r) => r.headers['if-none-match'] !== undefined).length, 2);
  const after = await readEntryFile();
  assert.ok(Number(after.header.fetchedAt) >= Number(header.fetchedAt));
  assert.ok(after.header.large !== undefined, 'still raw after the 304');
});

test('a large page read back from the disk cache goes to the page worker', { skip: noWorker }, async () => {
  await client().getProject(index.url, NAME);
  const pages = createPageParser({ script: WORKER });
  try {
    const answer = await client({ pages }).getProject(index.url, NAME);
    assert.ok(answer.kind === 'found' && answer.source.from === 'cache');
    assert.deepStrictEqual(answer.page, expected());
    assert.equal(pages.offThread, 1);
  } finally {
    await pages.close();
  }
});

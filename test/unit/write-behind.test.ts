/**
 * Cache files written behind the answers (server/src/index/writeBehind.ts, issue 14): an answer is
 * given before its file is written; nothing is lost by a flush or a close; a read sees what
 * waits; a newer write of a key is the one that lands; a cleared cache gets nothing back.
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIndexClient, type IndexClient } from '../../server/src/index/indexClient';
import { cacheKey, createResponseCache, type CachedResponse } from '../../server/src/index/responseCache';
import { createWriteBehind } from '../../server/src/index/writeBehind';
import { storedEntries, storedEntryText } from '../support/responseCacheDisk';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';

const SIMPLE = 'application/vnd.pypi.simple.v1+json';
let index: IndexServer;
let dir: string;

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await index.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pypi-provenance-behind-'));
  index.setProject(makeProject('sampleproject', { releases: ['1.0.0'] }));
  index.resetCounts();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A write that finishes when the test says so. */
function gatedWriter() {
  const started: string[] = [];
  const written: Array<[string, string]> = [];
  const gates: Array<() => void> = [];
  const write = (key: string, value: string) =>
    new Promise<void>((resolve) => {
      started.push(`${key}=${value}`);
      gates.push(() => {
        written.push([key, value]);
        resolve();
      });
    });
  const openAll = () => gates.splice(0).forEach((open) => open());
  return { started, written, write, openAll };
}

const turns = (n = 3) => new Promise<void>((resolve) => (function spin(left: number) { if (left === 0) resolve(); else setImmediate(() => spin(left - 1)); })(n));

test('queued writes wait for quiet, then run a few at a time; flush writes them all', async () => {
  const writer = gatedWriter();
  const behind = createWriteBehind(writer.write, { quietMs: 60_000, concurrency: 2 });
  for (let i = 0; i < 5; i++) behind.enqueue(`k${i}`, `v${i}`, 10);
  await turns();
  assert.deepEqual(writer.started, [], 'nothing starts before the quiet time');
  assert.equal(behind.pending('k3'), 'v3');
  const flushed = behind.flush();
  await turns();
  assert.equal(writer.started.length, 2, 'at most `concurrency` under way');
  let done = false;
  void flushed.then(() => (done = true));
  while (writer.started.length < 5 || writer.written.length < 5) {
    writer.openAll();
    await turns();
  }
  await flushed;
  assert.ok(done);
  assert.deepEqual(writer.written.map(([key]) => key).sort(), ['k0', 'k1', 'k2', 'k3', 'k4']);
  assert.equal(behind.pending('k3'), undefined);
});

test('past the byte bound writes start at once', async () => {
  const writer = gatedWriter();
  const behind = createWriteBehind(writer.write, { quietMs: 60_000, maxPendingBytes: 100 });
  behind.enqueue('small', 'a', 50);
  await turns();
  assert.deepEqual(writer.started, []);
  behind.enqueue('big', 'b', 80);
  await turns();
  assert.ok(writer.started.length > 0);
  writer.openAll();
  await behind.flush().then(undefined, () => undefined);
  behind.drop();
});

test('a newer write of a key replaces the queued one and never runs beside one under way', async () => {
  const writer = gatedWriter();
  const behind = createWriteBehind(writer.write, { quietMs: 60_000 });
  behind.enqueue('k', 'old', 1);
  behind.enqueue('k', 'older-replaced', 1);
  behind.enqueue('k', 'v1', 1);
  const flushed = behind.flush();
  await turns();
  assert.deepEqual(writer.started, ['k=v1']);
  behind.enqueue('k', 'v2', 1);
  await turns();
  assert.deepEqual(writer.started, ['k=v1'], 'v2 waits for v1 to finish');
  assert.equal(behind.pending('k'), 'v2');
  writer.openAll();
  await turns();
  assert.deepEqual(writer.started, ['k=v1', 'k=v2']);
  writer.openAll();
  await flushed;
  assert.deepEqual(writer.written, [['k', 'v1'], ['k', 'v2']]);
});

test('drop forgets what has not started; settle takes a key out and waits for its write', async () => {
  const writer = gatedWriter();
  const behind = createWriteBehind(writer.write, { quietMs: 60_000, concurrency: 1 });
  behind.enqueue('a', '1', 1);
  behind.enqueue('b', '2', 1);
  behind.enqueue('c', '3', 1);
  void behind.flush();
  await turns();
  assert.deepEqual(writer.started, ['a=1']);
  const settling = behind.settle('a');
  await behind.settle('b');
  assert.equal(behind.pending('b'), undefined, 'b is out of the queue');
  behind.drop();
  writer.openAll();
  await settling;
  await behind.flush();
  assert.deepEqual(writer.written, [['a', '1']], 'c was dropped, b settled away');
});

test('index client: the answer comes before its file; flush and close write it; a new client then reads it from disk', async () => {
  const url = `${index.url}sampleproject/`;
  const stored = () => storedEntryText(path.join(dir, 'index-http-v1'), cacheKey(url, SIMPLE));
  const first: IndexClient = createIndexClient({ cacheDirectory: dir, writeBehind: { quietMs: 60_000 } });
  try {
    assert.equal((await first.getProject(index.url, 'sampleproject')).kind, 'found');
    assert.equal(stored(), undefined, 'not written before the quiet time');
    // The same client answers from what waits to be written.
    const again = await first.getProject(index.url, 'sampleproject');
    assert.equal(again.kind === 'found' && again.source.from, 'cache');
    await first.flush();
    assert.equal((JSON.parse(stored() ?? 'null') as { url: string }).url, url);
  } finally {
    await first.close();
  }
  const second = createIndexClient({ cacheDirectory: dir, writeBehind: true });
  try {
    const answer = await second.getProject(index.url, 'sampleproject');
    assert.equal(answer.kind === 'found' && answer.source.from, 'cache');
    assert.equal(index.totalRequests, 1);
  } finally {
    await second.close();
  }
});

test('index client: close writes what waits; close with discardWrites (a cleared cache) writes nothing back', async () => {
  const kept = createIndexClient({ cacheDirectory: dir, writeBehind: { quietMs: 60_000 } });
  await kept.getProject(index.url, 'sampleproject');
  await kept.close();
  assert.equal(storedEntries(path.join(dir, 'index-http-v1')).size, 1);

  await rm(path.join(dir, 'index-http-v1'), { recursive: true, force: true });
  index.setProject(makeProject('other', { releases: ['1.0.0'] }));
  const cleared = createIndexClient({ cacheDirectory: dir, writeBehind: { quietMs: 60_000 } });
  await cleared.getProject(index.url, 'other');
  await cleared.close({ discardWrites: true });
  assert.equal(storedEntries(path.join(dir, 'index-http-v1')).size, 0);
});

test('response cache: an entry evicted from memory while it waits is still what a read sees', async () => {
  const cache = createResponseCache({ directory: dir, memoryBudget: 10, writeBehind: { quietMs: 60_000 } });
  const entry = (url: string, body: string): CachedResponse => ({ v: 1, url, accept: SIMPLE, status: 200, finalUrl: url, fetchedAt: Date.now(), maxAgeSeconds: 600, body });
  await cache.write(entry('https://example.test/a/', 'a body longer than the budget'));
  await cache.write(entry('https://example.test/b/', 'another long body, evicting the first'));
  const read = await cache.read('https://example.test/a/', SIMPLE);
  assert.equal(read?.body, 'a body longer than the budget');
  await cache.flush();
  const fresh = createResponseCache({ directory: dir });
  assert.equal((await fresh.read('https://example.test/a/', SIMPLE))?.body, 'a body longer than the budget');
  assert.equal((await fresh.read('https://example.test/b/', SIMPLE))?.body, 'another long body, evicting the first');
});

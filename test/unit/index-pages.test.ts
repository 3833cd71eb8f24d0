// Large and hostile project pages (issue 15 item 7): one byte budget for every answer in flight,
// bodies counted as they arrive, large pages read on a worker thread with results identical to
// the inline reader's, and hostile pages still a clear index-error.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ByteBudget } from '../../server/src/index/byteBudget';
import { IndexError } from '../../server/src/index/errors';
import { createIndexClient, type IndexClient, type IndexClientOptions } from '../../server/src/index/indexClient';
import { createPageParser, type PageParser } from '../../server/src/index/pageParser';
import { parseProjectPage, SIMPLE_JSON_V1 } from '../../server/src/index/simpleApi';
import { largePageJson } from '../support/largePages';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';

/** The built worker (npm run build): the source tree has no .js to start a thread from. */
const WORKER = path.resolve(__dirname, '../../server/out/index/pageWorker.js');
const noWorker = existsSync(WORKER) ? false : 'server/out/index/pageWorker.js is not built (run npm run build)';

let index: IndexServer;
const clients: IndexClient[] = [];
const parsers: PageParser[] = [];

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(parsers.map((p) => p.close()));
  await index.close();
});
beforeEach(() => index.resetCounts());

function client(extra: IndexClientOptions = {}): IndexClient {
  const created = createIndexClient({ http: { timeouts: { headersMs: 2_000, bodyMs: 2_000, totalMs: 10_000 }, sleep: async () => undefined }, ...extra });
  clients.push(created);
  return created;
}

function workerParser(): PageParser {
  // Every page goes to the worker, however small: the tests compare its answers with the inline reader's.
  const parser = createPageParser({ script: WORKER, offThreadChars: 0 });
  parsers.push(parser);
  return parser;
}

// --- the budget itself ------------------------------------------------------------------------

test('the byte budget is never exceeded, and answers waiting for each other all finish', async () => {
  const limit = 1000;
  let highest = 0;
  const budget = new ByteBudget(limit, (used) => (highest = Math.max(highest, used)));
  // Twelve answers of 300–600 bytes (4,800 in all) read at once in chunks of 50: more than four
  // times the budget, each needing a good part of it.
  const readers = Array.from({ length: 12 }, async (_, i) => {
    const size = 300 + (i % 4) * 100;
    const hold = await budget.admit(size);
    for (let taken = 0; taken < size; taken += 50) {
      await hold.take(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const held = hold.held;
    hold.release();
    return held;
  });
  const held = await Promise.all(readers);
  assert.deepEqual(held, Array.from({ length: 12 }, (_, i) => 300 + (i % 4) * 100));
  assert.ok(highest <= limit, `held ${highest} bytes at once`);
  assert.ok(highest > limit / 2, 'the answers did share the budget');
  assert.equal(budget.inUse, 0);
});

test('a take waiting for room gives up when its request times out', async () => {
  const budget = new ByteBudget(100);
  const first = budget.open(100);
  await first.take(100);
  const second = budget.open(50);
  const controller = new AbortController();
  const waiting = second.take(10, controller.signal);
  assert.equal(budget.waiters, 1);
  controller.abort(new Error('deadline'));
  await assert.rejects(waiting, /deadline/);
  assert.equal(budget.waiters, 0);
  first.release();
  await second.take(10);
  assert.equal(budget.inUse, 10);
});

// --- the budget over HTTP -----------------------------------------------------------------------

test('pages fetched at once never hold more than the budget, and every one of them arrives', async () => {
  const limit = 4 * 1024 * 1024;
  let highest = 0;
  const budget = new ByteBudget(limit, (used) => (highest = Math.max(highest, used)));
  const names = Array.from({ length: 6 }, (_, i) => `budget-page-${i}`);
  const bodies = names.map((name) => largePageJson(name, 1_500_000, index.origin));
  // With their lengths declared, so that the budget knows each claim and lets two in at a time.
  names.forEach((name, i) => index.setMode(name, { kind: 'raw', status: 200, contentType: SIMPLE_JSON_V1, body: bodies[i], headers: { 'content-length': String(Buffer.byteLength(bodies[i])) } }));
  const c = client({ http: { byteBudget: budget, timeouts: { totalMs: 30_000 } } });
  const answers = await Promise.all(names.map((name) => c.getProject(index.url, name)));
  answers.forEach((answer, i) => {
    assert.equal(answer.kind, 'found', JSON.stringify(answer).slice(0, 300));
    if (answer.kind === 'found') assert.deepEqual(answer.page, parseProjectPage(bodies[i], SIMPLE_JSON_V1, `${index.url}${names[i]}/`, names[i]));
  });
  // 9 MB of pages in all, through 4 MB.
  assert.ok(highest <= limit, `held ${highest} bytes at once`);
  assert.ok(highest > 1_500_000, 'several pages were in flight together');
  assert.equal(budget.inUse, 0, 'every answer gave its bytes back');
});

test('a compressed page is decoded as it arrives and counted decoded', async () => {
  const body = largePageJson('gzip-page', 400_000, index.origin);
  index.setMode('gzip-page', { kind: 'raw', status: 200, contentType: SIMPLE_JSON_V1, body: gzipSync(body), headers: { 'content-encoding': 'gzip' } });
  let highest = 0;
  const budget = new ByteBudget(64 * 1024 * 1024, (used) => (highest = Math.max(highest, used)));
  const answer = await client({ http: { byteBudget: budget } }).getProject(index.url, 'gzip-page');
  assert.equal(answer.kind, 'found');
  if (answer.kind === 'found') assert.deepEqual(answer.page, parseProjectPage(body, SIMPLE_JSON_V1, `${index.url}gzip-page/`, 'gzip-page'));
  assert.equal(highest, Buffer.byteLength(body), 'the decoded bytes are what the budget counted');
  assert.equal(budget.inUse, 0);
});

test('a corrupt compressed page is a bad-response', async () => {
  index.setMode('bad-gzip', { kind: 'raw', status: 200, contentType: SIMPLE_JSON_V1, body: Buffer.from('not gzip at all'), headers: { 'content-encoding': 'gzip' } });
  const answer = await client().getProject(index.url, 'bad-gzip');
  assert.equal(answer.kind, 'error');
  if (answer.kind === 'error') {
    assert.equal(answer.error.reason, 'bad-response');
    assert.match(answer.error.message, /does not decompress as gzip/);
  }
});

// --- the worker reads pages as the main thread does ------------------------------------------

test('a page read on the worker is the page read inline: same files, same keys, hashes without a prototype', { skip: noWorker }, async () => {
  const project = makeProject('same-page', {
    releases: [
      { version: '1.0', yanked: 'broken build', provenance: { version: 1, attestation_bundles: [] } },
      { version: '2.0', files: ['sdist', 'wheel'] },
    ],
  });
  project.files[0].extraHashes = { blake2b_256: 'ab'.repeat(32), constructor: 'cd'.repeat(8) };
  project.files[1].requiresPython = '>=3.9';
  index.setProject(project);
  const url = `${index.url}same-page/`;
  const body = await (await fetch(url, { headers: { accept: SIMPLE_JSON_V1 } })).text();
  const inline = parseProjectPage(body, SIMPLE_JSON_V1, url, 'same-page');
  const parser = workerParser();
  const onWorker = await parser.parse(Buffer.from(body), SIMPLE_JSON_V1, url, 'same-page');
  assert.equal(parser.offThread, 1);
  assert.deepStrictEqual(onWorker, inline);
  assert.deepEqual(onWorker.files.map((file) => Object.keys(file)), inline.files.map((file) => Object.keys(file)));
  assert.equal(Object.getPrototypeOf(onWorker.files[0].hashes), null);
  assert.equal(onWorker.files[0].hashes.constructor, 'cd'.repeat(8));

  const large = largePageJson('large-same', 2_000_000, index.origin);
  assert.deepStrictEqual(await parser.parse(large, SIMPLE_JSON_V1, url, 'large-same'), parseProjectPage(large, SIMPLE_JSON_V1, url, 'large-same'));
});

test('a hostile page read on the worker fails as it does inline, with the same index-error', { skip: noWorker }, async () => {
  const parser = workerParser();
  const url = `${index.url}hostile/`;
  const cases: Array<[string, string | undefined]> = [
    [`{"meta":{"api-version":"1.3"},"name":"hostile","files":[${'{"filename":"a.whl"},'.repeat(10)}`, SIMPLE_JSON_V1],
    ['{"meta":{"api-version":"1.3"},"name":"hostile","files":[{"filename":"a.whl","url":7,"hashes":{}}]}', SIMPLE_JSON_V1],
    ['{"meta":{"api-version":"2.0"},"name":"hostile","files":[]}', SIMPLE_JSON_V1],
    ['<html></html>', 'text/html'],
  ];
  for (const [body, type] of cases) {
    let expected: IndexError | undefined;
    try {
      parseProjectPage(body, type, url, 'hostile');
    } catch (error) {
      expected = error as IndexError;
    }
    assert.ok(expected instanceof IndexError);
    await assert.rejects(parser.parse(body, type, url, 'hostile'), (error: unknown) => {
      assert.ok(error instanceof IndexError);
      assert.equal(error.reason, expected!.reason);
      assert.equal(error.message, expected!.message);
      return true;
    });
  }
});

test('through the index client, a large page goes to the worker; invalid JSON, an oversized page and a slow drip are clear index-errors', { skip: noWorker }, async () => {
  const pages = createPageParser({ script: WORKER, offThreadChars: 64 * 1024 });
  parsers.push(pages);
  const c = client({ pages, maxPageBytes: 3 * 1024 * 1024, http: { timeouts: { headersMs: 2_000, bodyMs: 2_000, totalMs: 3_000 }, sleep: async () => undefined } });

  const good = largePageJson('worker-page', 1_000_000, index.origin);
  index.setMode('worker-page', { kind: 'raw', status: 200, contentType: SIMPLE_JSON_V1, body: good });
  const found = await c.getProject(index.url, 'worker-page');
  assert.equal(found.kind, 'found');
  if (found.kind === 'found') assert.deepStrictEqual(found.page, parseProjectPage(good, SIMPLE_JSON_V1, `${index.url}worker-page/`, 'worker-page'));
  assert.equal(pages.offThread, 1, 'the large page was read on the worker');

  index.setMode('broken-page', { kind: 'raw', status: 200, contentType: SIMPLE_JSON_V1, body: good.slice(0, -10) });
  const broken = await c.getProject(index.url, 'broken-page');
  assert.equal(broken.kind, 'error');
  if (broken.kind === 'error') assert.match(broken.error.message, /answered with a body that is not valid JSON/);
  assert.equal(pages.offThread, 2);

  index.setMode('oversized', { kind: 'huge', bytes: 4 * 1024 * 1024 });
  const oversized = await c.getProject(index.url, 'oversized');
  assert.equal(oversized.kind, 'error');
  if (oversized.kind === 'error') assert.match(oversized.error.message, /sent more than 3 MB; the answer was cut off/);

  index.setMode('drip', { kind: 'slow-drip', intervalMs: 50 });
  const drip = await c.getProject(index.url, 'drip');
  assert.equal(drip.kind, 'error');
  if (drip.kind === 'error') assert.match(drip.error.message, /did not answer within 3 s/);
});

test('hashes are records without a prototype whatever the index names them (`__proto__`, `constructor`), inline and on the worker', { skip: noWorker }, async () => {
  const url = `${index.url}odd-hashes/`;
  const body = `{"meta":{"api-version":"1.3"},"name":"odd-hashes","files":[{"filename":"odd_hashes-1.0.tar.gz","url":"/f","hashes":{"__proto__":"${'ab'.repeat(4)}","constructor":"${'cd'.repeat(4)}","SHA256":"${'EF'.repeat(32)}"}}]}`;
  const inline = parseProjectPage(body, SIMPLE_JSON_V1, url, 'odd-hashes');
  const onWorker = await workerParser().parse(body, SIMPLE_JSON_V1, url, 'odd-hashes');
  for (const page of [inline, onWorker]) {
    const { hashes } = page.files[0];
    assert.equal(Object.getPrototypeOf(hashes), null);
    assert.deepEqual(Object.keys(hashes), ['__proto__', 'constructor', 'sha256']);
    assert.equal(hashes['__proto__'], 'ab'.repeat(4));
    assert.equal(hashes.constructor, 'cd'.repeat(4));
    assert.equal(page.files[0].sha256, 'ef'.repeat(32));
  }
  assert.deepStrictEqual(onWorker, inline);
});

import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { MockAgent } from 'undici';
import { IndexError } from '../../server/src/index/errors';
import { INTEGRITY_JSON_V1, parseProvenance } from '../../server/src/index/provenanceApi';
import { parseProjectPage, SIMPLE_JSON_V1 } from '../../server/src/index/simpleApi';
import { createIndexClient, projectPageUrl, type IndexClient, type IndexClientOptions, type ProjectAnswer } from '../../server/src/index/indexClient';
import { createHttpClient, retryAfterMs, type HttpClientOptions } from '../../server/src/index/httpClient';
import { redactSecrets, redactUrl, splitCredentials } from '../../server/src/index/redact';
import { USER_AGENT } from '../../server/src/index/version';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');
let index: IndexServer;
const clients: IndexClient[] = [];

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await index.close();
});
beforeEach(() => {
  for (const name of ['sampleproject', 'other', 'other-project']) index.setMode(name, undefined);
  index.setProject(
    makeProject('sampleproject', {
      releases: ['3.0.0', { version: '4.0.0', provenance: { version: 1, attestation_bundles: [] } }],
    }),
  );
  index.resetCounts();
});

/** A client with test-sized timeouts whose retry waits are recorded instead of slept. */
function client(http: HttpClientOptions = {}, extra: IndexClientOptions = {}): { client: IndexClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const created = createIndexClient({
    http: {
      timeouts: { headersMs: 2_000, bodyMs: 2_000, totalMs: 5_000, ...http.timeouts },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...http,
    },
    ...extra,
  });
  clients.push(created);
  return { client: created, sleeps };
}

function expectError(answer: ProjectAnswer, reason: string, pattern?: RegExp): void {
  assert.equal(answer.kind, 'error', `expected an error, got ${answer.kind}`);
  if (answer.kind !== 'error') return;
  assert.equal(answer.error.reason, reason, answer.error.message);
  if (pattern) assert.match(answer.error.message, pattern);
}

/** After a hostile answer the server, and the client, still work. */
async function stillServes(c: IndexClient): Promise<void> {
  index.setMode('sampleproject', undefined);
  const fresh = createIndexClient({ http: { timeouts: { totalMs: 5_000 } } });
  clients.push(fresh);
  assert.equal((await fresh.getProject(index.url, 'sampleproject')).kind, 'found');
  index.setProject(makeProject('other', { releases: ['1.0'] }));
  assert.equal((await c.getProject(index.url, 'other')).kind, 'found');
}

test('a PEP 691 page is fetched with the JSON Accept header and a pypi-provenance User-Agent, and read whole', async () => {
  const { client: c } = client();
  const answer = await c.getProject(index.url, 'SampleProject');
  assert.equal(answer.kind, 'found');
  if (answer.kind !== 'found') return;
  assert.equal(answer.source.from, 'network');
  const page = answer.page;
  assert.equal(page.name, 'sampleproject');
  assert.equal(page.apiVersion, '1.3');
  assert.deepEqual(page.versions, ['3.0.0', '4.0.0']);
  assert.equal(page.files.length, 4);
  const sdist = page.files.find((f) => f.filename === 'sampleproject-4.0.0.tar.gz');
  assert.ok(sdist);
  assert.match(sdist.sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.ok((sdist.size ?? 0) > 0);
  assert.match(sdist.uploadTime ?? '', /^2024-01-02T12:00:00\.000000Z$/);
  assert.equal(sdist.yanked, false);
  assert.equal(sdist.provenanceUrl, `${index.origin}/integrity/sampleproject/4.0.0/sampleproject-4.0.0.tar.gz/provenance`);
  assert.equal(page.files.find((f) => f.filename === 'sampleproject-3.0.0.tar.gz')?.provenanceUrl, undefined);

  // The normalized name was asked for directly: no redirect round trip.
  assert.equal(index.count('/simple/sampleproject/'), 1);
  assert.equal(index.totalRequests, 1);
  const request = index.requests[0];
  assert.equal(request.headers.accept, 'application/vnd.pypi.simple.v1+json');
  assert.equal(request.headers['user-agent'], USER_AGENT);
  assert.match(USER_AGENT, /^pypi-provenance\/\d+\.\d+\.\d+/);
});

test('relative file and provenance URLs resolve against the page URL', async () => {
  const project = makeProject('relative', { releases: [{ version: '1.0', provenance: { version: 1, attestation_bundles: [] } }] });
  project.relativeUrls = true;
  index.setProject(project);
  const answer = await client().client.getProject(index.url, 'relative');
  assert.equal(answer.kind, 'found');
  if (answer.kind !== 'found') return;
  assert.equal(answer.page.files[0].url, `${index.origin}/files/relative-1.0.tar.gz`);
  assert.equal(answer.page.files[0].provenanceUrl, `${index.origin}/integrity/relative/1.0/relative-1.0.tar.gz/provenance`);
});

test('an unknown project is not-found (404), not an error', async () => {
  const answer = await client().client.getProject(index.url, 'no-such-project');
  assert.equal(answer.kind, 'not-found');
});

test('provenance objects come from the Integrity API; 404 means none', async () => {
  const { client: c } = client();
  const page = await c.getProject(index.url, 'sampleproject');
  assert.equal(page.kind, 'found');
  if (page.kind !== 'found') return;
  const url = page.page.files.find((f) => f.provenanceUrl)?.provenanceUrl;
  assert.ok(url);
  const found = await c.getProvenance(url);
  assert.equal(found.kind, 'found');
  if (found.kind === 'found') assert.deepEqual(found.provenance, { version: 1, attestation_bundles: [] });
  const integrity = index.requests.find((r) => r.path.startsWith('/integrity/'));
  assert.equal(integrity?.headers.accept, 'application/vnd.pypi.integrity.v1+json');
  const none = await c.getProvenance(`${index.origin}/integrity/sampleproject/3.0.0/sampleproject-3.0.0.tar.gz/provenance`);
  assert.equal(none.kind, 'none');
});

test('hostile: garbage JSON is a bad-json index error, and the server keeps serving', async () => {
  index.setMode('sampleproject', 'garbage-json');
  const { client: c } = client();
  expectError(await c.getProject(index.url, 'sampleproject'), 'bad-json', /not valid JSON/);
  await stillServes(c);
});

test('hostile: an HTML body is a bad-content-type index error naming HTML', async () => {
  index.setMode('sampleproject', 'html');
  const { client: c } = client();
  expectError(await c.getProject(index.url, 'sampleproject'), 'bad-content-type', /HTML.*not PEP 691 JSON/);
  await stillServes(c);
});

test('hostile: a 50 MB body is cut at the default 20 MB cap (bounded memory)', async () => {
  index.setMode('sampleproject', { kind: 'huge' });
  const { client: c } = client();
  expectError(await c.getProject(index.url, 'sampleproject'), 'too-large', /more than 20 MB/);
  // The client stopped reading: the server could not push the whole 50 MB.
  assert.ok(index.bytesWritten('/simple/sampleproject/') < 40 * 1024 * 1024, `server wrote ${index.bytesWritten('/simple/sampleproject/')} bytes`);
  await stillServes(c);
});

test('hostile: a declared Content-Length over the cap is refused before reading the body', async () => {
  index.setMode('sampleproject', { kind: 'huge', declareLength: true });
  const { client: c } = client({}, { maxPageBytes: 1024 * 1024 });
  expectError(await c.getProject(index.url, 'sampleproject'), 'too-large', /more than 1 MB/);
  await stillServes(c);
});

test('hostile: a slow drip hits the whole-request time limit', async () => {
  index.setMode('sampleproject', { kind: 'slow-drip', intervalMs: 50 });
  const { client: c } = client({ timeouts: { totalMs: 400 } });
  expectError(await c.getProject(index.url, 'sampleproject'), 'timeout', /did not answer within 400 ms/);
  await stillServes(c);
});

test('hostile: no response headers is a headers timeout', async () => {
  index.setMode('sampleproject', 'hang');
  const { client: c } = client({ timeouts: { headersMs: 200 } });
  expectError(await c.getProject(index.url, 'sampleproject'), 'timeout', /no response headers/);
  await stillServes(c);
});

test('hostile: 429 with Retry-After is retried after exactly the wait asked for', async () => {
  index.setMode('sampleproject', { kind: 'rate-limit', retryAfter: '2', times: 2 });
  const { client: c, sleeps } = client();
  const answer = await c.getProject(index.url, 'sampleproject');
  assert.equal(answer.kind, 'found');
  assert.deepEqual(sleeps, [2000, 2000]);
  assert.equal(index.projectCount('sampleproject'), 3);
});

test('hostile: 429 that never ends is an index error after a bounded number of retries', async () => {
  index.setMode('sampleproject', { kind: 'rate-limit', retryAfter: '1' });
  const { client: c, sleeps } = client({ retry: { maxRetries: 3 } });
  expectError(await c.getProject(index.url, 'sampleproject'), 'http-status', /HTTP 429: rate limited \(Retry-After: 1\)/);
  assert.equal(sleeps.length, 3);
  assert.equal(index.projectCount('sampleproject'), 4);
  await stillServes(c);
});

test('hostile: a Retry-After longer than the bound is not waited for', async () => {
  index.setMode('sampleproject', { kind: 'rate-limit', retryAfter: '3600' });
  const { client: c, sleeps } = client();
  expectError(await c.getProject(index.url, 'sampleproject'), 'http-status', /429/);
  assert.deepEqual(sleeps, []);
  assert.equal(index.projectCount('sampleproject'), 1);
});

test('hostile: 5xx is retried with exponential backoff; a lasting 500 is an index error', async () => {
  index.setMode('sampleproject', { kind: 'server-error', status: 503, times: 2 });
  const first = client({ retry: { baseDelayMs: 100 } });
  assert.equal((await first.client.getProject(index.url, 'sampleproject')).kind, 'found');
  assert.deepEqual(first.sleeps, [100, 200]);

  index.setMode('sampleproject', 'server-error');
  index.resetCounts();
  const second = client({ retry: { maxRetries: 2 } });
  expectError(await second.client.getProject(index.url, 'sampleproject'), 'http-status', /HTTP 500/);
  assert.equal(index.projectCount('sampleproject'), 3);
  await stillServes(second.client);
});

test('hostile: a redirect to another host over plain http is refused, not followed', async () => {
  index.setMode('sampleproject', 'redirect-other-host');
  const { client: c } = client();
  expectError(await c.getProject(index.url, 'sampleproject'), 'redirect-refused', /only https or the same origin/);
  assert.equal(index.projectCount('sampleproject'), 1);
  await stillServes(c);
});

test('a redirect within the same origin is followed', async () => {
  index.setPathMode('/simple/sampleproject/', { kind: 'redirect', location: '/mirror/simple/sampleproject/', status: 301 });
  const { client: c } = client();
  const answer = await c.getProject(index.url, 'sampleproject');
  assert.equal(answer.kind, 'found');
  if (answer.kind === 'found') assert.equal(answer.page.url, `${index.origin}/mirror/simple/sampleproject/`);
  index.setPathMode('/simple/sampleproject/', undefined);
});

test('hostile: a redirect loop is too-many-redirects', async () => {
  index.setMode('sampleproject', 'redirect-loop');
  const { client: c } = client({ maxRedirects: 4 });
  expectError(await c.getProject(index.url, 'sampleproject'), 'too-many-redirects', /more than 4 times/);
  assert.equal(index.projectCount('sampleproject'), 5);
  await stillServes(c);
});

test('hostile: a reset connection is retried, then reported as unreachable', async () => {
  index.setMode('sampleproject', { kind: 'connection-reset', times: 1 });
  const once = client();
  assert.equal((await once.client.getProject(index.url, 'sampleproject')).kind, 'found');
  assert.equal(once.sleeps.length, 1);

  index.setMode('sampleproject', 'connection-reset');
  const always = client({ retry: { maxRetries: 2 } });
  expectError(await always.client.getProject(index.url, 'sampleproject'), 'unreachable', /reset/);
  assert.equal(always.sleeps.length, 2);
  await stillServes(always.client);
});

test('a closed port is unreachable, with a message saying so', async () => {
  const closed = await startIndexServer();
  const url = closed.url;
  await closed.close();
  const { client: c } = client({ retry: { maxRetries: 0 } });
  expectError(await c.getProject(url, 'sampleproject'), 'unreachable', /refused the connection/);
});

test('406 (no PEP 691 JSON) is a bad-content-type error', async () => {
  index.setMode('sampleproject', { kind: 'raw', status: 406, contentType: 'text/plain', body: 'Not Acceptable' });
  expectError(await client().client.getProject(index.url, 'sampleproject'), 'bad-content-type', /406/);
});

test('an unsupported API major version is its own reason', async () => {
  index.setMode('sampleproject', {
    kind: 'raw',
    status: 200,
    contentType: 'application/vnd.pypi.simple.v1+json',
    body: JSON.stringify({ meta: { 'api-version': '2.0' }, name: 'sampleproject', files: [] }),
  });
  expectError(await client().client.getProject(index.url, 'sampleproject'), 'unsupported-api-version', /2\.0/);
});

test('concurrency: never more requests in flight than the limit', async () => {
  for (let i = 0; i < 24; i++) index.setProject(makeProject(`p${i}`, { releases: ['1.0'] }));
  index.setLatency(20);
  try {
    const { client: c } = client({ concurrency: 4 });
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => c.getProject(index.url, `p${i}`)));
    assert.ok(answers.every((a) => a.kind === 'found'));
    assert.ok(index.maxInFlight <= 4, `max in flight ${index.maxInFlight}`);
    assert.ok(index.maxInFlight >= 2, `max in flight ${index.maxInFlight}: requests did not overlap`);
  } finally {
    index.setLatency(0);
  }
});

test('dedupe: one request per URL however many callers ask at once', async () => {
  index.setLatency(20);
  try {
    const { client: c } = client();
    const answers = await Promise.all(Array.from({ length: 25 }, () => c.getProject(index.url, 'sampleproject')));
    assert.ok(answers.every((a) => a.kind === 'found'));
    assert.equal(index.projectCount('sampleproject'), 1);

    // The HTTP layer dedupes on its own too.
    const http = createHttpClient();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => http.get({ url: `${index.url}sampleproject/`, accept: 'application/vnd.pypi.simple.v1+json', maxBytes: 1 << 20 })),
    );
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(http.stats.sent, 1);
    assert.equal(http.stats.deduplicated, 9);
    await http.close();
  } finally {
    index.setLatency(0);
  }
});

test('credentials in the index URL are sent as Basic auth and never appear in messages', async () => {
  const secretUrl = index.url.replace('http://', 'http://alice:s3cr%40t@');
  const logs: string[] = [];
  const { client: c } = client({}, { log: (m) => logs.push(m) });
  assert.equal((await c.getProject(secretUrl, 'sampleproject')).kind, 'found');
  assert.equal(index.requests[0].headers.authorization, `Basic ${Buffer.from('alice:s3cr@t').toString('base64')}`);

  index.setMode('sampleproject', 'html');
  const { client: plain } = client({}, { log: (m) => logs.push(m) });
  const failed = await plain.getProject(secretUrl, 'other-project');
  index.setMode('other-project', 'server-error');
  const { client: c2 } = client({ retry: { maxRetries: 1 } }, { log: (m) => logs.push(m) });
  const failed2 = await c2.getProject(secretUrl, 'other-project');
  for (const answer of [failed, failed2]) {
    assert.equal(answer.kind === 'not-found' || answer.kind === 'error', true);
    if (answer.kind === 'error') {
      assert.doesNotMatch(answer.error.message, /alice|s3cr/);
      assert.match(answer.error.message, /\*\*\*@127\.0\.0\.1|127\.0\.0\.1/);
    }
  }
  assert.ok(logs.length > 0);
  for (const line of logs) assert.doesNotMatch(line, /alice|s3cr/);
  index.setMode('other-project', undefined);
});

test('credentials are not sent to another origin a redirect names', async () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Array<{ origin: string; authorization: unknown }> = [];
  const header = (opts: { headers?: unknown }, name: string) => (opts.headers as Record<string, string> | undefined)?.[name];
  agent
    .get('https://index.example')
    .intercept({ path: '/simple/pkg/' })
    .reply((opts) => {
      seen.push({ origin: 'index', authorization: header(opts, 'authorization') });
      return { statusCode: 302, data: '', responseOptions: { headers: { location: 'https://cdn.example/simple/pkg/' } } };
    });
  agent
    .get('https://cdn.example')
    .intercept({ path: '/simple/pkg/' })
    .reply((opts) => {
      seen.push({ origin: 'cdn', authorization: header(opts, 'authorization') });
      return {
        statusCode: 200,
        data: JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'pkg', files: [] }),
        responseOptions: { headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' } },
      };
    });
  const c = createIndexClient({ http: { dispatcher: agent } });
  clients.push(c);
  const answer = await c.getProject('https://bob:hunter2@index.example/simple/', 'pkg');
  assert.equal(answer.kind, 'found');
  assert.deepEqual(seen, [
    { origin: 'index', authorization: `Basic ${Buffer.from('bob:hunter2').toString('base64')}` },
    { origin: 'cdn', authorization: undefined },
  ]);
  await agent.close();
});

test('redactUrl / redactSecrets / splitCredentials', () => {
  assert.equal(redactUrl('https://user:pw@example.com/simple/'), 'https://***@example.com/simple/');
  assert.equal(redactUrl('https://token@example.com/simple/'), 'https://***@example.com/simple/');
  assert.equal(redactUrl('https://example.com/simple/'), 'https://example.com/simple/');
  assert.equal(redactUrl('not a url https://u:p@x/'), 'not a url https://***@x/');
  assert.equal(redactSecrets('GET http://a:b@h/x failed; see https://c@d/'), 'GET http://***@h/x failed; see https://***@d/');
  // A scheme glued to a long word is still found; a huge run of letters passes through unchanged.
  assert.equal(redactSecrets(`${'x'.repeat(40)}https://u:p@h/`), `${'x'.repeat(40)}https://***@h/`);
  const letters = 'a'.repeat(1_000_000);
  assert.equal(redactSecrets(letters), letters);
  assert.deepEqual(splitCredentials('https://u%40x:p%3Aw@h.example/s/'), {
    url: 'https://h.example/s/',
    authorization: `Basic ${Buffer.from('u@x:p:w').toString('base64')}`,
  });
  assert.equal(projectPageUrl('https://h/simple', 'Foo.Bar'), 'https://h/simple/foo-bar/');
});

test('Retry-After: seconds or an HTTP date', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(retryAfterMs('7', now), 7000);
  assert.equal(retryAfterMs('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

// --- strict reading of PEP 691 pages and PEP 740 provenance objects -------------------------

const PAGE_URL = 'https://index.example/simple/demo/';

function page(files: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ meta: { 'api-version': '1.3' }, name: 'demo', files, ...extra });
}

function goodFile(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { filename: 'demo-1.0.tar.gz', url: '../../files/demo-1.0.tar.gz', hashes: { sha256: 'AB'.repeat(32) }, size: 10, ...extra };
}

function readError(body: string, contentType = SIMPLE_JSON_V1, expected?: string): IndexError {
  try {
    parseProjectPage(body, contentType, PAGE_URL, expected);
  } catch (error) {
    assert.ok(error instanceof IndexError, String(error));
    return error;
  }
  assert.fail('expected the page to be refused');
}

test('a valid page reads with its PEP 700/740 keys; null optional keys are tolerated', () => {
  const read = parseProjectPage(
    page([goodFile({ 'requires-python': null, 'upload-time': '2024-10-01T00:00:00Z', yanked: 'security', provenance: 'demo-1.0.tar.gz/provenance' })], { versions: ['1.0'] }),
    'application/vnd.pypi.simple.v1+json; charset=utf-8',
    PAGE_URL,
    'Demo',
  );
  const file = read.files[0];
  assert.equal(file.url, 'https://index.example/files/demo-1.0.tar.gz');
  assert.equal(file.sha256, 'ab'.repeat(32));
  assert.equal(file.yanked, true);
  assert.equal(file.yankedReason, 'security');
  assert.equal(file.uploadTime, '2024-10-01T00:00:00Z');
  assert.equal(file.provenanceUrl, 'https://index.example/simple/demo/demo-1.0.tar.gz/provenance');
  assert.deepEqual(read.versions, ['1.0']);
  assert.deepEqual(read.warnings, []);
});

test('strict validation: every malformed shape is a bad-response naming the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['[]', /the answer is not a JSON object/],
    [JSON.stringify({ name: 'demo', files: [] }), /meta is missing/],
    [JSON.stringify({ meta: { 'api-version': 1.3 }, name: 'demo', files: [] }), /meta\.api-version is missing or not a string/],
    [JSON.stringify({ meta: { 'api-version': 'one' }, name: 'demo', files: [] }), /is not Major\.Minor/],
    [JSON.stringify({ meta: { 'api-version': '1.0' }, name: 'demo' }), /files is missing or not a list/],
    [page([], { name: 'other' }), /name is "other", not the project asked for \(demo\)/],
    [page([], { versions: 'all' }), /versions is not a list of strings/],
    [page(['x']), /files\[0\] is not an object/],
    [page([goodFile({ filename: '../etc/passwd' })]), /files\[0\]\.filename/],
    [page([goodFile({ url: 7 })]), /url is missing or not a string/],
    [page([goodFile({ url: 'ftp://x/y' })]), /url is not an http\(s\) URL/],
    [page([goodFile({ hashes: [] })]), /hashes is missing or not an object/],
    [page([goodFile({ hashes: { sha256: 'xyz' } })]), /hashes\.sha256 is not a hex digest/],
    [page([goodFile({ hashes: { sha256: 'abcd' } })]), /hashes\.sha256 is not 64 hex digits/],
    [page([goodFile({ size: -1 })]), /size is not a non-negative integer/],
    [page([goodFile({ size: '10' })]), /size is not a non-negative integer/],
    [page([goodFile({ 'upload-time': '2024-10-01 00:00' })]), /upload-time is not an ISO 8601 UTC time/],
    [page([goodFile({ yanked: 1 })]), /yanked is neither a boolean nor a string/],
    [page([goodFile({ provenance: {} })]), /provenance is neither a string nor null/],
    [page([goodFile({ 'requires-python': 3 })]), /requires-python is not a string/],
  ];
  for (const [body, pattern] of cases) {
    const error = readError(body, SIMPLE_JSON_V1, 'demo');
    assert.equal(error.reason, 'bad-response', body);
    assert.match(error.message, pattern, body);
    assert.match(error.message, /^https:\/\/index\.example\/simple\/demo\/ is not a valid PEP 691 page: /);
  }
  assert.equal(readError('{', SIMPLE_JSON_V1).reason, 'bad-json');
  assert.equal(readError(page([]), 'text/html').reason, 'bad-content-type');
  assert.equal(readError(page([]), '').reason, 'bad-content-type');
  assert.equal(readError(page([]), 'application/json').reason, 'bad-content-type');
});

test('a provenance URL that is not a secure origin is ignored with a warning; a newer minor API version warns', () => {
  const read = parseProjectPage(
    JSON.stringify({ meta: { 'api-version': '1.9' }, name: 'demo', files: [goodFile({ provenance: 'http://elsewhere.example/p' })] }),
    SIMPLE_JSON_V1,
    PAGE_URL,
  );
  assert.equal(read.files[0].provenanceUrl, undefined);
  assert.equal(read.warnings.length, 2);
  assert.match(read.warnings[0], /newer than 1\.4/);
  assert.match(read.warnings[1], /provenance URL ignored \(not a secure origin\): http:\/\/elsewhere\.example\/p/);
});

test('property: no JSON value makes the page reader throw anything but an IndexError', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 3 }), (value, files) => {
      for (const body of [JSON.stringify(value), page(files.map((f) => (typeof f === 'object' && f !== null && !Array.isArray(f) ? { ...goodFile(), ...f } : f)))]) {
        try {
          parseProjectPage(body ?? 'null', SIMPLE_JSON_V1, PAGE_URL, 'demo');
        } catch (error) {
          assert.ok(error instanceof IndexError, String(error));
        }
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

test('real data: the captured colorama page reads whole (skipped when the fixture is absent)', async (t) => {
  const fixture = path.join(FIXTURES, 'pypiwrap', 'simple_repo_colorama_page.json');
  if (!existsSync(fixture)) {
    t.skip(`fixture not found: ${fixture}`);
    return;
  }
  const read = parseProjectPage(await readFile(fixture), SIMPLE_JSON_V1, 'https://pypi.org/simple/colorama/', 'colorama');
  assert.equal(read.apiVersion, '1.3');
  assert.equal(read.files.length, 18);
  assert.equal(read.files.filter((f) => f.yanked).length, 2);
  assert.ok(read.files.every((f) => f.sha256 !== undefined && f.size !== undefined && f.uploadTime !== undefined));
});

test('real data: a PyPI provenance object reads; other shapes are refused (skipped when the fixture is absent)', async (t) => {
  const fixture = path.join(FIXTURES, 'warehouse', 'sampleproject-4.0.0.tar.gz.provenance');
  if (!existsSync(fixture)) {
    t.skip(`fixture not found: ${fixture}`);
    return;
  }
  const provenance = parseProvenance(await readFile(fixture), INTEGRITY_JSON_V1, 'https://pypi.org/integrity/sampleproject/4.0.0/sampleproject-4.0.0.tar.gz/provenance');
  assert.equal(provenance.attestation_bundles[0].publisher.kind, 'GitHub');
  assert.equal(provenance.attestation_bundles[0].publisher.repository, 'pypa/sampleproject');
  assert.equal(provenance.attestation_bundles[0].attestations.length, 1);
  for (const [body, reason] of [
    ['{"version": 2, "attestation_bundles": []}', 'bad-response'],
    ['{"version": 1, "attestation_bundles": [{"publisher": {}, "attestations": []}]}', 'bad-response'],
    ['{"version": 1}', 'bad-response'],
    ['nope', 'bad-json'],
  ]) {
    assert.throws(() => parseProvenance(body, INTEGRITY_JSON_V1, 'https://x/p'), (e: unknown) => e instanceof IndexError && e.reason === reason);
  }
  assert.throws(() => parseProvenance('{}', 'text/html', 'https://x/p'), (e: unknown) => e instanceof IndexError && e.reason === 'bad-content-type');
});

// --- the test index server itself behaves like PyPI ------------------------------------------

test('test index server: content negotiation, 301 for unnormalized names, bytes that match their sha256', async () => {
  const json = await fetch(`${index.url}sampleproject/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  assert.equal(json.headers.get('content-type'), 'application/vnd.pypi.simple.v1+json');
  const html = await fetch(`${index.url}sampleproject/`, { headers: { accept: 'text/html' } });
  assert.equal(html.headers.get('content-type'), 'application/vnd.pypi.simple.v1+html');
  assert.match(await html.text(), /<a href="[^"]+sampleproject-4\.0\.0\.tar\.gz#sha256=[0-9a-f]{64}"/);
  const refused = await fetch(`${index.url}sampleproject/`, { headers: { accept: 'application/xml' } });
  assert.equal(refused.status, 406);
  const moved = await fetch(`${index.url}SampleProject/`, { redirect: 'manual' });
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), '/simple/sampleproject/');
  const listed = (await json.json()) as { files: Array<{ url: string; hashes: { sha256: string }; size: number }> };
  const download = await fetch(listed.files[0].url);
  const bytes = Buffer.from(await download.arrayBuffer());
  assert.equal(bytes.length, listed.files[0].size);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), listed.files[0].hashes.sha256);
  assert.equal(index.counts['/simple/sampleproject/'], 3);
});

test('compressed answers are decoded, and a compression bomb is cut at the cap', async () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get('https://gz.example');
  const body = JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'pkg', files: [], versions: ['1.0'] });
  pool.intercept({ path: '/simple/pkg/' }).reply(200, gzipSync(body), { headers: { 'content-type': 'application/vnd.pypi.simple.v1+json', 'content-encoding': 'gzip' } });
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
  assert.ok(bomb.length < 64 * 1024);
  pool.intercept({ path: '/simple/bomb/' }).reply(200, bomb, { headers: { 'content-type': 'application/vnd.pypi.simple.v1+json', 'content-encoding': 'gzip' } });
  pool.intercept({ path: '/simple/broken/' }).reply(200, 'not gzip', { headers: { 'content-type': 'application/vnd.pypi.simple.v1+json', 'content-encoding': 'gzip' } });
  const c = createIndexClient({ http: { dispatcher: agent }, maxPageBytes: 1024 * 1024 });
  clients.push(c);
  const ok = await c.getProject('https://gz.example/simple/', 'pkg');
  assert.ok(ok.kind === 'found' && ok.page.versions?.[0] === '1.0');
  expectError(await c.getProject('https://gz.example/simple/', 'bomb'), 'too-large', /more than 1 MB/);
  expectError(await c.getProject('https://gz.example/simple/', 'broken'), 'bad-response', /does not decompress as gzip/);
  await agent.close();
});

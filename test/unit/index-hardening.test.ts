// Hostile indexes and hostile files (issue 15, items 5, 7–11): what the index layer refuses, and
// what it never writes down or shows.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRegularFile, UnreadableFileError } from '../../server/src/core/regularFile';
import { IndexError } from '../../server/src/index/errors';
import { createIndexClient, plainHttpWarning, type IndexClient, type IndexClientOptions } from '../../server/src/index/indexClient';
import { INTEGRITY_JSON_V1, parseProvenance, readPublisher } from '../../server/src/index/provenanceApi';
import { redactSecrets, redactUrl } from '../../server/src/index/redact';
import { createResponseCache } from '../../server/src/index/responseCache';
import { parseRequirements } from '../../server/src/parsers/requirements';
import { attestationKey } from '../../server/src/verification/attestationKey';
import { deepPublisherProvenance, filesUnder, makeFifo } from '../support/hostileFiles';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';

let index: IndexServer;
const clients: IndexClient[] = [];
const dirs: string[] = [];

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await index.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => index.resetCounts());

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-harden-'));
  dirs.push(dir);
  return dir;
}

function client(extra: IndexClientOptions = {}, sleeps: number[] = []): IndexClient {
  const created = createIndexClient({
    http: { timeouts: { headersMs: 2_000, bodyMs: 2_000, totalMs: 5_000 }, sleep: async (ms) => void sleeps.push(ms) },
    ...extra,
  });
  clients.push(created);
  return created;
}

// --- item 11: no retry of what always fails -------------------------------------------------

test('a response header overflow is a bad-response at once, never retried', async () => {
  index.setProject(makeProject('overflow', { releases: ['1.0'] }));
  index.setMode('overflow', 'header-overflow');
  const sleeps: number[] = [];
  const answer = await client({}, sleeps).getProject(index.url, 'overflow');
  assert.equal(answer.kind, 'error');
  if (answer.kind === 'error') {
    assert.equal(answer.error.reason, 'bad-response');
    assert.match(answer.error.message, /response headers that are too large/);
  }
  assert.equal(index.projectCount('overflow'), 1);
  assert.deepEqual(sleeps, []);
});

test('an unknown host is not retried', async () => {
  const sleeps: number[] = [];
  const answer = await client({}, sleeps).getProject('https://no-such-host.invalid/simple/', 'x');
  assert.equal(answer.kind, 'error');
  assert.deepEqual(sleeps, []);
});

// --- item 10: provenance only from the index's own origin -----------------------------------

test('a provenance URL on another host is never fetched: an index error says so; the index’s own host works', async () => {
  const project = makeProject('elsewhere', { releases: [{ version: '1.0', provenance: { version: 1, attestation_bundles: [] } }] });
  project.files[0].provenanceUrl = 'https://169.254.169.254/latest/meta-data/iam?x=1';
  index.setProject(project);
  const c = client();
  const page = await c.getProject(index.url, 'elsewhere');
  assert.equal(page.kind, 'found');
  if (page.kind !== 'found') return;
  const [offHost, onHost] = page.page.files.map((f) => f.provenanceUrl!);
  const refused = await c.getProvenance(offHost);
  assert.equal(refused.kind, 'error');
  if (refused.kind === 'error') assert.match(refused.error.message, /provenance URL on another host \(169\.254\.169\.254\); provenance is only fetched from the index's own host/);
  assert.equal((await c.getProvenance(onHost)).kind, 'found');
  // A client that never read a page of that host does not follow it either.
  assert.equal((await client().getProvenance(onHost)).kind, 'error');
  // Nor does the index's own provenance URL lead elsewhere by a redirect.
  index.setPathMode(new URL(onHost).pathname, { kind: 'redirect', location: 'https://169.254.169.254/latest/' });
  const redirected = await client().getProject(index.url, 'elsewhere').then(() => c.getProvenance(`${onHost}?again`));
  assert.equal(redirected.kind, 'error');
  if (redirected.kind === 'error') assert.match(redirected.error.message, /redirected to another host \(169\.254\.169\.254\)/);
  index.setPathMode(new URL(onHost).pathname, undefined);
});

// --- item 5: the publisher's shape ----------------------------------------------------------

test('a deeply nested provenance object is a bad-response naming the depth; the JSON parses fine', () => {
  assert.throws(
    () => parseProvenance(deepPublisherProvenance(4000), INTEGRITY_JSON_V1, 'https://pypi.org/integrity/p/1/p-1.tar.gz/provenance'),
    (error: unknown) => error instanceof IndexError && error.reason === 'bad-response' && /nests more than 32 levels deep/.test(error.message),
  );
});

test('publishers keep the known string fields of their kind; other fields are dropped; nested or long values are refused', () => {
  assert.deepEqual(readPublisher({ kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: null, claims: null, extra: 'x' }), {
    kind: 'GitHub',
    repository: 'pypa/sampleproject',
    workflow: 'release.yml',
    environment: null,
  });
  assert.deepEqual(readPublisher({ kind: 'Google', email: 'a@b.iam.gserviceaccount.com' }), { kind: 'Google', email: 'a@b.iam.gserviceaccount.com' });
  assert.match(readPublisher({ kind: 'GitHub', repository: { a: 1 } }) as string, /field repository is not a string/);
  assert.match(readPublisher({ kind: 'GitLab', repository: 'x'.repeat(5000) }) as string, /longer than 1024/);
  assert.match(readPublisher({ kind: 'GitHub', claims: { deep: { a: 1 } } }) as string, /claims/);
  assert.equal(readPublisher([]), 'is not an object');
  assert.equal(readPublisher({ repository: 'x' }), 'has no kind');
});

test('the verdict key keeps the file whatever the signer is, and two unserializable signers never share a key', () => {
  let deep: unknown = 'x';
  for (let i = 0; i < 20_000; i++) deep = { a: deep };
  const signer = { publisher: { kind: 'GitHub', deep } };
  const a = attestationKey('scope', { filename: 'a-1.tar.gz', sha256: 'a'.repeat(64) }, signer, { x: 1 });
  const b = attestationKey('scope', { filename: 'b-1.tar.gz', sha256: 'b'.repeat(64) }, signer, { x: 1 });
  const again = attestationKey('scope', { filename: 'a-1.tar.gz', sha256: 'a'.repeat(64) }, signer, { x: 1 });
  assert.notEqual(a, b);
  assert.notEqual(a, again);
});

// --- item 9: tokens in index URLs -----------------------------------------------------------

test('redaction keeps scheme, host and the path’s shape, and hides userinfo, token segments, query values and fragments', () => {
  assert.equal(redactUrl('https://pypi.fury.io/AbCd1234EfGh5678IjKl/acme/'), 'https://pypi.fury.io/***/acme/');
  assert.equal(redactUrl('https://h.example/glpat-abcdefghijklmnopqrst/simple/'), 'https://h.example/***/simple/');
  assert.equal(redactUrl('https://h.example/simple/?token=s3cr3t&user=me'), 'https://h.example/simple/?token=***&user=***');
  assert.equal(redactUrl('https://h.example/simple/#s3cr3tfragment'), 'https://h.example/simple/#***');
  assert.equal(
    redactUrl('https://deploy:gldt-0123456789abcdefghij@gitlab.com/api/v4/projects/12345/packages/pypi/simple/'),
    'https://***@gitlab.com/api/v4/projects/12345/packages/pypi/simple/',
  );
  assert.equal(redactUrl('https://acme.jfrog.io/artifactory/api/pypi/pypi-remote/simple/'), 'https://acme.jfrog.io/artifactory/api/pypi/pypi-remote/simple/');
  // Project names, versions and file names stay readable.
  const provenance = 'https://pypi.org/integrity/azure-mgmt-compute/30.0.0/azure_mgmt_compute-30.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl/provenance';
  assert.equal(redactUrl(provenance), provenance);
  assert.equal(redactSecrets('fetching https://h.example/AbCd1234EfGh5678IjKl/simple/x/?t=abc failed.'), 'fetching https://h.example/***/simple/x/?t=*** failed.');
  assert.doesNotMatch(new IndexError('unreachable', 'https://h.example/simple/?token=s3cr3t could not be fetched').message, /s3cr3t/);
});

test('no token of an index URL reaches the cache directory (userinfo, path, query); two tokens never share an entry', async () => {
  const token = 'Tk9xQ2r7LmZp4Wv8Ys1N';
  index.setProject(makeProject('private-pkg', { releases: [{ version: '1.0', provenance: { version: 1, attestation_bundles: [] } }] }));
  const tokenIndex = index.acceptPathToken(token);
  const other = 'Zq5Rt8Uw2Xy4Vb7Nm3Kc';
  const otherIndex = index.acceptPathToken(other);
  const cacheDirectory = tempDir();
  const c = client({ cacheDirectory });
  const page = await c.getProject(tokenIndex.replace('http://', 'http://deploy:Pw0rdSecret99@'), 'private-pkg');
  assert.equal(page.kind, 'found');
  if (page.kind !== 'found') return;
  assert.equal((await c.getProvenance(page.page.files[0].provenanceUrl!)).kind, 'found');
  assert.equal((await c.getProject(otherIndex, 'private-pkg')).kind, 'found');
  assert.equal(index.count('/simple/private-pkg/'), 2, 'the second token asked the index itself');

  const cache = createResponseCache({ directory: cacheDirectory });
  await cache.write({ v: 1, url: 'https://h.example/simple/x/?token=QuerySecret42', accept: 'a', status: 200, finalUrl: 'https://h.example/simple/x/?token=QuerySecret42', fetchedAt: 0, maxAgeSeconds: 1, body: '{}' });

  const files = filesUnder(cacheDirectory);
  assert.ok(files.length >= 2, `cache files: ${files.map((f) => f.name)}`);
  for (const { name, text } of files) {
    for (const secret of [token, other, 'Pw0rdSecret99', 'deploy', 'QuerySecret42']) {
      assert.ok(!name.includes(secret) && !text.includes(secret), `${secret} in ${name}`);
    }
  }
});

// --- item 7: a budget for answers in flight -------------------------------------------------

test('an answer larger than the whole byte budget (though under the per-answer cap) is refused with a message saying so', async () => {
  const filler = 'x'.repeat(1536 * 1024);
  index.setMode('big-a', { kind: 'raw', status: 200, contentType: 'application/vnd.pypi.simple.v1+json', body: `{"meta":{"api-version":"1.3"},"name":"big-a","files":[],"pad":"${filler}"}` });
  // Under the 20 MB cap of one answer, over a budget of 1 MB for all of them: it could never fit.
  const answer = await client({ http: { maxBytesInFlight: 1024 * 1024, sleep: async () => undefined } }).getProject(index.url, 'big-a');
  assert.equal(answer.kind, 'error');
  if (answer.kind === 'error') {
    assert.equal(answer.error.reason, 'too-large');
    assert.match(answer.error.message, /sent more than 1 MB, more than all answers being read at once may hold; the answer was cut off/);
  }
  assert.equal((await client().getProject(index.url, 'big-a')).kind, 'found');
});

// --- item 8: only regular files, bounded ------------------------------------------------------

test('FIFOs, device links and oversized files are refused at once, never read', async (t) => {
  const dir = tempDir();
  const fifo = path.join(dir, 'requirements.txt');
  if (!makeFifo(fifo)) return void t.skip('mkfifo is not available');
  symlinkSync('/dev/zero', path.join(dir, 'zero.txt'));
  writeFileSync(path.join(dir, 'big.txt'), Buffer.alloc(2048, 0x61));
  writeFileSync(path.join(dir, 'ok.txt'), 'sampleproject==4.0.0\n');
  const code = async (file: string, max = 1024) => readRegularFile(path.join(dir, file), max).then(() => 'read', (error: unknown) => (error instanceof UnreadableFileError ? error.code : String(error)));
  assert.equal(await code('requirements.txt'), 'ENOTREG');
  assert.equal(await code('zero.txt'), 'ENOTREG');
  assert.equal(await code('big.txt'), 'EFBIG');
  assert.equal((await readRegularFile(path.join(dir, 'ok.txt'), 1024)).toString(), 'sampleproject==4.0.0\n');
});

test('a FIFO or a /dev/zero link in place of a cache entry is a miss, not a hang', async (t) => {
  const dir = tempDir();
  const cache = createResponseCache({ directory: dir });
  const url = 'https://h.example/simple/a/';
  const file = path.join(dir, 'index-http-v1', cache.fileNameOf(url, 'x'));
  await cache.write({ v: 1, url: 'https://h.example/simple/other/', accept: 'x', status: 200, finalUrl: url, fetchedAt: 0, maxAgeSeconds: 1, body: '' });
  if (!makeFifo(file)) return void t.skip('mkfifo is not available');
  assert.equal(await createResponseCache({ directory: dir }).read(url, 'x'), undefined);
  rmSync(file, { force: true });
  symlinkSync('/dev/zero', file);
  assert.equal(await createResponseCache({ directory: dir }).read(url, 'x'), undefined);
});

// --- item 11: ${VAR} only when trusted; plain http warned once -------------------------------

test('${VAR} is expanded only in a trusted workspace', () => {
  const text = '--index-url https://u:${TOKEN}@h.example/simple/\nfoo==${VER}\n';
  const env = { TOKEN: 'env-secret', VER: '1.0' };
  const trusted = parseRequirements(text, { env, workspaceTrusted: true });
  const untrusted = parseRequirements(text, { env, workspaceTrusted: false });
  assert.match(JSON.stringify(trusted), /env-secret/);
  assert.doesNotMatch(JSON.stringify(untrusted), /env-secret|"1\.0"/);
});

test('a plain-http index is warned about once per host; loopback and https are not', async () => {
  assert.match(plainHttpWarning('http://pypi.example/simple/')!, /plain http/);
  assert.equal(plainHttpWarning('http://127.0.0.1:8080/simple/'), undefined);
  assert.equal(plainHttpWarning('http://localhost/simple/'), undefined);
  assert.equal(plainHttpWarning('http://[::1]:3141/simple/'), undefined);
  assert.equal(plainHttpWarning('https://pypi.example/simple/'), undefined);
  const warnings: string[] = [];
  const c = client({ warn: (message) => warnings.push(message), offline: true });
  await c.getProject('http://pypi.example/simple/', 'a');
  await c.getProject('http://pypi.example/simple/', 'b');
  await c.getProject(index.url, 'c');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^the index http:\/\/pypi\.example is reached over plain http/);
});

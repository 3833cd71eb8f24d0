/**
 * Trust on first use: the first verified publisher of a project on an index is recorded in the
 * cache directory, a different one later is a mismatch that never replaces it, only trust()
 * does; entries survive restarts, concurrent writers lose nothing, corrupt entries are
 * discarded with a warning, credentials never reach the disk.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dependency } from '../../server/src/core/model';
import type { Publisher } from '../../server/src/core/result';
import { newCacheKey, testCacheKey } from '../support/cacheKey';
import { JOURNAL_FILE_NAME } from '../../server/src/zeroTrust/signedJournal';
import { currentEntries, rewriteJournal } from '../support/trustMemory';
import { TRUST_STORE_SUBDIRECTORY, checkTrustedPublishers, createTrustStore, normalizeIndexUrl, trustMismatchFinding } from '../../server/src/zeroTrust/trustStore';

const INDEX = 'https://pypi.org/simple/';
const A: Publisher = { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: null };
const B: Publisher = { kind: 'GitHub', repository: 'evil/fork', workflow: 'release.yml', environment: 'pypi' };

const made: string[] = [];
const userKey = newCacheKey();
/** Every store of these tests is one user's (the same key), unless a test says otherwise. */
const keyed = { key: testCacheKey(userKey) };
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zero-trust-store-'));
  made.push(dir);
  return dir;
}

const storeDir = (dir: string) => path.join(dir, TRUST_STORE_SUBDIRECTORY);
const journalText = (dir: string) => readFileSync(path.join(storeDir(dir), JOURNAL_FILE_NAME), 'utf8');

test('first use records, the same publisher is same, another is a mismatch that never replaces the trusted one', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir, now: () => Date.UTC(2025, 0, 2) });
  assert.equal(await store.observe(INDEX, 'sampleproject', A, '3.0.0'), 'first-use');
  assert.equal(await store.observe(INDEX, 'sampleproject', { ...A, repository: 'PyPA/SampleProject', environment: '' }, '4.0.0'), 'same');
  const mismatch = await store.observe(INDEX, 'sampleproject', B, '4.0.0');
  assert.ok(typeof mismatch === 'object');
  assert.deepEqual(mismatch.mismatch.publisher, A);
  assert.equal(mismatch.mismatch.version, '3.0.0');
  assert.equal(mismatch.mismatch.since, '2025-01-02T00:00:00.000Z');
  // Still the first one, however often the other is seen.
  assert.ok(typeof (await store.observe(INDEX, 'sampleproject', B, '4.0.1')) === 'object');
  assert.equal(await store.observe(INDEX, 'sampleproject', A, '4.0.1'), 'same');
  assert.deepEqual((await store.get(INDEX, 'sampleproject'))?.publisher, A);
});

test('a first release whose files have two publishers records neither and accuses neither; once one is trusted, the other is a mismatch', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir });
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } };
  const dependency = { name: 'sampleproject', rawName: 'sampleproject', ranges: { requirement: range, name: range } };
  const mixed = [{ status: 'verified', publisher: A }, { status: 'verified', publisher: B }];
  const first = await checkTrustedPublishers(store, { index: INDEX, dependency, version: '1.0.0', files: mixed });
  assert.deepEqual(first.findings, []);
  assert.equal(await store.get(INDEX, 'sampleproject'), undefined, 'nothing trusted from an ambiguous release');
  await checkTrustedPublishers(store, { index: INDEX, dependency, version: '0.9.0', files: [{ status: 'verified', publisher: A }] });
  const later = await checkTrustedPublishers(store, { index: INDEX, dependency, version: '1.0.0', files: mixed });
  assert.deepEqual(later.findings.map((f) => f.code), ['identity-mismatch']);
  assert.match(later.findings[0].message, /evil\/fork/);
});

test('entries persist across store instances (a restart) and are keyed by normalized project and index', async () => {
  const dir = tempDir();
  await createTrustStore({ ...keyed, cacheDirectory: dir }).observe('https://user:s3cret@pypi.org/simple?x=1#f', 'Sample_Project', A, '3.0.0');
  const again = createTrustStore({ ...keyed, cacheDirectory: dir });
  assert.equal(await again.observe(INDEX, 'sample-project', A, '4.0.0'), 'same');
  assert.equal(await again.observe('HTTPS://PYPI.ORG/simple', 'sample.project', A, '4.0.0'), 'same');
  assert.equal(await again.observe('https://mirror.example/simple/', 'sample-project', B, '4.0.0'), 'first-use', 'another index is another trust');
  assert.equal(currentEntries(storeDir(dir)).size, 2);
  assert.doesNotMatch(journalText(dir), /s3cret|user/);
  assert.deepEqual(readdirSync(storeDir(dir)), [JOURNAL_FILE_NAME], 'one journal; no file is named by an index or a project');
  assert.equal(normalizeIndexUrl('https://user:tok@Example.COM/simple?token=x#y'), 'https://example.com/simple/');
  assert.equal(normalizeIndexUrl('not a url://user:pw@x'), 'not a url://***@x');
});

test('trust() explicitly replaces the trusted publisher (the code action)', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir });
  await store.observe(INDEX, 'sampleproject', A, '3.0.0');
  await store.trust(INDEX, 'sampleproject', B, '4.0.0', 'replace');
  assert.equal(await store.observe(INDEX, 'sampleproject', B, '4.0.0'), 'same');
  const old = await store.observe(INDEX, 'sampleproject', A, '3.0.0');
  assert.ok(typeof old === 'object' && old.mismatch.version === '4.0.0');
  assert.equal(await createTrustStore({ ...keyed, cacheDirectory: dir }).observe(INDEX, 'sampleproject', B, '4.0.1'), 'same');
  // trust() on a project never seen records it too.
  await store.trust(INDEX, 'other', A, '1.0', 'replace');
  assert.equal(await store.observe(INDEX, 'other', A, '1.1'), 'same');
  assert.deepEqual(readdirSync(path.join(dir, TRUST_STORE_SUBDIRECTORY)).filter((n) => n.endsWith('.tmp')), []);
});

test('concurrent writers (two processes) lose no entry, and exactly one first use wins a race', async () => {
  const dir = tempDir();
  const first = createTrustStore({ ...keyed, cacheDirectory: dir });
  const second = createTrustStore({ ...keyed, cacheDirectory: dir });
  const projects = Array.from({ length: 40 }, (_, i) => `project-${i}`);
  const results = await Promise.all(projects.flatMap((project) => [first.observe(INDEX, project, A, '1.0'), second.observe(INDEX, project, A, '1.0')]));
  assert.equal(currentEntries(storeDir(dir)).size, projects.length);
  for (let i = 0; i < projects.length; i++) {
    assert.deepEqual([results[2 * i], results[2 * i + 1]].sort(), ['first-use', 'same']);
  }
  // Two different publishers racing for one project: one is trusted, the other is the mismatch.
  const race = await Promise.all([first.observe(INDEX, 'contested', A, '1.0'), second.observe(INDEX, 'contested', B, '1.0')]);
  const winners = race.filter((r) => r === 'first-use');
  const losers = race.filter((r) => typeof r === 'object');
  assert.equal(winners.length, 1);
  assert.equal(losers.length, 1);
  const trusted = (await first.get(INDEX, 'contested'))!.publisher;
  assert.deepEqual((losers[0] as { mismatch: { publisher: Publisher } }).mismatch.publisher, trusted);
  assert.deepEqual(readdirSync(path.join(dir, TRUST_STORE_SUBDIRECTORY)).filter((n) => n.endsWith('.tmp')), []);
});

test('a corrupt entry is discarded with a warning, then the next publisher is a first use', async () => {
  const dir = tempDir();
  const warnings: string[] = [];
  const store = createTrustStore({ ...keyed, cacheDirectory: dir, log: (m) => warnings.push(m) });
  await store.observe(INDEX, 'sampleproject', A, '3.0.0');
  const genuine = JSON.parse(journalText(dir).trim()) as Record<string, unknown>;
  for (const garbage of ['{not json', '[]', JSON.stringify({ v: 1, index: INDEX, project: 'other', publisher: A, version: '1', since: 'x' }), JSON.stringify({ v: 2 }), JSON.stringify({ v: 1, index: INDEX, project: 'sampleproject', publisher: { repository: 'x' }, version: '1', since: 'x' })]) {
    rewriteJournal(storeDir(dir), [garbage]);
    warnings.length = 0;
    assert.equal(await createTrustStore({ ...keyed, cacheDirectory: dir, log: (m) => warnings.push(m) }).observe(INDEX, 'sampleproject', B, '4.0.0'), 'first-use', garbage);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^skipping a line of the trusted publishers journal that is corrupt or not authenticated by this user's key \(1 so far\)$/);
  }
  // Well formed but not authenticated: named.
  rewriteJournal(storeDir(dir), [{ ...genuine, version: '9.9.9' }]);
  warnings.length = 0;
  assert.equal(await createTrustStore({ ...keyed, cacheDirectory: dir, log: (m) => warnings.push(m) }).observe(INDEX, 'sampleproject', B, '4.0.0'), 'first-use');
  assert.match(warnings.join('\n'), /discarding a trusted-publisher entry for sampleproject on https:\/\/pypi\.org\/simple\/ that is corrupt or not authenticated/);
});

test('an unusable directory keeps trust in memory, warns once, never throws', async () => {
  const warnings: string[] = [];
  // A cache directory that cannot be made: under a regular file.
  const blocker = path.join(tempDir(), 'a-file');
  writeFileSync(blocker, 'x');
  const store = createTrustStore({ ...keyed, cacheDirectory: path.join(blocker, 'cache'), log: (m) => warnings.push(m) });
  assert.equal(await store.observe(INDEX, 'sampleproject', A, '3.0.0'), 'first-use');
  assert.equal(await store.observe(INDEX, 'sampleproject', A, '3.1.0'), 'same');
  assert.ok(typeof (await store.observe(INDEX, 'sampleproject', B, '4.0.0')) === 'object');
  await store.trust(INDEX, 'sampleproject', B, '4.0.0', 'replace');
  assert.equal(await store.observe(INDEX, 'sampleproject', B, '4.0.0'), 'same');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /kept in memory only/);

  // A journal that cannot be written or read after the directory was made: the entries are still held (in memory).
  const dir = tempDir();
  mkdirSync(path.join(storeDir(dir), JOURNAL_FILE_NAME), { recursive: true });
  const logs: string[] = [];
  const store2 = createTrustStore({ ...keyed, cacheDirectory: dir, log: (m) => logs.push(m) });
  assert.equal(await store2.observe(INDEX, 'p', A, '1'), 'first-use');
  assert.ok(typeof (await store2.observe(INDEX, 'p', B, '2')) === 'object');
  await store2.trust(INDEX, 'p', B, '2', 'replace');
  assert.equal(await store2.observe(INDEX, 'p', B, '3'), 'same');
  assert.equal(logs.length, 1, logs.join('\n'));
  assert.match(logs[0], /^trusted publishers are kept in memory only: .*something other than a regular file stands where the journal belongs/);
});

test('without a cache directory the store is memory only and silent', async () => {
  const warnings: string[] = [];
  const store = createTrustStore({ log: (m) => warnings.push(m) });
  assert.equal(await store.observe(INDEX, 'p', A, '1'), 'first-use');
  assert.equal(await store.observe(INDEX, 'p', A, '2'), 'same');
  assert.deepEqual(warnings, []);
});

test('the mismatch finding names both identities and the versions', () => {
  const dependency = { name: 'sampleproject', rawName: 'SampleProject', ranges: { requirement: { start: { line: 2, character: 0 }, end: { line: 2, character: 20 } }, name: { start: { line: 2, character: 0 }, end: { line: 2, character: 13 } } } } as Pick<Dependency, 'name' | 'rawName' | 'ranges'>;
  const trusted = { index: INDEX, project: 'sampleproject', publisher: A, version: '3.0.0', since: '2025-01-02T00:00:00.000Z' };
  const finding = trustMismatchFinding(dependency, trusted, { publisher: B, version: '4.0.0' }, { dependencyIndex: 1, changedIn: '3.5.0' });
  assert.equal(finding.code, 'identity-mismatch');
  assert.equal(finding.dependency, 1);
  assert.deepEqual(finding.range, dependency.ranges.requirement);
  assert.equal(finding.message, 'Publisher differs from the one trusted since 3.0.0: SampleProject 4.0.0 is published by github.com/evil/fork (release.yml), not by github.com/pypa/sampleproject (release.yml); it changed in 3.5.0');
  // Same repository and workflow, another environment: the environment is named.
  const envOnly = trustMismatchFinding(dependency, { ...trusted, publisher: { ...A, environment: 'pypi' } }, { publisher: { ...A, environment: 'release' }, version: '4.0.0' });
  assert.match(envOnly.message, /\(release\.yml, environment release\), not by .*\(release\.yml, environment pypi\)$/);
});

test('a forged, foreign or unauthenticated entry never makes a publisher trusted: the real one is a first use', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir });
  await store.observe(INDEX, 'sampleproject', A, '3.0.0');
  const genuine = JSON.parse(journalText(dir).trim()) as Record<string, unknown>;
  // What another user's store (another key) wrote for B, to be copied here.
  const otherDir = tempDir();
  await createTrustStore({ key: testCacheKey(), cacheDirectory: otherDir }).observe(INDEX, 'sampleproject', B, '4.0.0');
  const foreign = journalText(otherDir).trim();
  const forgeries = {
    'no MAC': JSON.stringify({ ...genuine, mac: undefined, publisher: B }),
    'the old format': JSON.stringify({ ...genuine, v: 1, mac: undefined, publisher: B }),
    'a genuine MAC on another publisher': JSON.stringify({ ...genuine, publisher: B }),
    'a truncated MAC': JSON.stringify({ ...genuine, publisher: B, mac: String(genuine.mac).slice(0, 20) }),
    'another key': foreign,
    'a first use made to look like the user\'s choice': JSON.stringify({ ...genuine, publisher: B, replaces: true }),
  };
  for (const [what, forged] of Object.entries(forgeries)) {
    rewriteJournal(storeDir(dir), [forged]);
    const fresh = createTrustStore({ ...keyed, cacheDirectory: dir });
    assert.equal(await fresh.get(INDEX, 'sampleproject'), undefined, what);
    assert.equal(await fresh.observe(INDEX, 'sampleproject', B, '4.0.0'), 'first-use', `${what}: B is not silently trusted`);
    assert.equal(await createTrustStore({ ...keyed, cacheDirectory: dir }).observe(INDEX, 'sampleproject', B, '4.0.1'), 'same', `${what}: the first use was recorded properly`);
  }
});

test('no key: trusted publishers stay in memory, an entry on disk is not believed, nothing is written', async () => {
  const dir = tempDir();
  await createTrustStore({ ...keyed, cacheDirectory: dir }).observe(INDEX, 'sampleproject', A, '3.0.0');
  const before = journalText(dir);
  const warnings: string[] = [];
  const store = createTrustStore({ cacheDirectory: dir, log: (m) => warnings.push(m) });
  assert.equal(await store.get(INDEX, 'sampleproject'), undefined);
  assert.equal(await store.observe(INDEX, 'sampleproject', B, '4.0.0'), 'first-use');
  assert.equal(await store.observe(INDEX, 'other', B, '1.0.0'), 'first-use');
  assert.equal(await store.observe(INDEX, 'sampleproject', B, '4.0.1'), 'same', 'remembered in memory');
  assert.equal(journalText(dir), before, 'nothing written');
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /kept in memory only/);
});

test('one journal for every process: a publisher another process accepts is the trusted one here at the next check, and a restart keeps the order', async () => {
  const dir = tempDir();
  const editor = createTrustStore({ ...keyed, cacheDirectory: dir });
  const cli = createTrustStore({ ...keyed, cacheDirectory: dir });
  assert.equal(await editor.observe(INDEX, 'sampleproject', A, '3.0.0'), 'first-use');
  assert.equal(await cli.observe(INDEX, 'sampleproject', A, '3.0.1'), 'same', 'the other process reads the first use');
  await cli.trust(INDEX, 'sampleproject', B, '4.0.0', 'replace');
  assert.equal(await editor.observe(INDEX, 'sampleproject', B, '4.0.0'), 'same', 'the accepted publisher, read from the journal');
  assert.ok(typeof (await editor.observe(INDEX, 'sampleproject', A, '4.0.0')) === 'object', 'the first one is no longer trusted');
  // A first use recorded after the replacement by a process that had not seen it changes nothing.
  assert.equal(await createTrustStore({ ...keyed, cacheDirectory: dir }).observe(INDEX, 'sampleproject', B, '4.0.1'), 'same');
  assert.equal(currentEntries(storeDir(dir)).size, 1);
  assert.deepEqual(readdirSync(storeDir(dir)), [JOURNAL_FILE_NAME]);
});

test('another process forgetting the store: this one reads nothing remembered and records the next first use in a new journal', async () => {
  const dir = tempDir();
  const warnings: string[] = [];
  const editor = createTrustStore({ ...keyed, cacheDirectory: dir, log: (m) => warnings.push(m) });
  assert.equal(await editor.observe(INDEX, 'sampleproject', A, '3.0.0'), 'first-use');
  assert.equal(await createTrustStore({ ...keyed, cacheDirectory: dir }).forget(), 1);
  // The directory is gone: the editor's next first use makes it again.
  assert.equal(await editor.observe(INDEX, 'other', A, '1.0.0'), 'first-use');
  assert.equal(await createTrustStore({ ...keyed, cacheDirectory: dir }).observe(INDEX, 'other', A, '1.0.1'), 'same', 'on disk');
  const again = createTrustStore({ ...keyed, cacheDirectory: dir, log: (m) => warnings.push(m) });
  assert.equal(await again.observe(INDEX, 'sampleproject', B, '4.0.0'), 'first-use');
  assert.equal(await editor.observe(INDEX, 'sampleproject', B, '4.0.1'), 'same', 'the editor reads the new journal, not its memory of the old one');
  assert.deepEqual(warnings, []);
  assert.equal(currentEntries(storeDir(dir)).size, 2);
});

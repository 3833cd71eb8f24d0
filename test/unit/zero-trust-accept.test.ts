/**
 * Accepting a changed publisher (issue 10 item 3) and forgetting the trust memory (item 4,
 * issue 11 item 1), below the LSP:
 * - the trust store: `replace` leaves only the accepted publisher trusted, `keep-both` trusts both
 *   (and says both in the mismatch of a third), on disk across restarts; an entry with `also`
 *   edited by hand is discarded (the MAC covers it); `forget()` empties it and a next verified
 *   publisher is a first use again; the file-set memory likewise;
 * - the lock: `replace` rewrites the recorded identities (tables or inline array) to exactly the
 *   accepted one, `keep-both` appends it; every other value of the file unchanged.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dependency } from '../../server/src/core/model';
import type { Publisher } from '../../server/src/core/result';
import { parsePylock } from '../../server/src/parsers/pylock';
import { FILE_SET_SUBDIRECTORY, createFileSetMemory } from '../../server/src/zeroTrust/fileSetMemory';
import { currentEntries, journalEntries, rewriteJournal, storedEntryNames } from '../support/trustMemory';
import { acceptIdentityEdits, applyTextEdits } from '../../server/src/zeroTrust/recordIdentities';
import { TRUST_STORE_SUBDIRECTORY, createTrustStore, trustMismatchFinding } from '../../server/src/zeroTrust/trustStore';
import { newCacheKey, testCacheKey } from '../support/cacheKey';

const INDEX = 'https://pypi.org/simple/';
const A: Publisher = { kind: 'GitHub', repository: 'a/b', workflow: 'release.yml', environment: null };
const C: Publisher = { kind: 'GitHub', repository: 'c/d', workflow: 'release.yml', environment: null };
const E: Publisher = { kind: 'GitHub', repository: 'e/f', workflow: 'release.yml', environment: null };
const keyed = { key: testCacheKey(newCacheKey()) };
const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zero-trust-accept-'));
  made.push(dir);
  return dir;
}

function entries(dir: string): Array<{ project: string; publisher: Publisher; also?: Array<{ publisher: Publisher }> }> {
  return [...currentEntries(path.join(dir, TRUST_STORE_SUBDIRECTORY)).values()] as unknown as Array<{ project: string; publisher: Publisher; also?: Array<{ publisher: Publisher }> }>;
}

test('replace: the accepted publisher is the only trusted one, on disk', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir });
  assert.equal(await store.observe(INDEX, 'pkg', A, '1.0'), 'first-use');
  await store.trust(INDEX, 'pkg', C, '2.0', 'replace');
  const again = createTrustStore({ ...keyed, cacheDirectory: dir });
  assert.equal(await again.observe(INDEX, 'pkg', C, '2.0'), 'same');
  assert.equal(typeof (await again.observe(INDEX, 'pkg', A, '1.0')), 'object', 'the old publisher is no longer trusted');
  assert.deepEqual(entries(dir).map((e) => [e.publisher.repository, e.also]), [['c/d', undefined]]);
});

test('keep-both: both publishers are trusted, across a restart; a third is a mismatch naming both; replace afterwards keeps one', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir });
  await store.observe(INDEX, 'pkg', A, '1.0');
  await store.trust(INDEX, 'pkg', C, '2.0', 'keep-both');
  // Accepting a publisher trusted already adds nothing.
  await store.trust(INDEX, 'pkg', C, '2.1', 'keep-both');
  const again = createTrustStore({ ...keyed, cacheDirectory: dir });
  assert.equal(await again.observe(INDEX, 'pkg', A, '1.1'), 'same');
  assert.equal(await again.observe(INDEX, 'pkg', C, '2.1'), 'same');
  assert.deepEqual(entries(dir).map((e) => [e.publisher.repository, (e.also ?? []).map((x) => x.publisher.repository)]), [['a/b', ['c/d']]]);

  const third = await again.observe(INDEX, 'pkg', E, '3.0');
  assert.ok(typeof third === 'object');
  const dependency = { name: 'pkg', rawName: 'pkg', ranges: { requirement: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } } } } as unknown as Dependency;
  assert.equal(
    trustMismatchFinding(dependency, third.mismatch, { publisher: E, version: '3.0' }).message,
    'Publisher differs from the 2 trusted on this machine: pkg 3.0 is published by github.com/e/f (release.yml), not by either publisher trusted: github.com/a/b (release.yml) since 1.0 or github.com/c/d (release.yml) since 2.0',
  );

  await again.trust(INDEX, 'pkg', E, '3.0', 'replace');
  assert.equal(typeof (await again.observe(INDEX, 'pkg', A, '1.1')), 'object');
  assert.equal(typeof (await again.observe(INDEX, 'pkg', C, '2.1')), 'object');
  assert.deepEqual(entries(dir).map((e) => [e.publisher.repository, e.also]), [['e/f', undefined]]);
});

test('keep-both on a project never seen records it alone', async () => {
  const store = createTrustStore({ ...keyed, cacheDirectory: tempDir() });
  await store.trust(INDEX, 'fresh', C, '1.0', 'keep-both');
  assert.equal(await store.observe(INDEX, 'fresh', C, '1.0'), 'same');
  assert.equal((await store.get(INDEX, 'fresh'))?.also, undefined);
});

test('a publisher added to `also` by hand is not believed: the MAC covers it', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir });
  await store.observe(INDEX, 'pkg', A, '1.0');
  const folder = path.join(dir, TRUST_STORE_SUBDIRECTORY);
  const [entry] = journalEntries(folder);
  rewriteJournal(folder, [{ ...entry, also: [{ publisher: E, version: '9', since: entry.since }] }]);
  const reader = createTrustStore({ ...keyed, cacheDirectory: dir });
  // The forged entry is discarded: E is a first use, not a trusted publisher smuggled in.
  assert.equal(await reader.get(INDEX, 'pkg'), undefined);
});

test('forget() removes every trusted publisher, says how many, and the next one is a first use again', async () => {
  const dir = tempDir();
  const store = createTrustStore({ ...keyed, cacheDirectory: dir });
  await store.observe(INDEX, 'one', A, '1.0');
  await store.observe(INDEX, 'two', C, '1.0');
  assert.equal(await store.count(), 2);
  assert.equal(await store.forget(), 2);
  assert.equal(existsSync(path.join(dir, TRUST_STORE_SUBDIRECTORY)), false);
  assert.equal(await store.count(), 0);
  // Another publisher now is a first use (recorded on disk again), not a mismatch.
  assert.equal(await store.observe(INDEX, 'one', E, '2.0'), 'first-use');
  assert.deepEqual(entries(dir).map((e) => e.publisher.repository), ['e/f']);
  // A store without a directory forgets what it holds in memory.
  const inMemory = createTrustStore({});
  await inMemory.observe(INDEX, 'one', A, '1.0');
  assert.equal(await inMemory.forget(), 1);
  assert.equal(await inMemory.observe(INDEX, 'one', C, '1.0'), 'first-use');
});

test('the file-set memory forgets too: the next observation is a first use', async () => {
  const dir = tempDir();
  const memory = createFileSetMemory({ ...keyed, cacheDirectory: dir });
  const files = [{ filename: 'pkg-1.0.tar.gz', sha256: 'a'.repeat(64), uploadTime: '2024-01-01T00:00:00Z' }];
  assert.equal((await memory.observe(INDEX, 'pkg', '1.0', files)).firstUse, true);
  assert.equal((await memory.observe(INDEX, 'pkg', '1.1', files)).firstUse, true);
  assert.equal(await memory.count(), 2);
  assert.equal(await memory.forget(), 2);
  assert.equal(existsSync(path.join(dir, FILE_SET_SUBDIRECTORY)), false);
  const changed = [{ filename: 'pkg-1.0.tar.gz', sha256: 'b'.repeat(64) }];
  const seen = await memory.observe(INDEX, 'pkg', '1.0', changed);
  assert.equal(seen.firstUse, true, 'forgotten: the changed file is a first use, not file-replaced');
  assert.equal(seen.remembered.files['pkg-1.0.tar.gz'].sha256, 'b'.repeat(64));
  assert.deepEqual(storedEntryNames(path.join(dir, FILE_SET_SUBDIRECTORY)), ['pkg 1.0']);
});

const HEAD = 'lock-version = "1.0"\ncreated-by = "test"  # keep me\n';
const SHA = 'a'.repeat(64);

function lock(identities: string): string {
  return `${HEAD}\n[[packages]]\nname = "pkg"\nversion = "1.0"\nsdist = { name = "pkg-1.0.tar.gz", url = "https://x/pkg-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n${identities}\n[[packages]]\nname = "other"\nversion = "2.0"\nsdist = { name = "other-2.0.tar.gz", url = "https://x/other-2.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n\n[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "a/b"\nworkflow = "release.yml"\n`;
}

function recordedOf(text: string): Record<string, string[]> {
  const parsed = parsePylock(text);
  assert.deepEqual(parsed.problems, []);
  return Object.fromEntries(parsed.dependencies.map((d) => [d.name, (d.attestationIdentities ?? []).map((i) => `${i.kind}:${i.fields.repository}`)]));
}

function accept(text: string, mode: 'replace' | 'keep-both'): string {
  const dependency = parsePylock(text).dependencies[0];
  const result = acceptIdentityEdits(text, dependency, C, mode);
  assert.ok(result.ok, JSON.stringify(result));
  return applyTextEdits(text, result.edits);
}

const TABLES = '\n[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "a/b"\nworkflow = "release.yml"\n\n[[packages.attestation-identities]]  # the old name\nkind = "GitHub"\nrepository = "old/b"\nworkflow = "release.yml"\n';

test('the lock: replace rewrites every recorded identity of the package to the accepted one, nothing else', () => {
  const text = lock(TABLES);
  const replaced = accept(text, 'replace');
  assert.deepEqual(recordedOf(replaced), { pkg: ['GitHub:c/d'], other: ['GitHub:a/b'] });
  assert.ok(replaced.startsWith(HEAD), 'the comment and everything before the package stay');
  assert.ok(replaced.includes('\n[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "c/d"\nworkflow = "release.yml"\n\n[[packages]]\nname = "other"'), replaced);
  assert.ok(!replaced.includes('old/b') && !replaced.includes('\n\n\n'), replaced);
});

test('the lock: keep-both appends the accepted identity after the recorded ones', () => {
  const kept = accept(lock(TABLES), 'keep-both');
  assert.deepEqual(recordedOf(kept), { pkg: ['GitHub:a/b', 'GitHub:old/b', 'GitHub:c/d'], other: ['GitHub:a/b'] });
});

test('the lock: an inline array of identities is replaced by an array of the accepted one', () => {
  const text = lock('attestation-identities = [\n  { kind = "GitHub", repository = "a/b", workflow = "release.yml" },\n]\n');
  const replaced = accept(text, 'replace');
  assert.deepEqual(recordedOf(replaced), { pkg: ['GitHub:c/d'], other: ['GitHub:a/b'] });
  assert.ok(replaced.includes('attestation-identities = [{ kind = "GitHub", repository = "c/d", workflow = "release.yml" }]'), replaced);
  assert.deepEqual(recordedOf(accept(text, 'keep-both')), { pkg: ['GitHub:a/b', 'GitHub:c/d'], other: ['GitHub:a/b'] });
});

test('the lock: a package that moved is refused, not edited elsewhere', () => {
  const text = lock(TABLES);
  const dependency = parsePylock(text).dependencies[0];
  const moved = { ...dependency, name: 'someone-else' };
  const result = acceptIdentityEdits(text, moved, C, 'replace');
  assert.equal(result.ok, false);
});

test('the hover names every publisher kept with keep-both', async () => {
  const { zeroTrustHoverLines } = await import('../../server/src/zeroTrust/hoverLines');
  const trusted = { index: INDEX, project: 'pkg', publisher: A, version: '1.0', since: '', also: [{ publisher: C, version: '2.0', since: '' }] };
  const lines = zeroTrustHoverLines({
    settled: true,
    outcome: { findings: [], publishers: [C], late: { late: [] }, notes: [], trust: { index: INDEX, project: 'pkg', version: '2.0', trusted, observed: [{ publisher: C, result: 'same' }], mismatches: [] } },
  });
  assert.deepEqual(lines.notes, ['Publishers trusted on this machine: github.com/a/b (release.yml) since 1.0 and github.com/c/d (release.yml) since 2.0.']);
});

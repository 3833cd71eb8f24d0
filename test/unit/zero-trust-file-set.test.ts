/**
 * Release file-set memory (issue 11 item 1) and PyPI's 14-day rule (item 2): a release's files are
 * remembered when first seen, in a trust subdirectory outside the caches; a new or gone file is
 * `release-changed`, a file name with another sha256 is `file-replaced`; forged or corrupt entries
 * are discarded; two writers racing on one release agree on one record.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newCacheKey, testCacheKey } from '../support/cacheKey';
import { FILE_SET_SUBDIRECTORY, compareFileSets, createFileSetMemory, fileSetFindings } from '../../server/src/zeroTrust/fileSetMemory';
import { JOURNAL_FILE_NAME } from '../../server/src/zeroTrust/signedJournal';
import { TRUST_STORE_SUBDIRECTORY } from '../../server/src/zeroTrust/trustStore';
import { findLateUploads, lateUploadFinding } from '../../server/src/zeroTrust/lateUpload';

const INDEX = 'https://user:s3cret@example.test/simple/';
const made: string[] = [];
const key = testCacheKey(newCacheKey());
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'file-set-'));
  made.push(dir);
  return dir;
}
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } };
const wheel = { filename: 'demo-1.0-py3-none-any.whl', sha256: 'a'.repeat(64), uploadTime: '2026-08-01T10:00:00Z' };
const sdist = { filename: 'demo-1.0.tar.gz', sha256: 'b'.repeat(64), uploadTime: '2026-08-01T10:00:00Z' };
const added = { filename: 'demo-1.0-cp312-cp312-manylinux_2_28_x86_64.whl', sha256: 'c'.repeat(64), uploadTime: '2026-09-20T10:00:00Z' };

test('a release seen again with the same files raises nothing; the memory survives a restart and lives beside the trust store', async () => {
  const dir = tempDir();
  const first = await createFileSetMemory({ cacheDirectory: dir, key }).observe(INDEX, 'Demo', '1.0', [wheel, sdist]);
  assert.equal(first.firstUse, true);
  const again = await createFileSetMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', '1.0', [sdist, wheel]);
  assert.equal(again.firstUse, false);
  assert.equal(again.remembered.firstSeen, first.remembered.firstSeen);
  assert.deepEqual(fileSetFindings('demo', again.remembered, compareFileSets(again.remembered, [wheel, sdist]), range), []);
  assert.ok(readdirSync(dir).includes(FILE_SET_SUBDIRECTORY));
  assert.notEqual(FILE_SET_SUBDIRECTORY, TRUST_STORE_SUBDIRECTORY);
  assert.deepEqual(readdirSync(path.join(dir, FILE_SET_SUBDIRECTORY)), [JOURNAL_FILE_NAME], 'one journal, whatever the number of releases');
  assert.doesNotMatch(readFileSync(path.join(dir, FILE_SET_SUBDIRECTORY, JOURNAL_FILE_NAME), 'utf8'), /s3cret/);
});

test('an added file is release-changed with its upload time; a replaced file is file-replaced', async () => {
  const dir = tempDir();
  await createFileSetMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', '1.0', [wheel, sdist]);
  const replaced = { ...sdist, sha256: 'd'.repeat(64) };
  const now = [wheel, replaced, added];
  const seen = await createFileSetMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', '1.0', now);
  const findings = fileSetFindings('demo', seen.remembered, compareFileSets(seen.remembered, now), range);
  assert.deepEqual(findings.map((f) => f.code), ['file-replaced', 'release-changed']);
  assert.match(findings[0].message, /demo-1\.0\.tar\.gz/);
  assert.match(findings[1].message, /manylinux.*uploaded 2026-09-20/);
  const gone = compareFileSets(seen.remembered, [wheel]);
  assert.deepEqual(gone.removed.map((f) => f.filename), [sdist.filename]);
});

test('a forged or corrupt entry is discarded with a warning and the release is seen afresh', async () => {
  const dir = tempDir();
  await createFileSetMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', '1.0', [wheel]);
  const journal = path.join(dir, FILE_SET_SUBDIRECTORY, JOURNAL_FILE_NAME);
  const entry = JSON.parse(readFileSync(journal, 'utf8').trim());
  entry.files[added.filename] = { sha256: added.sha256 };
  writeFileSync(journal, `\n${JSON.stringify(entry)}\n`);
  const logs: string[] = [];
  const forged = await createFileSetMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(INDEX, 'demo', '1.0', [wheel]);
  assert.equal(forged.firstUse, true);
  assert.deepEqual(Object.keys(forged.remembered.files), [wheel.filename]);
  assert.match(logs.join('\n'), /not authenticated/);
  writeFileSync(journal, '\n{not json\n');
  const corrupt = await createFileSetMemory({ cacheDirectory: dir, key, log: () => undefined }).observe(INDEX, 'demo', '1.0', [wheel]);
  assert.equal(corrupt.firstUse, true);
  const other = await createFileSetMemory({ cacheDirectory: dir, key: testCacheKey(newCacheKey()), log: () => undefined }).observe(INDEX, 'demo', '1.0', [sdist]);
  assert.equal(other.firstUse, true, "another user's key does not believe this user's entry");
});

test('two writers racing on one release record one file set and both compare against it', async () => {
  const dir = tempDir();
  const results = await Promise.all([
    createFileSetMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', '1.0', [wheel]),
    createFileSetMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', '1.0', [wheel, added]),
  ]);
  assert.equal(results.filter((r) => r.firstUse).length, 1);
  assert.deepEqual(results[0].remembered.files, results[1].remembered.files);
  assert.deepEqual(readdirSync(path.join(dir, FILE_SET_SUBDIRECTORY)).filter((n) => n.endsWith('.tmp')), []);
});

test('a clock set back still reads the remembered date; first seen is the clock passed in', async () => {
  const dir = tempDir();
  await createFileSetMemory({ cacheDirectory: dir, key, now: () => Date.parse('2030-01-01T00:00:00Z') }).observe(INDEX, 'demo', '1.0', [wheel]);
  const seen = await createFileSetMemory({ cacheDirectory: dir, key, now: () => Date.parse('2020-01-01T00:00:00Z') }).observe(INDEX, 'demo', '1.0', [wheel]);
  assert.equal(seen.firstUse, false);
  assert.equal(seen.remembered.firstSeen, '2030-01-01T00:00:00.000Z');
});

test('a file uploaded to pypi.org over 14 days after its release, after 2026-07-08, is an error naming the index anomaly; other indexes keep a warning', () => {
  const files = [{ filename: wheel.filename, uploadTime: '2026-08-01T10:00:00Z' }, { filename: added.filename, uploadTime: '2026-09-20T10:00:00Z' }];
  const late = findLateUploads(files, 14);
  const pypi = lateUploadFinding(late, range, { indexUrl: 'https://pypi.org/simple/' });
  assert.equal(pypi?.defaultSeverity, 'error');
  assert.match(pypi!.message, /PyPI refuses/);
  const other = lateUploadFinding(late, range, { indexUrl: 'https://example.test/simple/' });
  assert.equal(other?.defaultSeverity, undefined);
  assert.doesNotMatch(other!.message, /PyPI refuses/);
  const before = findLateUploads([{ filename: wheel.filename, uploadTime: '2025-01-01T00:00:00Z' }, { filename: added.filename, uploadTime: '2025-03-01T00:00:00Z' }], 14);
  assert.equal(lateUploadFinding(before, range, { indexUrl: 'https://pypi.org/simple/' })?.defaultSeverity, undefined, 'before the rule began a late file is no anomaly');
});

test('fresh-release: a release first uploaded 2 days ago under a 7-day cooldown says how old and how to wait; 0 turns it off; an old one raises nothing', async () => {
  const { freshReleaseFinding } = await import('../../server/src/zeroTrust/freshRelease');
  const now = Date.parse('2026-08-03T12:00:00Z');
  const release = { project: 'demo', version: '1.0', firstUpload: '2026-08-01T10:00:00Z' };
  const fresh = freshReleaseFinding(release, 7, now, range);
  assert.equal(fresh?.code, 'fresh-release');
  assert.match(fresh!.message, /2 days ago.*--uploaded-prior-to.*exclude-newer/);
  assert.equal(freshReleaseFinding(release, 0, now, range), undefined);
  assert.equal(freshReleaseFinding(release, 7, Date.parse('2026-09-01T00:00:00Z'), range), undefined);
});

test('counting and forgetting take the journal and the entry files of earlier versions', async () => {
  const dir = tempDir();
  const memory = createFileSetMemory({ cacheDirectory: dir, key });
  await memory.observe(INDEX, 'demo', '1.0', [wheel]);
  await memory.observe(INDEX, 'demo', '2.0', [sdist]);
  const sub = path.join(dir, FILE_SET_SUBDIRECTORY);
  // An earlier version's entry file (counted by its name, as that version counted).
  writeFileSync(path.join(sub, `${'f'.repeat(64)}.json`), '{}');
  assert.equal(await memory.count(), 3);
  assert.equal(await createFileSetMemory({ cacheDirectory: dir, key }).count(), 3, 'another process counts the same');
  assert.equal(await memory.forget(), 3);
  assert.equal(existsSync(sub), false);
  assert.equal((await memory.observe(INDEX, 'demo', '1.0', [sdist])).firstUse, true);
  assert.equal(await memory.count(), 1);
});

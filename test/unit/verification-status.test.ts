/**
 * A dependency's verification status and findings from its resolution and its files' outcomes:
 * which files are verified (all of an `==` release, only the hashed ones, a lock's files), and
 * `attestation-invalid` / `partial-provenance` / `no-provenance` / `index-error` with the
 * statuses the report builder derives (CONTRACT §5 precedence), including 403 and pending.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../server/src/core/finding';
import type { Dependency } from '../../server/src/core/model';
import { buildDocumentReport } from '../../server/src/pipeline/report';
import { chooseIndex } from '../../server/src/index/whichIndex';
import type { Resolution, ResolvedFile } from '../../server/src/index/resolve';
import { filesToVerify, verifyDependencyStatus, type FileState } from '../../server/src/verification/dependencyVerification';
import type { FileOutcome } from '../../server/src/verification/fileChecks';
import { unattested } from '../../server/src/verify/index';
import { parseDocument } from '../../server/src/parsers/index';

const verifiedOutcome: FileOutcome = {
  status: 'verified',
  message: null,
  verification: {
    status: 'verified',
    message: null,
    publisher: { kind: 'GitHub', repository: 'o/r', workflow: 'release.yml', environment: null },
    attestations: [],
    provenance: { publisherKind: 'GitHub', issuer: 'https://token.actions.githubusercontent.com', identity: 'x', repository: 'o/r', logIndex: 7, integratedTime: 1, predicateTypes: ['https://docs.pypi.org/attestations/publish/v1'], attestationCount: 1 },
  },
};
const invalidOutcome: FileOutcome = { status: 'invalid', message: 'DSSE signature check failed: bad', verification: { status: 'invalid', check: 'dsse-signature', message: 'DSSE signature check failed: bad', publisher: { kind: 'GitHub', repository: 'o/r' }, attestations: [] } };
const noneOutcome: FileOutcome = { status: 'unattested', message: null, verification: unattested() };
const forbiddenOutcome: FileOutcome = { status: 'unattested', message: 'the index answered HTTP 403 …', provenanceDisabled: true, verification: unattested() };
const errorOutcome: FileOutcome = { status: 'error', message: 'its provenance could not be fetched: timed out (will retry)', retryAt: 5000 };

function file(filename: string, extra: Partial<ResolvedFile> = {}): ResolvedFile {
  return { filename, url: `https://files.test/${filename}`, hashes: { sha256: filename.length.toString(16).padStart(64, '0') }, sha256: filename.length.toString(16).padStart(64, '0'), yanked: false, pinned: false, provenanceUrl: `https://index.test/${filename}/provenance`, uploadTime: '2024-01-01T00:00:00Z', ...extra };
}

function resolution(status: Resolution['status'], files: ResolvedFile[], findings: Finding[] = []): Resolution {
  return { status, name: 'pkg', version: '1.0', index: chooseIndex({ workspaceTrusted: false }), files, yanked: false, pages: [], findings, retryable: false, notes: [] };
}

const parsed = parseDocument('requirements', 'pkg==1.0\n');
const dependency: Dependency = parsed.dependencies[0];
const sdist = file('pkg-1.0.tar.gz');
const wheel = file('pkg-1.0-py3-none-any.whl');

function statusOf(states: FileState[], res: Resolution | undefined = resolution('resolved', states.map((s) => s.file)), extraFindings: Finding[] = []) {
  const outcome = verifyDependencyStatus(dependency, 0, res, states);
  const report = buildDocumentReport('file:///r.txt', parsed, [...extraFindings, ...outcome.findings], () => outcome.result).dependencies[0];
  return { ...outcome, report, codes: outcome.findings.map((f) => f.code) };
}

test('every file verified: verified, no finding', () => {
  const result = statusOf([{ file: sdist, outcome: verifiedOutcome }, { file: wheel, outcome: verifiedOutcome }]);
  assert.deepEqual(result.codes, []);
  assert.equal(result.report.status, 'verified');
  assert.equal(result.report.publisher?.repository, 'o/r');
  assert.deepEqual(result.report.files.map((f) => [f.filename, f.status, f.logIndex]), [['pkg-1.0.tar.gz', 'verified', 7], ['pkg-1.0-py3-none-any.whl', 'verified', 7]]);
});

test('some files attested, some not: partial-provenance naming the files without', () => {
  const result = statusOf([{ file: sdist, outcome: verifiedOutcome }, { file: wheel, outcome: noneOutcome }]);
  assert.deepEqual(result.codes, ['partial-provenance']);
  assert.match(result.findings[0].message, /^Partly attested: 1 of 2 files has no attestations: pkg-1\.0-py3-none-any\.whl$/);
  assert.equal(result.report.status, 'partial');
  assert.deepEqual(result.findings[0].range, dependency.ranges.requirement);
});

test('no file attested: no-provenance, unattested', () => {
  const result = statusOf([{ file: sdist, outcome: noneOutcome }, { file: wheel, outcome: noneOutcome }]);
  assert.deepEqual(result.codes, ['no-provenance']);
  assert.equal(result.report.status, 'unattested');
});

test('a 403 is said so, and is not a failure', () => {
  const result = statusOf([{ file: sdist, outcome: forbiddenOutcome }, { file: wheel, outcome: forbiddenOutcome }]);
  assert.deepEqual(result.codes, ['no-provenance']);
  assert.match(result.findings[0].message, /turned provenance off .*403/);
  assert.equal(result.provenanceDisabled, true);
  assert.equal(result.report.status, 'unattested');
  assert.match(result.report.files[0].message ?? '', /403/);
});

test('an invalid attestation wins over everything and is never shown as verified', () => {
  const result = statusOf([{ file: sdist, outcome: verifiedOutcome }, { file: wheel, outcome: invalidOutcome }]);
  assert.deepEqual(result.codes, ['attestation-invalid']);
  assert.match(result.findings[0].message, /^Attestation invalid: DSSE signature check failed: bad \(pkg-1\.0-py3-none-any\.whl\)$/);
  assert.equal(result.report.status, 'invalid');
  const bad = result.report.files.find((f) => f.filename === wheel.filename)!;
  assert.equal(bad.status, 'invalid');
  assert.equal(bad.provenance, undefined);
  assert.equal(bad.logIndex, undefined);
});

test('invalid and unattested files together: both codes, status invalid', () => {
  const result = statusOf([{ file: sdist, outcome: invalidOutcome }, { file: wheel, outcome: noneOutcome }]);
  assert.deepEqual(result.codes.sort(), ['attestation-invalid', 'partial-provenance']);
  assert.equal(result.report.status, 'invalid');
});

test('a provenance that could not be fetched: index-error, status error, a retry time; no partial/no-provenance guess', () => {
  const result = statusOf([{ file: sdist, outcome: verifiedOutcome }, { file: wheel, outcome: errorOutcome }]);
  assert.deepEqual(result.codes, ['index-error']);
  assert.equal(result.retryAt, 5000);
  assert.equal(result.report.status, 'error');
});

test('files still being checked: pending, and no verdict yet; an invalid one is reported at once', () => {
  const waiting = statusOf([{ file: sdist, outcome: verifiedOutcome }, { file: wheel }]);
  assert.deepEqual(waiting.codes, []);
  assert.equal(waiting.settled, false);
  assert.equal(waiting.report.status, 'pending');
  const early = statusOf([{ file: sdist, outcome: invalidOutcome }, { file: wheel }]);
  assert.deepEqual(early.codes, ['attestation-invalid']);
  assert.equal(early.report.status, 'invalid');
});

test('resolution pending, not found, or failed: the status says so without file findings', () => {
  assert.equal(statusOf([], undefined).report.status, 'pending');
  const notFound = statusOf([], resolution('not-found', []), [{ code: 'version-not-found', message: 'x', range: dependency.ranges.requirement, dependency: 0 }]);
  assert.equal(notFound.report.status, 'not-found');
  assert.deepEqual(notFound.codes, []);
  assert.equal(statusOf([], resolution('error', [])).report.status, 'error');
});

test('hash-not-on-index makes the dependency invalid even when its files verify', () => {
  const result = statusOf([{ file: sdist, outcome: verifiedOutcome }], undefined, [{ code: 'hash-not-on-index', message: 'x', range: dependency.ranges.requirement, dependency: 0 }]);
  assert.equal(result.report.status, 'invalid');
});

test('filesToVerify: all files of the release, only the hashed ones, a lock\'s files, none for a hash matching nothing', () => {
  const all = resolution('resolved', [sdist, wheel]);
  assert.deepEqual(filesToVerify(dependency, all).map((f) => f.filename), [sdist.filename, wheel.filename]);

  const hashed = parseDocument('requirements', `pkg==1.0 --hash=sha256:${sdist.sha256}\n`).dependencies[0];
  assert.deepEqual(filesToVerify(hashed, resolution('resolved', [{ ...sdist, pinned: true }, wheel])).map((f) => f.filename), [sdist.filename]);
  const noMatch = resolution('resolved', [sdist, wheel], [{ code: 'hash-not-on-index', message: 'x', range: hashed.ranges.requirement }]);
  assert.deepEqual(filesToVerify(hashed, noMatch), []);
  // The index lists no comparable hash: what it serves is verified.
  assert.equal(filesToVerify(hashed, resolution('resolved', [sdist, wheel])).length, 2);

  const lock = parseDocument('pylock', `lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "pkg"\nversion = "1.0"\nsdist = { name = "pkg-1.0.tar.gz", url = "https://files.test/pkg-1.0.tar.gz", hashes = { sha256 = "${sdist.sha256}" } }\n`).dependencies[0];
  assert.deepEqual(filesToVerify(lock, resolution('resolved', [{ ...sdist, pinned: true }])).map((f) => f.filename), [sdist.filename]);
  assert.deepEqual(filesToVerify(dependency, resolution('not-found', [])), []);
});

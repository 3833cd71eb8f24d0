/**
 * checkZeroTrust (zeroTrust/dependencyChecks.ts) — the composition the zero-trust stage runs per
 * dependency — and the hover lines made from its outcome: the trust store only for the formats
 * that cannot record identities, first use silent and then named in the hover, a failing
 * verifier of earlier releases or a failing store never throwing, late files listed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dependency } from '../../server/src/core/model';
import type { Publisher } from '../../server/src/core/result';
import type { Resolution } from '../../server/src/index/resolve';
import type { IndexFile, ProjectPage } from '../../server/src/index/simpleApi';
import { parseDocument } from '../../server/src/parsers/index';
import { checkZeroTrust, type ZeroTrustInput } from '../../server/src/zeroTrust/dependencyChecks';
import { zeroTrustHoverLines } from '../../server/src/zeroTrust/hoverLines';
import { createTrustStore, type TrustStore } from '../../server/src/zeroTrust/trustStore';
import { testCacheKey } from '../support/cacheKey';

const GOOD: Publisher = { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: null };
const EVIL: Publisher = { kind: 'GitHub', repository: 'evil/sampleproject', workflow: 'release.yml', environment: null };
const INDEX = 'https://user:secret@pypi.example/simple/';
const DAY = 86_400_000;

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function store(): TrustStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'zero-trust-wiring-'));
  made.push(dir);
  return createTrustStore({ cacheDirectory: dir, key: testCacheKey() });
}

function file(version: string, suffix: string, day: number, attested: boolean): IndexFile {
  const filename = `sampleproject-${version}${suffix}`;
  return {
    filename,
    url: `https://files.example/${filename}`,
    hashes: { sha256: 'a'.repeat(64) },
    sha256: 'a'.repeat(64),
    uploadTime: new Date(Date.UTC(2024, 0, 1) + day * DAY).toISOString(),
    yanked: false,
    ...(attested ? { provenanceUrl: `https://pypi.example/integrity/${filename}` } : {}),
  };
}

/** 1.0.0 and 1.1.0, two files each; `wheelDay` is when 1.1.0's wheel was uploaded. */
function resolution(wheelDay = 30): Resolution {
  const files = [file('1.0.0', '.tar.gz', 0, true), file('1.0.0', '-py3-none-any.whl', 0, true), file('1.1.0', '.tar.gz', 30, true), file('1.1.0', '-py3-none-any.whl', wheelDay, true)];
  const page: ProjectPage = { name: 'sampleproject', apiVersion: '1.3', url: 'https://pypi.example/simple/sampleproject/', files, warnings: [] };
  return {
    status: 'resolved',
    name: 'sampleproject',
    version: '1.1.0',
    index: { indexUrl: INDEX, extraIndexUrls: [], source: 'setting', displayUrl: 'https://pypi.example/simple/', ignored: [] },
    files: files.slice(2).map((f) => ({ ...f, pinned: false })),
    yanked: false,
    pages: [page],
    findings: [],
    retryable: false,
    notes: [],
  };
}

function requirement(): Dependency {
  return parseDocument('requirements', 'sampleproject==1.1.0\n').dependencies[0];
}

function input(over: Partial<ZeroTrustInput> & { publisher?: Publisher; previous?: Publisher }): ZeroTrustInput {
  const publisher = over.publisher ?? GOOD;
  const previous = over.previous ?? GOOD;
  return {
    dependency: requirement(),
    dependencyIndex: 0,
    format: 'requirements',
    resolution: resolution(),
    pinnedFiles: ['sampleproject-1.1.0.tar.gz', 'sampleproject-1.1.0-py3-none-any.whl'].map((filename) => ({ filename, status: 'verified' as const, publisher })),
    lateUploadDays: 14,
    verifyRelease: async (_version, files) => files.map((f) => ({ filename: f.filename, status: 'verified' as const, publisher: previous })),
    ...over,
  };
}

test('requirements: first use is silent and recorded (the index without credentials); the same publisher later says so in the hover', async () => {
  const trust = store();
  const first = await checkZeroTrust(input({ store: trust }));
  assert.deepEqual(first.findings, []);
  assert.deepEqual(first.trust?.observed.map((o) => o.result), ['first-use']);
  assert.equal(first.trust?.index, 'https://pypi.example/simple/');
  assert.deepEqual(zeroTrustHoverLines({ settled: true, outcome: first }).notes, [
    'First use on this machine: this publisher of sampleproject is remembered; another one later is flagged.',
  ]);
  const again = await checkZeroTrust(input({ store: trust }));
  assert.deepEqual(again.findings, []);
  assert.deepEqual(zeroTrustHoverLines({ settled: true, outcome: again }).notes, ['The same publisher as trusted on this machine since 1.1.0.']);

  const evil = await checkZeroTrust(input({ store: trust, publisher: EVIL }));
  assert.deepEqual(evil.findings.map((f) => [f.code, f.dependency]), [['publisher-changed', 0], ['identity-mismatch', 0]]);
  assert.deepEqual(evil.trust?.mismatches.map((m) => [m.publisher.repository, m.trusted.publisher.repository]), [['evil/sampleproject', 'pypa/sampleproject']]);
  assert.equal((await trust.get(INDEX, 'sampleproject'))?.publisher.repository, 'pypa/sampleproject', 'a mismatch replaces nothing');
  for (const finding of evil.findings) assert.doesNotMatch(finding.message, /secret/);
});

test('pylock: no trust store, the recorded identities instead', async () => {
  const trust = store();
  const lock = parseDocument(
    'pylock',
    'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "sampleproject"\nversion = "1.1.0"\n[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "evil/sampleproject"\nworkflow = "release.yml"\n',
  ).dependencies[0];
  const outcome = await checkZeroTrust(input({ store: trust, format: 'pylock', dependency: lock }));
  assert.deepEqual(outcome.findings.map((f) => f.code), ['identity-mismatch']);
  assert.equal(outcome.trust, undefined);
  assert.equal(await trust.get(INDEX, 'sampleproject'), undefined, 'nothing recorded for a lock');
  assert.deepEqual(outcome.publishers, [GOOD]);
});

test('a verifier of earlier releases that throws, and a store that fails, leave notes and never throw', async () => {
  const failing: TrustStore = {
    observe: async () => {
      throw new Error('disk on fire');
    },
    trust: async () => undefined,
    get: async () => undefined,
    count: async () => 0,
    forget: async () => 0,
  };
  const outcome = await checkZeroTrust(
    input({
      store: failing,
      verifyRelease: async () => {
        throw new Error('no network');
      },
    }),
  );
  assert.deepEqual(outcome.findings, []);
  assert.ok(outcome.notes.some((note) => note.includes('no network')), outcome.notes.join('\n'));
  assert.ok(outcome.notes.some((note) => note.includes('disk on fire')), outcome.notes.join('\n'));
});

test('late files are found from the page alone and listed one per line in the hover', async () => {
  const outcome = await checkZeroTrust(input({ store: store(), resolution: resolution(90) }));
  assert.deepEqual(outcome.findings.map((f) => [f.code, f.message]), [['late-upload', 'Uploaded late: 1 file 60 days after the release: sampleproject-1.1.0-py3-none-any.whl']]);
  assert.deepEqual(zeroTrustHoverLines({ settled: true, outcome }).lateFiles, ['sampleproject-1.1.0-py3-none-any.whl: 60 days after the release (2024-03-31)']);
  assert.deepEqual(zeroTrustHoverLines({ settled: false }).notes, ['Publisher history is being checked.']);
  assert.deepEqual(zeroTrustHoverLines(undefined), { lateFiles: [], notes: [] });
});

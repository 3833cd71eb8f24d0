/**
 * History checks against earlier releases: publisher changed, inconsistent files, provenance
 * lost (against the previous release, or against the release trusted on first use), where the
 * publisher stopped being the trusted one; the previous release per CONTRACT §4 in PEP 440
 * order; earlier releases verified only as far as needed; nothing on a clean release.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Range } from '../../server/src/core/model';
import type { Publisher, Status } from '../../server/src/core/result';
import type { IndexFile, ProjectPage } from '../../server/src/index/simpleApi';
import { checkHistory, releasesToExamine, type HistoryInput, type ReleaseFileResult } from '../../server/src/zeroTrust/history';
import { earlierReleases, projectReleases, releaseFiles } from '../../server/src/zeroTrust/releases';

const A: Publisher = { kind: 'GitHub', repository: 'a/b', workflow: 'release.yml', environment: null };
const B: Publisher = { kind: 'GitHub', repository: 'c/d', workflow: 'release.yml', environment: null };
const RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 18 } };

interface FileSpec {
  version: string;
  tag?: string;
  /** Who attested it; null: a provenance URL whose object is missing; undefined: no provenance URL. */
  by?: Publisher | null;
  status?: Status;
  yanked?: boolean;
  day?: number;
}

function filename(spec: FileSpec): string {
  return spec.tag === 'sdist' || spec.tag === undefined ? `sampleproject-${spec.version}.tar.gz` : `sampleproject-${spec.version}-${spec.tag}.whl`;
}

function indexFile(spec: FileSpec): IndexFile {
  const name = filename(spec);
  return {
    filename: name,
    url: `https://files.example/${name}`,
    hashes: {},
    uploadTime: new Date(Date.UTC(2024, 0, 1) + (spec.day ?? 0) * 86_400_000).toISOString(),
    yanked: spec.yanked ?? false,
    ...(spec.by !== undefined ? { provenanceUrl: `https://pypi.example/integrity/${name}/provenance` } : {}),
  };
}

function result(spec: FileSpec): ReleaseFileResult {
  const status: Status = spec.status ?? (spec.by ? 'verified' : 'unattested');
  return { filename: filename(spec), status, publisher: spec.by ?? null };
}

/** A project, a fake verifier that answers from the specs and records what it was asked. */
function project(specs: FileSpec[]) {
  const page: ProjectPage = { name: 'sampleproject', apiVersion: '1.3', url: 'https://pypi.example/simple/sampleproject/', files: specs.map(indexFile), warnings: [] };
  const byName = new Map(specs.map((spec) => [filename(spec), spec]));
  const asked: string[][] = [];
  const verifyRelease = async (_version: string, files: readonly IndexFile[]) => {
    asked.push(files.map((file) => file.filename));
    return files.map((file) => result(byName.get(file.filename)!));
  };
  const run = (pinnedVersion: string, extra: Partial<HistoryInput> = {}) =>
    checkHistory({
      project: 'sampleproject',
      pinnedVersion,
      pinnedFiles: specs.filter((spec) => spec.version === pinnedVersion).map(result),
      pages: [page],
      verifyRelease,
      range: RANGE,
      ...extra,
    });
  return { page, asked, run };
}

const release = (version: string, by: Publisher | null | undefined, day: number, tags = ['sdist', 'py3-none-any']): FileSpec[] => tags.map((tag, i) => ({ version, tag, by, day: day + i / 24 }));

test('clean: same publisher as the previous release, all attested — nothing, and one earlier file verified', async () => {
  const p = project([...release('1.1.0', A, 0), ...release('1.2.0', A, 30), ...release('1.3.0', A, 60)]);
  const history = await p.run('1.3.0');
  assert.deepEqual(history.findings, []);
  assert.equal(history.previous?.version, '1.2.0');
  assert.deepEqual(p.asked, [['sampleproject-1.2.0.tar.gz']], 'only the first uploaded file of the previous release');
  assert.equal(history.changed, undefined);
  assert.equal(history.lost, undefined);
  assert.deepEqual(history.notes, []);
  const withTrust = await p.run('1.3.0', { trusted: { version: '1.1.0', publisher: A } });
  assert.deepEqual(withTrust.findings, []);
  assert.equal(withTrust.trustedChange, undefined);
  assert.equal(p.asked.length, 2, 'a trusted publisher that still publishes costs nothing more');
});

test('publisher changed from the previous release', async () => {
  const p = project([...release('1.2.0', A, 30), ...release('1.3.0', B, 60)]);
  const history = await p.run('1.3.0');
  assert.deepEqual(history.findings.map((f) => [f.code, f.message]), [['publisher-changed', 'Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)']]);
  assert.deepEqual(history.findings[0].range, RANGE);
  assert.equal(p.asked.flat().length, 2, 'every file of the previous release before saying it changed');
});

test('only the workflow changed: the message names the workflows', async () => {
  const p = project([...release('1.2.0', A, 30), ...release('1.3.0', { ...A, workflow: 'deploy.yml' }, 60)]);
  const history = await p.run('1.3.0');
  assert.equal(history.findings[0].message, 'Publisher changed from github.com/a/b (release.yml) in 1.2.0 to github.com/a/b (deploy.yml) in 1.3.0');
});

test('a previous release with two publishers, one of them the pinned one: not a change', async () => {
  const p = project([{ version: '1.2.0', tag: 'sdist', by: B, day: 0 }, { version: '1.2.0', tag: 'py3-none-any', by: A, day: 1 }, ...release('1.3.0', A, 60)]);
  const history = await p.run('1.3.0');
  assert.deepEqual(history.findings, []);
});

test('inconsistent: files of the pinned release with different publishers (and one new since the previous)', async () => {
  const p = project([...release('1.2.0', A, 30), { version: '1.3.0', tag: 'sdist', by: A, day: 60 }, { version: '1.3.0', tag: 'py3-none-any', by: B, day: 60 }, { version: '1.3.0', tag: 'cp312-cp312-win_amd64', by: B, day: 60 }]);
  const history = await p.run('1.3.0');
  assert.deepEqual(
    history.findings.map((f) => [f.code, f.message]),
    [
      ['publisher-changed', 'Publisher changed within 1.3.0: its files have different publishers: github.com/a/b (sampleproject-1.3.0.tar.gz), github.com/c/d (2 files)'],
      ['publisher-changed', 'Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)'],
    ],
  );
  assert.equal(history.inconsistent?.length, 2);
});

test('provenance lost: the previous release was attested, the pinned one has none', async () => {
  const p = project([...release('1.2.0', A, 30), ...release('1.3.0', undefined, 60)]);
  const history = await p.run('1.3.0');
  assert.deepEqual(history.findings.map((f) => [f.code, f.message]), [['provenance-lost', 'Provenance lost: 1.2.0 was attested by github.com/a/b (release.yml), 1.3.0 has no attestations']]);
  assert.deepEqual(p.asked, [['sampleproject-1.2.0.tar.gz']]);
});

test('not lost: a partly attested pinned release, or both releases without provenance (no index requests then)', async () => {
  const partial = project([...release('1.2.0', A, 30), { version: '1.3.0', tag: 'sdist', by: A, day: 60 }, { version: '1.3.0', tag: 'py3-none-any', day: 60 }]);
  assert.deepEqual((await partial.run('1.3.0')).findings, []);
  const never = project([...release('1.2.0', undefined, 30), ...release('1.3.0', undefined, 60)]);
  const history = await never.run('1.3.0');
  assert.deepEqual(history.findings, []);
  assert.deepEqual(never.asked, [], 'files without a provenance URL are unattested without asking');
  assert.equal(history.previous?.complete, true);
});

test('the previous release: nearest lower PEP 440 version with a file not yanked', async () => {
  const specs = [
    ...release('1.9.0', B, 0),
    ...release('1.10.0rc1', A, 10),
    { version: '1.10.0', tag: 'sdist', by: B, day: 20, yanked: true },
    ...release('1.10.1', B, 30).map((spec) => ({ ...spec, yanked: true })),
    ...release('1.11', A, 40),
  ];
  const p = project(specs);
  const history = await p.run('1.11.0', { pinnedFiles: release('1.11', A, 40).map(result) });
  assert.equal(history.previous?.version, '1.10.0rc1', '1.10.1 and 1.10.0 have only yanked files; 1.11 is 1.11.0 itself');
  assert.deepEqual(history.findings, []);
  const releases = projectReleases([p.page], 'SampleProject');
  assert.deepEqual(releases.map((r) => r.version), ['1.11', '1.10.1', '1.10.0', '1.10.0rc1', '1.9.0']);
  assert.deepEqual(earlierReleases(releases, '1.10.1').map((r) => r.version), ['1.10.0rc1', '1.9.0']);
  assert.equal(releaseFiles([p.page], 'sampleproject', '1.11.0').length, 2);
  assert.deepEqual(earlierReleases(releases, 'not a version'), []);
});

test('the first release has no history', async () => {
  const p = project(release('1.0.0', A, 0));
  assert.deepEqual((await p.run('1.0.0')).findings, []);
  assert.deepEqual(p.asked, []);
});

test('lost since the trusted release: the nearest attested release in between is named', async () => {
  const p = project([...release('1.0.0', A, 0), ...release('1.1.0', A, 10), ...release('1.2.0', undefined, 20), ...release('1.3.0', undefined, 30)]);
  const history = await p.run('1.3.0', { trusted: { version: '1.0.0', publisher: A } });
  assert.deepEqual(history.findings.map((f) => [f.code, f.message]), [['provenance-lost', 'Provenance lost: 1.1.0 was attested by github.com/a/b (release.yml), 1.3.0 has no attestations (nor has 1.2.0)']]);
});

test('lost since the trusted release, nothing attested in between: the trusted one is named', async () => {
  const p = project([...release('1.0.0', A, 0), ...release('1.1.0', undefined, 10), ...release('1.2.0', undefined, 20), ...release('1.3.0', undefined, 30)]);
  const history = await p.run('1.3.0', { trusted: { version: '1.0.0', publisher: A } });
  assert.equal(history.findings.length, 1);
  assert.equal(history.findings[0].message, 'Provenance lost: 1.0.0 was attested by github.com/a/b (release.yml) when it was first trusted, 1.3.0 has no attestations (nor have 1.2.0 and 1.1.0)');
  assert.deepEqual(p.asked, [], 'no file of the unattested releases has a provenance URL');
});

test('a trusted release newer than the pinned one (a downgrade) is not a loss', async () => {
  const p = project([...release('0.9.0', undefined, 0), ...release('1.0.0', undefined, 10), ...release('2.0.0', A, 20)]);
  assert.deepEqual((await p.run('1.0.0', { trusted: { version: '2.0.0', publisher: A } })).findings, []);
});

test('where the publisher stopped being the trusted one', async () => {
  const p = project([...release('1.0.0', A, 0), ...release('1.1.0', A, 10), ...release('1.2.0', B, 20), ...release('1.3.0', B, 30)]);
  const history = await p.run('1.3.0', { trusted: { version: '1.0.0', publisher: A } });
  assert.deepEqual(history.findings, [], 'the same publisher as the previous release; the trust store reports the mismatch');
  assert.deepEqual(history.trustedChange, { changedIn: '1.2.0', lastTrusted: '1.1.0' });
  const fresh = project([...release('1.0.0', A, 0), ...release('1.3.0', B, 30)]);
  const direct = await fresh.run('1.3.0', { trusted: { version: '1.0.0', publisher: A } });
  assert.deepEqual(direct.trustedChange, { changedIn: '1.3.0', lastTrusted: '1.0.0' });
  assert.equal(direct.findings[0].code, 'publisher-changed');
});

test('a verifier that fails or answers badly leaves notes, never findings or exceptions', async () => {
  const p = project([...release('1.2.0', B, 30), ...release('1.3.0', A, 60)]);
  const throwing = await p.run('1.3.0', { verifyRelease: async () => { throw new Error('index down https://user:pw@x/'); } });
  assert.deepEqual(throwing.findings, []);
  assert.equal(throwing.notes.length, 1);
  assert.match(throwing.notes[0], /could not verify 1\.2\.0: index down/);
  const garbage = await p.run('1.3.0', { verifyRelease: async () => 'nope' as unknown as ReleaseFileResult[] });
  assert.deepEqual(garbage.findings, []);
  const errors = await p.run('1.3.0', { verifyRelease: async (_v, files) => files.map((file) => ({ filename: file.filename, status: 'error' as const, publisher: null })) });
  assert.deepEqual(errors.findings, []);
  const lost = project([...release('1.2.0', A, 30), ...release('1.3.0', undefined, 60)]);
  const unknownPrevious = await lost.run('1.3.0', { verifyRelease: async (_v, files) => files.map((file) => ({ filename: file.filename, status: 'error' as const, publisher: null })) });
  assert.deepEqual(unknownPrevious.findings, [], 'a previous release that could not be verified proves nothing');
});

test('a pinned release still pending or invalid is not compared', async () => {
  const p = project([...release('1.2.0', A, 30), ...release('1.3.0', undefined, 60)]);
  const pending = await p.run('1.3.0', { pinnedFiles: [{ filename: 'sampleproject-1.3.0.tar.gz', status: 'pending', publisher: null }, { filename: 'sampleproject-1.3.0-py3-none-any.whl', status: 'unattested', publisher: null }] });
  assert.deepEqual(pending.findings, []);
  const invalid = await p.run('1.3.0', { pinnedFiles: [{ filename: 'sampleproject-1.3.0.tar.gz', status: 'invalid', publisher: B }] });
  assert.deepEqual(invalid.findings, []);
  assert.deepEqual(p.asked, []);
});

test('hostile page contents never throw', async () => {
  const files = [
    { filename: '../../etc/passwd', url: 'https://x/', hashes: {}, yanked: false },
    { filename: 'sampleproject-\u202e1.2.0.tar.gz', url: 'https://x/', hashes: {}, yanked: false, provenanceUrl: 'https://x/p' },
    { filename: 'sampleproject-1.2.0.tar.gz', url: 'https://x/', hashes: {}, yanked: false, uploadTime: 'garbage', provenanceUrl: 'https://x/p' },
  ] as IndexFile[];
  const page: ProjectPage = { name: 'sampleproject', apiVersion: '1.0', url: 'https://x/', files, warnings: [] };
  const history = await checkHistory({
    project: 'sampleproject',
    pinnedVersion: '1.3.0',
    pinnedFiles: [{ filename: 'sampleproject-1.3.0.tar.gz', status: 'verified', publisher: A }],
    pages: [page],
    verifyRelease: async (_v, fs) => fs.map((f) => ({ filename: f.filename, status: 'verified' as const, publisher: { kind: 'GitHub', repository: 'x\ny', workflow: 'w' } })),
    range: RANGE,
  });
  assert.equal(history.findings.length, 1);
  assert.doesNotMatch(history.findings[0].message, /\n/);
});

test('which earlier releases may be examined: the previous one, and those between the trusted one and it', () => {
  const p = project([...release('1.0.0', A, 0), ...release('1.1.0', A, 10), ...release('1.2.0', A, 20), ...release('1.2.1', A, 25).map((s) => ({ ...s, yanked: true })), ...release('1.3.0', A, 30), ...release('1.4.0', A, 40)]);
  const none = releasesToExamine([p.page], 'sampleproject', '1.4.0');
  assert.equal(none.previous?.version, '1.3.0');
  assert.deepEqual(none.between, []);
  assert.equal(none.trusted, undefined);
  const trusted = { version: '1.0.0', publisher: A };
  const all = releasesToExamine([p.page], 'sampleproject', '1.4.0', trusted);
  assert.deepEqual(all.between.map((r) => r.version), ['1.2.0', '1.1.0'], 'yanked 1.2.1 and the trusted 1.0.0 itself are left out');
  assert.equal(all.capped, false);
  const capped = releasesToExamine([p.page], 'sampleproject', '1.4.0', trusted, 1);
  assert.deepEqual(capped.between.map((r) => r.version), ['1.2.0']);
  assert.equal(capped.capped, true);
  assert.equal(releasesToExamine([p.page], 'sampleproject', '1.0.0', { version: '1.3.0', publisher: A }).trusted, undefined, 'a newer trusted release plays no part');
});

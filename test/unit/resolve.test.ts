import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { emptyOptions, type Dependency, type HashPin, type LockedFile, type Range } from '../../server/src/core/model';
import { createIndexClient, type IndexClient } from '../../server/src/index/indexClient';
import { resolveDependency, type ResolveContext } from '../../server/src/index/resolve';
import { parsePylock } from '../../server/src/parsers/pylock';
import { readHashValue } from '../../server/src/parsers/requirements/hashes';
import { makeProject, startIndexServer, type IndexServer, type TestFile } from '../support/indexServer';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');

let index: IndexServer;
let client: IndexClient;
const extraClients: IndexClient[] = [];

/** A client of its own (no shared in-memory cache), closed after the test. */
function freshClient(options: Parameters<typeof createIndexClient>[0] = {}): IndexClient {
  const created = createIndexClient(options);
  extraClients.push(created);
  return created;
}

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await index.close();
});
beforeEach(() => {
  index.setMode('sampleproject', undefined);
  index.setProject(
    makeProject('sampleproject', {
      releases: [
        '2.0.0',
        { version: '3.0.0', yanked: 'broken metadata' },
        { version: '4.0.0', provenance: { version: 1, attestation_bundles: [] } },
      ],
    }),
  );
  index.resetCounts();
  client = createIndexClient({ http: { sleep: async () => undefined, retry: { maxRetries: 0 }, timeouts: { totalMs: 5_000 } } });
});
afterEach(async () => {
  await Promise.all([client, ...extraClients.splice(0)].map((c) => c.close()));
});

function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

function dependency(name: string, version: string | undefined, extra: Partial<Dependency> = {}): Dependency {
  const spec = version === undefined ? '' : `==${version}`;
  return {
    name: name.toLowerCase(),
    rawName: name,
    extras: [],
    specifier: spec,
    pinnedVersion: version,
    hashes: [],
    ranges: { requirement: range(0, 0, name.length + spec.length), name: range(0, 0, name.length) },
    section: 'requirements',
    ...extra,
  };
}

function pin(hex: string, line = 1, algorithm = 'sha256'): HashPin {
  return { algorithm, hex, range: range(line, 11, 11 + algorithm.length + 1 + hex.length) };
}

function context(extra: Partial<ResolveContext> = {}): ResolveContext {
  return { client, settings: { indexUrl: index.url, workspaceTrusted: false }, dependencyIndex: 3, ...extra };
}

function fileOf(filename: string): TestFile {
  const project = makeProject('sampleproject', { releases: ['2.0.0', '3.0.0', '4.0.0'] });
  const file = project.files.find((f) => f.filename === filename);
  assert.ok(file, filename);
  return file;
}

test('an exact pin resolves to the files of that version with hash, size, upload time, yanked state and provenance URL', async () => {
  const result = await resolveDependency(dependency('SampleProject', '4.0'), context());
  assert.equal(result.status, 'resolved');
  assert.deepEqual(result.findings, []);
  assert.equal(result.version, '4.0');
  assert.deepEqual(result.files.map((f) => f.filename).sort(), ['sampleproject-4.0.0-py3-none-any.whl', 'sampleproject-4.0.0.tar.gz']);
  const sdist = result.files.find((f) => f.filename.endsWith('.tar.gz'));
  assert.equal(sdist?.sha256, fileOf('sampleproject-4.0.0.tar.gz').sha256);
  assert.equal(sdist?.size, fileOf('sampleproject-4.0.0.tar.gz').size);
  assert.equal(sdist?.uploadTime, '2024-01-03T12:00:00.000000Z');
  assert.equal(sdist?.yanked, false);
  assert.equal(sdist?.provenanceUrl, `${index.origin}/integrity/sampleproject/4.0.0/sampleproject-4.0.0.tar.gz/provenance`);
  assert.equal(sdist?.dist?.kind, 'sdist');
  assert.equal(result.index.source, 'setting');
  assert.equal(result.retryable, false);
  // The previous release skips the fully yanked 3.0.0.
  assert.equal(result.previousRelease?.version, '2.0.0');
  assert.equal(result.previousRelease?.files.length, 2);
});

test('a requirement that is not pinned to one version is skipped without a request', async () => {
  for (const dep of [dependency('sampleproject', undefined), dependency('sampleproject', '4.0.0', { url: 'https://x/y.whl' }), dependency('sampleproject', '4.0.0', { editable: true })]) {
    const result = await resolveDependency(dep, context());
    assert.equal(result.status, 'skipped');
    assert.deepEqual(result.findings, []);
  }
  assert.equal(index.totalRequests, 0);
});

test('project-not-found on the requirement range', async () => {
  const dep = dependency('nope', '1.0');
  const result = await resolveDependency(dep, context());
  assert.equal(result.status, 'not-found');
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0].code, 'project-not-found');
  assert.deepEqual(result.findings[0].range, dep.ranges.requirement);
  assert.equal(result.findings[0].dependency, 3);
  assert.match(result.findings[0].message, /has no project named nope/);
});

test('version-not-found says what the index has', async () => {
  const result = await resolveDependency(dependency('sampleproject', '9.9'), context());
  assert.equal(result.status, 'not-found');
  assert.deepEqual(
    result.findings.map((f) => [f.code, f.message]),
    [['version-not-found', 'Version not found: the index has no version 9.9 of sampleproject (the latest is 4.0.0)']],
  );

  // A version the index lists (PEP 700) but has no files for.
  const project = makeProject('sampleproject', { releases: ['4.0.0'] });
  project.versions = ['4.0.0', '5.0.0'];
  index.setProject(project);
  const empty = await resolveDependency(dependency('sampleproject', '5.0'), context({ client: freshClient() }));
  assert.deepEqual(
    empty.findings.map((f) => [f.code, f.message]),
    [['version-not-found', 'Version not found: the index has no files for sampleproject 5.0']],
  );
});

test('yanked: a yanked release carries the reason; a partly yanked one names the files', async () => {
  const yanked = await resolveDependency(dependency('sampleproject', '3.0.0'), context());
  assert.equal(yanked.status, 'resolved');
  assert.equal(yanked.yanked, true);
  assert.equal(yanked.yankedReason, 'broken metadata');
  assert.deepEqual(
    yanked.findings.map((f) => [f.code, f.message]),
    [['yanked', 'Yanked: the maintainers withdrew sampleproject 3.0.0 from the index; pip still installs it when pinned with == (PEP 592), but no longer picks it for a range. Their reason: "broken metadata"']],
  );

  const project = makeProject('partial', { releases: ['1.0'] });
  project.files[1].yanked = true;
  index.setProject(project);
  const partial = await resolveDependency(dependency('partial', '1.0'), context());
  assert.equal(partial.yanked, false);
  assert.deepEqual(
    partial.findings.map((f) => f.message),
    ['Yanked: the maintainers withdrew 1 of 2 files of partial 1.0 (partial-1.0-py3-none-any.whl); pip still installs it when pinned with == (PEP 592). They gave no reason'],
  );
});

test('hash-not-on-index: a pinned hash matching no file of the version, on the hash range', async () => {
  const good = fileOf('sampleproject-4.0.0.tar.gz').sha256;
  const otherVersion = fileOf('sampleproject-2.0.0.tar.gz').sha256;
  const bogus = 'f'.repeat(64);
  const dep = dependency('sampleproject', '4.0.0', { hashes: [pin(good, 1), pin(bogus, 2), pin(otherVersion, 3)] });
  const result = await resolveDependency(dep, context());
  assert.equal(result.status, 'resolved');
  assert.deepEqual(
    result.findings.map((f) => [f.code, f.range, f.message]),
    [
      ['hash-not-on-index', dep.hashes[1].range, 'Hash not on the index: no file of sampleproject 4.0.0 on the index has sha256:ffffffffffff…ffff'],
      [
        'hash-not-on-index',
        dep.hashes[2].range,
        `Hash not on the index: no file of sampleproject 4.0.0 on the index has sha256:${otherVersion.slice(0, 12)}…${otherVersion.slice(-4)} (that is the hash of sampleproject-2.0.0.tar.gz, version 2.0.0)`,
      ],
    ],
  );
  assert.deepEqual(
    result.files.filter((f) => f.pinned).map((f) => f.filename),
    ['sampleproject-4.0.0.tar.gz'],
  );
});

test('a pinned hash of an algorithm the index does not list cannot be checked: a note, no alarm', async () => {
  const result = await resolveDependency(dependency('sampleproject', '4.0.0', { hashes: [pin('0'.repeat(32), 1, 'md5')] }), context());
  assert.deepEqual(result.findings, []);
  assert.ok(result.notes.some((n) => /no md5 hashes/.test(n)));
});

test('index-error: the message says how, the result is retryable and not marked bad', async () => {
  for (const [mode, pattern] of [
    ['garbage-json', /not valid JSON/],
    ['html', /HTML/],
    ['server-error', /HTTP 500/],
    ['redirect-other-host', /only https or the same origin/],
  ] as const) {
    index.setMode('sampleproject', mode);
    const dep = dependency('sampleproject', '4.0.0');
    const result = await resolveDependency(dep, context({ client: freshClient({ http: { retry: { maxRetries: 0 } } }) }));
    assert.equal(result.status, 'error', mode);
    assert.equal(result.retryable, true);
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].code, 'index-error');
    assert.deepEqual(result.findings[0].range, dep.ranges.requirement);
    assert.match(result.findings[0].message, pattern);
    assert.match(result.findings[0].message, /^Not checked: the index could not be asked about sampleproject: .*\(will retry\)$/);
  }
});

test('a stale answer resolves, and says it is stale', async () => {
  index.setProject(makeProject('sampleproject', { releases: ['4.0.0'], cacheControl: 'max-age=0' }));
  await resolveDependency(dependency('sampleproject', '4.0.0'), context());
  index.setMode('sampleproject', 'server-error');
  const result = await resolveDependency(dependency('sampleproject', '4.0.0'), context());
  assert.equal(result.status, 'resolved');
  assert.equal(result.retryable, true);
  assert.equal(result.stale?.reason, 'http-status');
  assert.ok(result.notes.some((n) => /^stale: the index could not be asked/.test(n)));
  assert.deepEqual(result.findings, []);
});

test('which index: a trusted --index-url wins; untrusted, the setting is used and the URL is noted', async () => {
  const other = await startIndexServer();
  try {
    other.setProject(makeProject('sampleproject', { releases: ['4.0.0'] }));
    const options = { ...emptyOptions(), indexUrl: other.url.replace('http://', 'http://u:secret@') };
    const trusted = await resolveDependency(dependency('sampleproject', '4.0.0'), context({ documentOptions: options, settings: { indexUrl: index.url, workspaceTrusted: true } }));
    assert.equal(trusted.index.source, 'document');
    assert.equal(other.projectCount('sampleproject'), 1);
    assert.equal(index.projectCount('sampleproject'), 0);
    assert.doesNotMatch(JSON.stringify({ ...trusted, pages: [] , index: { ...trusted.index, indexUrl: '' } }), /secret/);

    const untrusted = await resolveDependency(dependency('sampleproject', '4.0.0'), context({ documentOptions: options }));
    assert.equal(untrusted.index.source, 'setting');
    assert.equal(index.projectCount('sampleproject'), 1);
    assert.ok(untrusted.notes.some((n) => /--index-url is ignored: the workspace is not trusted \(http:\/\/\*\*\*@127/.test(n)));
    assert.doesNotMatch(untrusted.notes.join('\n'), /secret/);
  } finally {
    await other.close();
  }
});

test('trusted extra index URLs are asked too; files merge', async () => {
  const extra = await startIndexServer();
  try {
    extra.setProject(makeProject('only-extra', { releases: ['1.0'] }));
    const options = { ...emptyOptions(), extraIndexUrls: [extra.url] };
    const result = await resolveDependency(dependency('only-extra', '1.0'), context({ documentOptions: options, settings: { indexUrl: index.url, workspaceTrusted: true } }));
    assert.equal(result.status, 'resolved');
    assert.equal(result.files.length, 2);
    assert.deepEqual(result.findings, []);
  } finally {
    await extra.close();
  }
});

function locked(filename: string, hex: string, line: number): LockedFile {
  return {
    kind: filename.endsWith('.whl') ? 'wheel' : 'sdist',
    url: `https://files.example/${encodeURIComponent(filename)}`,
    hashes: [{ algorithm: 'sha256', hex, range: range(line, 10, 74) }],
    range: range(line, 0, 80),
  };
}

test('pylock: locked files resolve by file name and their hashes are checked against the index', async () => {
  const sdist = fileOf('sampleproject-4.0.0.tar.gz');
  const wheel = fileOf('sampleproject-4.0.0-py3-none-any.whl');
  const dep = dependency('sampleproject', '4.0.0', {
    section: 'packages',
    files: [locked(sdist.filename, sdist.sha256, 5), { ...locked(wheel.filename, 'a'.repeat(64), 6), filename: wheel.filename }, locked('sampleproject-4.0.0-cp312-cp312-win_amd64.whl', 'b'.repeat(64), 7)],
  });
  const result = await resolveDependency(dep, context());
  assert.equal(result.status, 'resolved');
  assert.deepEqual(result.files.map((f) => [f.filename, f.pinned]), [
    [sdist.filename, true],
    [wheel.filename, false],
  ]);
  assert.equal(result.files[0].locked, dep.files?.[0]);
  assert.deepEqual(
    result.findings.map((f) => [f.code, f.range.start.line, f.message]),
    [
      ['hash-not-on-index', 6, `Hash not on the index: the lock records sha256:aaaaaaaaaaaa…aaaa for ${wheel.filename} but the index serves sha256:${wheel.sha256.slice(0, 12)}…${wheel.sha256.slice(-4)}`],
      ['hash-not-on-index', 7, 'Hash not on the index: the index serves no file sampleproject-4.0.0-cp312-cp312-win_amd64.whl for sampleproject 4.0.0: the locked file and its hash are not what the index has'],
    ],
  );
});

test('pylock: a wheel named with its tag sets in another order is the same file', async () => {
  const project = makeProject('spt3g', { releases: [{ version: '1.0', files: ['spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'] }] });
  index.setProject(project);
  const served = project.files[0];
  const dep = dependency('spt3g', '1.0', { section: 'packages', files: [locked('spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl', served.sha256, 4)] });
  const result = await resolveDependency(dep, context());
  assert.deepEqual(result.findings, []);
  assert.equal(result.files[0].filename, served.filename);
  assert.equal(result.files[0].pinned, true);
});

test('pylock: hash keys named after Object members (constructor, __proto__, toString) are no hashes of the index', async () => {
  const wheel = fileOf('sampleproject-4.0.0-py3-none-any.whl');
  const text = [
    'lock-version = "1.0"',
    'created-by = "test"',
    '[[packages]]',
    'name = "sampleproject"',
    'version = "4.0.0"',
    `wheels = [{ url = "${index.url.replace(/simple\/?$/, '')}files/${wheel.filename}", hashes = { sha256 = "${wheel.sha256}", constructor = "abcd", __proto__ = "abcd", toString = "abcd", hasOwnProperty = "abcd" } }]`,
  ].join('\n');
  const parsed = parsePylock(text);
  assert.deepEqual(parsed.problems?.map((p) => p.message) ?? [], [], 'an unknown algorithm has no expected length');
  const result = await resolveDependency(parsed.dependencies[0], context());
  assert.equal(result.status, 'resolved');
  assert.deepEqual(result.findings.map((f) => [f.code, f.message]), []);
  assert.equal(result.files[0].pinned, true);
  // requirements.txt: `--hash=constructor:…` is an unknown algorithm, not a digest of Object's length.
  const value = readHashValue('constructor:abcd');
  assert.equal(value.ok, false);
  assert.match(value.ok ? '' : value.message, /^Unknown hash algorithm "constructor"/);
});

test('pylock: the package index is honoured only in a trusted workspace', async () => {
  const other = await startIndexServer();
  try {
    other.setProject(makeProject('sampleproject', { releases: ['4.0.0'] }));
    const dep = dependency('sampleproject', '4.0.0', { indexUrl: other.url });
    await resolveDependency(dep, context({ settings: { indexUrl: index.url, workspaceTrusted: true } }));
    assert.equal(other.projectCount('sampleproject'), 1);
    await resolveDependency(dep, context({ client: freshClient(), settings: { indexUrl: index.url, workspaceTrusted: false } }));
    assert.equal(other.projectCount('sampleproject'), 1);
    assert.equal(index.projectCount('sampleproject'), 1);
  } finally {
    await other.close();
  }
});

test('real data: the captured colorama PEP 691 page (yanked 0.4.2, previous release skips it)', async (t) => {
  const page = path.join(FIXTURES, 'pypiwrap', 'simple_repo_colorama_page.json');
  if (!existsSync(page)) {
    t.skip(`fixture not found: ${page}`);
    return;
  }
  const body = await readFile(page);
  index.setMode('colorama', { kind: 'raw', status: 200, contentType: 'application/vnd.pypi.simple.v1+json', body });
  const yanked = await resolveDependency(dependency('colorama', '0.4.2'), context());
  assert.equal(yanked.status, 'resolved');
  assert.deepEqual(
    yanked.findings.map((f) => [f.code, f.message]),
    [['yanked', 'Yanked: the maintainers withdrew colorama 0.4.2 from the index; pip still installs it when pinned with == (PEP 592), but no longer picks it for a range. Their reason: "Bad build, missing files, will not install"']],
  );
  const next = await resolveDependency(dependency('colorama', '0.4.3'), context());
  assert.deepEqual(next.findings, []);
  assert.equal(next.files.length, 2);
  assert.equal(next.files.find((f) => f.filename === 'colorama-0.4.3.tar.gz')?.uploadTime !== undefined, true);
  assert.equal(next.previousRelease?.version, '0.4.1');
  const missing = await resolveDependency(dependency('colorama', '0.4.7'), context());
  assert.match(missing.findings[0].message, /the latest is 0\.4\.6/);
});

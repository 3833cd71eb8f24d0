// Index resolution through the real server over stdio, against the test index on 127.0.0.1:
// every finding code with exact ranges, pylock, sharing and freshness, the persistent cache and offline.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Severity, withClient } from '../support/lspClient';
import { storedEntries } from '../support/responseCacheDisk';
import { makeProject, startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { FAST_INDEX_ENV, TempDirs, openAndResolve, rows, uriIn, waitForCodes, type Row } from './resolutionSupport';

const dirs = new TempDirs();
let index: IndexServer;
let sample: TestProject;
let workspace: string;

function file(project: TestProject, filename: string) {
  const found = project.files.find((f) => f.filename === filename);
  assert.ok(found, `test project has ${filename}`);
  return found;
}

before(async () => {
  index = await startIndexServer();
  workspace = dirs.make('resolution');
});
after(async () => {
  await index.close();
  dirs.cleanup();
});
beforeEach(() => {
  sample = makeProject('sampleproject', {
    releases: ['2.0.0', { version: '3.0.0', yanked: 'broken metadata' }, '4.0.0'],
  });
  index.setProject(sample);
  index.setProject(makeProject('attrs', { releases: ['25.1.0'] }));
  index.resetCounts();
});

/** Settings that point the server at the test index and a fresh cache directory. */
function settings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { indexUrl: index.url, cacheDirectory: dirs.make('cache'), ...extra };
}

test('requirements.txt: project-not-found, version-not-found and yanked (with its reason) on the requirement', async () => {
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const text = ['sampleproject==4.0.0', 'NoSuch_Project==1.0', 'sampleproject==9.9', 'SampleProject==3.0.0  # yanked upstream', ''].join('\n');
    const diagnostics = await openAndResolve(client, uriIn(workspace, 'codes/requirements.txt'), text, ['project-not-found', 'version-not-found', 'yanked']);
    assert.deepEqual(rows(diagnostics), [
      ['project-not-found', Severity.Error, 1, 0, 1, 19],
      ['version-not-found', Severity.Error, 2, 0, 2, 18],
      ['yanked', Severity.Warning, 3, 0, 3, 20],
    ] satisfies Row[]);
    const message = (code: string) => diagnostics.find((d) => d.code === code)!.message;
    assert.match(message('project-not-found'), /has no project named nosuch-project/);
    assert.match(message('project-not-found'), new RegExp(index.url.replace(/[.]/g, '\\.')));
    assert.match(message('version-not-found'), /no version 9\.9 of sampleproject \(the latest is 4\.0\.0\)/);
    assert.equal(message('yanked'), 'Yanked: the maintainers withdrew SampleProject 3.0.0 from the index; pip still installs it when pinned with == (PEP 592), but no longer picks it for a range. Their reason: "broken metadata"');
    assert.deepEqual(diagnostics.find((d) => d.code === 'yanked')!.data, { dependency: 3 });
    // Both sampleproject lines share one page request; the other project one.
    assert.equal(index.projectCount('sampleproject'), 1);
    assert.equal(index.projectCount('nosuch-project'), 1);
    assert.deepEqual(client.errors(), []);
  });
});

test('requirements.txt: a pinned hash no file of the version has is hash-not-on-index on that hash', async () => {
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const good = file(sample, 'sampleproject-4.0.0.tar.gz').sha256;
    const other = file(sample, 'sampleproject-2.0.0.tar.gz').sha256;
    const text = ['sampleproject==4.0.0 \\', `    --hash=sha256:${good} \\`, `    --hash=sha256:${other}`, 'attrs==25.1.0', ''].join('\n');
    const diagnostics = await openAndResolve(client, uriIn(workspace, 'hashes/requirements.txt'), text, ['hash-not-on-index']);
    assert.deepEqual(rows(diagnostics), [
      ['hash-not-on-index', Severity.Error, 2, 11, 2, 82],
      ['missing-hashes', Severity.Error, 3, 0, 3, 13],
    ] satisfies Row[]);
    const alarm = diagnostics.find((d) => d.code === 'hash-not-on-index')!;
    assert.match(alarm.message, /no file of sampleproject 4\.0\.0 on the index has sha256:/);
    assert.match(alarm.message, /that is the hash of sampleproject-2\.0\.0\.tar\.gz, version 2\.0\.0/);
  });
});

test('pyproject.toml: pinned dependencies resolve, inside the string quotes', async () => {
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const text = ['[project]', 'name = "demo"', 'version = "1.0"', 'dependencies = [', '  "sampleproject==3.0.0",', '  "attrs>=20",', '  "attrs==1.0",', ']', ''].join('\n');
    const diagnostics = await openAndResolve(client, uriIn(workspace, 'pyproject/pyproject.toml'), text, ['yanked', 'version-not-found']);
    assert.deepEqual(
      rows(diagnostics).filter((r) => r[0] !== 'unpinned'),
      [
        ['yanked', Severity.Warning, 4, 3, 4, 23],
        ['version-not-found', Severity.Error, 6, 3, 6, 13],
      ] satisfies Row[],
    );
  });
});

test('pylock.toml: a locked hash the index does not serve is hash-not-on-index on the hash; unknown packages are project-not-found', async () => {
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const wheel = file(sample, 'sampleproject-4.0.0-py3-none-any.whl');
    const attrsWheel = 'attrs-25.1.0-py3-none-any.whl';
    const lying = 'f'.repeat(64);
    const text = [
      "lock-version = '1.0'",
      "created-by = 'test'",
      '',
      '[[packages]]',
      "name = 'sampleproject'",
      "version = '4.0.0'",
      '',
      '[[packages.wheels]]',
      `name = '${wheel.filename}'`,
      `url = '${index.origin}/files/${wheel.filename}'`,
      `hashes = {sha256 = '${wheel.sha256}'}`,
      '',
      '[[packages]]',
      "name = 'attrs'",
      "version = '25.1.0'",
      '',
      '[[packages.wheels]]',
      `name = '${attrsWheel}'`,
      `url = '${index.origin}/files/${attrsWheel}'`,
      `hashes = {sha256 = '${lying}'}`,
      '',
      '[[packages]]',
      "name = 'ghost'",
      "version = '1.0'",
      "sdist = { name = 'ghost-1.0.tar.gz', url = 'https://example.invalid/ghost-1.0.tar.gz', hashes = { sha256 = '" + 'e'.repeat(64) + "' } }",
      '',
    ].join('\n');
    const diagnostics = await openAndResolve(client, uriIn(workspace, 'lock/pylock.toml'), text, ['hash-not-on-index', 'project-not-found']);
    assert.deepEqual(rows(diagnostics), [
      ['hash-not-on-index', Severity.Error, 19, 20, 19, 84],
      ['project-not-found', Severity.Error, 22, 8, 22, 13],
    ] satisfies Row[]);
    const alarm = diagnostics.find((d) => d.code === 'hash-not-on-index')!;
    assert.match(alarm.message, /the lock records sha256:ffffffffffff…ffff for attrs-25\.1\.0-py3-none-any\.whl but the index serves sha256:/);
  });
});

test('documents pinning the same thing share one resolution; a reopen within freshness asks nothing; so does a new server on the warm cache', async () => {
  const shared = settings();
  const text = 'sampleproject==3.0.0\nattrs==25.1.0\n';
  await withClient({ settings: shared, env: FAST_INDEX_ENV }, async (client) => {
    const first = uriIn(workspace, 'fresh/a/requirements.txt');
    await openAndResolve(client, first, text, ['yanked']);
    assert.equal(pageRequests(), 2);

    // Another document with the same pins, on other lines.
    const second = uriIn(workspace, 'fresh/b/requirements.txt');
    const moved = await openAndResolve(client, second, `# moved down\n\n${text}`, ['yanked']);
    assert.deepEqual(rows(moved), [['yanked', Severity.Warning, 2, 0, 2, 20]] satisfies Row[]);
    assert.deepEqual(moved.find((d) => d.code === 'yanked')!.data, { dependency: 0 });

    // Closed and opened again: the first publish already has the finding, and no request is made.
    client.close(first);
    // A publish the server sent before it read the close may still arrive; the close clears them.
    assert.deepEqual(await client.waitForDiagnostics(first, { where: (diagnostics) => diagnostics.length === 0 }), []);
    client.open(first, text);
    assert.deepEqual(rows(await client.waitForDiagnostics(first)), [['yanked', Severity.Warning, 0, 0, 0, 20]] satisfies Row[]);

    // An edit (the same pins, shifted) is answered from what is known, in the edit's first publish.
    client.edit(first, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '\n');
    assert.deepEqual(rows(await client.waitForDiagnostics(first)), [['yanked', Severity.Warning, 1, 0, 1, 20]] satisfies Row[]);
    assert.equal(pageRequests(), 2);
  });
  // Persisted: cache files exist, and a new process on the same directory asks nothing either.
  assert.ok(storedEntries(path.join(String(shared.cacheDirectory), 'index-http-v1')).size > 0);
  await withClient({ settings: shared, env: FAST_INDEX_ENV }, async (client) => {
    await openAndResolve(client, uriIn(workspace, 'fresh/c/requirements.txt'), text, ['yanked']);
  });
  assert.equal(pageRequests(), 2);
  // Beside the pages, the JSON API (ownership) is asked once per process; the 404 is cached.
  assert.ok(index.requests.filter((r) => r.path.startsWith('/pypi/')).length <= 1, JSON.stringify(index.requests.map((r) => r.path)));
});

/** Requests for pages and provenance (not the JSON API's ownership probe, CONTRACT §3). */
function pageRequests(): number {
  return index.requests.filter((r) => !r.path.startsWith('/pypi/')).length;
}

test('a page past its freshness is revalidated with If-None-Match (304), not fetched again', async () => {
  index.setProject({ ...sample, cacheControl: 'max-age=0' });
  const shared = settings();
  await withClient({ settings: shared, env: FAST_INDEX_ENV }, async (client) => {
    await openAndResolve(client, uriIn(workspace, 'revalidate/a/requirements.txt'), 'sampleproject==3.0.0\n', ['yanked']);
  });
  await withClient({ settings: shared, env: FAST_INDEX_ENV }, async (client) => {
    await openAndResolve(client, uriIn(workspace, 'revalidate/b/requirements.txt'), 'sampleproject==3.0.0\n', ['yanked']);
  });
  const asked = index.requests.filter((r) => r.path === '/simple/sampleproject/');
  assert.equal(asked.length, 2);
  assert.equal(asked[0].headers['if-none-match'], undefined);
  assert.match(String(asked[1].headers['if-none-match']), /^".+"$/);
  assert.match(String(asked[0].headers['user-agent']), /^pypi-provenance\/\d+\.\d+\.\d+/);
  assert.match(String(asked[0].headers.accept), /application\/vnd\.pypi\.simple\.v1\+json/);
});

test('offline: no request at all; cached answers are used even when stale; the rest is an index-error that says offline', async () => {
  // Stale from the moment it is fetched.
  index.setProject({ ...sample, cacheControl: 'max-age=0' });
  const cacheDirectory = dirs.make('offline-cache');
  await withClient({ settings: settings({ cacheDirectory }), env: FAST_INDEX_ENV }, async (client) => {
    await openAndResolve(client, uriIn(workspace, 'offline/warm/requirements.txt'), 'sampleproject==3.0.0\n', ['yanked']);
  });
  index.resetCounts();
  await withClient({ settings: settings({ cacheDirectory, offline: true }), env: FAST_INDEX_ENV }, async (client) => {
    const diagnostics = await openAndResolve(client, uriIn(workspace, 'offline/requirements.txt'), 'sampleproject==3.0.0\nattrs==25.1.0\n', ['yanked', 'index-error']);
    assert.deepEqual(rows(diagnostics), [
      ['yanked', Severity.Warning, 0, 0, 0, 20],
      ['index-error', Severity.Warning, 1, 0, 1, 13],
    ] satisfies Row[]);
    const error = diagnostics.find((d) => d.code === 'index-error')!.message;
    assert.match(error, /offline: .* is not in the cache/);
    assert.doesNotMatch(error, /will retry/);
  });
  assert.equal(index.totalRequests, 0);
});

test('a failing index with an answer in the cache: the cached answer is used, no index-error', async () => {
  index.setProject({ ...sample, cacheControl: 'max-age=0' });
  const cacheDirectory = dirs.make('stale-cache');
  await withClient({ settings: settings({ cacheDirectory }), env: FAST_INDEX_ENV }, async (client) => {
    await openAndResolve(client, uriIn(workspace, 'stale/warm/requirements.txt'), 'sampleproject==3.0.0\n', ['yanked']);
  });
  index.setMode('sampleproject', { kind: 'server-error', status: 503 });
  try {
    await withClient({ settings: settings({ cacheDirectory }), env: FAST_INDEX_ENV }, async (client) => {
      const diagnostics = await openAndResolve(client, uriIn(workspace, 'stale/requirements.txt'), 'sampleproject==3.0.0\n', ['yanked']);
      assert.deepEqual(rows(diagnostics), [['yanked', Severity.Warning, 0, 0, 0, 20]] satisfies Row[]);
      await client.waitForLog((l) => /serving a cached answer for .*sampleproject/.test(l.message));
    });
  } finally {
    index.setMode('sampleproject', undefined);
  }
  assert.ok(index.projectCount('sampleproject') >= 2, 'the index was asked before the cache was used');
});

test('changing indexUrl re-resolves open documents against the new index', async () => {
  const other = await startIndexServer();
  try {
    other.setProject(makeProject('sampleproject', { releases: ['1.0.0'] }));
    await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
      const uri = uriIn(workspace, 'switch/requirements.txt');
      await openAndResolve(client, uri, 'sampleproject==3.0.0\n', ['yanked']);
      const since = client.mark();
      await client.setSettings(settings({ indexUrl: other.url }));
      const diagnostics = await waitForCodes(client, uri, ['version-not-found'], { since });
      assert.match(diagnostics.find((d) => d.code === 'version-not-found')!.message, /no version 3\.0\.0 of sampleproject \(the latest is 1\.0\.0\)/);
      assert.equal(other.projectCount('sampleproject'), 1);
    });
  } finally {
    await other.close();
  }
});

// Which index the server asks, through the real server: a file's --index-url and a pylock
// package's `index` only in a trusted workspace; PIP_INDEX_URL when nothing else names one; and
// credentials in an index URL sent to the index but never shown in anything the client receives.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Severity, withClient } from '../support/lspClient';
import { makeProject, startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { FAST_INDEX_ENV, TempDirs, everythingSaid, openAndResolve, rows, uriIn } from './resolutionSupport';

const dirs = new TempDirs();
/** The index the settings name: sampleproject 3.0.0 is there, yanked. */
let settingIndex: IndexServer;
/** The index a workspace file names: sampleproject has only 1.0.0 there. */
let fileIndex: IndexServer;

before(async () => {
  [settingIndex, fileIndex] = await Promise.all([startIndexServer(), startIndexServer()]);
});
after(async () => {
  await Promise.all([settingIndex.close(), fileIndex.close()]);
  dirs.cleanup();
});
let yankedRelease: TestProject;

beforeEach(() => {
  yankedRelease = makeProject('sampleproject', { releases: [{ version: '3.0.0', yanked: 'broken metadata' }] });
  settingIndex.setProject(yankedRelease);
  fileIndex.setProject(makeProject('sampleproject', { releases: ['1.0.0'] }));
  settingIndex.resetCounts();
  fileIndex.resetCounts();
});

function requirementsNaming(url: string): string {
  return `--index-url ${url}\nsampleproject==3.0.0\n`;
}

function pylockNaming(url: string): string {
  const wheel = yankedRelease.files.find((f) => f.filename.endsWith('.whl'))!;
  return [
    "lock-version = '1.0'",
    "created-by = 'test'",
    '',
    '[[packages]]',
    "name = 'sampleproject'",
    "version = '3.0.0'",
    `index = '${url}'`,
    `wheels = [{ name = '${wheel.filename}', url = '${url}../files/${wheel.filename}', hashes = { sha256 = '${wheel.sha256}' } }]`,
    '',
  ].join('\n');
}

for (const trusted of [false, true]) {
  test(`${trusted ? 'trusted' : 'untrusted'} workspace: a requirements file's --index-url and a pylock package's index are ${trusted ? 'honoured' : 'ignored'}`, async () => {
    const settings = { indexUrl: settingIndex.url, cacheDirectory: dirs.make('cache'), workspaceTrusted: trusted };
    await withClient({ settings, env: FAST_INDEX_ENV }, async (client) => {
      const ws = dirs.make('ws');
      const expected = trusted ? 'version-not-found' : 'yanked';
      const requirements = await openAndResolve(client, uriIn(ws, 'requirements.txt'), requirementsNaming(fileIndex.url), [expected]);
      assert.deepEqual(rows(requirements), [[expected, trusted ? Severity.Error : Severity.Warning, 1, 0, 1, 20]]);
      const lock = await openAndResolve(client, uriIn(ws, 'pylock.toml'), pylockNaming(fileIndex.url), [expected]);
      assert.deepEqual(rows(lock), [[expected, trusted ? Severity.Error : Severity.Warning, 4, 8, 4, 21]]);
    });
    assert.equal(fileIndex.projectCount('sampleproject'), trusted ? 1 : 0);
    assert.equal(settingIndex.projectCount('sampleproject'), trusted ? 0 : 1);
  });
}

test('the workspace becoming trusted (a settings change) re-resolves against the file\'s index', async () => {
  const settings = { indexUrl: settingIndex.url, cacheDirectory: dirs.make('cache'), workspaceTrusted: false };
  await withClient({ settings, env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    await openAndResolve(client, uri, requirementsNaming(fileIndex.url), ['yanked']);
    const since = client.mark();
    await client.setSettings({ ...settings, workspaceTrusted: true });
    await client.waitForDiagnostics(uri, { since, where: (d) => d.some((x) => x.code === 'version-not-found') });
  });
});

test('PIP_INDEX_URL from the server\'s environment is used when neither the settings nor the file name an index', async () => {
  const env = { ...FAST_INDEX_ENV, PIP_INDEX_URL: fileIndex.url };
  await withClient({ settings: { cacheDirectory: dirs.make('cache') }, env }, async (client) => {
    await openAndResolve(client, uriIn(dirs.make('ws'), 'requirements.txt'), 'sampleproject==3.0.0\n', ['version-not-found']);
  });
  assert.equal(fileIndex.projectCount('sampleproject'), 1);
  // The indexUrl setting wins over it.
  await withClient({ settings: { indexUrl: settingIndex.url, cacheDirectory: dirs.make('cache') }, env }, async (client) => {
    await openAndResolve(client, uriIn(dirs.make('ws'), 'requirements.txt'), 'sampleproject==3.0.0\n', ['yanked']);
  });
  assert.equal(fileIndex.projectCount('sampleproject'), 1);
  assert.equal(settingIndex.projectCount('sampleproject'), 1);
});

test('credentials in index URLs are sent as Basic auth and never appear in diagnostics, logs or stderr', async () => {
  const secret = 's3cr3t-T0KEN';
  const withCredentials = (url: string, user: string) => url.replace('http://', `http://${user}:${secret}@`);
  settingIndex.setMode('broken', { kind: 'server-error', status: 500 });
  settingIndex.setProject(makeProject('broken', { releases: ['1.0'] }));
  fileIndex.setMode('sampleproject', { kind: 'redirect', location: 'ftp://elsewhere.invalid/' });
  try {
    const settings = { indexUrl: withCredentials(settingIndex.url, 'alice'), cacheDirectory: dirs.make('cache'), workspaceTrusted: true };
    await withClient({ settings, env: { ...FAST_INDEX_ENV, PYPI_PROVENANCE_TEST_FAULTS: '1' } }, async (client) => {
      const ws = dirs.make('ws');
      // From the settings' index: not found (the message names the index), and an HTTP 500.
      const fromSetting = await openAndResolve(client, uriIn(ws, 'a/requirements.txt'), 'nosuch==1.0\nbroken==1.0\n', ['project-not-found', 'index-error']);
      assert.match(fromSetting.find((d) => d.code === 'project-not-found')!.message, /http:\/\/\*\*\*@127\.0\.0\.1:\d+\/simple\//);
      // From a trusted file's --index-url with other credentials: a refused redirect.
      const fromFile = await openAndResolve(client, uriIn(ws, 'b/requirements.txt'), `--index-url ${withCredentials(fileIndex.url, 'bob')}\nsampleproject==1.0.0\n`, ['index-error']);
      assert.match(fromFile.find((d) => d.code === 'index-error')!.message, /redirected to ftp:\/\/elsewhere\.invalid\/: only https or the same origin is followed/);
      // A bad setting value with credentials is warned about without echoing it.
      await client.setSettings({ ...settings, indexUrl: `ftp://mallory:${secret}@example.invalid/` });
      await client.waitForLog((l) => /indexUrl: expected an http\(s\) URL/.test(l.message));
      const said = everythingSaid(client);
      assert.ok(!said.includes(secret), 'the password never reaches the client');
      assert.ok(!/(alice|bob|mallory):/.test(said), 'nor a user name with it');
    });
    const basic = (user: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
    assert.ok(settingIndex.requests.some((r) => r.headers.authorization === basic('alice')), 'the settings index got alice\'s credentials');
    assert.ok(fileIndex.requests.length > 0 && fileIndex.requests.every((r) => r.headers.authorization === basic('bob')), 'the file index got bob\'s credentials, and only those');
    assert.ok(settingIndex.requests.every((r) => r.headers.authorization !== basic('bob')), 'bob\'s credentials stay with their index');
  } finally {
    settingIndex.setMode('broken', undefined);
    fileIndex.setMode('sampleproject', undefined);
  }
});

test('nothing the client receives contains the credentials, whatever happens', async () => {
  const secret = 'hunter2-PASSWORD';
  settingIndex.setMode('reset-me', { kind: 'connection-reset' });
  settingIndex.setProject(makeProject('reset-me', { releases: ['1.0'] }));
  try {
    const indexUrl = settingIndex.url.replace('http://', `http://carol:${secret}@`);
    await withClient({ settings: { indexUrl, cacheDirectory: dirs.make('cache') }, env: FAST_INDEX_ENV }, async (client) => {
      const ws = dirs.make('ws');
      await openAndResolve(client, uriIn(ws, 'requirements.txt'), 'reset-me==1.0\nnope==2.0\nsampleproject==3.0.0\n', ['index-error', 'project-not-found', 'yanked']);
      const actions = await client.request<unknown[]>('textDocument/codeAction', {
        textDocument: { uri: uriIn(ws, 'requirements.txt') },
        range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } },
        context: { diagnostics: [] },
      });
      const said = everythingSaid(client) + JSON.stringify(actions);
      assert.ok(!said.includes(secret), 'the password never reaches the client');
      assert.ok(!said.includes('carol:'), 'nor the user name with it');
    });
  } finally {
    settingIndex.setMode('reset-me', undefined);
  }
});

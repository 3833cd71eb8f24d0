// Settings per document (a multi-root workspace: each folder its own `indexUrl`), read with
// `workspace/configuration` and `scopeUri` = the document; and no flicker on a settings change:
// the diagnostics the index gave stay published until the new analysis has its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';
import { fileUri, withClient } from '../support/lspClient';
import { FAST_INDEX_ENV, TempDirs } from './resolutionSupport';

const temps = new TempDirs();
const tempCache = () => ({ dir: temps.make('scoped-cache'), remove: () => undefined });
let first: IndexServer;
let second: IndexServer;
before(async () => {
  first = await startIndexServer();
  second = await startIndexServer();
  first.setProject(makeProject('alpha', { releases: ['1.0.0'] }));
  second.setProject(makeProject('beta', { releases: ['1.0.0'] }));
});
after(async () => {
  await first.close();
  await second.close();
  temps.cleanup();
});

const codes = (diagnostics: Array<{ code?: unknown }>) => diagnostics.map((d) => String(d.code)).sort();

test("each document is checked against its own folder's indexUrl", async () => {
  const cache = tempCache();
  const a = fileUri('/tmp/pypi-provenance-scoped/a/requirements.txt');
  const b = fileUri('/tmp/pypi-provenance-scoped/b/requirements.txt');
  const scopedSettings = (scopeUri: string) => (scopeUri.includes('/a/') ? { indexUrl: first.url } : scopeUri.includes('/b/') ? { indexUrl: second.url } : undefined);
  try {
    // The workspace's own indexUrl is neither: a document read with the workspace's settings gets index-error.
    await withClient({ settings: { indexUrl: 'http://127.0.0.1:9/simple/', cacheDirectory: cache.dir }, scopedSettings, env: FAST_INDEX_ENV }, async (client) => {
      client.open(a, 'alpha==1.0.0\nbeta==1.0.0\n');
      client.open(b, 'alpha==1.0.0\nbeta==1.0.0\n');
      const inA = await client.waitForDiagnostics(a, { where: (d) => d.some((x) => x.code === 'project-not-found') });
      const inB = await client.waitForDiagnostics(b, { where: (d) => d.some((x) => x.code === 'project-not-found') });
      const notFound = (diagnostics: typeof inA) => diagnostics.filter((d) => d.code === 'project-not-found').map((d) => d.range.start.line);
      assert.deepEqual(notFound(inA), [1], 'folder a: its index has alpha, not beta');
      assert.deepEqual(notFound(inB), [0], 'folder b: its index has beta, not alpha');
      assert.ok(!codes(inA).includes('index-error') && !codes(inB).includes('index-error'), 'the workspace-level index was never used');
      assert.equal(first.projectCount('alpha') > 0 && second.projectCount('beta') > 0, true);
    });
  } finally {
    cache.remove();
  }
});

test('a settings change keeps the index findings published until the new analysis has them (no flicker)', async () => {
  const cache = tempCache();
  const doc = fileUri('/tmp/pypi-provenance-scoped/flicker/requirements.txt');
  try {
    await withClient({ settings: { indexUrl: first.url, cacheDirectory: cache.dir }, env: FAST_INDEX_ENV }, async (client) => {
      client.open(doc, 'missing-project==1.0.0\nrequests\n');
      await client.waitForDiagnostics(doc, { where: (d) => d.some((x) => x.code === 'project-not-found') });
      // Another index (a mirror that lacks the project too), slow to answer: the analysis waits for it.
      second.setLatency(400);
      const since = client.mark();
      await client.setSettings({ indexUrl: second.url, cacheDirectory: cache.dir, severity: { unpinned: 'warning' } });
      const changed = await client.waitForPublish(doc, { since, where: (d) => d.some((x) => x.code === 'unpinned' && x.severity === 2) && d.some((x) => x.code === 'project-not-found') });
      assert.ok(second.projectCount('missing-project') > 0, 'the new index was asked');
      const between = client.publishes.filter((p) => p.uri === doc && p.sequence > since && p.sequence <= changed.sequence);
      for (const publish of between) assert.ok(codes(publish.diagnostics).includes('project-not-found'), `every publish after the change still has project-not-found: ${JSON.stringify(between.map((p) => codes(p.diagnostics)))}`);
    });
  } finally {
    second.setLatency(0);
    cache.remove();
  }
});

test("a document whose folder trusts the workspace (the workspace's settings do not) is parsed with its folder's trust", async () => {
  // The document is parsed while its own settings are asked for, with the workspace's; what the
  // parse read (the trust, for ${VAR} expansion) must then be the document's own.
  const trusted = fileUri('/tmp/pypi-provenance-scoped/trusted/requirements.txt');
  const untrusted = fileUri('/tmp/pypi-provenance-scoped/untrusted/requirements.txt');
  const scopedSettings = (scopeUri: string) => (scopeUri.includes('/trusted/') ? { workspaceTrusted: true } : undefined);
  const settings = { indexUrl: first.url, cacheDirectory: temps.make('scoped-trust-cache'), workspaceTrusted: false };
  await withClient({ settings, scopedSettings, env: { ...FAST_INDEX_ENV, PYPI_PROVENANCE_TEST_NAME: 'alpha' } }, async (client) => {
    client.open(untrusted, '${PYPI_PROVENANCE_TEST_NAME}==1.0.0\n');
    assert.ok((await client.waitForDiagnostics(untrusted)).some((d) => d.code === 'syntax'), 'not expanded where the workspace is not trusted');
    client.open(trusted, '${PYPI_PROVENANCE_TEST_NAME}==1.0.0\n');
    assert.deepEqual(codes(await client.waitForDiagnostics(trusted)), [], 'expanded to alpha==1.0.0 in the trusting folder');
  });
});

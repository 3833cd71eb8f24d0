// Issue 10 item 21: the log (VS Code's output channel) names each document checked and the index
// it is checked against — the file's own --index-url in a trusted workspace, the setting
// otherwise — with credentials never shown, and says it again only when that changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';
import { fileUri, withClient } from '../support/lspClient';
import { FAST_INDEX_ENV, TempDirs } from './resolutionSupport';

const temps = new TempDirs();
let index: IndexServer;
before(async () => {
  index = await startIndexServer();
  index.setProject(makeProject('alpha', { releases: ['1.0.0'] }));
});
after(async () => {
  await index.close();
  temps.cleanup();
});

const checking = (path: string) => (l: { message: string }) => l.message.startsWith(`Checking ${path}:`);

test('each document and its index in the log, redacted; once per change of index, not per edit', async () => {
  const withSecret = index.url.replace('http://', 'http://alice:s3cr3t-token@');
  const own = fileUri('/tmp/pypi-provenance-log/own/requirements.txt');
  const plain = fileUri('/tmp/pypi-provenance-log/plain/requirements.txt');
  await withClient({ settings: { indexUrl: index.url, cacheDirectory: temps.make('log-cache'), workspaceTrusted: true }, env: FAST_INDEX_ENV }, async (client) => {
    client.open(own, `-i ${withSecret}\nalpha==1.0.0\n`);
    client.open(plain, 'alpha==1.0.0\nbeta>=1\n');
    const ownLine = await client.waitForLog(checking('/tmp/pypi-provenance-log/own/requirements.txt'));
    assert.equal(ownLine.message, `Checking /tmp/pypi-provenance-log/own/requirements.txt: 1 pinned dependency against ${index.url.replace('http://', 'http://***@')} (the file's --index-url)`);
    const plainLine = await client.waitForLog(checking('/tmp/pypi-provenance-log/plain/requirements.txt'));
    assert.equal(plainLine.message, `Checking /tmp/pypi-provenance-log/plain/requirements.txt: 1 pinned dependency against ${index.url} (the indexUrl setting)`);
    await client.waitForDiagnostics(plain, { where: (d) => d.some((x) => x.code === 'no-provenance') });

    // An edit that keeps the index: no new line. One that changes it: a new line.
    const version = client.change(plain, [{ text: 'alpha==1.0.0\nbeta>=2\n' }]);
    await client.waitForDiagnostics(plain, { version });
    client.change(plain, [{ text: `--index-url ${withSecret}\nalpha==1.0.0\n` }]);
    await client.waitForLog((l) => checking('/tmp/pypi-provenance-log/plain/requirements.txt')(l) && l.message.includes("the file's --index-url"));
    const lines = client.logs.filter(checking('/tmp/pypi-provenance-log/plain/requirements.txt'));
    assert.equal(lines.length, 2, lines.map((l) => l.message).join('\n'));
    assert.ok(!client.logs.some((l) => l.message.includes('s3cr3t')), 'no credential in the log');
  });
});

test('an untrusted workspace: the setting is used and the file’s index is said to be ignored', async () => {
  const uri = fileUri('/tmp/pypi-provenance-log/untrusted/requirements.txt');
  await withClient({ settings: { indexUrl: index.url, cacheDirectory: temps.make('log-cache-untrusted') }, env: FAST_INDEX_ENV }, async (client) => {
    client.open(uri, '-i https://bob:t0ps3cr3t@evil.example/simple/\nalpha==1.0.0\n');
    const line = await client.waitForLog(checking('/tmp/pypi-provenance-log/untrusted/requirements.txt'));
    assert.match(line.message, new RegExp(`against ${index.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(the indexUrl setting\\); ignored https://\\*\\*\\*@evil\\.example/simple/: --index-url is ignored: the workspace is not trusted$`));
    assert.ok(!line.message.includes('t0ps3cr3t'));
  });
});

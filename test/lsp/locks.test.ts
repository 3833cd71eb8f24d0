// Lock files through the real server over stdio, against the test index: a pyproject.toml with a
// uv.lock beside it (locked versions in the report and hover, `lockedIn`, "not in uv.lock", a lock
// changed on disk or in the editor re-analysing the pyproject), a uv.lock opened directly (a
// tampered locked hash at its exact range), a poetry.lock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { withClient } from '../support/lspClient';
import { startIndexServer, type IndexServer } from '../support/indexServer';
import { poetryLockText, serveLockedProjects, uvLockText, type LockedRelease } from '../support/lockFixtures';
import { FAST_INDEX_ENV, TempDirs, uriIn } from './resolutionSupport';
import { hover, report } from './verificationSupport';

const dirs = new TempDirs();
let index: IndexServer;
let releases: LockedRelease[];

before(async () => {
  index = await startIndexServer();
  releases = serveLockedProjects(index);
});
after(async () => {
  await index.close();
  dirs.cleanup();
});

function settings(): Record<string, unknown> {
  return { indexUrl: index.url, cacheDirectory: dirs.make('lock-cache'), workspaceTrusted: true };
}

const PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["attrs>=24", "idna", "six>=1"]\n';

type Report = Awaited<ReturnType<typeof report>>;
const lockedIn = (answer: Report) => answer.dependencies.map((d) => [d.name, d.version, (d as { lockedIn?: string }).lockedIn ?? null]);

test('pyproject.toml + uv.lock: locked versions, lockedIn, the hover says so, "not in uv.lock"; a lock change re-analyses', async () => {
  const folder = dirs.make('uv-project');
  const lockPath = path.join(folder, 'uv.lock');
  writeFileSync(path.join(folder, 'pyproject.toml'), PYPROJECT);
  writeFileSync(lockPath, uvLockText(index.url, releases));
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(folder, 'pyproject.toml');
    client.open(uri, PYPROJECT);
    const first = await report(client, uri);
    assert.deepEqual(lockedIn(first), [['attrs', '25.1.0', 'uv.lock'], ['idna', '3.10', 'uv.lock'], ['six', null, null]]);
    assert.equal(first.dependencies[0].status, 'unattested');
    assert.deepEqual(first.dependencies[0].diagnostics, ['no-provenance']);
    const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'unpinned') });
    assert.deepEqual(diagnostics.filter((d) => d.code === 'unpinned').map((d) => d.message), ['six is not in uv.lock: run `uv lock`']);
    const card = await hover(client, uri, 3, 18);
    assert.match(card?.contents.value ?? '', /locked at 25\.1\.0 in uv\.lock/);

    // The lock loses idna on disk: the watched-file change re-analyses the pyproject.
    writeFileSync(lockPath, uvLockText(index.url, releases.slice(0, 1)));
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriIn(folder, 'uv.lock'), type: 2 }] });
    const after = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.message === 'idna is not in uv.lock: run `uv lock`') });
    assert.equal(after.filter((d) => d.code === 'unpinned').length, 2);
    assert.deepEqual(lockedIn(await report(client, uri)), [['attrs', '25.1.0', 'uv.lock'], ['idna', null, null], ['six', null, null]]);

    // The lock opened and edited in the editor (not saved): its text wins over the disk.
    const lockUri = uriIn(folder, 'uv.lock');
    client.open(lockUri, uvLockText(index.url, releases));
    client.replaceAll(lockUri, uvLockText(index.url, releases) + '\n');
    await client.waitForDiagnostics(uri, { where: (ds) => ds.filter((d) => d.code === 'unpinned').length === 1 });
    assert.deepEqual(lockedIn(await report(client, uri)), [['attrs', '25.1.0', 'uv.lock'], ['idna', '3.10', 'uv.lock'], ['six', null, null]]);
  });
});

test('uv.lock opened directly: every locked package, hash-not-on-index on the tampered hash at its exact range', async () => {
  const folder = dirs.make('uv-lock');
  const text = uvLockText(index.url, [{ ...releases[0], tamperedWheelHash: 'cd'.repeat(32) }, releases[1]]);
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(folder, 'uv.lock');
    client.open(uri, text);
    const answer = await report(client, uri);
    assert.deepEqual(answer.dependencies.map((d) => [d.name, d.version, d.status]), [['attrs', '25.1.0', 'invalid'], ['idna', '3.10', 'unattested'], ['app', null, 'unpinned']]);
    const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'hash-not-on-index') });
    assert.ok(!diagnostics.some((d) => d.code === 'syntax'));
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('cd'.repeat(32)));
    const start = lines[line].indexOf('sha256:');
    assert.deepEqual(diagnostics.find((d) => d.code === 'hash-not-on-index')!.range, { start: { line, character: start }, end: { line, character: start + 71 } });
    assert.equal(answer.dependencies[1].files.length, 2);
  });
});

test('poetry.lock opened directly: every locked package checked against the index', async () => {
  const folder = dirs.make('poetry-lock');
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(folder, 'poetry.lock');
    client.open(uri, poetryLockText(releases));
    const answer = await report(client, uri);
    assert.deepEqual(answer.dependencies.map((d) => [d.name, d.version, d.status, d.files.length]), [['attrs', '25.1.0', 'unattested', 2], ['idna', '3.10', 'unattested', 2]]);
    assert.ok(answer.dependencies.every((d) => d.diagnostics.join() === 'no-provenance'), JSON.stringify(answer.dependencies.map((d) => d.diagnostics)));
  });
});

test('no lock: the hover of a range requirement shows its newest match, not locked, and no diagnostic comes from it', async () => {
  const folder = dirs.make('no-lock');
  const text = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["attrs>=24"]\n';
  writeFileSync(path.join(folder, 'pyproject.toml'), text);
  await withClient({ settings: settings(), env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(folder, 'pyproject.toml');
    client.open(uri, text);
    const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'unpinned') });
    assert.deepEqual(diagnostics.map((d) => d.code), ['unpinned']);
    const card = await hover(client, uri, 3, 18);
    assert.match(card?.contents.value ?? '', /Newest match, not locked: 25\.1\.0 \(no file of it has provenance on the index; pin or lock it to verify\)/);
    assert.deepEqual((await report(client, uri)).dependencies.map((d) => [d.version, d.diagnostics]), [[null, ['unpinned']]]);
  });
});

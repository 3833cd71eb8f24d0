// Accepting a change of a project's owners through the built language server: an owners-changed
// warning offers "Accept the new owners of X: …"; the command refuses arguments the analysis does
// not offer; once accepted the warning goes (in this server and the next one), the hover and the
// report say when the owners were accepted, and a later change is flagged against the accepted
// owners. A release another finding flags (here a split view of the log) gets no such action.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { fileUri, LspClient } from '../support/lspClient';
import { FAST_INDEX_ENV, SignedIndex, TempDirs, hover, report } from './verificationSupport';
import { A, serveProject } from './zeroTrustSupport';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
const OWNERS = { roles: [{ role: 'Owner', user: 'alice' }, { role: 'Maintainer', user: 'bob' }], organization: 'acme' };
const WITH_MALLORY = { roles: [...OWNERS.roles, { role: 'Owner', user: 'mallory' }], organization: 'acme' };

before(async () => {
  index = await startIndexServer({ cacheControl: 'max-age=0' });
  signed = new SignedIndex(index, dirs.make('lsp-accept-owners'));
});

after(async () => {
  await index?.close();
  dirs.cleanup();
});

function serve(name: string, ownership: TestProject['ownership']): TestProject {
  const project = serveProject(signed, name, [{ version: '1.0.0', identity: A }]);
  project.ownership = ownership;
  index.setProject(project);
  return project;
}

async function withServer<T>(cache: string, name: string, run: (client: LspClient, uri: string) => Promise<T>): Promise<T> {
  const client = await LspClient.start({ settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: cache }, env: FAST_INDEX_ENV });
  try {
    const uri = fileUri(path.join(dirs.make('ws'), 'requirements.txt'));
    client.open(uri, `${name}==1.0.0\n`);
    return await run(client, uri);
  } finally {
    await client.shutdown().catch(() => client.kill());
  }
}

function codeActions(client: LspClient, uri: string, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics } });
}

const ownersActions = (actions: CodeAction[]) => actions.filter((action) => action.command?.command === 'pypiProvenance.acceptOwners');

test('an accepted change of owners is the new reference: the warning goes, now and after a restart, and the next change is flagged against it', async () => {
  const cache = dirs.make('cache');
  const project = serve('zt-owners', OWNERS);
  await withServer(cache, 'zt-owners', async (client, uri) => {
    assert.equal((await report(client, uri)).dependencies[0].status, 'verified');
    assert.deepEqual(ownersActions(await codeActions(client, uri, [])), [], 'nothing to accept at first use');
  });

  project.ownership = WITH_MALLORY;
  index.setProject(project);
  await withServer(cache, 'zt-owners', async (client, uri) => {
    assert.deepEqual((await report(client, uri)).dependencies[0].diagnostics, ['owners-changed']);
    const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'owners-changed') });
    const [action, ...others] = ownersActions(await codeActions(client, uri, diagnostics));
    assert.deepEqual(others, []);
    assert.ok(action, 'an accept-owners action');
    assert.equal(action.title, 'Accept the new owners of zt-owners: added mallory (Owner)');
    assert.deepEqual(action.diagnostics?.map((d) => d.code), ['owners-changed']);

    // Arguments that point at owners the analysis does not report are refused, and nothing is recorded.
    const offered = action.command!.arguments![0] as { ownership: typeof OWNERS };
    const crafted = { ...offered, ownership: { roles: [...WITH_MALLORY.roles, { role: 'Owner', user: 'eve' }], organization: 'acme' } };
    const refused = await client.request<{ accepted: boolean; reason?: string }>('workspace/executeCommand', { command: 'pypiProvenance.acceptOwners', arguments: [crafted] });
    assert.equal(refused.accepted, false);
    assert.match(refused.reason ?? '', /offers no such acceptance/);
    assert.deepEqual((await report(client, uri)).dependencies[0].diagnostics, ['owners-changed']);

    assert.deepEqual(await client.request('workspace/executeCommand', { command: action.command!.command, arguments: action.command!.arguments }), { accepted: true });
    await client.waitForDiagnostics(uri, { where: (ds) => !ds.some((d) => d.code === 'owners-changed') });
    const after = (await report(client, uri)).dependencies[0];
    assert.deepEqual(after.diagnostics, []);
    assert.deepEqual(after.remembered?.owners?.roles, WITH_MALLORY.roles);
    assert.match(after.remembered?.owners?.accepted ?? '', /^\d{4}-\d\d-\d\dT/);
    const card = await hover(client, uri, 0, 3);
    assert.match(card?.contents.value ?? '', /Owners as accepted on \d{4}-\d\d-\d\d: alice \(Owner\), bob \(Maintainer\), mallory \(Owner\); organization acme\./);
    assert.deepEqual(ownersActions(await codeActions(client, uri, [])), [], 'nothing left to accept');
  });

  await withServer(cache, 'zt-owners', async (client, uri) => {
    assert.deepEqual((await report(client, uri)).dependencies[0].diagnostics, [], 'the accepted owners survive a restart');
  });

  project.ownership = { roles: [{ role: 'Owner', user: 'mallory' }], organization: 'acme' };
  index.setProject(project);
  await withServer(cache, 'zt-owners', async (client, uri) => {
    const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'owners-changed') });
    const message = diagnostics.find((d) => d.code === 'owners-changed')!.message;
    assert.match(message, /^Owners changed: the owners of zt-owners changed since accepted on \d{4}-\d\d-\d\d: removed alice \(Owner\), bob \(Maintainer\)\./);
    assert.deepEqual(client.errors(), []);
  });
});

test('no accept-owners action for a release another finding flags (a split view of the log)', async () => {
  const cache = dirs.make('cache');
  const project = serve('zt-owners-forked', OWNERS);
  await withServer(cache, 'zt-owners-forked', async (client, uri) => {
    assert.equal((await report(client, uri)).dependencies[0].status, 'verified');
  });
  project.ownership = WITH_MALLORY;
  const last = project.files[project.files.length - 1];
  const forked = signed.kit.attest({ filename: last.filename, content: last.content, leaf: { identity: A }, splitView: true });
  last.provenance = { version: 1, attestation_bundles: [{ publisher: forked.publisher, attestations: [forked.attestation] }] };
  index.setProject(project);
  await withServer(cache, 'zt-owners-forked', async (client, uri) => {
    assert.deepEqual([...(await report(client, uri)).dependencies[0].diagnostics].sort(), ['log-inconsistent', 'owners-changed']);
    const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.length === 2 });
    assert.deepEqual(ownersActions(await codeActions(client, uri, diagnostics)), []);
  });
});

// The zero-trust memories through the built language server (issue 11 items 6–9): the hover and
// the report show what is remembered (release first seen, files then, owners); the memories
// survive Clear Cache and a restart; the next server, on an index that changed its answers,
// publishes log-inconsistent (error) and owners-changed (warning).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { fileUri, LspClient, Severity } from '../support/lspClient';
import { FAST_INDEX_ENV, SignedIndex, TempDirs, hover, report } from './verificationSupport';
import { A, serveProject } from './zeroTrustSupport';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
let project: TestProject;
const OWNERS = { roles: [{ role: 'Owner', user: 'alice' }, { role: 'Maintainer', user: 'bob' }], organization: 'acme' };

before(async () => {
  index = await startIndexServer({ cacheControl: 'max-age=0' });
  signed = new SignedIndex(index, dirs.make('lsp-zt-memory'));
  project = serveProject(signed, 'zt-remembered', [{ version: '1.0.0', identity: A }]);
  project.ownership = OWNERS;
  index.setProject(project);
});

after(async () => {
  await index?.close();
  dirs.cleanup();
});

function filesIn(directory: string): string[] {
  // A file per entry, or the one journal of a store whose entries are only ever added.
  return existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.json') || name.endsWith('.jsonl')) : [];
}

async function withServer<T>(cache: string, run: (client: LspClient, uri: string) => Promise<T>): Promise<T> {
  const client = await LspClient.start({ settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: cache }, env: FAST_INDEX_ENV });
  try {
    const uri = fileUri(path.join(dirs.make('ws'), 'requirements.txt'));
    client.open(uri, 'zt-remembered==1.0.0\n');
    return await run(client, uri);
  } finally {
    await client.shutdown().catch(() => client.kill());
  }
}

test('hover and report show the remembered facts; Clear Cache keeps them; a restarted server on a changed index publishes log-inconsistent and owners-changed', async () => {
  const cache = dirs.make('cache');
  await withServer(cache, async (client, uri) => {
    const answer = await report(client, uri);
    const dependency = answer.dependencies[0];
    assert.equal(dependency.status, 'verified');
    assert.deepEqual(dependency.diagnostics, []);
    assert.deepEqual(dependency.remembered?.owners?.roles, OWNERS.roles);
    assert.equal(dependency.remembered?.owners?.organization, 'acme');
    assert.deepEqual(dependency.remembered?.release?.files.map((file) => file.filename).sort(), project.files.map((file) => file.filename).sort());
    const card = await hover(client, uri, 0, 3);
    assert.ok(card);
    assert.ok(card.contents.value.includes('Owners remembered on this machine: alice (Owner), bob (Maintainer); organization acme; a change later will be flagged.'), card.contents.value);

    const cleared = await client.request<{ removedFiles: number }>('pypiProvenance/clearCache', null);
    assert.ok(cleared.removedFiles > 0);
    for (const memory of ['log-checkpoints-v1', 'project-owners-v1', 'release-files-v1']) assert.ok(filesIn(path.join(cache, memory)).length > 0, `${memory} survives Clear Cache`);
  });

  // The index changes: a new owner, and the log forks under the project's latest file.
  project.ownership = { roles: [...OWNERS.roles, { role: 'Owner', user: 'mallory' }], organization: 'acme' };
  const last = project.files[project.files.length - 1];
  const forked = signed.kit.attest({ filename: last.filename, content: last.content, leaf: { identity: A }, splitView: true });
  last.provenance = { version: 1, attestation_bundles: [{ publisher: forked.publisher, attestations: [forked.attestation] }] };
  index.setProject(project);

  await withServer(cache, async (client, uri) => {
    const answer = await report(client, uri);
    const dependency = answer.dependencies[0];
    assert.equal(dependency.status, 'invalid');
    assert.deepEqual([...dependency.diagnostics].sort(), ['log-inconsistent', 'owners-changed']);
    const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.length === 2 });
    const byCode = new Map(diagnostics.map((d) => [String(d.code), d]));
    assert.equal(byCode.get('log-inconsistent')?.severity, Severity.Error);
    assert.equal(byCode.get('owners-changed')?.severity, Severity.Warning);
    assert.match(byCode.get('owners-changed')!.message, /^Owners changed: the owners of zt-remembered changed since first seen on \d{4}-\d\d-\d\d: added mallory \(Owner\)\./);
    assert.match(byCode.get('log-inconsistent')!.message, /a split view.*root [0-9a-f]{16}….*root [0-9a-f]{16}…/);
    const card = await hover(client, uri, 0, 3);
    assert.ok(card);
    assert.match(card.contents.value, /Owners when first seen on \d{4}-\d\d-\d\d: alice \(Owner\), bob \(Maintainer\); organization acme\./);
    assert.match(card.contents.value, /The same 2 files as first seen on this machine on \d{4}-\d\d-\d\d/);
    assert.deepEqual(client.errors(), []);
  });
});

/**
 * Verification end to end through the built language server: a test index serves projects whose
 * provenance objects are signed by the test Sigstore (settings.trustedRoot → the kit's root), and
 * a requirements file pins them.
 * - all files verified: no diagnostic; the hover shows the publisher's repository and workflow;
 *   the report (wait: true) is verified with the contract's shape and no `pending`;
 * - some files without provenance: partial-provenance; none: no-provenance;
 * - a tampered attestation: attestation-invalid naming the check, and never "verified" in the
 *   hover or the report;
 * - a 403 for the provenance: the feature is off — said so, not a failure;
 * - a 404 for the provenance: unattested; a 500: index-error;
 * - hover while nothing is known yet answers at once with a pending card; plain text clients.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startIndexServer, type IndexServer } from '../support/indexServer';
import { fileUri, LspClient, Severity } from '../support/lspClient';
import { FAST_INDEX_ENV, SignedIndex, TempDirs, VERIFICATION_CODES, hover, report } from './verificationSupport';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
let client: LspClient;
let workspace: string;

before(async () => {
  index = await startIndexServer();
  workspace = dirs.make('verification');
  signed = new SignedIndex(index, workspace);
  signed.serve('octo-verified', [{ version: '1.0.0' }]);
  signed.serve('octo-partial', [{ version: '1.0.0', wheel: 'none' }]);
  signed.serve('octo-none', [{ version: '1.0.0', sdist: 'none', wheel: 'none' }]);
  signed.serve('octo-tampered', [{ version: '1.0.0', wheel: 'tampered' }]);
  const forbidden = signed.serve('octo-forbidden', [{ version: '1.0.0' }]);
  for (const file of forbidden.files) index.setPathMode(new URL(index.provenanceUrl('octo-forbidden', file)).pathname, { kind: 'raw', status: 403, contentType: 'text/plain', body: 'Forbidden' });
  const missing = signed.serve('octo-missing', [{ version: '1.0.0' }]);
  for (const file of missing.files) index.setPathMode(new URL(index.provenanceUrl('octo-missing', file)).pathname, { kind: 'raw', status: 404, contentType: 'application/json', body: '{"message":"No provenance available"}' });
  const broken = signed.serve('octo-broken', [{ version: '1.0.0' }]);
  index.setPathMode(new URL(index.provenanceUrl('octo-broken', broken.files[0])).pathname, { kind: 'server-error', status: 500 });
  client = await LspClient.start({
    settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: dirs.make('cache'), severity: { unpinned: 'off' } },
    env: FAST_INDEX_ENV,
  });
});

after(async () => {
  await client?.shutdown().catch(() => client.kill());
  await index?.close();
  dirs.cleanup();
});

function verificationDiagnostics(uri: string) {
  return (client.latest(uri)?.diagnostics ?? []).filter((d) => VERIFICATION_CODES.has(String(d.code)));
}

test('a release whose files all verify: no diagnostic, a verified report, a hover with publisher, repository and workflow', async () => {
  const uri = fileUri(path.join(workspace, 'verified', 'requirements.txt'));
  client.open(uri, 'octo-verified==1.0.0\n');
  const answer = await report(client, uri);
  assert.equal(answer.uri, uri);
  assert.equal(answer.dependencies.length, 1);
  const dependency = answer.dependencies[0];
  assert.deepEqual(Object.keys(dependency).sort(), ['diagnostics', 'files', 'name', 'publisher', 'range', 'remembered', 'status', 'version']);
  assert.equal(dependency.name, 'octo-verified');
  assert.equal(dependency.version, '1.0.0');
  assert.deepEqual(dependency.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 20 } });
  assert.equal(dependency.status, 'verified');
  assert.deepEqual(dependency.publisher, { kind: 'GitHub', repository: 'octo-org/octo-pkg', workflow: 'release.yml', environment: 'pypi' });
  assert.deepEqual(dependency.diagnostics, []);
  assert.equal(dependency.files.length, 2);
  for (const file of dependency.files) {
    assert.equal(file.status, 'verified');
    assert.match(file.sha256, /^[0-9a-f]{64}$/);
    assert.equal(typeof file.logIndex, 'number');
    assert.ok(Number.isInteger(file.logIndex));
    assert.match(file.uploadTime ?? '', /^2024-01-01T12:0\d:00\.000000Z$/);
    assert.equal(file.message, null);
    assert.equal(file.publisher?.repository, 'octo-org/octo-pkg');
  }
  await client.waitForDiagnostics(uri);
  assert.deepEqual(verificationDiagnostics(uri), []);

  const card = await hover(client, uri, 0, 3);
  assert.ok(card);
  assert.equal(card.contents.kind, 'markdown');
  const text = card.contents.value;
  assert.match(text, /✅ \*\*Verified\*\*/);
  assert.match(text, /\| Publisher \| GitHub Actions \|/);
  assert.ok(text.includes('[octo-org/octo-pkg](https://github.com/octo-org/octo-pkg)'), text);
  assert.ok(text.includes('[.github/workflows/release.yml](https://github.com/octo-org/octo-pkg/blob/0123456789abcdef0123456789abcdef01234567/.github/workflows/release.yml)'), text);
  assert.match(text, /\| Environment \| pypi \|/);
  assert.match(text, /\| octo_verified-1\.0\.0\.tar\.gz \| ✅ verified \| 2024-01-01 12:00 UTC \|/);
  // A private Sigstore's log entries are not on search.sigstore.dev.
  assert.doesNotMatch(text, /search\.sigstore\.dev/);
  assert.match(text, /\| Transparency log \| entry \d+ \|/);
  assert.ok(text.includes(`(${index.origin}/simple/octo-verified/)`), text);
  assert.deepEqual(client.errors(), []);
});

test('some files without provenance: partial-provenance (warning) naming them; none: no-provenance (information)', async () => {
  const uri = fileUri(path.join(workspace, 'partial', 'requirements.txt'));
  client.open(uri, 'octo-partial==1.0.0\nocto-none==1.0.0\n');
  const answer = await report(client, uri);
  assert.deepEqual(answer.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [
    ['octo-partial', 'partial', ['partial-provenance']],
    ['octo-none', 'unattested', ['no-provenance']],
  ]);
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.filter((d) => VERIFICATION_CODES.has(String(d.code))).length === 2 });
  const partial = diagnostics.find((d) => d.code === 'partial-provenance')!;
  assert.equal(partial.severity, Severity.Warning);
  assert.match(partial.message, /^Partly attested: 1 of 2 files has no attestations: octo_partial-1\.0\.0-py3-none-any\.whl$/);
  assert.deepEqual(partial.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 19 } });
  const none = diagnostics.find((d) => d.code === 'no-provenance')!;
  assert.equal(none.severity, Severity.Information);
  assert.equal(none.range.start.line, 1);
  const card = await hover(client, uri, 0, 2);
  assert.match(card!.contents.value, /⚠️ \*\*Partly attested\*\*/);
  assert.match(card!.contents.value, /\| octo_partial-1\.0\.0-py3-none-any\.whl \| ℹ️ unattested \|/);
});

test('a tampered attestation: attestation-invalid naming the check, never verified in the hover or the report', async () => {
  const uri = fileUri(path.join(workspace, 'tampered', 'requirements.txt'));
  client.open(uri, 'octo-tampered==1.0.0\n');
  const answer = await report(client, uri);
  const dependency = answer.dependencies[0];
  assert.equal(dependency.status, 'invalid');
  assert.deepEqual(dependency.diagnostics, ['attestation-invalid']);
  const wheel = dependency.files.find((f) => f.filename.endsWith('.whl'))!;
  assert.equal(wheel.status, 'invalid');
  assert.match(wheel.message ?? '', /DSSE signature check failed/);
  assert.equal(wheel.logIndex, undefined);
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'attestation-invalid') });
  const invalid = diagnostics.find((d) => d.code === 'attestation-invalid')!;
  assert.equal(invalid.severity, Severity.Error);
  assert.match(invalid.message, /^Attestation invalid: DSSE signature check failed.* \(octo_tampered-1\.0\.0-py3-none-any\.whl\)$/);
  assert.deepEqual(invalid.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 20 } });

  const text = (await hover(client, uri, 0, 0))!.contents.value;
  assert.match(text, /❌ \*\*Invalid\*\*/);
  assert.doesNotMatch(text, /\*\*Verified\*\*|\| Repository \||\| Workflow \|/);
  // The check that failed is in the diagnostic, which the editor shows beside the card: not repeated.
  assert.ok(!text.includes(invalid.message), text);
  assert.match(text, /octo_tampered-1\.0\.0-py3-none-any\.whl \| ❌ invalid/);
});

test('a 403 for the provenance means the index turned the feature off: said so, not a failure', async () => {
  const uri = fileUri(path.join(workspace, 'forbidden', 'requirements.txt'));
  client.open(uri, 'octo-forbidden==1.0.0\n');
  const dependency = (await report(client, uri)).dependencies[0];
  assert.equal(dependency.status, 'unattested');
  assert.deepEqual(dependency.diagnostics, ['no-provenance']);
  assert.ok(dependency.files.every((f) => f.status === 'unattested' && /403/.test(f.message ?? '')));
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'no-provenance') });
  assert.ok(!diagnostics.some((d) => d.code === 'index-error' || d.severity === Severity.Error), JSON.stringify(diagnostics));
  assert.match(diagnostics.find((d) => d.code === 'no-provenance')!.message, /turned provenance off .*403/);
  assert.match((await hover(client, uri, 0, 0))!.contents.value, /turned provenance off/);
});

test('a 404 for the provenance is unattested; a 500 is an index-error, retried, not a verdict', async () => {
  const uri = fileUri(path.join(workspace, 'missing', 'requirements.txt'));
  client.open(uri, 'octo-missing==1.0.0\nocto-broken==1.0.0\n');
  const answer = await report(client, uri);
  assert.deepEqual(answer.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [
    ['octo-missing', 'unattested', ['no-provenance']],
    ['octo-broken', 'error', ['index-error']],
  ]);
  const broken = answer.dependencies[1].files.find((f) => f.status === 'error')!;
  assert.match(broken.message ?? '', /provenance could not be fetched: .*HTTP 500 \(will retry\)/);
});

test('a hover answers at once while verification is under way, with a pending card', async () => {
  signed.serve('octo-slow', [{ version: '1.0.0' }]);
  index.setLatency(400);
  try {
    const uri = fileUri(path.join(workspace, 'slow', 'requirements.txt'));
    client.open(uri, 'octo-slow==1.0.0\n');
    await client.waitForDiagnostics(uri);
    const card = await hover(client, uri, 0, 1);
    assert.match(card!.contents.value, /⏳ \*\*Verifying…\*\*/);
    const done = await report(client, uri);
    assert.equal(done.dependencies[0].status, 'verified');
    assert.match((await hover(client, uri, 0, 1))!.contents.value, /✅ \*\*Verified\*\*/);
  } finally {
    index.setLatency(0);
  }
});

test('report without wait answers at once; for an unknown document it is null', async () => {
  const uri = fileUri(path.join(workspace, 'verified', 'requirements.txt'));
  const answer = await report(client, uri, false);
  assert.equal(answer.dependencies[0].status, 'verified');
  assert.equal(await report(client, fileUri(path.join(workspace, 'nowhere', 'requirements.txt')), true), null);
  assert.equal(await client.request('pypiProvenance/report', { wait: true }), null);
  assert.equal(await client.request('pypiProvenance/report', null), null);
});

test('hover off a dependency is null; plain text for clients without Markdown', async () => {
  const uri = fileUri(path.join(workspace, 'verified', 'requirements.txt'));
  assert.equal(await hover(client, uri, 5, 0), null);
  const plain = await LspClient.start({
    settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: dirs.make('cache-plain') },
    env: FAST_INDEX_ENV,
    capabilities: { textDocument: { hover: { contentFormat: ['plaintext'] } } },
  });
  try {
    const doc = fileUri(path.join(workspace, 'plain', 'requirements.txt'));
    plain.open(doc, 'octo-verified==1.0.0\n');
    await report(plain, doc);
    const card = await hover(plain, doc, 0, 0);
    assert.equal(card!.contents.kind, 'plaintext');
    assert.match(card!.contents.value, /^octo-verified 1\.0\.0: Verified$/m);
    assert.match(card!.contents.value, /^Repository: +octo-org\/octo-pkg <https:\/\/github\.com\/octo-org\/octo-pkg>$/m);
    assert.doesNotMatch(card!.contents.value, /\*\*|\]\(/);
  } finally {
    await plain.shutdown().catch(() => plain.kill());
  }
});

test('pylock.toml: the locked files are verified; the hover answers on the package name', async () => {
  const served = signed.serve('octo-locked', [{ version: '3.0.0' }]);
  const sdist = served.files.find((f) => f.filename.endsWith('.tar.gz'))!;
  const uri = fileUri(path.join(workspace, 'lock', 'pylock.toml'));
  client.open(
    uri,
    [
      'lock-version = "1.0"',
      'created-by = "test"',
      '',
      '[[packages]]',
      'name = "octo-locked"',
      'version = "3.0.0"',
      `sdist = { name = "${sdist.filename}", url = "${index.origin}/files/${sdist.filename}", hashes = { sha256 = "${sdist.sha256}" } }`,
      '',
    ].join('\n'),
    { languageId: 'toml' },
  );
  const dependency = (await report(client, uri)).dependencies[0];
  assert.equal(dependency.status, 'verified');
  assert.deepEqual(dependency.files.map((f) => f.filename), [sdist.filename]);
  assert.deepEqual(dependency.range, { start: { line: 4, character: 8 }, end: { line: 4, character: 19 } });
  const text = (await hover(client, uri, 4, 10))!.contents.value;
  assert.match(text, /^\*\*octo-locked 3\.0\.0\*\* — ✅ \*\*Verified\*\*/);
  assert.match(text, /Its file has valid attestations/);
});

test('a trustedRoot that is no Sigstore trusted root: verification-error on each pinned dependency, never verified', async () => {
  const uri = fileUri(path.join(workspace, 'bad-root', 'requirements.txt'));
  const badRoot = path.join(dirs.make('bad-root'), 'trusted_root.json');
  writeFileSync(badRoot, '{"mediaType": "not a trusted root"}');
  const settings = { indexUrl: index.url, trustedRoot: badRoot, cacheDirectory: dirs.make('cache-bad-root'), severity: { unpinned: 'off' } };
  const separate = await LspClient.start({ settings, env: FAST_INDEX_ENV });
  try {
    separate.open(uri, 'octo-verified==1.0.0\n');
    const dependency = (await report(separate, uri)).dependencies[0];
    assert.equal(dependency.status, 'error');
    assert.deepEqual(dependency.diagnostics, ['verification-error']);
    const diagnostics = await separate.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'verification-error') });
    const published = diagnostics.find((d) => d.code === 'verification-error');
    assert.equal(published?.severity, Severity.Error);
    assert.match(published?.message ?? '', /^Not verified: the trusted root .* cannot be used.* \(\S+\)$/);
    assert.doesNotMatch((await hover(separate, uri, 0, 0))!.contents.value, /✅/);
  } finally {
    await separate.shutdown().catch(() => separate.kill());
  }
});

test('a trustedRoot that did not sign them: every attestation is rejected by name, nothing shown as verified', async () => {
  const uri = fileUri(path.join(workspace, 'other-root', 'requirements.txt'));
  const other = new SignedIndex(index, dirs.make('other-root'));
  const settings = { indexUrl: index.url, trustedRoot: other.trustedRootPath, cacheDirectory: dirs.make('cache-other'), severity: { unpinned: 'off' } };
  const separate = await LspClient.start({ settings, env: FAST_INDEX_ENV });
  try {
    separate.open(uri, 'octo-verified==1.0.0\n');
    const dependency = (await report(separate, uri)).dependencies[0];
    assert.equal(dependency.status, 'invalid');
    assert.ok(dependency.files.every((f) => f.status === 'invalid' && /check failed/.test(f.message ?? '')), JSON.stringify(dependency.files));
    assert.equal(dependency.publisher, null);
    const text = (await hover(separate, uri, 0, 0))!.contents.value;
    assert.doesNotMatch(text, /✅|Repository/);
    // Back to the right root: verified again (a new trust scope, verified afresh).
    await separate.setSettings({ ...settings, trustedRoot: signed.trustedRootPath });
    await separate.waitForDiagnostics(uri);
    assert.equal((await report(separate, uri)).dependencies[0].status, 'verified');
  } finally {
    await separate.shutdown().catch(() => separate.kill());
  }
});

/**
 * The zero-trust code actions through the built language server:
 * - `Record attestation identities` on a pylock.toml package (and for every package: beside it
 *   and as a source action), computed in codeAction/resolve for a client that resolves edits and
 *   inline for one that does not; the edited lock parses with the identities in place, every
 *   other byte unchanged, and the server then finds the identities matching;
 * - no such action on an identity-mismatch: recording is for packages with none recorded;
 * - `Trust the new publisher` on an identity-mismatch from the trust store runs
 *   `pypiProvenance.trustPublisher`, which replaces the trusted publisher; the diagnostic goes
 *   away, and other documents are analysed again under the new trust.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { LineIndex } from '../../server/src/core/lineIndex';
import { parsePylock } from '../../server/src/parsers/pylock';
import { applyTextEdits } from '../../server/src/zeroTrust/recordIdentities';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { fileUri, LspClient } from '../support/lspClient';
import { FAST_INDEX_ENV, SignedIndex, TempDirs, report } from './verificationSupport';
import { A, C, pylockText, recorded, serveProject } from './zeroTrustSupport';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
let client: LspClient;
let workspace: string;
let cache: string;
const projects: Record<string, TestProject> = {};

const RESOLVING = { textDocument: { codeAction: { resolveSupport: { properties: ['edit'] }, dataSupport: true, disabledSupport: true } } };

before(async () => {
  index = await startIndexServer();
  workspace = dirs.make('zero-trust-actions');
  cache = dirs.make('zero-trust-actions-cache');
  signed = new SignedIndex(index, workspace);
  projects.first = serveProject(signed, 'zt-first', [{ version: '1.0.0', identity: A }]);
  projects.second = serveProject(signed, 'zt-second', [{ version: '2.0.0', identity: C }]);
  projects.none = serveProject(signed, 'zt-bare', [{ version: '1.0.0', identity: null }]);
  projects.trust = serveProject(signed, 'zt-trust', [{ version: '1.0.0', identity: A }, { version: '2.0.0', identity: C }]);
  client = await start(RESOLVING, cache);
});

after(async () => {
  await client?.shutdown().catch(() => client.kill());
  await index?.close();
  dirs.cleanup();
});

function start(capabilities: object, cacheDirectory: string): Promise<LspClient> {
  return LspClient.start({
    settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory, severity: { unpinned: 'off' } },
    env: FAST_INDEX_ENV,
    capabilities,
  });
}

function uriOf(relative: string): string {
  return fileUri(path.join(workspace, relative));
}

function lockOf(withIdentities: Record<string, Array<Record<string, string>>> = {}): string {
  return pylockText(index.origin, [
    { name: 'zt-first', version: '1.0.0', project: projects.first, identities: withIdentities['zt-first'] },
    { name: 'zt-second', version: '2.0.0', project: projects.second, identities: withIdentities['zt-second'] },
    { name: 'zt-bare', version: '1.0.0', project: projects.none },
  ]);
}

function codeActions(on: LspClient, uri: string, line: number, diagnostics: Diagnostic[] = [], only?: string[]): Promise<CodeAction[]> {
  return on.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    context: { diagnostics, ...(only ? { only } : {}) },
  });
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  const edits = action.edit?.changes?.[uri];
  assert.ok(edits && edits.length > 0, `an edit for ${uri}: ${JSON.stringify(action)}`);
  return edits;
}

/** Applies edits that only insert, and checks that every byte outside the insertions is what it was. */
function applyInsertions(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const result = applyTextEdits(text, edits);
  let rebuilt = '';
  let at = 0;
  for (const edit of [...edits].sort((a, b) => lines.offsetAt(a.range.start) - lines.offsetAt(b.range.start))) {
    const start = lines.offsetAt(edit.range.start);
    assert.equal(lines.offsetAt(edit.range.end), start, 'an insertion, replacing nothing');
    rebuilt += text.slice(at, start) + edit.newText;
    at = start;
  }
  assert.equal(result, rebuilt + text.slice(at));
  return result;
}

/** The line of a package's `name = "…"`. */
function nameLine(text: string, name: string): number {
  return text.split('\n').indexOf(`name = "${name}"`);
}

function identitiesOf(text: string): Record<string, unknown> {
  const parsed = parsePylock(text);
  assert.deepEqual(parsed.problems, []);
  return Object.fromEntries(parsed.dependencies.map((d) => [d.name, (d.attestationIdentities ?? []).map((i) => ({ kind: i.kind, ...i.fields }))]));
}

const RECORDED_FIRST = { kind: 'GitHub', repository: 'a/b', workflow: 'release.yml' };
const RECORDED_SECOND = { kind: 'GitHub', repository: 'c/d', workflow: 'release.yml' };

test('the server offers resolving code actions and the trust command', () => {
  const capabilities = client.initializeResult.capabilities;
  assert.deepEqual(capabilities.executeCommandProvider, { commands: ['pypiProvenance.trustPublisher'] });
  assert.equal((capabilities.codeActionProvider as { resolveProvider?: boolean }).resolveProvider, true);
  assert.ok((capabilities.codeActionProvider as { codeActionKinds?: string[] }).codeActionKinds?.includes('source.recordAttestationIdentities'));
});

test('Record attestation identities: resolved on demand; one package, then every package; the rest of the file byte for byte', async () => {
  const uri = uriOf('record/pylock.toml');
  const text = lockOf();
  client.open(uri, text, { languageId: 'toml' });
  const before = await report(client, uri);
  assert.deepEqual(before.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [
    ['zt-first', 'verified', []],
    ['zt-second', 'verified', []],
    ['zt-bare', 'unattested', ['no-provenance']],
  ]);

  const actions = await codeActions(client, uri, nameLine(text, 'zt-first'));
  assert.deepEqual(actions.map((a) => [a.title, a.kind, a.edit === undefined]), [
    ['Record attestation identities', 'quickfix', true],
    ['Record attestation identities of every package', 'quickfix', true],
  ]);
  const single = await client.request<CodeAction>('codeAction/resolve', actions[0]);
  const one = applyInsertions(text, editsOf(single, uri));
  assert.deepEqual(identitiesOf(one), { 'zt-first': [RECORDED_FIRST], 'zt-second': [], 'zt-bare': [] });

  const every = await client.request<CodeAction>('codeAction/resolve', actions[1]);
  const all = applyInsertions(text, editsOf(every, uri));
  assert.deepEqual(identitiesOf(all), { 'zt-first': [RECORDED_FIRST], 'zt-second': [RECORDED_SECOND], 'zt-bare': [] });
  assert.ok(all.includes('\n\n[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "a/b"\nworkflow = "release.yml"\n'), all);

  // As a source action (the editor's "Source Action…" menu), anywhere in the file.
  const source = await codeActions(client, uri, 0, [], ['source']);
  assert.deepEqual(source.map((a) => [a.title, a.kind]), [['Record attestation identities of every package', 'source.recordAttestationIdentities']]);
  assert.deepEqual(identitiesOf(applyInsertions(text, editsOf(await client.request<CodeAction>('codeAction/resolve', source[0]), uri))), identitiesOf(all));
  // No action on the package without provenance.
  assert.deepEqual(await codeActions(client, uri, nameLine(text, 'zt-bare')), []);

  // The recorded lock: the identities match, nothing left to record.
  client.replaceAll(uri, all);
  const after = await report(client, uri);
  assert.deepEqual(after.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [
    ['zt-first', 'verified', []],
    ['zt-second', 'verified', []],
    ['zt-bare', 'unattested', ['no-provenance']],
  ]);
  assert.deepEqual(await codeActions(client, uri, nameLine(all, 'zt-first')), []);
  assert.deepEqual(client.errors(), []);
});

test('Record attestation identities is not offered on an identity-mismatch: recording never silences a recorded identity', async () => {
  const uri = uriOf('record-mismatch/pylock.toml');
  const text = lockOf({ 'zt-first': [recorded(C)] });
  client.open(uri, text, { languageId: 'toml' });
  const answer = await report(client, uri);
  assert.deepEqual(answer.dependencies[0].diagnostics, ['identity-mismatch']);
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  const mismatch = diagnostics.filter((d) => d.code === 'identity-mismatch');
  const actions = await codeActions(client, uri, mismatch[0].range.start.line, mismatch);
  assert.deepEqual(actions.filter((a) => a.title.startsWith('Record attestation identities')), []);
});

test('a client that cannot resolve code actions gets the edit inline', async () => {
  const inline = await start({}, dirs.make('inline-cache'));
  try {
    const uri = uriOf('inline/pylock.toml');
    const text = lockOf();
    inline.open(uri, text, { languageId: 'toml' });
    await report(inline, uri);
    const actions = await codeActions(inline, uri, nameLine(text, 'zt-second'));
    assert.deepEqual(actions.map((a) => [a.title, a.data === undefined]), [
      ['Record attestation identities', true],
      ['Record attestation identities of every package', true],
    ]);
    assert.deepEqual(identitiesOf(applyInsertions(text, editsOf(actions[0], uri))), { 'zt-first': [], 'zt-second': [RECORDED_SECOND], 'zt-bare': [] });
  } finally {
    await inline.shutdown().catch(() => inline.kill());
  }
});

test('Trust the new publisher: the trust store is updated, the identity-mismatch goes away, other documents follow', async () => {
  const uri = uriOf('trust/requirements.txt');
  client.open(uri, 'zt-trust==1.0.0\n');
  assert.deepEqual((await report(client, uri)).dependencies[0].diagnostics, []);
  client.replaceAll(uri, 'zt-trust==2.0.0\n');
  const changed = await report(client, uri);
  assert.deepEqual([...changed.dependencies[0].diagnostics].sort(), ['identity-mismatch', 'publisher-changed']);
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  const mismatch = diagnostics.filter((d) => d.code === 'identity-mismatch');

  // No record action outside pylock, and no hash pins for a flagged release (CONTRACT §7); the trust action carries its command.
  const actions = await codeActions(client, uri, 0, mismatch);
  assert.deepEqual(actions.map((a) => a.title), ['Trust the new publisher']);
  const trust = actions[0];
  assert.equal(trust.kind, 'quickfix');
  assert.deepEqual(trust.diagnostics, mismatch);
  assert.equal(trust.command?.command, 'pypiProvenance.trustPublisher');
  assert.deepEqual(trust.command?.arguments, [
    { uri, index: index.url, project: 'zt-trust', version: '2.0.0', publisher: { kind: 'GitHub', repository: 'c/d', workflow: 'release.yml', environment: null } },
  ]);

  // Another document still pins the old publisher's release.
  const other = uriOf('trust/pyproject.toml');
  client.open(other, '[project]\nname = "app"\ndependencies = ["zt-trust==1.0.0"]\n');
  assert.deepEqual((await report(client, other)).dependencies[0].diagnostics, []);

  const since = client.mark();
  assert.equal(await client.request('workspace/executeCommand', { command: trust.command!.command, arguments: trust.command!.arguments }), true);
  const after = await client.waitForDiagnostics(uri, { since, where: (ds) => !ds.some((d) => d.code === 'identity-mismatch') && ds.some((d) => d.code === 'publisher-changed') });
  assert.deepEqual(after.map((d) => d.code), ['publisher-changed']);
  assert.deepEqual((await report(client, uri)).dependencies.map((d) => [d.status, d.diagnostics]), [['verified', ['publisher-changed']]]);
  const entries = readdirSync(path.join(cache, 'trusted-publishers-v2'))
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(path.join(cache, 'trusted-publishers-v2', name), 'utf8')))
    .filter((entry) => entry.project === 'zt-trust');
  assert.deepEqual(entries.map((e) => [e.version, e.publisher.repository]), [['2.0.0', 'c/d']]);
  // The document that pins the old publisher's release is now the mismatch.
  const otherDiagnostics = await client.waitForDiagnostics(other, { since, where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  assert.equal(
    otherDiagnostics.find((d) => d.code === 'identity-mismatch')!.message,
    'Publisher differs from the one trusted since 2.0.0: zt-trust 1.0.0 is published by github.com/a/b (release.yml), not by github.com/c/d (release.yml)',
  );
  assert.deepEqual(client.errors(), []);
});

test('the trust command refuses malformed arguments without failing', async () => {
  for (const args of [undefined, [], [null], [{ index: 'x' }], [{ uri: 'u', index: 'i', project: 'p', version: '1', publisher: { kind: 'GitHub', repository: { nested: true } } }]]) {
    assert.equal(await client.request('workspace/executeCommand', { command: 'pypiProvenance.trustPublisher', arguments: args }), false);
  }
  assert.equal(await client.request('workspace/executeCommand', { command: 'pypiProvenance.unknown', arguments: [] }), null);
  // A resolve of an action that is not ours, or whose data is garbage, answers it unchanged.
  const foreign = { title: 'x', data: { pypiProvenance: 'record-identities', uri: 42 } };
  assert.deepEqual(await client.request('codeAction/resolve', foreign), foreign);
  assert.deepEqual(client.errors(), []);
});

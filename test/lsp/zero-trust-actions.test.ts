/**
 * The zero-trust code actions through the built language server:
 * - `Record attestation identities` on a pylock.toml package (and for every package: beside it
 *   and as a source action), computed in codeAction/resolve for a client that resolves edits and
 *   inline for one that does not; the edited lock parses with the identities in place, every
 *   other byte unchanged, and the server then finds the identities matching;
 * - no such action on an identity-mismatch: recording is for packages with none recorded;
 * - accepting a changed publisher (issue 10 item 3): the title names both publishers; a client
 *   without the confirmation command gets one action per mode (`replace`, `keep-both`), a client
 *   announcing `pypiProvenance.confirmAcceptPublisher` one action running it; the server command
 *   `pypiProvenance.acceptPublisher` refuses without a mode; `replace` replaces the trusted
 *   publisher (trust store) or the recorded identities (the lock, through workspace/applyEdit),
 *   `keep-both` keeps both; no action for a release with a failed attestation;
 * - forgetting the trust memory: the entries leave the disk and the next check records first use.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { LineIndex } from '../../server/src/core/lineIndex';
import { parsePylock } from '../../server/src/parsers/pylock';
import { applyTextEdits } from '../../server/src/zeroTrust/recordIdentities';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { fileUri, LspClient } from '../support/lspClient';
import { currentEntries, storedEntryNames } from '../support/trustMemory';
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

test('the server offers resolving code actions and the accept command', () => {
  const capabilities = client.initializeResult.capabilities;
  assert.deepEqual(capabilities.executeCommandProvider, { commands: ['pypiProvenance.acceptPublisher', 'pypiProvenance.acceptOwners'] });
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

function trustEntries(cacheDirectory: string, project: string): Array<{ version: string; publisher: { repository: string }; also?: Array<{ publisher: { repository: string } }> }> {
  return [...currentEntries(path.join(cacheDirectory, 'trusted-publishers-v2')).values()].filter((entry) => entry.project === project) as unknown as ReturnType<typeof trustEntries>;
}

const C_PUBLISHER = { kind: 'GitHub', repository: 'c/d', workflow: 'release.yml', environment: null };

test('Accept the new publisher (trust store): one action per mode, titles naming both; replace updates the store, the mismatch goes, other documents follow', async () => {
  const uri = uriOf('trust/requirements.txt');
  client.open(uri, 'zt-trust==1.0.0\n');
  assert.deepEqual((await report(client, uri)).dependencies[0].diagnostics, []);
  client.replaceAll(uri, 'zt-trust==2.0.0\n');
  const changed = await report(client, uri);
  assert.deepEqual([...changed.dependencies[0].diagnostics].sort(), ['identity-mismatch', 'publisher-changed']);
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  const mismatch = diagnostics.filter((d) => d.code === 'identity-mismatch');

  // No record action outside pylock, and no hash pins for a flagged release (CONTRACT §7); without the client's confirmation, one action per mode.
  const actions = await codeActions(client, uri, 0, mismatch);
  assert.deepEqual(actions.map((a) => a.title), [
    'Accept github.com/c/d as the publisher of zt-trust, replacing github.com/a/b',
    'Accept github.com/c/d as another publisher of zt-trust, keeping github.com/a/b',
  ]);
  const [replace] = actions;
  assert.equal(replace.kind, 'quickfix');
  assert.deepEqual(replace.diagnostics, mismatch);
  assert.equal(replace.command?.command, 'pypiProvenance.acceptPublisher');
  const args = replace.command!.arguments![0] as Record<string, unknown>;
  assert.deepEqual(
    { ...args, documentVersion: undefined },
    {
      target: 'trust-store',
      uri,
      documentVersion: undefined,
      dependency: 0,
      project: 'zt-trust',
      version: '2.0.0',
      index: index.url,
      publisher: C_PUBLISHER,
      labels: { project: 'zt-trust', publisher: 'github.com/c/d', previous: ['github.com/a/b'] },
      mode: 'replace',
    },
  );

  // Another document still pins the old publisher's release.
  const other = uriOf('trust/pyproject.toml');
  client.open(other, '[project]\nname = "app"\ndependencies = ["zt-trust==1.0.0"]\n');
  assert.deepEqual((await report(client, other)).dependencies[0].diagnostics, []);

  // Without a mode the server refuses, and trusts nothing.
  const { mode: _mode, ...withoutMode } = args;
  assert.deepEqual(await client.request('workspace/executeCommand', { command: 'pypiProvenance.acceptPublisher', arguments: [withoutMode] }), {
    accepted: false,
    reason: 'no mode: say `replace` or `keep-both`',
  });
  assert.deepEqual(trustEntries(cache, 'zt-trust').map((e) => e.publisher.repository), ['a/b']);

  const since = client.mark();
  assert.deepEqual(await client.request('workspace/executeCommand', { command: replace.command!.command, arguments: replace.command!.arguments }), { accepted: true, mode: 'replace' });
  const after = await client.waitForDiagnostics(uri, { since, where: (ds) => !ds.some((d) => d.code === 'identity-mismatch') && ds.some((d) => d.code === 'publisher-changed') });
  assert.deepEqual(after.map((d) => d.code), ['publisher-changed']);
  assert.deepEqual((await report(client, uri)).dependencies.map((d) => [d.status, d.diagnostics]), [['verified', ['publisher-changed']]]);
  // Replaced, not appended.
  assert.deepEqual(trustEntries(cache, 'zt-trust').map((e) => [e.version, e.publisher.repository, e.also]), [['2.0.0', 'c/d', undefined]]);
  // The document that pins the old publisher's release is now the mismatch.
  const otherDiagnostics = await client.waitForDiagnostics(other, { since, where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  assert.equal(
    otherDiagnostics.find((d) => d.code === 'identity-mismatch')!.message,
    'Publisher differs from the one trusted since 2.0.0: zt-trust 1.0.0 is published by github.com/a/b (release.yml), not by github.com/c/d (release.yml)',
  );
  // Executed again, the same arguments find nothing to accept: they only point at what the analysis offers.
  assert.deepEqual(await client.request('workspace/executeCommand', { command: replace.command!.command, arguments: replace.command!.arguments }), {
    accepted: false,
    reason: 'the analysis offers no such acceptance (nothing to accept, or the release is flagged)',
  });
  client.close(uri);
  client.close(other);
  assert.deepEqual(client.errors(), []);
});

test('Accept with keep-both (trust store): both publishers are trusted, neither release is a mismatch', async () => {
  const keep = serveProject(signed, 'zt-keep', [{ version: '1.0.0', identity: A }, { version: '2.0.0', identity: C }]);
  assert.ok(keep);
  const uri = uriOf('keep/requirements.txt');
  client.open(uri, 'zt-keep==1.0.0\n');
  await report(client, uri);
  client.replaceAll(uri, 'zt-keep==2.0.0\n');
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  const actions = await codeActions(client, uri, 0, diagnostics);
  const keepBoth = actions.find((a) => (a.command?.arguments?.[0] as { mode?: string }).mode === 'keep-both')!;
  assert.equal(keepBoth.title, 'Accept github.com/c/d as another publisher of zt-keep, keeping github.com/a/b');
  const since = client.mark();
  assert.deepEqual(await client.request('workspace/executeCommand', { command: keepBoth.command!.command, arguments: keepBoth.command!.arguments }), { accepted: true, mode: 'keep-both' });
  await client.waitForDiagnostics(uri, { since, where: (ds) => !ds.some((d) => d.code === 'identity-mismatch') });
  assert.deepEqual(trustEntries(cache, 'zt-keep').map((e) => [e.publisher.repository, (e.also ?? []).map((x) => x.publisher.repository)]), [['a/b', ['c/d']]]);
  // The old publisher's release is still trusted.
  const old = uriOf('keep/pyproject.toml');
  client.open(old, '[project]\nname = "app"\ndependencies = ["zt-keep==1.0.0"]\n');
  assert.deepEqual((await report(client, old)).dependencies[0].diagnostics, []);
  client.close(uri);
  client.close(old);
  assert.deepEqual(client.errors(), []);
});

test('Accept in a lock: replace rewrites the recorded identity through workspace/applyEdit; the mismatch goes', async () => {
  const uri = uriOf('accept-lock/pylock.toml');
  const text = lockOf({ 'zt-first': [recorded(C)] });
  client.open(uri, text, { languageId: 'toml' });
  await report(client, uri);
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  const mismatch = diagnostics.filter((d) => d.code === 'identity-mismatch');
  const actions = await codeActions(client, uri, mismatch[0].range.start.line, mismatch);
  assert.deepEqual(actions.map((a) => a.title), [
    'Accept github.com/a/b as the publisher of zt-first, replacing github.com/c/d',
    'Accept github.com/a/b as another publisher of zt-first, keeping github.com/c/d',
  ]);
  const edits = client.appliedEdits.length;
  assert.deepEqual(await client.request('workspace/executeCommand', { command: actions[0].command!.command, arguments: actions[0].command!.arguments }), { accepted: true, mode: 'replace' });
  assert.equal(client.appliedEdits.length, edits + 1);
  const applied = client.appliedEdits[edits] as { label?: string; edit: { changes?: Record<string, TextEdit[]>; documentChanges?: Array<{ edits: TextEdit[] }> } };
  assert.equal(applied.label, 'Accept github.com/a/b as the publisher of zt-first, replacing github.com/c/d');
  const changes = applied.edit.changes?.[uri] ?? applied.edit.documentChanges?.[0]?.edits ?? [];
  const accepted = applyTextEdits(text, changes);
  // Replaced, not appended; the other packages as they were.
  assert.deepEqual(identitiesOf(accepted), { 'zt-first': [RECORDED_FIRST], 'zt-second': [], 'zt-bare': [] });
  client.replaceAll(uri, accepted);
  assert.deepEqual((await report(client, uri)).dependencies.map((d) => [d.name, d.diagnostics]), [
    ['zt-first', []],
    ['zt-second', []],
    ['zt-bare', ['no-provenance']],
  ]);
  client.close(uri);
  assert.deepEqual(client.errors(), []);
});

test('a client with the confirmation command gets one action that runs it; the server applies keep-both only when told', async () => {
  const confirming = await start({ ...RESOLVING, experimental: { commands: { commands: ['pypiProvenance.confirmAcceptPublisher'] } } }, dirs.make('confirm-cache'));
  try {
    const uri = uriOf('confirm/pylock.toml');
    const text = lockOf({ 'zt-first': [recorded(C)] });
    confirming.open(uri, text, { languageId: 'toml' });
    await report(confirming, uri);
    const diagnostics = await confirming.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
    const mismatch = diagnostics.filter((d) => d.code === 'identity-mismatch');
    const actions = await codeActions(confirming, uri, mismatch[0].range.start.line, mismatch);
    assert.deepEqual(actions.map((a) => [a.title, a.command?.command]), [['Accept github.com/a/b as the publisher of zt-first (was github.com/c/d)', 'pypiProvenance.confirmAcceptPublisher']]);
    const args = actions[0].command!.arguments![0] as Record<string, unknown>;
    assert.equal(args.mode, undefined, 'the client asks for the mode');
    // What the client sends unchanged is refused: no edit.
    assert.deepEqual(await confirming.request('workspace/executeCommand', { command: 'pypiProvenance.acceptPublisher', arguments: [args] }), { accepted: false, reason: 'no mode: say `replace` or `keep-both`' });
    assert.equal(confirming.appliedEdits.length, 0);
    // With the user's "Keep both".
    assert.deepEqual(await confirming.request('workspace/executeCommand', { command: 'pypiProvenance.acceptPublisher', arguments: [{ ...args, mode: 'keep-both' }] }), { accepted: true, mode: 'keep-both' });
    const applied = confirming.appliedEdits[0] as { edit: { documentChanges?: Array<{ edits: TextEdit[] }>; changes?: Record<string, TextEdit[]> } };
    const kept = applyTextEdits(text, applied.edit.changes?.[uri] ?? applied.edit.documentChanges?.[0]?.edits ?? []);
    assert.deepEqual(identitiesOf(kept), { 'zt-first': [RECORDED_SECOND, RECORDED_FIRST], 'zt-second': [], 'zt-bare': [] });
    // A stale document version is refused.
    confirming.replaceAll(uri, text + '\n');
    await report(confirming, uri);
    assert.deepEqual(await confirming.request('workspace/executeCommand', { command: 'pypiProvenance.acceptPublisher', arguments: [{ ...args, mode: 'replace' }] }), { accepted: false, reason: 'the file changed since the action was offered' });
    assert.deepEqual(confirming.errors(), []);
  } finally {
    await confirming.shutdown().catch(() => confirming.kill());
  }
});

test('no accept or record action for a release with a failed attestation, even where another file verified', async () => {
  const forged = { kind: 'GitHub', repository: 'not/the-signer', workflow: 'release.yml', environment: null };
  const broken = serveProject(signed, 'zt-broken', [
    { version: '1.0.0', identity: A },
    { version: '2.0.0', identity: C, perFile: (filename) => (filename.endsWith('.whl') ? { publisher: forged } : undefined) },
  ]);
  // The lock records the old publisher: the sdist is a mismatch, the wheel's attestation fails.
  const lockUri = uriOf('broken/pylock.toml');
  const lockText = pylockText(index.origin, [{ name: 'zt-broken', version: '2.0.0', project: broken, identities: [recorded(A)] }]);
  client.open(lockUri, lockText, { languageId: 'toml' });
  const lockReport = await report(client, lockUri);
  assert.ok((['attestation-invalid', 'identity-mismatch'] as const).every((code) => lockReport.dependencies[0].diagnostics.includes(code)), JSON.stringify(lockReport.dependencies[0].diagnostics));
  const lockDiagnostics = await client.waitForDiagnostics(lockUri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  assert.deepEqual(await codeActions(client, lockUri, nameLine(lockText, 'zt-broken'), lockDiagnostics), []);
  // Without recorded identities, nothing is recorded for it either.
  const bare = pylockText(index.origin, [{ name: 'zt-broken', version: '2.0.0', project: broken }]);
  client.replaceAll(lockUri, bare);
  assert.ok((await report(client, lockUri)).dependencies[0].diagnostics.includes('attestation-invalid'));
  assert.deepEqual(await codeActions(client, lockUri, nameLine(bare, 'zt-broken')), []);

  // Trusted on first use at 1.0.0; 2.0.0's verified sdist is a mismatch, its wheel fails.
  const uri = uriOf('broken/requirements.txt');
  client.open(uri, 'zt-broken==1.0.0\n');
  await report(client, uri);
  client.replaceAll(uri, 'zt-broken==2.0.0\n');
  const answer = await report(client, uri);
  assert.ok(answer.dependencies[0].diagnostics.includes('identity-mismatch') && answer.dependencies[0].diagnostics.includes('attestation-invalid'), JSON.stringify(answer.dependencies[0].diagnostics));
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.some((d) => d.code === 'identity-mismatch') });
  assert.deepEqual(await codeActions(client, uri, 0, diagnostics), []);
  // Nor does the command accept it when asked directly.
  const forgedArgs = {
    target: 'trust-store', uri, documentVersion: 0, dependency: 0, project: 'zt-broken', version: '2.0.0', index: index.url,
    publisher: C_PUBLISHER, labels: { project: 'zt-broken', publisher: 'x', previous: ['y'] }, mode: 'replace',
  };
  assert.equal(((await client.request('workspace/executeCommand', { command: 'pypiProvenance.acceptPublisher', arguments: [forgedArgs] })) as { accepted: boolean }).accepted, false);
  assert.deepEqual(trustEntries(cache, 'zt-broken').map((e) => e.publisher.repository), ['a/b']);
  client.close(uri);
  client.close(lockUri);
});

test('Forget trust memory: counts, removes trusted publishers and release file sets from disk, and the next check records first use again', async () => {
  const forgetCache = dirs.make('forget-cache');
  const forgetting = await start({}, forgetCache);
  try {
    serveProject(signed, 'zt-forget', [{ version: '1.0.0', identity: A }, { version: '2.0.0', identity: C }]);
    const uri = uriOf('forget/requirements.txt');
    forgetting.open(uri, 'zt-forget==1.0.0\n');
    await report(forgetting, uri);
    const files = (dir: string) => storedEntryNames(path.join(forgetCache, dir));
    await waitUntil(() => files('trusted-publishers-v2').length === 1 && files('release-files-v1').length === 1);
    assert.deepEqual(await forgetting.request('pypiProvenance/trustMemory', null), { trustedPublishers: 1, releaseFileSets: 1 });
    forgetting.close(uri);

    // Only the publishers (no document open to re-check): they leave the disk, the file sets stay.
    assert.deepEqual(await forgetting.request('pypiProvenance/forgetTrustMemory', { trustedPublishers: true }), { trustedPublishers: 1, releaseFileSets: 0 });
    assert.equal(existsSync(path.join(forgetCache, 'trusted-publishers-v2')), false);
    assert.equal(files('release-files-v1').length, 1);
    assert.deepEqual(await forgetting.request('pypiProvenance/trustMemory', null), { trustedPublishers: 0, releaseFileSets: 1 });

    // 2.0.0's publisher is now a first use: recorded, no identity-mismatch (the history still says it changed).
    forgetting.open(uri, 'zt-forget==2.0.0\n');
    assert.deepEqual((await report(forgetting, uri)).dependencies[0].diagnostics, ['publisher-changed']);
    await waitUntil(() => trustEntries(forgetCache, 'zt-forget').length === 1);
    assert.deepEqual(trustEntries(forgetCache, 'zt-forget').map((e) => [e.version, e.publisher.repository]), [['2.0.0', 'c/d']]);

    // A request with no choice forgets nothing; both at once with a document open: both go, and the re-check records its release afresh.
    assert.deepEqual(await forgetting.request('pypiProvenance/forgetTrustMemory', {}), { trustedPublishers: 0, releaseFileSets: 0 });
    const fileSetsBefore = files('release-files-v1');
    assert.deepEqual(await forgetting.request('pypiProvenance/forgetTrustMemory', { trustedPublishers: true, releaseFileSets: true }), { trustedPublishers: 1, releaseFileSets: 2 });
    await waitUntil(() => files('release-files-v1').length === 1 && files('trusted-publishers-v2').length === 1);
    assert.ok(fileSetsBefore.includes(files('release-files-v1')[0]), 'the open release is remembered again, the other one is gone');
    assert.deepEqual(forgetting.errors(), []);
  } finally {
    await forgetting.shutdown().catch(() => forgetting.kill());
  }
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(condition(), 'the condition came true');
}

test('the accept command refuses malformed arguments without failing', async () => {
  for (const args of [undefined, [], [null], [{ index: 'x', mode: 'replace' }], [{ target: 'trust-store', uri: 'u', documentVersion: 1, dependency: 0, index: 'i', project: 'p', version: '1', publisher: { kind: 'GitHub', repository: { nested: true } }, mode: 'replace' }]]) {
    const answer = (await client.request('workspace/executeCommand', { command: 'pypiProvenance.acceptPublisher', arguments: args })) as { accepted: boolean };
    assert.equal(answer.accepted, false);
  }
  assert.equal(await client.request('workspace/executeCommand', { command: 'pypiProvenance.unknown', arguments: [] }), null);
  // A resolve of an action that is not ours, or whose data is garbage, answers it unchanged.
  const foreign = { title: 'x', data: { pypiProvenance: 'record-identities', uri: 42 } };
  assert.deepEqual(await client.request('codeAction/resolve', foreign), foreign);
  assert.deepEqual(client.errors(), []);
});

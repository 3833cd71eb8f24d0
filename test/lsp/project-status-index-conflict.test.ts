/**
 * PEP 792 project status and index conflicts (issue 11 items 4, 5) through the built language
 * server, on test indexes with the test Sigstore: each code with its severity, its words in the
 * diagnostic, the hover and the report; none on a clean project; an untrusted workspace never
 * contacting the second index, and the conflict once the workspace is trusted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { DocumentReport } from '../../server/src/core/result';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';
import { fileUri, LspClient, Severity } from '../support/lspClient';
import { FAST_INDEX_ENV, SignedIndex, TempDirs, hover, report } from './verificationSupport';
import { serveProject } from './zeroTrustSupport';

const NEW_CODES = ['project-quarantined', 'project-archived', 'project-deprecated', 'index-conflict'];
const dirs = new TempDirs();
let index: IndexServer;
let other: IndexServer;
let signed: SignedIndex;
let client: LspClient;
let workspace: string;
const settings: Record<string, unknown> = {};

before(async () => {
  index = await startIndexServer();
  other = await startIndexServer();
  workspace = dirs.make('status-lsp');
  signed = new SignedIndex(index, workspace);
  serveProject(signed, 'zt-clean', [{ version: '1.0.0' }, { version: '1.1.0' }]);
  for (const [name, projectStatus] of Object.entries({
    'zt-quarantined': { status: 'quarantined', reason: 'Reported as malware' },
    'zt-archived': { status: 'archived', reason: 'Moved to zt-archived-ng' },
    'zt-deprecated': { status: 'deprecated' },
    'zt-hostile': { status: { toString: 'quarantined' }, reason: 7 },
  })) {
    index.setProject({ ...serveProject(signed, name, [{ version: '1.0.0' }]), apiVersion: '1.4', projectStatus });
  }
  serveProject(signed, 'zt-both', [{ version: '1.0.0' }]);
  other.setProject(makeProject('zt-both', { releases: ['1.0.0'] }));
  Object.assign(settings, { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: dirs.make('status-lsp-cache'), severity: { unpinned: 'off' }, workspaceTrusted: false });
  client = await LspClient.start({
    settings,
    env: FAST_INDEX_ENV,
    capabilities: { textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } } },
  });
});

after(async () => {
  await client?.shutdown().catch(() => client.kill());
  await Promise.all([index?.close(), other?.close()]);
  dirs.cleanup();
});

const opened = new Set<string>();

/** Opens (or replaces) a document; answers its settled report and the publish that matches it. */
async function analyse(relative: string, text: string): Promise<{ uri: string; report: DocumentReport; diagnostics: Diagnostic[] }> {
  const uri = fileUri(path.join(workspace, relative));
  if (!opened.has(uri)) {
    opened.add(uri);
    client.open(uri, text);
  } else client.replaceAll(uri, text);
  const answer = await report(client, uri);
  const codes = answer.dependencies.flatMap((d) => d.diagnostics).sort().join(',');
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.map((d) => String(d.code)).sort().join(',') === codes });
  return { uri, report: answer, diagnostics };
}

async function hoverText(uri: string, line: number): Promise<string> {
  const card = await hover(client, uri, line, 2);
  assert.ok(card, 'a hover');
  return card.contents.value;
}

test('PEP 792 through the server: quarantined an error (invalid), archived and deprecated warnings, with the reason in diagnostic, hover and report; a hostile status and a clean project raise none', async () => {
  const { uri, report: answer, diagnostics } = await analyse('status/requirements.txt', 'zt-quarantined==1.0.0\nzt-archived==1.0.0\nzt-deprecated==1.0.0\nzt-hostile==1.0.0\nzt-clean==1.1.0\n');
  assert.deepEqual(
    answer.dependencies.map((d) => [d.name, d.status, d.diagnostics]),
    [
      ['zt-quarantined', 'invalid', ['project-quarantined']],
      ['zt-archived', 'verified', ['project-archived']],
      ['zt-deprecated', 'verified', ['project-deprecated']],
      ['zt-hostile', 'verified', []],
      ['zt-clean', 'verified', []],
    ],
  );
  const byCode = new Map(diagnostics.map((d) => [String(d.code), d]));
  const quarantined = byCode.get('project-quarantined')!;
  assert.equal(quarantined.severity, Severity.Error);
  assert.equal(quarantined.source, 'pypi-provenance');
  assert.equal(quarantined.message, `Project quarantined: zt-quarantined is quarantined on the index (${index.url}): the index is reviewing it, possibly as malware, and it should not be installed. The index gives as reason: “Reported as malware”.`);
  assert.deepEqual(quarantined.range, answer.dependencies[0].range);
  assert.equal(byCode.get('project-archived')!.severity, Severity.Warning);
  assert.match(byCode.get('project-archived')!.message, /^Project archived: zt-archived is archived on the index .* “Moved to zt-archived-ng”\.$/);
  assert.equal(byCode.get('project-deprecated')!.severity, Severity.Warning);
  assert.equal(diagnostics.filter((d) => d.range.start.line >= 3).length, 0, 'nothing on the hostile and the clean line');

  const card = await hoverText(uri, 0);
  // The card leads with the finding that made the release invalid (its message is VS Code's, above the card).
  assert.match(card, /❌ \*\*Project quarantined\*\*/);
  assert.ok(card.includes('The index has quarantined this project (PEP 792)'), card);
  assert.ok(!card.includes('Verification failed'), card);
  assert.match(await hoverText(uri, 1), /⚠️ \*\*Project archived\*\*/);
  // Pinning a hash records trust in a file: never for a quarantined project (CONTRACT §7).
  const titles = async (line: number) =>
    (await client.request<Array<{ title: string }>>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line, character: 0 }, end: { line, character: 0 } }, context: { diagnostics: [] } })).map((a) => a.title);
  assert.ok(!(await titles(0)).some((title) => title.startsWith('Add hash pins (')), 'no line fix on the quarantined project');
  assert.ok((await titles(1)).includes('Add hash pins (turns on hash-checking for the file)'), 'the archived one may be pinned');
  assert.ok((await hoverText(uri, 3)).includes('the project status the index gives is not a string (ignored)'), 'the hostile status is a note, not a finding');
  const clean = await hoverText(uri, 4);
  for (const word of ['quarantined', 'archived', 'deprecated', 'served by']) assert.ok(!clean.includes(word), clean);
  assert.deepEqual(client.errors(), []);
});

test('index conflicts: an untrusted workspace never contacts the extra index; trusted, the project both serve is index-conflict (warning) in diagnostic, hover and report', async () => {
  other.resetCounts();
  const text = `--extra-index-url ${other.url}\nzt-both==1.0.0\nzt-clean==1.1.0\n`;
  const untrusted = await analyse('conflict/requirements.txt', text);
  assert.deepEqual(untrusted.report.dependencies.map((d) => [d.name, d.diagnostics]), [['zt-both', []], ['zt-clean', []]]);
  assert.equal(other.totalRequests, 0, `the extra index was asked: ${other.requests.map((r) => r.path).join(', ')}`);

  const since = client.mark();
  await client.setSettings({ ...settings, workspaceTrusted: true });
  const diagnostics = await client.waitForDiagnostics(untrusted.uri, { since, where: (ds) => ds.some((d) => d.code === 'index-conflict') });
  const trusted = await report(client, untrusted.uri);
  assert.deepEqual(trusted.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [['zt-both', 'verified', ['index-conflict']], ['zt-clean', 'verified', []]]);
  const conflict = diagnostics.find((d) => d.code === 'index-conflict')!;
  assert.equal(conflict.severity, Severity.Warning);
  assert.ok(conflict.message.startsWith('Index conflict: zt-both is served by 2 of the indexes this file names (dependency confusion'), conflict.message);
  assert.ok(conflict.message.includes(`${index.url} serves zt_both-1.0.0.tar.gz (sha256 `), conflict.message);
  assert.ok(conflict.message.includes(`; ${other.url} serves zt_both-1.0.0.tar.gz (sha256 `), conflict.message);
  assert.ok(other.projectCount('zt-both') > 0);
  assert.ok(/⚠️ \*\*Index conflict\*\*/.test(await hoverText(untrusted.uri, 1)));
  assert.deepEqual(diagnostics.filter((d) => NEW_CODES.includes(String(d.code)) && d.range.start.line === 2), [], 'the project only one index serves: nothing');
  await client.setSettings({ ...settings });
});

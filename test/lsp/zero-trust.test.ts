/**
 * Zero trust (issue 6) through the built language server, on the test index with the test
 * Sigstore: each state raised exactly when it should be, with the words a user reads in the
 * diagnostic, the hover and the report — and never on a clean release.
 * - pylock.toml `attestation-identities`: matching (nothing), mismatching, recorded but no
 *   provenance, a renamed repository (two identities recorded, both accepted);
 * - the publisher trusted on first use (requirements.txt, pyproject.toml): first use is silent,
 *   the same publisher says nothing, another publisher is identity-mismatch naming both, and the
 *   trusted one is never replaced silently;
 * - publisher-changed against the previous release, and between files of one release;
 * - provenance-lost (with no-provenance);
 * - late-upload, the hover listing the late files, `lateUploadDays` respected;
 * - a reusable-workflow release whose certificate names the caller workflow verifies clean.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { DocumentReport } from '../../server/src/core/result';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { fileUri, LspClient, Severity } from '../support/lspClient';
import { currentEntries } from '../support/trustMemory';
import { FAST_INDEX_ENV, SignedIndex, TempDirs, hover, report } from './verificationSupport';
import { A, C, NEW_NAME, OLD_NAME, ZERO_TRUST_CODES, pylockText, recorded, reusableWorkflowSigning, serveProject } from './zeroTrustSupport';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
let client: LspClient;
let workspace: string;
let cache: string;
const projects: Record<string, TestProject> = {};

before(async () => {
  index = await startIndexServer();
  workspace = dirs.make('zero-trust');
  cache = dirs.make('zero-trust-cache');
  signed = new SignedIndex(index, workspace);
  projects.clean = serveProject(signed, 'zt-clean', [{ version: '1.0.0' }, { version: '1.1.0' }]);
  projects.changed = serveProject(signed, 'zt-changed', [{ version: '1.2.0', identity: A }, { version: '1.3.0', identity: C }]);
  projects.tofu = serveProject(signed, 'zt-tofu', [{ version: '1.0.0', identity: A }, { version: '2.0.0', identity: C }, { version: '2.1.0', identity: C }]);
  projects.inconsistent = serveProject(signed, 'zt-inconsistent', [{ version: '1.0.0', perFile: (f) => (f.endsWith('.whl') ? { identity: C } : { identity: A }) }]);
  projects.lost = serveProject(signed, 'zt-lost', [{ version: '1.0.0', identity: A }, { version: '1.1.0', identity: null }]);
  projects.none = serveProject(signed, 'zt-none', [{ version: '1.0.0', identity: null }]);
  projects.late = serveProject(signed, 'zt-late', [
    { version: '0.9.0' },
    {
      version: '1.0.0',
      files: ['sdist', 'wheel', 'zt_late-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl'],
      uploadedDaysLater: (f) => (f.endsWith('.whl') ? 60 : undefined),
    },
  ]);
  projects.renamed = serveProject(signed, 'zt-renamed', [{ version: '1.0.0', identity: OLD_NAME }, { version: '2.0.0', identity: NEW_NAME }]);
  const caller = { repository: 'octo-org/zt-reusable', ref: 'refs/tags/v1.0.0', commit: '0123456789abcdef0123456789abcdef01234567' };
  projects.reusable = serveProject(signed, 'zt-reusable', [{ version: '0.9.0', perFile: () => reusableWorkflowSigning(caller) }, { version: '1.0.0', perFile: () => reusableWorkflowSigning(caller) }]);
  client = await LspClient.start({
    settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: cache, severity: { unpinned: 'off' } },
    env: FAST_INDEX_ENV,
  });
});

after(async () => {
  await client?.shutdown().catch(() => client.kill());
  await index?.close();
  dirs.cleanup();
});

function uriOf(relative: string): string {
  return fileUri(path.join(workspace, relative));
}

function zeroTrust(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => ZERO_TRUST_CODES.includes(String(d.code)));
}

/** Opens (or replaces) a document and answers its settled report and the publish that matches it. */
async function analyse(uri: string, text: string, languageId?: string): Promise<{ report: DocumentReport; diagnostics: Diagnostic[] }> {
  if (client.latest(uri) === undefined || !opened.has(uri)) {
    opened.add(uri);
    client.open(uri, text, languageId ? { languageId } : {});
  } else {
    client.replaceAll(uri, text);
  }
  const answer = await report(client, uri);
  const codes = answer.dependencies.flatMap((d) => d.diagnostics).filter((code) => code !== 'unpinned').sort().join(',');
  const diagnostics = await client.waitForDiagnostics(uri, { where: (ds) => ds.map((d) => String(d.code)).sort().join(',') === codes });
  return { report: answer, diagnostics };
}
const opened = new Set<string>();

async function hoverText(uri: string, line: number, character: number): Promise<string> {
  const card = await hover(client, uri, line, character);
  assert.ok(card, 'a hover');
  return card.contents.value;
}

function trustEntries(): Array<{ project: string; version: string; publisher: Record<string, unknown> }> {
  return [...currentEntries(path.join(cache, 'trusted-publishers-v2')).values()] as unknown as ReturnType<typeof trustEntries>;
}

test('a clean release (same publisher as the previous one, every file attested, files on time): none of the zero-trust codes, in any format', async () => {
  const requirements = await analyse(uriOf('clean/requirements.txt'), 'zt-clean==1.1.0\n');
  assert.deepEqual(requirements.report.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [['zt-clean', 'verified', []]]);
  assert.deepEqual(zeroTrust(requirements.diagnostics), []);
  const card = await hoverText(uriOf('clean/requirements.txt'), 0, 2);
  assert.match(card, /Published by \[github\.com\/a\/b\]\([^)]*\) \(\[release\.yml\]\([^)]*\)\)/);
  assert.match(card, /First use on this machine: this publisher and its 2 files are remembered; a change later is flagged./);
  assert.doesNotMatch(card, /Uploaded late/);

  const pyproject = await analyse(uriOf('clean/pyproject.toml'), '[project]\nname = "app"\ndependencies = ["zt-clean==1.1.0"]\n');
  assert.deepEqual(pyproject.report.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [['zt-clean', 'verified', []]]);
  assert.match(await hoverText(uriOf('clean/pyproject.toml'), 2, 20), /The same publisher as trusted on this machine since 1\.1\.0\./);

  const lock = pylockText(index.origin, [{ name: 'zt-clean', version: '1.1.0', project: projects.clean, identities: [recorded(A)] }]);
  const locked = await analyse(uriOf('clean/pylock.toml'), lock, 'toml');
  assert.deepEqual(locked.report.dependencies.map((d) => [d.name, d.status, d.diagnostics]), [['zt-clean', 'verified', []]]);
  assert.deepEqual(client.errors(), []);
});

test('pylock.toml: a publisher no recorded identity matches is identity-mismatch (error), the package invalid', async () => {
  const lock = pylockText(index.origin, [{ name: 'zt-clean', version: '1.1.0', project: projects.clean, identities: [recorded(C)] }]);
  const { report: answer, diagnostics } = await analyse(uriOf('mismatch/pylock.toml'), lock, 'toml');
  assert.deepEqual(answer.dependencies.map((d) => [d.status, d.diagnostics]), [['invalid', ['identity-mismatch']]]);
  const [mismatch] = zeroTrust(diagnostics);
  assert.equal(mismatch.severity, Severity.Error);
  assert.equal(mismatch.message, 'Publisher differs from the one recorded in the lock: zt-clean 1.1.0 is published by github.com/a/b (release.yml, no environment), not by github.com/c/d (release.yml)');
  assert.deepEqual(mismatch.range, answer.dependencies[0].range);
  const card = await hoverText(uriOf('mismatch/pylock.toml'), 5, 10);
  // The headline says what happened; the diagnostic's own message is VS Code's to show beside the card, not the card's to repeat.
  assert.match(card, /^\*\*zt-clean 1\.1\.0\*\* — ❌ \*\*Publisher differs from the one recorded\*\*\n/);
  assert.match(card, /Its attestations are valid, but its publisher is not the one recorded or trusted before\./);
  assert.match(card, /Published by \[github\.com\/a\/b\]/);
  assert.ok(!card.includes(mismatch.message), card);
});

test('pylock.toml: identities recorded but the release has no provenance at all: identity-mismatch with no-provenance', async () => {
  const lock = pylockText(index.origin, [{ name: 'zt-none', version: '1.0.0', project: projects.none, identities: [recorded(A)] }]);
  const { report: answer, diagnostics } = await analyse(uriOf('recorded-none/pylock.toml'), lock, 'toml');
  assert.deepEqual(answer.dependencies.map((d) => [d.status, [...d.diagnostics].sort()]), [['invalid', ['identity-mismatch', 'no-provenance']]]);
  assert.equal(zeroTrust(diagnostics)[0].message, 'No provenance for the recorded publisher: the lock records the publisher github.com/a/b (release.yml) for zt-none 1.0.0, but none of its files has attestations');
});

test('pylock.toml: a renamed repository — both identities recorded, both releases accepted', async () => {
  const identities = [recorded(OLD_NAME), recorded(NEW_NAME)];
  const old = await analyse(uriOf('renamed-old/pylock.toml'), pylockText(index.origin, [{ name: 'zt-renamed', version: '1.0.0', project: projects.renamed, identities }]), 'toml');
  assert.deepEqual(old.report.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', []]]);
  const renamed = await analyse(uriOf('renamed-new/pylock.toml'), pylockText(index.origin, [{ name: 'zt-renamed', version: '2.0.0', project: projects.renamed, identities }]), 'toml');
  // The publisher did change (the lock accepts both, history still says so), but nothing is a mismatch.
  assert.deepEqual(renamed.report.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', ['publisher-changed']]]);
  assert.equal(zeroTrust(renamed.diagnostics)[0].message, 'Publisher changed from github.com/old-org/zt-renamed (1.0.0) to github.com/new-org/zt-renamed (2.0.0)');
});

test('trust on first use: first use silent, same publisher nothing, another publisher identity-mismatch naming both; never replaced silently', async () => {
  const uri = uriOf('tofu/requirements.txt');
  const first = await analyse(uri, 'zt-tofu==1.0.0\n');
  assert.deepEqual(first.report.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', []]]);
  assert.deepEqual(trustEntries().filter((e) => e.project === 'zt-tofu').map((e) => [e.version, e.publisher.repository]), [['1.0.0', 'a/b']]);

  const changed = await analyse(uri, 'zt-tofu==2.0.0\n');
  assert.deepEqual(changed.report.dependencies.map((d) => [d.status, [...d.diagnostics].sort()]), [['invalid', ['identity-mismatch', 'publisher-changed']]]);
  const mismatch = changed.diagnostics.find((d) => d.code === 'identity-mismatch')!;
  assert.equal(mismatch.severity, Severity.Error);
  assert.equal(mismatch.message, 'Publisher differs from the one trusted since 1.0.0: zt-tofu 2.0.0 is published by github.com/c/d (release.yml), not by github.com/a/b (release.yml); it changed in 2.0.0');
  const publisherChanged = changed.diagnostics.find((d) => d.code === 'publisher-changed')!;
  assert.equal(publisherChanged.severity, Severity.Warning);
  assert.equal(publisherChanged.message, 'Publisher changed from github.com/a/b (1.0.0) to github.com/c/d (2.0.0)');
  // Still the first publisher: a mismatch replaces nothing.
  assert.deepEqual(trustEntries().filter((e) => e.project === 'zt-tofu').map((e) => [e.version, e.publisher.repository]), [['1.0.0', 'a/b']]);
  const card = await hoverText(uri, 0, 2);
  assert.match(card, /— ❌ \*\*Publisher differs from the one recorded\*\*\n/);
  assert.ok(!card.includes(publisherChanged.message) && !card.includes(mismatch.message), card);

  // Back to a release of the trusted publisher: nothing.
  const again = await analyse(uri, 'zt-tofu==1.0.0\n');
  assert.deepEqual(again.report.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', []]]);
});

test('publisher-changed against the previous release, in the words of the issue', async () => {
  const uri = uriOf('changed/requirements.txt');
  const { report: answer, diagnostics } = await analyse(uri, 'zt-changed==1.3.0\n');
  // First use of zt-changed records 1.3.0's publisher; the history still compares with 1.2.0.
  assert.deepEqual(answer.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', ['publisher-changed']]]);
  const [changed] = zeroTrust(diagnostics);
  assert.equal(changed.severity, Severity.Warning);
  assert.equal(changed.message, 'Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)');
  const changedCard = await hoverText(uri, 0, 2);
  assert.match(changedCard, /— ⚠️ \*\*Publisher changed\*\* · ✅ Verified\n/);
  assert.ok(!changedCard.includes('Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)'), changedCard);
});

test('publisher-changed when the files of one release carry different publishers (PyPI\'s "inconsistent")', async () => {
  const lock = pylockText(index.origin, [{ name: 'zt-inconsistent', version: '1.0.0', project: projects.inconsistent }]);
  const { report: answer, diagnostics } = await analyse(uriOf('inconsistent/pylock.toml'), lock, 'toml');
  assert.deepEqual(answer.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', ['publisher-changed']]]);
  assert.equal(
    zeroTrust(diagnostics)[0].message,
    'Publisher changed within 1.0.0: its files have different publishers: github.com/a/b (zt_inconsistent-1.0.0.tar.gz), github.com/c/d (zt_inconsistent-1.0.0-py3-none-any.whl)',
  );
});

test('provenance-lost: the previous release was attested, the pinned one has none (with no-provenance)', async () => {
  const uri = uriOf('lost/requirements.txt');
  const { report: answer, diagnostics } = await analyse(uri, 'zt-lost==1.1.0\n');
  assert.deepEqual(answer.dependencies.map((d) => [d.status, [...d.diagnostics].sort()]), [['unattested', ['no-provenance', 'provenance-lost']]]);
  const lost = diagnostics.find((d) => d.code === 'provenance-lost')!;
  assert.equal(lost.severity, Severity.Warning);
  assert.equal(lost.message, 'Provenance lost: 1.0.0 was attested by github.com/a/b (release.yml), 1.1.0 has no attestations');
  const lostCard = await hoverText(uri, 0, 2);
  assert.match(lostCard, /— ⚠️ \*\*Provenance lost\*\* · ℹ️ No provenance\n/);
  assert.ok(!lostCard.includes(lost.message), lostCard);
});

test('late-upload: files uploaded 60 days after the release; the hover lists them; lateUploadDays respected', async () => {
  const uri = uriOf('late/requirements.txt');
  const { report: answer, diagnostics } = await analyse(uri, 'zt-late==1.0.0\n');
  assert.deepEqual(answer.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', ['late-upload']]]);
  const [late] = zeroTrust(diagnostics);
  assert.equal(late.severity, Severity.Warning);
  assert.equal(late.message, 'Uploaded late: 2 files 60 days after the release: zt_late-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl and zt_late-1.0.0-py3-none-any.whl');
  const card = await hoverText(uri, 0, 2);
  assert.ok(card.includes('**Uploaded late:**'), card);
  assert.ok(card.includes('- zt_late-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl: 60 days after the release (2024-03-02)'), card);
  assert.ok(card.includes('- zt_late-1.0.0-py3-none-any.whl: 60 days after the release (2024-03-02)'), card);

  const separate = await LspClient.start({
    settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: dirs.make('late-cache'), lateUploadDays: 90 },
    env: FAST_INDEX_ENV,
  });
  try {
    const lateUri = uriOf('late-90/requirements.txt');
    separate.open(lateUri, 'zt-late==1.0.0\n');
    const relaxed = await report(separate, lateUri);
    assert.deepEqual(relaxed.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', []]]);
    // The setting changes: the same files are late again under 30 days.
    await separate.setSettings({ indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: dirs.make('late-cache-30'), lateUploadDays: 30 });
    const strict = await separate.waitForDiagnostics(lateUri, { where: (ds) => ds.some((d) => d.code === 'late-upload') });
    assert.match(strict.find((d) => d.code === 'late-upload')!.message, /^Uploaded late: 2 files 60 days after the release/);
  } finally {
    await separate.shutdown().catch(() => separate.kill());
  }
});

test('a reusable-workflow release whose certificate names the caller workflow verifies clean, and matches the caller identity in a lock', async () => {
  const requirements = await analyse(uriOf('reusable/requirements.txt'), 'zt-reusable==1.0.0\n');
  assert.deepEqual(requirements.report.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', []]]);
  assert.deepEqual(requirements.report.dependencies[0].publisher, { kind: 'GitHub', repository: 'octo-org/zt-reusable', workflow: 'release.yml', environment: null });
  const lock = pylockText(index.origin, [{ name: 'zt-reusable', version: '1.0.0', project: projects.reusable, identities: [{ kind: 'GitHub', repository: 'octo-org/zt-reusable', workflow: 'release.yml' }] }]);
  const locked = await analyse(uriOf('reusable/pylock.toml'), lock, 'toml');
  assert.deepEqual(locked.report.dependencies.map((d) => [d.status, d.diagnostics]), [['verified', []]]);
});

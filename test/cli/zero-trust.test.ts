// Zero trust (issue 6) through the built CLI, on the test index with the test Sigstore: the same
// states as the server's, in the text and json outputs and the exit code — identity-mismatch
// (pylock identities, and the publisher trusted on first use across runs sharing --cache-dir),
// publisher-changed, provenance-lost, late-upload with --late-upload-days, and a clean release
// (a reusable-workflow one among them) raising none of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { SignedIndex, TempDirs } from '../lsp/verificationSupport';
import { A, C, NEW_NAME, OLD_NAME, ZERO_TRUST_CODES, pylockText, recorded, reusableWorkflowSigning, serveProject } from '../lsp/zeroTrustSupport';
import { checkInBothFormats, dependencyRows, type JsonReport } from './cliRunner';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
const projects: Record<string, TestProject> = {};

before(async () => {
  index = await startIndexServer();
  signed = new SignedIndex(index, dirs.make('cli-zero-trust'));
  projects.clean = serveProject(signed, 'zt-clean', [{ version: '1.0.0' }, { version: '1.1.0' }]);
  projects.changed = serveProject(signed, 'zt-changed', [{ version: '1.2.0', identity: A }, { version: '1.3.0', identity: C }]);
  projects.tofu = serveProject(signed, 'zt-tofu', [{ version: '1.0.0', identity: A }, { version: '2.0.0', identity: C }]);
  projects.inconsistent = serveProject(signed, 'zt-inconsistent', [{ version: '1.0.0', perFile: (f) => (f.endsWith('.whl') ? { identity: C } : { identity: A }) }]);
  projects.lost = serveProject(signed, 'zt-lost', [{ version: '1.0.0', identity: A }, { version: '1.1.0', identity: null }]);
  projects.none = serveProject(signed, 'zt-none', [{ version: '1.0.0', identity: null }]);
  projects.late = serveProject(signed, 'zt-late', [
    { version: '1.0.0', files: ['sdist', 'wheel', 'zt_late-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl'], uploadedDaysLater: (f) => (f.endsWith('.whl') ? 60 : undefined) },
  ]);
  projects.renamed = serveProject(signed, 'zt-renamed', [{ version: '1.0.0', identity: OLD_NAME }, { version: '2.0.0', identity: NEW_NAME }]);
  const caller = { repository: 'octo-org/zt-reusable', ref: 'refs/tags/v1.0.0', commit: '0123456789abcdef0123456789abcdef01234567' };
  projects.reusable = serveProject(signed, 'zt-reusable', [{ version: '0.9.0', perFile: () => reusableWorkflowSigning(caller) }, { version: '1.0.0', perFile: () => reusableWorkflowSigning(caller) }]);
});

after(async () => {
  await index?.close();
  dirs.cleanup();
});

/** A cache directory of its own (the trust store lives there). */
function freshCache(): string {
  return mkdtempSync(path.join(dirs.make('cli-zero-trust-cache'), 'c-'));
}

function flags(cache: string): string[] {
  return ['--index-url', index.url, '--trusted-root', signed.trustedRootPath, '--cache-dir', cache, '--severity', 'unpinned=off'];
}

function check(files: Record<string, string>, cache: string, extra: string[] = []): Promise<{ code: number; text: string; json: JsonReport }> {
  return checkInBothFormats(files, [...flags(cache), ...extra]);
}

function zeroTrustFindings(json: JsonReport): Array<[string, string, string]> {
  return json.documents.flatMap((document) => document.findings.filter((f) => ZERO_TRUST_CODES.includes(f.code)).map((f): [string, string, string] => [f.code, f.severity, f.message]));
}

test('a clean release raises none of the zero-trust codes (requirements.txt, pyproject.toml, pylock.toml with its identity, a reusable workflow); exit 0', async () => {
  const lock = pylockText(index.origin, [
    { name: 'zt-clean', version: '1.1.0', project: projects.clean, identities: [recorded(A)] },
    { name: 'zt-reusable', version: '1.0.0', project: projects.reusable, identities: [{ kind: 'GitHub', repository: 'octo-org/zt-reusable', workflow: 'release.yml' }] },
  ]);
  const { code, text, json } = await check(
    {
      'requirements.txt': 'zt-clean==1.1.0\nzt-reusable==1.0.0\n',
      'pyproject.toml': '[project]\nname = "app"\ndependencies = ["zt-clean==1.1.0"]\n',
      'pylock.toml': lock,
    },
    freshCache(),
  );
  assert.equal(code, 0, text);
  assert.deepEqual(dependencyRows(json), [
    ['zt-clean', 'verified', []],
    ['zt-reusable', 'verified', []],
    ['zt-clean', 'verified', []],
    ['zt-clean', 'verified', []],
    ['zt-reusable', 'verified', []],
  ]);
  for (const code of ZERO_TRUST_CODES) assert.ok(!text.includes(code), `${code} in:\n${text}`);
});

test('pylock.toml: identity-mismatch (error, exit 1) for a publisher the lock does not record, and for recorded identities without provenance; a renamed repository passes', async () => {
  const lock = pylockText(index.origin, [
    { name: 'zt-clean', version: '1.1.0', project: projects.clean, identities: [recorded(C)] },
    { name: 'zt-none', version: '1.0.0', project: projects.none, identities: [recorded(A)] },
    { name: 'zt-renamed', version: '1.0.0', project: projects.renamed, identities: [recorded(OLD_NAME), recorded(NEW_NAME)] },
  ]);
  const { code, text, json } = await check({ 'pylock.toml': lock }, freshCache());
  assert.equal(code, 1);
  assert.deepEqual(dependencyRows(json), [
    ['zt-clean', 'invalid', ['identity-mismatch']],
    ['zt-none', 'invalid', ['identity-mismatch', 'no-provenance']],
    ['zt-renamed', 'verified', []],
  ]);
  assert.ok(
    text.includes(
      '  pylock.toml:6:9   error        identity-mismatch  Publisher differs from the one recorded in the lock: zt-clean 1.1.0 is published by github.com/a/b (release.yml, no environment), not by github.com/c/d (release.yml)',
    ),
    text,
  );
  assert.ok(text.includes('identity-mismatch  No provenance for the recorded publisher: the lock records the publisher github.com/a/b (release.yml) for zt-none 1.0.0, but none of its files has attestations'), text);
});

test('trust on first use across runs sharing --cache-dir: the first run records, the same publisher passes, another publisher is identity-mismatch naming both', async () => {
  const cache = freshCache();
  const first = await check({ 'requirements.txt': 'zt-tofu==1.0.0\n' }, cache);
  assert.equal(first.code, 0, first.text);
  assert.deepEqual(dependencyRows(first.json), [['zt-tofu', 'verified', []]]);
  const same = await check({ 'requirements.txt': 'zt-tofu==1.0.0\n' }, cache);
  assert.deepEqual(dependencyRows(same.json), [['zt-tofu', 'verified', []]]);

  const changed = await check({ 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["zt-tofu==2.0.0"]\n' }, cache);
  assert.equal(changed.code, 1);
  assert.deepEqual(dependencyRows(changed.json), [['zt-tofu', 'invalid', ['identity-mismatch', 'publisher-changed']]]);
  assert.deepEqual(zeroTrustFindings(changed.json), [
    ['publisher-changed', 'warning', 'Publisher changed from github.com/a/b (1.0.0) to github.com/c/d (2.0.0)'],
    ['identity-mismatch', 'error', 'Publisher differs from the one trusted since 1.0.0: zt-tofu 2.0.0 is published by github.com/c/d (release.yml), not by github.com/a/b (release.yml); it changed in 2.0.0'],
  ]);
  // Not replaced: the next run still trusts the first publisher.
  assert.deepEqual(dependencyRows((await check({ 'requirements.txt': 'zt-tofu==1.0.0\n' }, cache)).json), [['zt-tofu', 'verified', []]]);
  // Another cache directory is another machine: its first use is 2.0.0.
  assert.deepEqual(dependencyRows((await check({ 'requirements.txt': 'zt-tofu==2.0.0\n' }, freshCache())).json), [['zt-tofu', 'verified', ['publisher-changed']]]);
});

test('publisher-changed (warning, exit 0) against the previous release and within one release; provenance-lost with no-provenance', async () => {
  const lock = pylockText(index.origin, [{ name: 'zt-inconsistent', version: '1.0.0', project: projects.inconsistent }]);
  const { code, text, json } = await check({ 'requirements.txt': 'zt-changed==1.3.0\nzt-lost==1.1.0\n', 'pylock.toml': lock }, freshCache());
  assert.equal(code, 0, text);
  assert.deepEqual(dependencyRows(json), [
    ['zt-changed', 'verified', ['publisher-changed']],
    ['zt-lost', 'unattested', ['no-provenance', 'provenance-lost']],
    ['zt-inconsistent', 'verified', ['publisher-changed']],
  ]);
  assert.ok(text.includes('  requirements.txt:1:1  warning      publisher-changed  Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)'), text);
  assert.ok(text.includes('  requirements.txt:2:1  warning      provenance-lost    Provenance lost: 1.0.0 was attested by github.com/a/b (release.yml), 1.1.0 has no attestations'), text);
  assert.ok(text.includes('publisher-changed  Publisher changed within 1.0.0: its files have different publishers: github.com/a/b (zt_inconsistent-1.0.0.tar.gz), github.com/c/d (zt_inconsistent-1.0.0-py3-none-any.whl)'), text);
});

test('late-upload: a file 60 days after the release is late under the default 14 days and under --late-upload-days 30, not under 90', async () => {
  const files = { 'requirements.txt': 'zt-late==1.0.0\n' };
  const byDefault = await check(files, freshCache());
  assert.equal(byDefault.code, 0);
  assert.deepEqual(dependencyRows(byDefault.json), [['zt-late', 'verified', ['late-upload']]]);
  assert.ok(
    byDefault.text.includes('  requirements.txt:1:1  warning  late-upload  Uploaded late: 2 files 60 days after the release: zt_late-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl and zt_late-1.0.0-py3-none-any.whl'),
    byDefault.text,
  );
  assert.deepEqual(dependencyRows((await check(files, freshCache(), ['--late-upload-days', '30'])).json), [['zt-late', 'verified', ['late-upload']]]);
  assert.deepEqual(dependencyRows((await check(files, freshCache(), ['--late-upload-days', '90'])).json), [['zt-late', 'verified', []]]);
  const strict = await check(files, freshCache(), ['--severity', 'late-upload=error']);
  assert.equal(strict.code, 1, 'late-upload counts for the exit code at error severity');
});

// PEP 792 project status and index conflicts (issue 11 items 4, 5) through the built CLI, on test
// indexes with the test Sigstore: project-quarantined (error, exit 1, status invalid — also for a
// quarantined project whose page has no files, as PyPI serves it), project-archived and
// project-deprecated (warnings) with the index's reason; a hostile status ignored; index-conflict
// for a project served by both indexes a trusted file names (requirements --extra-index-url, and
// pylock packages from two indexes), none for one served by one; an untrusted workspace never
// contacting the second index; an index that fails is "could not check", never a conflict; and
// two runs sharing --cache-dir while the index changes the status between them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { makeProject, startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { SignedIndex, TempDirs } from '../lsp/verificationSupport';
import { pylockText, serveProject } from '../lsp/zeroTrustSupport';
import { checkInBothFormats, dependencyRows, type JsonReport } from './cliRunner';

const dirs = new TempDirs();
let index: IndexServer;
let other: IndexServer;
let failing: IndexServer;
let signed: SignedIndex;
const projects: Record<string, TestProject> = {};

before(async () => {
  index = await startIndexServer();
  other = await startIndexServer();
  failing = await startIndexServer();
  signed = new SignedIndex(index, dirs.make('cli-status'));
  projects.clean = serveProject(signed, 'zt-clean', [{ version: '1.0.0' }, { version: '1.1.0' }]);
  projects.quarantined = withStatus(serveProject(signed, 'zt-quarantined', [{ version: '1.0.0' }]), { status: 'quarantined', reason: 'Reported as malware; under review' });
  index.setProject({ name: 'zt-quarantined-empty', files: [], versions: [], apiVersion: '1.4', projectStatus: { status: 'quarantined' } });
  projects.archived = withStatus(serveProject(signed, 'zt-archived', [{ version: '1.0.0' }]), { status: 'archived', reason: 'Moved to zt-archived-ng' });
  projects.deprecated = withStatus(serveProject(signed, 'zt-deprecated', [{ version: '1.0.0' }]), { status: 'deprecated' });
  projects.hostile = withStatus(serveProject(signed, 'zt-hostile', [{ version: '1.0.0' }]), { status: ['quarantined'], reason: 'x'.repeat(100_000) });
  projects.both = serveProject(signed, 'zt-both', [{ version: '1.0.0' }]);
  // The second index serves zt-both too: the same sdist, and another wheel under the wheel's name.
  const twin = makeProject('zt-both', { releases: ['1.0.0'] });
  const wheel = twin.files.find((file) => file.filename.endsWith('.whl'))!;
  wheel.extraHashes = { sha256: 'e'.repeat(64) };
  other.setProject(twin);
  other.setProject(makeProject('zt-other', { releases: ['2.0.0'] }));
  failing.setMode('zt-both', { kind: 'server-error', status: 503 });
  failing.setMode('zt-clean', { kind: 'server-error', status: 503 });
});

after(async () => {
  await Promise.all([index?.close(), other?.close(), failing?.close()]);
  dirs.cleanup();
});

function withStatus(project: TestProject, projectStatus: unknown): TestProject {
  const marked = { ...project, apiVersion: '1.4', projectStatus };
  index.setProject(marked);
  return marked;
}

function freshCache(): string {
  return mkdtempSync(path.join(dirs.make('cli-status-cache'), 'c-'));
}

function flags(cache: string): string[] {
  return ['--index-url', index.url, '--trusted-root', signed.trustedRootPath, '--cache-dir', cache, '--severity', 'unpinned=off'];
}

function check(files: Record<string, string>, cache: string, extra: string[] = []): Promise<{ code: number; text: string; json: JsonReport }> {
  return checkInBothFormats(files, [...flags(cache), ...extra]);
}

function lines(text: string, code: string): string[] {
  return text.split('\n').filter((line) => line.includes(`  ${code}  `));
}

test('PEP 792: quarantined is an error (exit 1, invalid) also with no files; archived and deprecated warn with the reason quoted; a hostile status and a clean project raise none', async () => {
  const requirements = ['zt-quarantined==1.0.0', 'zt-quarantined-empty==1.0.0', 'zt-archived==1.0.0', 'zt-deprecated==1.0.0', 'zt-hostile==1.0.0', 'zt-clean==1.1.0', ''].join('\n');
  const { code, text, json } = await check({ 'requirements.txt': requirements }, freshCache());
  assert.equal(code, 1, text);
  assert.deepEqual(dependencyRows(json), [
    ['zt-quarantined', 'invalid', ['project-quarantined']],
    ['zt-quarantined-empty', 'invalid', ['project-quarantined', 'version-not-found']],
    ['zt-archived', 'verified', ['project-archived']],
    ['zt-deprecated', 'verified', ['project-deprecated']],
    ['zt-hostile', 'verified', []],
    ['zt-clean', 'verified', []],
  ]);
  const where = index.url;
  assert.deepEqual(lines(text, 'project-quarantined'), [
    `  requirements.txt:1:1  error    project-quarantined  Project quarantined: zt-quarantined is quarantined on the index (${where}): the index is reviewing it, possibly as malware, and it should not be installed. The index gives as reason: “Reported as malware; under review”.`,
    `  requirements.txt:2:1  error    project-quarantined  Project quarantined: zt-quarantined-empty is quarantined on the index (${where}): the index is reviewing it, possibly as malware, and it should not be installed. The index gives no reason.`,
  ]);
  assert.deepEqual(lines(text, 'project-archived'), [
    `  requirements.txt:3:1  warning  project-archived     Project archived: zt-archived is archived on the index (${where}): its maintainers expect no further releases, so fixes (security fixes too) will not come. The index gives as reason: “Moved to zt-archived-ng”.`,
  ]);
  assert.deepEqual(lines(text, 'project-deprecated'), [
    `  requirements.txt:4:1  warning  project-deprecated   Project deprecated: zt-deprecated is deprecated on the index (${where}): its maintainers consider it obsolete; look for the project that replaces it. The index gives no reason.`,
  ]);
  assert.ok(!text.includes('xxxxxxxxxx'), 'the hostile reason is never shown');
});

test('index-conflict: a trusted requirements file with --extra-index-url gets a warning naming which index serves which file; one served by one index raises none', async () => {
  const requirements = `--index-url ${index.url}\n--extra-index-url ${other.url}\nzt-both==1.0.0\nzt-clean==1.1.0\n`;
  const { code, text, json } = await check({ 'requirements.txt': requirements }, freshCache(), ['--trust-workspace']);
  assert.equal(code, 0, text);
  assert.deepEqual(dependencyRows(json), [
    ['zt-both', 'verified', ['index-conflict']],
    ['zt-clean', 'verified', []],
  ]);
  const sdist = projects.both.files.find((file) => file.filename.endsWith('.tar.gz'))!;
  const wheel = projects.both.files.find((file) => file.filename.endsWith('.whl'))!;
  assert.deepEqual(lines(text, 'index-conflict'), [
    `  requirements.txt:3:1  warning  index-conflict  Index conflict: zt-both is served by 2 of the indexes this file names (dependency confusion: an installer that merges indexes, as pip does with --extra-index-url, may take it from any of them): ` +
      `${index.url} serves zt_both-1.0.0.tar.gz (sha256 ${sdist.sha256.slice(0, 12)}), zt_both-1.0.0-py3-none-any.whl (sha256 ${wheel.sha256.slice(0, 12)}), published by github.com/a/b (release.yml); ` +
      `${other.url} serves zt_both-1.0.0.tar.gz (sha256 ${sdist.sha256.slice(0, 12)}), zt_both-1.0.0-py3-none-any.whl (sha256 eeeeeeeeeeee, another file under the same name), 1 of 2 verified as published by github.com/a/b (release.yml).`,
  ]);
});

test('an untrusted workspace never contacts the extra index or a lock package index: no index-conflict, no request', async () => {
  other.resetCounts();
  const requirements = `--extra-index-url ${other.url}\nzt-both==1.0.0\n`;
  const lock = withIndex(pylockText(other.origin, [{ name: 'zt-other', version: '2.0.0', project: makeProject('zt-other', { releases: ['2.0.0'] }) }]), other.url);
  const { text, json } = await check({ 'requirements.txt': requirements, 'pylock.toml': lock }, freshCache());
  assert.ok(!dependencyRows(json).some(([, , codes]) => codes.includes('index-conflict')), text);
  assert.equal(other.totalRequests, 0, `the other index was asked: ${other.requests.map((r) => r.path).join(', ')}`);
});

test('pylock.toml packages from two indexes (trusted): each project asked of both; the one both serve is index-conflict, the other is not', async () => {
  const both = pylockText(index.origin, [{ name: 'zt-both', version: '1.0.0', project: projects.both }]);
  const mine = withIndex(both, index.url);
  const theirs = withIndex(pylockText(other.origin, [{ name: 'zt-other', version: '2.0.0', project: makeProject('zt-other', { releases: ['2.0.0'] }) }]), other.url);
  other.resetCounts();
  const { text, json } = await check({ 'pylock.toml': `${mine}\n${theirs.split('\n').filter((line) => !/^(lock-version|created-by|#)/.test(line)).join('\n')}` }, freshCache(), ['--trust-workspace']);
  assert.deepEqual(dependencyRows(json), [
    ['zt-both', 'verified', ['index-conflict']],
    ['zt-other', 'unattested', ['no-provenance']],
  ]);
  assert.equal(lines(text, 'index-conflict').length, 1, text);
  assert.ok(other.projectCount('zt-both') > 0, 'the second index was asked for the first index’s project');
  assert.ok(index.projectCount('zt-other') > 0, 'and the first for the second’s');
});

test('an index that fails is "could not check": no false conflict, an index-error naming it', async () => {
  const lock = withIndex(pylockText(index.origin, [{ name: 'zt-clean', version: '1.1.0', project: projects.clean }]), index.url);
  const theirs = withIndex(pylockText(other.origin, [{ name: 'zt-other', version: '2.0.0', project: makeProject('zt-other', { releases: ['2.0.0'] }) }]), failing.url);
  const text = `${lock}\n${theirs.split('\n').filter((line) => !/^(lock-version|created-by|#)/.test(line)).join('\n')}`;
  const { json, text: out } = await check({ 'pylock.toml': text }, freshCache(), ['--trust-workspace']);
  const clean = json.documents[0].findings.filter((f) => f.dependency === 0);
  assert.ok(!clean.some((f) => f.code === 'index-conflict'), out);
  const couldNot = clean.filter((f) => f.code === 'index-error');
  assert.equal(couldNot.length, 1, out);
  assert.match(couldNot[0].message, new RegExp(`^zt-clean could not be checked against ${escape(failing.url)}, another index this file names \\(is the project served there too\\?\\): .*HTTP 503`));
});

test('two runs sharing --cache-dir: a status the index changes shows in the next run once the cached page is stale (max-age=0: revalidated, a new ETag); a page still fresh is not asked again', async () => {
  const project = serveProject(signed, 'zt-changing', [{ version: '1.0.0' }]);
  const cache = freshCache();
  index.setProject({ ...project, apiVersion: '1.4', cacheControl: 'max-age=0' });
  const first = await check({ 'requirements.txt': 'zt-changing==1.0.0\n' }, cache);
  assert.deepEqual(dependencyRows(first.json), [['zt-changing', 'verified', []]]);
  index.setProject({ ...project, apiVersion: '1.4', cacheControl: 'max-age=0', projectStatus: { status: 'quarantined', reason: 'malware found' } });
  const second = await check({ 'requirements.txt': 'zt-changing==1.0.0\n' }, cache);
  assert.equal(second.code, 1);
  assert.deepEqual(dependencyRows(second.json), [['zt-changing', 'invalid', ['project-quarantined']]]);
  assert.match(lines(second.text, 'project-quarantined')[0], /zt-changing is quarantined on the index .* “malware found”\.$/);

  // PyPI's pages say max-age=600: within that, the cached page answers and the index is not asked.
  const fresh = freshCache();
  index.setProject({ ...project, apiVersion: '1.4', cacheControl: 'max-age=600' });
  await check({ 'requirements.txt': 'zt-changing==1.0.0\n' }, fresh);
  index.setProject({ ...project, apiVersion: '1.4', cacheControl: 'max-age=600', projectStatus: { status: 'archived' } });
  index.resetCounts();
  const cached = await check({ 'requirements.txt': 'zt-changing==1.0.0\n' }, fresh);
  assert.equal(index.projectCount('zt-changing'), 0, 'a fresh page is not asked again');
  assert.deepEqual(dependencyRows(cached.json), [['zt-changing', 'verified', []]]);
});

/** The pylock text with `index = URL` on each package (a trusted lock's package index). */
function withIndex(lock: string, url: string): string {
  return lock.replace(/^(version = "[^"]*")$/gm, `$1\nindex = "${url}"`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

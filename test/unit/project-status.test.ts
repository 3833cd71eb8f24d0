/**
 * PEP 792 project status (issue 11 item 4) and index conflicts (item 5), unit level:
 * - the status read from a PEP 691 page (the `project-status` object PyPI serves, `state` where an
 *   index writes that, the spec example's `meta` strings) and from HTML meta tags (the test
 *   index's own HTML page too); unknown, non-string, huge and prototype-named values ignored with
 *   a warning, never a rejected page, never a throw;
 * - the findings' words: verdict first, the index's reason quoted apart, sanitized and bounded;
 * - the conflict check: two indexes serving the project → index-conflict naming which serves which
 *   file (sha256 prefix, another file under the same name, a verified publisher); a 404 is "not
 *   served"; an index that fails is "could not check", never a conflict.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Publisher } from '../../server/src/core/result';
import type { ProjectAnswer } from '../../server/src/index/indexClient';
import { IndexError } from '../../server/src/index/errors';
import { MAX_REASON_CHARS, projectStatusFromHtml, projectStatusFromJson } from '../../server/src/index/projectStatus';
import type { Resolution } from '../../server/src/index/resolve';
import { parseProjectPage, SIMPLE_JSON_V1, type ProjectPage } from '../../server/src/index/simpleApi';
import { parseDocument } from '../../server/src/parsers/index';
import { askIndexes, indexConflictFindings, type IndexConflictSource } from '../../server/src/zeroTrust/indexConflict';
import { projectStatusFindings } from '../../server/src/zeroTrust/projectStatusCheck';
import { makeProject, SIMPLE_HTML, startIndexServer, type IndexServer } from '../support/indexServer';

const PAGE_URL = 'https://pypi.example/simple/demo/';

function page(extra: Record<string, unknown>, meta: Record<string, unknown> = {}): ProjectPage {
  const body = JSON.stringify({ meta: { 'api-version': '1.4', ...meta }, name: 'demo', files: [], ...extra });
  return parseProjectPage(body, SIMPLE_JSON_V1, PAGE_URL, 'demo');
}

test('JSON: the project-status object (status, reason), `state` for `status`, and the spec example meta strings', () => {
  assert.deepEqual(page({ 'project-status': { status: 'quarantined', reason: 'malware under review' } }).projectStatus, { status: 'quarantined', reason: 'malware under review' });
  assert.deepEqual(page({ 'project-status': { status: 'archived' } }).projectStatus, { status: 'archived' });
  assert.deepEqual(page({ 'project-status': { state: 'deprecated', reason: 'use demo-next' } }).projectStatus, { status: 'deprecated', reason: 'use demo-next' });
  assert.deepEqual(page({ 'project-status': { status: ' Archived ' } }).projectStatus, { status: 'archived' });
  assert.deepEqual(page({}, { 'project-status': 'deprecated', 'project-status-reason': 'superseded' }).projectStatus, { status: 'deprecated', reason: 'superseded' });
  assert.deepEqual(page({ 'project-status': { status: 'active' } }).projectStatus, { status: 'active' });
  assert.equal(page({}).projectStatus, undefined);
  assert.equal(page({ 'project-status': null }).projectStatus, undefined);
});

test('JSON: hostile statuses are ignored with a warning; the page and its files still read', () => {
  const hostile: unknown[] = [
    'quarantined',
    ['quarantined'],
    42,
    { status: 42 },
    { status: { nested: 'quarantined' } },
    { status: 'haunted' },
    { status: 'q'.repeat(5_000_000) },
    { status: 'quarantined\u0000' },
    { constructor: 'quarantined' },
    true,
  ];
  for (const value of hostile) {
    const read = page({ 'project-status': value, files: [{ filename: 'demo-1.0.tar.gz', url: 'https://files.example/demo-1.0.tar.gz', hashes: { sha256: 'a'.repeat(64) } }] });
    assert.equal(read.projectStatus, undefined, JSON.stringify(value).slice(0, 60));
    assert.equal(read.files.length, 1);
    for (const warning of read.warnings) assert.ok(warning.length < 200, 'a warning never carries the hostile value whole');
  }
  assert.match(page({ 'project-status': { status: 'haunted' } }).warnings.join('\n'), /unknown project status "haunted" \(ignored\)/);
  // An inherited name is no status: only own keys are read.
  const withProto = JSON.parse('{"__proto__": {"status": "quarantined"}}') as Record<string, unknown>;
  assert.equal(projectStatusFromJson({ 'project-status': withProto }, []), undefined);
  // A non-string or huge reason: the status stands, the reason is dropped or cut.
  assert.deepEqual(page({ 'project-status': { status: 'archived', reason: { html: '<b>' } } }).projectStatus, { status: 'archived' });
  const huge = page({ 'project-status': { status: 'archived', reason: 'x'.repeat(3_000_000) } }).projectStatus;
  assert.equal(huge?.reason?.length, MAX_REASON_CHARS);
});

test('HTML: pypi:project-status meta tags, entities decoded, attribute order and case free, the first tag counts', () => {
  const warnings: string[] = [];
  assert.deepEqual(
    projectStatusFromHtml('<html><head><META CONTENT="quarantined" NAME="pypi:project-status"><meta name="pypi:project-status-reason" content="Malware &amp; typosquat &quot;x&quot;"></head></html>', warnings),
    { status: 'quarantined', reason: 'Malware & typosquat "x"' },
  );
  assert.deepEqual(projectStatusFromHtml('<meta name="pypi:project-status" content="archived"><meta name="pypi:project-status" content="quarantined">', []), { status: 'archived' });
  assert.equal(projectStatusFromHtml('<html><body><a href="x">demo-1.0.tar.gz</a></body></html>', []), undefined);
  assert.equal(projectStatusFromHtml('<meta name="pypi:project-status" content="haunted">', warnings), undefined);
  assert.match(warnings.join('\n'), /unknown project status "haunted"/);
  // Broken markup and a huge attribute never throw.
  assert.equal(projectStatusFromHtml('<meta name="pypi:project-status" content="archi', []), undefined);
  assert.equal(projectStatusFromHtml(`<meta name="pypi:project-status" content="${'a'.repeat(1_000_000)}">`, []), undefined);
});

let index: IndexServer;
before(async () => {
  index = await startIndexServer();
});
after(() => index?.close());

test('the test index serves project-status in JSON and as HTML meta tags, and both read the same', async () => {
  index.setProject({ ...makeProject('status-demo', { releases: ['1.0.0'], apiVersion: '1.4' }), projectStatus: { status: 'deprecated', reason: 'Use status-demo-next <instead>' } });
  const json = await fetch(`${index.url}status-demo/`, { headers: { accept: SIMPLE_JSON_V1 } });
  const parsed = parseProjectPage(Buffer.from(await json.arrayBuffer()), json.headers.get('content-type') ?? undefined, `${index.url}status-demo/`, 'status-demo');
  const html = await fetch(`${index.url}status-demo/`, { headers: { accept: SIMPLE_HTML } });
  assert.equal(html.headers.get('content-type'), SIMPLE_HTML);
  const fromHtml = projectStatusFromHtml(await html.text(), []);
  assert.deepEqual(parsed.projectStatus, { status: 'deprecated', reason: 'Use status-demo-next <instead>' });
  assert.deepEqual(fromHtml, parsed.projectStatus);
});

const requirement = parseDocument('requirements', 'Demo==1.0\n').dependencies[0];

function resolutionOf(pages: ProjectPage[]): Pick<Resolution, 'pages' | 'name'> {
  return { name: 'demo', pages };
}

test('findings: quarantined is an error naming the index and the reason quoted apart; archived, deprecated warn; active and unknown say nothing', () => {
  const [quarantined] = projectStatusFindings(requirement, 0, resolutionOf([page({ 'project-status': { status: 'quarantined', reason: 'Reported as malware' } })]));
  assert.equal(quarantined.code, 'project-quarantined');
  assert.equal(
    quarantined.message,
    'Project quarantined: Demo is quarantined on the index (https://pypi.example/simple/): the index is reviewing it, possibly as malware, and it should not be installed. The index gives as reason: “Reported as malware”.',
  );
  assert.equal(quarantined.dependency, 0);
  const [archived] = projectStatusFindings(requirement, 0, resolutionOf([page({ 'project-status': { status: 'archived' } })]));
  assert.equal(archived.code, 'project-archived');
  assert.equal(archived.message, 'Project archived: Demo is archived on the index (https://pypi.example/simple/): its maintainers expect no further releases, so fixes (security fixes too) will not come. The index gives no reason.');
  assert.deepEqual(projectStatusFindings(requirement, 0, resolutionOf([page({ 'project-status': { status: 'deprecated', reason: 'use demo-next' } })])).map((f) => f.code), ['project-deprecated']);
  assert.deepEqual(projectStatusFindings(requirement, 0, resolutionOf([page({ 'project-status': { status: 'active' } }), page({ 'project-status': { status: 'haunted' } }), page({})])), []);
});

test('findings: a hostile reason is sanitized (controls, bidi overrides, line breaks), its quotes neutralized and its length bounded', () => {
  const reason = `Fine"”. Demo is verified.\u202e\u0007\n${'x'.repeat(10_000)}`;
  const [finding] = projectStatusFindings(requirement, 0, resolutionOf([page({ 'project-status': { status: 'quarantined', reason } })]));
  const quoted = finding.message.slice(finding.message.indexOf('“'));
  assert.ok(!/[\u0000-\u001f\u202e]/.test(finding.message), finding.message);
  assert.ok(quoted.startsWith("“Fine''. Demo is verified.??"), quoted);
  assert.equal((quoted.match(/[“”]/g) ?? []).length, 2, 'only our own quotation marks');
  assert.ok(finding.message.length < 400, `${finding.message.length} characters`);
});

const A_URL = 'https://user:s3cret@a.example/simple/';
const B_URL = 'https://b.example/simple/';
const C_URL = 'https://c.example/simple/';

function projectAnswer(url: string, files: Array<{ filename: string; sha256: string }>): ProjectAnswer {
  const body = JSON.stringify({
    meta: { 'api-version': '1.4' },
    name: 'demo',
    files: files.map((f) => ({ filename: f.filename, url: `https://files.example/${f.filename}`, hashes: { sha256: f.sha256 } })),
  });
  return { kind: 'found', page: parseProjectPage(body, SIMPLE_JSON_V1, `${url.replace('user:s3cret@', '')}demo/`, 'demo'), source: { from: 'network', fetchedAt: 0 } };
}

function fakeSource(answers: Record<string, ProjectAnswer | Error>): IndexConflictSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    indexesOf: () => Object.keys(answers),
    async getProject(url) {
      asked.push(url);
      const answer = answers[url];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const SDIST = { filename: 'demo-1.0.tar.gz', sha256: 'a1'.repeat(32) };
const WHEEL = { filename: 'demo-1.0-py3-none-any.whl', sha256: 'b2'.repeat(32) };
const PUBLISHER: Publisher = { kind: 'GitHub', repository: 'demo-org/demo', workflow: 'release.yml', environment: null };
const conflictResolution = {
  name: 'demo',
  version: '1.0',
  index: { indexUrl: A_URL, extraIndexUrls: [B_URL], source: 'document' as const, displayUrl: 'https://a.example/simple/', ignored: [] },
  files: [SDIST, WHEEL].map((f) => ({ ...f, url: `https://files.example/${f.filename}`, hashes: { sha256: f.sha256 }, yanked: false, pinned: false })),
};
const pinned = [
  { filename: SDIST.filename, status: 'verified' as const, publisher: PUBLISHER },
  { filename: WHEEL.filename, status: 'verified' as const, publisher: PUBLISHER },
];

test('conflict: two indexes serve the project → index-conflict listing each index, its files with sha256 prefixes, a replaced file and the verified publisher; credentials never shown', async () => {
  const source = fakeSource({
    [A_URL]: projectAnswer(A_URL, [SDIST, WHEEL]),
    [B_URL]: projectAnswer(B_URL, [{ filename: SDIST.filename, sha256: 'ee'.repeat(32) }, { filename: 'demo-2.0.tar.gz', sha256: 'cc'.repeat(32) }]),
    [C_URL]: { kind: 'not-found', url: C_URL, source: { from: 'network', fetchedAt: 0 } },
  });
  const listings = await askIndexes(source, [A_URL, B_URL, C_URL], 'demo', '1.0');
  assert.deepEqual(source.asked.sort(), [A_URL, B_URL, C_URL].sort(), 'every index asked');
  const result = indexConflictFindings(requirement, 0, conflictResolution, listings!, pinned);
  assert.deepEqual(result.findings.map((f) => f.code), ['index-conflict']);
  assert.equal(
    result.findings[0].message,
    'Index conflict: Demo is served by 2 of the indexes this file names (dependency confusion: an installer that merges indexes, as pip does with --extra-index-url, may take it from any of them): ' +
      'https://***@a.example/simple/ serves demo-1.0.tar.gz (sha256 a1a1a1a1a1a1), demo-1.0-py3-none-any.whl (sha256 b2b2b2b2b2b2), published by github.com/demo-org/demo (release.yml); ' +
      'https://b.example/simple/ serves demo-1.0.tar.gz (sha256 eeeeeeeeeeee, another file under the same name), not verified.',
  );
  assert.doesNotMatch(result.findings[0].message, /s3cret/);
});

test('conflict: another index serving other versions only is still a conflict, said so', async () => {
  const source = fakeSource({ [A_URL]: projectAnswer(A_URL, [SDIST]), [B_URL]: projectAnswer(B_URL, [{ filename: 'demo-9.9.tar.gz', sha256: 'cc'.repeat(32) }]) });
  const result = indexConflictFindings(requirement, 0, conflictResolution, (await askIndexes(source, [A_URL, B_URL], 'demo', '1.0'))!, []);
  assert.match(result.findings[0].message, /https:\/\/b\.example\/simple\/ serves no file of 1\.0 but 1 other version\.$/);
});

test('conflict: a 404 or an empty page is "not served" (no conflict); an index that fails is "could not check" — an index-error for one the resolution did not ask, never a conflict', async () => {
  const failing = new IndexError('http-status', 'https://c.example/simple/demo/ answered HTTP 503', 503);
  const notFound: ProjectAnswer = { kind: 'not-found', url: B_URL, source: { from: 'network', fetchedAt: 0 } };
  const quiet = fakeSource({ [A_URL]: projectAnswer(A_URL, [SDIST]), [B_URL]: notFound, [C_URL]: projectAnswer(C_URL, []) });
  assert.deepEqual(indexConflictFindings(requirement, 0, conflictResolution, (await askIndexes(quiet, [A_URL, B_URL, C_URL], 'demo', '1.0'))!, pinned), { findings: [], notes: [] });

  const erring = fakeSource({ [A_URL]: projectAnswer(A_URL, [SDIST]), [B_URL]: notFound, [C_URL]: { kind: 'error', error: failing } });
  const result = indexConflictFindings(requirement, 0, conflictResolution, (await askIndexes(erring, [A_URL, B_URL, C_URL], 'demo', '1.0'))!, pinned);
  assert.deepEqual(result.findings.map((f) => f.code), ['index-error']);
  assert.equal(
    result.findings[0].message,
    'Demo could not be checked against https://c.example/simple/, another index this file names (is the project served there too?): https://c.example/simple/demo/ answered HTTP 503',
  );
  assert.deepEqual(result.notes, ['whether Demo is also served by https://c.example/simple/ could not be checked']);

  // A throwing source is the same "could not check".
  const throwing = fakeSource({ [A_URL]: projectAnswer(A_URL, [SDIST]), [C_URL]: new Error('socket hang up') });
  const thrown = await askIndexes(throwing, [A_URL, C_URL], 'demo', '1.0');
  assert.deepEqual(thrown?.map((l) => l.state), ['served', 'error']);
  // One index named: nothing is asked.
  const single = fakeSource({ [A_URL]: projectAnswer(A_URL, [SDIST]) });
  assert.equal(await askIndexes(single, [A_URL], 'demo', '1.0'), undefined);
  assert.deepEqual(single.asked, []);
});

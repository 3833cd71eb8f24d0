/**
 * The provenance hover card: status words and icon, publisher facts with links (repository,
 * workflow file at the commit, commit, run, log entry, project page), the files table, plain
 * text for clients without Markdown; publisher facts only for verified files and never when a
 * file failed; hostile names cannot inject Markdown or links.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import type { DependencyReport, FileReport, ProvenanceDetails } from '../../server/src/core/result';
import { md, renderHover, type HoverCard } from '../../server/src/hover/card';
import { projectLink, provenanceLinks, safeUrl } from '../../server/src/hover/links';
import { dependencyAt } from '../../server/src/hover/locate';
import { hoverCard } from '../../server/src/hover/dependencyHover';
import type { Finding } from '../../server/src/core/finding';
import { parseDocument } from '../../server/src/parsers/index';

const details: ProvenanceDetails = {
  publisherKind: 'GitHub',
  issuer: 'https://token.actions.githubusercontent.com',
  identity: 'https://github.com/pypa/sampleproject/.github/workflows/release.yml@refs/heads/main',
  repository: 'pypa/sampleproject',
  repositoryUrl: 'https://github.com/pypa/sampleproject',
  workflow: 'release.yml',
  workflowPath: '.github/workflows/release.yml',
  ref: 'refs/heads/main',
  commit: '621e4974ca25ce531773def586ba3ed8e736b3fc',
  runUrl: 'https://github.com/pypa/sampleproject/actions/runs/11713038981/attempts/1',
  environment: '',
  logIndex: 147137139,
  integratedTime: 1730932627,
  predicateTypes: ['https://docs.pypi.org/attestations/publish/v1'],
  attestationCount: 1,
};

function fileReport(status: FileReport['status'], extra: Partial<FileReport> = {}): FileReport {
  return { filename: 'sampleproject-4.0.0.tar.gz', sha256: '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b', status, publisher: { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' }, uploadTime: '2024-11-06T22:37:20.123456Z', message: null, ...extra };
}

function card(status: DependencyReport['status'], files: FileReport[], extra: Partial<HoverCard> = {}): HoverCard {
  return {
    report: { name: 'sampleproject', version: '4.0.0', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 20 } }, status, publisher: files[0]?.publisher ?? null, files, diagnostics: [] },
    messages: [],
    publicGoodLog: true,
    projectUrl: 'https://pypi.org/project/sampleproject/4.0.0/',
    indexName: 'pypi.org',
    ...extra,
  };
}

test('a verified release: status, publisher, links at the commit, log entry, files, project page', () => {
  const text = renderHover(card('verified', [fileReport('verified', { provenance: details, logIndex: 147137139 })]), 'markdown');
  assert.match(text, /^\*\*sampleproject 4\.0\.0\*\* — ✅ \*\*Verified\*\*/);
  assert.match(text, /\| Publisher \| GitHub Actions \|/);
  assert.match(text, /\| Repository \| \[pypa\/sampleproject\]\(https:\/\/github\.com\/pypa\/sampleproject\) \|/);
  assert.ok(text.includes('[.github/workflows/release.yml](https://github.com/pypa/sampleproject/blob/621e4974ca25ce531773def586ba3ed8e736b3fc/.github/workflows/release.yml)'), text);
  assert.ok(text.includes('[621e4974ca25](https://github.com/pypa/sampleproject/commit/621e4974ca25ce531773def586ba3ed8e736b3fc)'), text);
  assert.ok(text.includes('[run 11713038981, attempt 1](https://github.com/pypa/sampleproject/actions/runs/11713038981/attempts/1)'), text);
  assert.ok(text.includes('[entry 147137139](https://search.sigstore.dev/?logIndex=147137139)'), text);
  assert.match(text, /\| Environment \| \(none\) \|/);
  assert.match(text, /\| Ref \| main \|/);
  assert.match(text, /\| Attestations \| PyPI publish v1 \|/);
  assert.match(text, /\| sampleproject-4\.0\.0\.tar\.gz \| ✅ verified \| 2024-11-06 22:37 UTC \|/);
  assert.ok(text.includes('[sampleproject 4.0.0 on pypi.org](https://pypi.org/project/sampleproject/4.0.0/)'), text);
});

test('plain text carries the same facts without Markdown', () => {
  const text = renderHover(card('verified', [fileReport('verified', { provenance: details })]), 'plaintext');
  assert.match(text, /^sampleproject 4\.0\.0: Verified$/m);
  assert.match(text, /^Repository: +pypa\/sampleproject <https:\/\/github\.com\/pypa\/sampleproject>$/m);
  assert.match(text, /^Workflow: +\.github\/workflows\/release\.yml <https:\/\/github\.com\/pypa\/sampleproject\/blob\/621e4974/m);
  assert.match(text, /^ {2}sampleproject-4\.0\.0\.tar\.gz {2}verified {2}uploaded 2024-11-06 22:37 UTC$/m);
  assert.doesNotMatch(text, /\*\*|\]\(|\|/);
});

test('a failed file hides every publisher fact, even of the verified files', () => {
  const text = renderHover(
    card('invalid', [fileReport('verified', { provenance: details }), fileReport('invalid', { filename: 'x.whl', message: 'DSSE signature check failed: bad' })], { messages: ['sampleproject 4.0.0: x.whl: DSSE signature check failed: bad'] }),
    'markdown',
  );
  assert.match(text, /❌ \*\*Invalid\*\*/);
  assert.doesNotMatch(text, /Repository|Workflow|search\.sigstore\.dev|✅ \*\*Verified/);
  assert.match(text, /DSSE signature check failed/);
});

test('pending, unattested with 403, and a private log without search links', () => {
  assert.match(renderHover(card('pending', [fileReport('verified', { provenance: details }), fileReport('pending')]), 'markdown'), /⏳ \*\*Verifying…\*\*[\s\S]*1 of 2 files done/);
  assert.match(renderHover(card('unattested', [fileReport('unattested')], { provenanceDisabled: true }), 'markdown'), /turned provenance off/);
  const privateLog = renderHover(card('verified', [fileReport('verified', { provenance: details })], { publicGoodLog: false }), 'markdown');
  assert.match(privateLog, /\| Transparency log \| entry 147137139 \|/);
  assert.doesNotMatch(privateLog, /search\.sigstore\.dev/);
});

test('GitLab and Google publishers', () => {
  const gitlab = provenanceLinks({ ...details, publisherKind: 'GitLab', repository: 'pep740-example/sampleproject', workflowPath: '.gitlab-ci.yml', commit: 'abcdef1234567' }, { publicGoodLog: true });
  assert.equal(gitlab.workflow, 'https://gitlab.com/pep740-example/sampleproject/-/blob/abcdef1234567/.gitlab-ci.yml');
  assert.equal(gitlab.commit, 'https://gitlab.com/pep740-example/sampleproject/-/commit/abcdef1234567');
  const google = renderHover(card('verified', [fileReport('verified', { provenance: { ...details, publisherKind: 'Google', repository: undefined, repositoryUrl: undefined, workflow: undefined, workflowPath: undefined, ref: undefined, commit: undefined, runUrl: undefined, email: 'sa@project.iam.gserviceaccount.com' } })]), 'markdown');
  assert.match(google, /\| Publisher \| Google Cloud \|/);
  assert.match(google, /\| Service account \| sa@project\.iam\.gserviceaccount\.com \|/);
  assert.doesNotMatch(google, /Environment/);
});

test('project links: pypi.org project pages, other indexes their simple page without credentials', () => {
  assert.equal(projectLink('sampleproject', '4.0.0', 'https://pypi.org/simple/sampleproject/'), 'https://pypi.org/project/sampleproject/4.0.0/');
  assert.equal(projectLink('x', '1', 'https://test.pypi.org/simple/x/'), 'https://test.pypi.org/project/x/1/');
  assert.equal(projectLink('x', '1', 'https://user:secret@private.example/simple/x/'), 'https://private.example/simple/x/');
  assert.equal(projectLink('x', '1', 'javascript:alert(1)'), undefined);
  assert.equal(projectLink('x', '1', undefined), undefined);
});

test('hostile names and claims cannot inject Markdown or break out of links', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (name, repo) => {
      const escaped = md(name);
      // Every Markdown-active character is escaped; an underscore only inside a word is not active.
      const bare = escaped.replace(/\\./g, '');
      assert.doesNotMatch(bare, /[\\`*[\]<>|~]/);
      assert.doesNotMatch(escaped.replace(/\\./g, ' '), /(^|[^A-Za-z0-9])_|_([^A-Za-z0-9]|$)/);
      const links = provenanceLinks({ ...details, repository: repo, runUrl: `https://ci.example/${repo}` }, { publicGoodLog: true });
      for (const url of Object.values(links)) assert.doesNotMatch(url as string, /[()<>\s"'`\\[\]]/);
    }),
    { numRuns: fuzzRuns() },
  );
  assert.equal(provenanceLinks({ ...details, repository: '../../evil' }, { publicGoodLog: true }).repository, 'https://github.com/pypa/sampleproject');
  assert.equal(provenanceLinks({ ...details, runUrl: 'javascript:alert(1)' }, { publicGoodLog: true }).run, undefined);
  assert.equal(safeUrl('https://x.example/a b)(c'), 'https://x.example/a%20b%29%28c');
  const text = renderHover(card('verified', [fileReport('verified', { filename: '[evil](https://evil.example)|x', provenance: { ...details, environment: '**bold**' } })]), 'markdown');
  assert.ok(text.includes('\\[evil\\](https://evil.example)\\|x'), text);
  assert.ok(md('a_b __init__ _x_').includes('a_b \\_\\_init\\_\\_ \\_x\\_'));
  assert.ok(text.includes('\\*\\*bold\\*\\*'), text);
});

test('dependencyAt finds the requirement under a position, end inclusive', () => {
  const parsed = parseDocument('requirements', 'requests==2.0\n\n# c\nsampleproject==4.0.0 --hash=sha256:00\n');
  assert.equal(dependencyAt(parsed, { line: 0, character: 0 }), 0);
  assert.equal(dependencyAt(parsed, { line: 0, character: 13 }), 0);
  assert.equal(dependencyAt(parsed, { line: 1, character: 0 }), undefined);
  assert.equal(dependencyAt(parsed, { line: 3, character: 16 }), 1);
  assert.equal(dependencyAt(parsed, { line: 3, character: 30 }), undefined);
});

test('the headline leads with the most severe finding, the status beside it when they differ', () => {
  const verified = [fileReport('verified', { provenance: details })];
  const changed = renderHover(card('verified', verified, { verdict: { code: 'publisher-changed', severity: 'warning' } }), 'markdown');
  assert.match(changed, /^\*\*sampleproject 4\.0\.0\*\* — ⚠️ \*\*Publisher changed\*\* · ✅ Verified\n/);
  assert.match(changed, /Its file has valid attestations/);
  const yanked = renderHover(card('unattested', [fileReport('unattested')], { verdict: { code: 'yanked', severity: 'warning' } }), 'markdown');
  assert.match(yanked, /^\*\*sampleproject 4\.0\.0\*\* — ⚠️ \*\*Yanked\*\* · ℹ️ No provenance\n/);
  // Several findings at the worst severity are all named.
  const both = renderHover(card('verified', verified, { verdict: { code: 'yanked', severity: 'warning', also: ['publisher-changed'] } }), 'markdown');
  assert.match(both, /^\*\*sampleproject 4\.0\.0\*\* — ⚠️ \*\*Yanked, publisher changed\*\* · ✅ Verified\n/);
  const fresh = renderHover(card('verified', verified, { verdict: { code: 'fresh-release', severity: 'information' } }), 'plaintext');
  assert.match(fresh, /^sampleproject 4\.0\.0: Fresh release \(verified\)$/m);
  // A finding no worse than the status leaves the status in the lead.
  const invalid = renderHover(card('invalid', [fileReport('invalid')], { verdict: { code: 'attestation-invalid', severity: 'error' } }), 'markdown');
  assert.match(invalid, /^\*\*sampleproject 4\.0\.0\*\* — ❌ \*\*Invalid\*\*\n/);
  const none = renderHover(card('unattested', [fileReport('unattested')], { verdict: { code: 'no-provenance', severity: 'information' } }), 'markdown');
  assert.match(none, /^\*\*sampleproject 4\.0\.0\*\* — ℹ️ \*\*No provenance\*\*\n/);
});

test('identity mismatch with valid attestations: the headline says the publisher differs, over files that verified', () => {
  const mismatch = card('invalid', [fileReport('verified', { provenance: details })], { verdict: { code: 'identity-mismatch', severity: 'error' } });
  mismatch.report.diagnostics = ['identity-mismatch'];
  const text = renderHover(mismatch, 'markdown');
  assert.match(text, /^\*\*sampleproject 4\.0\.0\*\* — ❌ \*\*Publisher differs from the one recorded\*\*\n/);
  assert.doesNotMatch(text, /Invalid|failed verification/);
  assert.match(text, /Its attestations are valid, but its publisher is not the one recorded/);
  // Who did publish it: from the verified attestations, in the words every other place uses.
  assert.ok(text.includes('Published by [github.com/pypa/sampleproject](https://github.com/pypa/sampleproject) ([release.yml]('), text);
  assert.match(text, /\| sampleproject-4\.0\.0\.tar\.gz \| ✅ verified \|/);
  // With a failed attestation as well, nothing of the publisher is shown.
  mismatch.report.diagnostics = ['identity-mismatch', 'attestation-invalid'];
  assert.doesNotMatch(renderHover(mismatch, 'markdown'), /Published by/);
});

test('with HTML (the VS Code client) a verified card is short: the details fold into <details>', () => {
  const text = renderHover(card('verified', [fileReport('verified', { provenance: details, logIndex: 147137139 })], { trust: 'the embedded Sigstore public-good root' }), 'markdown', { html: true });
  const [main, more] = text.split('<details>');
  assert.ok(more !== undefined, text);
  assert.ok(main.includes('Published by [github.com/pypa/sampleproject](https://github.com/pypa/sampleproject) ([release.yml](https://github.com/pypa/sampleproject/blob/621e4974ca25ce531773def586ba3ed8e736b3fc/.github/workflows/release.yml)) · commit [621e4974ca25]('), main);
  assert.ok(main.includes('Signed 2024-11-06 22:37 UTC · transparency log entry [147137139](https://search.sigstore.dev/?logIndex=147137139)'), main);
  assert.ok(main.includes('[sampleproject 4.0.0 on pypi.org]'), main);
  assert.doesNotMatch(main, /\| Publisher \||\| File \||Checked against/);
  // Headline, sentence, two publisher lines, the link: five lines of text before the fold.
  assert.equal(main.split('\n').filter((line) => line.trim() !== '').length, 5, main);
  assert.match(more, /^<summary>More: publisher, files, trusted root<\/summary>\n\n\| \| \|/);
  assert.match(more, /\| Workflow run \| \[run 11713038981, attempt 1\]/);
  // Not said twice: what the two publisher lines carry is not in the folded table.
  assert.doesNotMatch(more, /\| (Repository|Commit|Signed|Transparency log) \|/);
  assert.match(more, /\| Workflow \| \[\.github\/workflows\/release\.yml\]/);
  assert.match(more, /\| sampleproject-4\.0\.0\.tar\.gz \| ✅ verified \| 2024-11-06 22:37 UTC \|/);
  assert.match(more, /_Checked against the embedded Sigstore public-good root\._\n\n<\/details>$/);
  // A file that did not verify stays on the card itself.
  const partial = renderHover(card('partial', [fileReport('verified', { provenance: details }), fileReport('unattested', { filename: 'x.whl' })]), 'markdown', { html: true });
  assert.match(partial.split('<details>')[0], /\| x\.whl \| ℹ️ unattested \|/);
});

test('the card leaves out the messages the editor shows at the hovered position, and what the severity setting turns off', () => {
  const parsed = parseDocument('requirements', `sampleproject==4.0.0 --hash=sha256:${'0'.repeat(64)}\n`);
  const dependency = parsed.dependencies[0];
  const findings: Finding[] = [
    { code: 'yanked', message: 'Yanked: the maintainers withdrew sampleproject 4.0.0 …', range: dependency.ranges.requirement, dependency: 0 },
    { code: 'hash-not-on-index', message: 'Hash not on the index: no file of sampleproject 4.0.0 on the index has sha256:00', range: dependency.hashes[0].range, dependency: 0 },
    { code: 'fresh-release', message: 'Fresh release: …', range: dependency.ranges.requirement, dependency: 0 },
  ];
  const subject = { uri: 'file:///r/requirements.txt', parsed, findings, severity: { 'fresh-release': 'off' as const } };
  const onName = hoverCard(subject, 0, undefined, undefined, { line: 0, character: 3 });
  assert.deepEqual(onName.messages, ['Hash not on the index: no file of sampleproject 4.0.0 on the index has sha256:00']);
  assert.deepEqual(onName.verdict, { code: 'hash-not-on-index', severity: 'error' });
  const onHash = hoverCard(subject, 0, undefined, undefined, dependency.hashes[0].range.start);
  assert.deepEqual(onHash.messages, ['Yanked: the maintainers withdrew sampleproject 4.0.0 …']);
  // No position (a report, say): every published message, most severe first.
  assert.deepEqual(hoverCard(subject, 0, undefined).messages, [findings[1].message, findings[0].message]);
});

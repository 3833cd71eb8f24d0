// The report panel's model and page: sorted by severity, findings' messages, times as the hover
// writes them, links of known shapes only; the page's policy and its inert JSON.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { renderReportHtml, scriptSafeJson } from '../../client/src/report/html';
import { buildReportModel, publisherParts, type ModelOptions, type PublishedFinding } from '../../client/src/report/model';
import { describePublisher } from '../../server/src/zeroTrust/messages';
import type { DocumentReport } from '../../client/src/report/types';
import { safeUrl, settingsChanges } from '../../client/src/server/logText';

const REQUIREMENTS = 'file:///ws/requirements.txt';
const sample: DocumentReport = {
  uri: REQUIREMENTS,
  dependencies: [
    {
      name: 'sampleproject',
      version: '4.0.0',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 20 } },
      status: 'verified',
      publisher: { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: 'pypi' },
      files: [{ filename: 'sampleproject-4.0.0.tar.gz', sha256: 'ab', status: 'verified', publisher: null, logIndex: 123, uploadTime: '2024-10-01T08:09:10Z', message: null }],
      diagnostics: ['late-upload'],
    },
    { name: 'requests', version: null, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 8 } }, status: 'unpinned', diagnostics: ['unpinned'] },
    { name: 'evil', version: '1.0', range: { start: { line: 2, character: 0 }, end: { line: 2, character: 9 } }, status: 'invalid', diagnostics: ['attestation-invalid'] },
  ],
};
const published: PublishedFinding[] = [
  { code: 'late-upload', severity: 'warning', message: 'sampleproject-4.0.0.tar.gz was uploaded 60 days after the release', line: 0 },
  { code: 'unpinned', severity: 'hint', message: 'requests is not pinned to one version', line: 1 },
  { code: 'attestation-invalid', severity: 'error', message: 'Attestation failed: the signature does not match', line: 2 },
];
const options: ModelOptions = {
  generatedAt: new Date('2025-01-02T03:04:05Z'),
  displayPath: (uri) => uri.replace('file:///ws/', ''),
  findings: (uri) => (uri === REQUIREMENTS ? published : []),
  pypi: true,
};

test('the model: most severe first, each finding with its message, times in UTC as the hover writes them', () => {
  const model = buildReportModel([{ uri: REQUIREMENTS, report: sample }, { uri: 'file:///ws/pylock.toml', error: 'the server did not answer' }], options);
  assert.equal(model.generatedAt, '2025-01-02 03:04 UTC');
  assert.equal(model.totals, '3 dependencies in 2 files: 1 invalid · 1 unpinned · 1 verified; 1 error, 1 warning, 1 hint');
  const [doc, lock] = model.documents;
  assert.deepEqual(doc!.dependencies.map((d) => [d.name, d.severity, d.location]), [['evil', 'error', 'requirements.txt:3'], ['sampleproject', 'warning', 'requirements.txt:1'], ['requests', 'hint', 'requirements.txt:2']]);
  const verified = doc!.dependencies[1]!;
  assert.deepEqual(verified.findings, [{ code: 'late-upload', severity: 'warning', message: published[0]!.message }]);
  assert.deepEqual(verified.version, { text: '4.0.0', url: 'https://pypi.org/project/sampleproject/4.0.0/' });
  assert.deepEqual(verified.files[0], { filename: 'sampleproject-4.0.0.tar.gz', status: 'verified', statusLabel: 'verified', uploaded: '2024-10-01 08:09 UTC', logEntry: { text: 'log entry 123', url: 'https://search.sigstore.dev/?logIndex=123' }, message: undefined });
  assert.equal(verified.line, 0);
  assert.deepEqual(lock, { uri: 'file:///ws/pylock.toml', name: 'pylock.toml', error: 'the server did not answer', dependencies: [] });
  assert.deepEqual(model.statuses.map((s) => [s.status, s.label, s.count]), [['invalid', 'invalid', 1], ['unpinned', 'unpinned', 1], ['verified', 'verified', 1]]);
});

test('a code with severity off is listed, and says why the editor does not show it', () => {
  const model = buildReportModel([{ uri: REQUIREMENTS, report: sample }], { ...options, findings: () => [] });
  const requests = model.documents[0]!.dependencies.find((d) => d.name === 'requests')!;
  assert.deepEqual(requests.findings, [{ code: 'unpinned', severity: 'off', message: 'Not shown in the editor (its severity setting is off).' }]);
});

test('publishers: one way of writing them; links only of known shapes', () => {
  assert.deepEqual(publisherParts({ kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: 'pypi' }), [
    { text: 'github.com/pypa/sampleproject', url: 'https://github.com/pypa/sampleproject' },
    { text: 'release.yml', url: 'https://github.com/pypa/sampleproject/blob/HEAD/.github/workflows/release.yml' },
  ]);
  // Written as the server writes a publisher everywhere else.
  for (const publisher of [
    { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: 'pypi' },
    { kind: 'GitLab', repository: 'group/sub/proj', workflow_filepath: '.gitlab-ci.yml' },
    { kind: 'Google', email: 'ci@example.iam.gserviceaccount.com' },
    { kind: 'ActiveState' },
  ]) {
    const parts = publisherParts(publisher);
    assert.equal(parts.length > 1 ? `${parts[0].text} (${parts[1].text})` : parts[0].text, describePublisher(publisher, 'workflow'));
  }
  assert.deepEqual(publisherParts({ kind: 'GitLab', repository: 'group/sub/proj', workflow_filepath: '.gitlab-ci.yml' })[0], { text: 'gitlab.com/group/sub/proj', url: 'https://gitlab.com/group/sub/proj' });
  assert.deepEqual(publisherParts({ kind: 'Google', email: 'ci@example.iam.gserviceaccount.com' }), [{ text: 'ci@example.iam.gserviceaccount.com' }, { text: 'Google' }]);
  const hostile = publisherParts({ kind: 'GitHub', repository: 'evil/../x', workflow: '../../w' });
  assert.ok(hostile.every((part) => part.url === undefined), JSON.stringify(hostile));
  assert.deepEqual(publisherParts(null), []);
});

test('the page: a nonce-only policy, no remote resource, and index text that cannot leave its JSON', () => {
  const evil: DocumentReport = { uri: REQUIREMENTS, dependencies: [{ name: '</script><script>alert(1)</script>', version: '<!--', status: 'verified', diagnostics: [] }] };
  const nonce = 'abcdefghijklmnopqrstuvwx';
  const html = renderReportHtml(buildReportModel([{ uri: REQUIREMENTS, report: evil }], options), { nonce });
  assert.match(html, new RegExp(`content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'none'`));
  assert.doesNotMatch(html, /https?:\/\/(?!pypi\.org\/project)/, 'no remote resource or link in the page itself');
  assert.equal(html.match(/<script/g)?.length, 2, 'the JSON and the script, nothing the index wrote');
  assert.ok(!html.includes('alert(1)</script>'));
  assert.doesNotMatch(html, /innerHTML|eval\(|new Function/);
  assert.throws(() => renderReportHtml(buildReportModel([], options), { nonce: 'short' }));
});

test('scriptSafeJson round-trips any value and never contains < > or &', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = scriptSafeJson(value);
      assert.ok(!/[<>&\u2028\u2029]/.test(text));
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: fuzzRuns() },
  );
});

test('the output channel never shows a secret of an index URL', () => {
  assert.equal(safeUrl('https://pypi.org/simple/'), 'https://pypi.org/simple/');
  assert.equal(safeUrl('https://user:s3cret@mirror.example:8443/simple/'), 'https://***@mirror.example:8443/simple/');
  assert.equal(safeUrl('https://mirror.example/t0k3nABCDEF1234/simple/?token=abc#x'), 'https://mirror.example/***/simple/?***');
  assert.equal(safeUrl('https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/'), 'https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/');
  assert.equal(safeUrl('not a url'), '(not a URL)');
  const lines = settingsChanges({ indexUrl: 'https://pypi.org/simple/' }, { indexUrl: 'https://me:tok@host/simple/', severity: { unpinned: 'off' } });
  assert.deepEqual(lines, [
    '[client] setting pypiProvenance.indexUrl changed: https://pypi.org/simple/ → https://***@host/simple/',
    '[client] setting pypiProvenance.severity changed: (default) → {"unpinned":"off"}',
  ]);
  assert.ok(!lines.join('').includes('tok'));
});

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeMarkdown, renderPublisher, renderReportMarkdown, type ReportOptions } from '../../client/src/report/markdown';
import type { DocumentReport } from '../../client/src/report/types';

const options: ReportOptions = {
  generatedAt: new Date('2025-01-02T03:04:05Z'),
  displayPath: (uri) => uri.replace('file:///ws/', ''),
  locationLink: (uri, line) => `${uri}#L${line + 1}`,
  codeLink: (code) => `https://example.test/docs#${code}`,
  projectLink: (name, version) => `https://pypi.org/project/${name}/${version}/`,
};

const sample: DocumentReport = {
  uri: 'file:///ws/requirements.txt',
  dependencies: [
    {
      name: 'sampleproject',
      version: '4.0.0',
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 20 } },
      status: 'verified',
      publisher: { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: 'pypi' },
      files: [{ filename: 'sampleproject-4.0.0.tar.gz', sha256: 'ab', status: 'verified', publisher: null, logIndex: 123, uploadTime: '2024-10-01T00:00:00Z', message: null }],
      diagnostics: ['partial-provenance'],
    },
    { name: 'requests', version: null, status: 'unpinned', diagnostics: ['unpinned'] },
  ],
};

test('a report: heading, summary, one table row per dependency, links to the line, PyPI, the publisher and the docs', () => {
  const markdown = renderReportMarkdown([{ uri: sample.uri, report: sample }, { uri: 'file:///ws/pylock.toml', error: 'the server did not answer' }], options);
  assert.match(markdown, /^# PyPI Provenance report\n/);
  assert.match(markdown, /2025-01-02T03:04:05\.000Z · 2 dependency files · 1 verified · 1 unpinned/);
  assert.match(markdown, /^## requirements\.txt$/m);
  assert.match(markdown, /\| ✅ \| \[sampleproject\]\(file:\/\/\/ws\/requirements\.txt#L3\) \| \[4\.0\.0\]\(https:\/\/pypi\.org\/project\/sampleproject\/4\.0\.0\/\) \| verified \| GitHub \[pypa\/sampleproject\]\(https:\/\/github\.com\/pypa\/sampleproject\) · \[release\.yml\]\(https:\/\/github\.com\/pypa\/sampleproject\/blob\/HEAD\/\.github\/workflows\/release\.yml\) · environment pypi \| \[partial-provenance\]\(https:\/\/example\.test\/docs#partial-provenance\) \|/);
  assert.match(markdown, /\| ➖ \| requests \|  \| unpinned \|/);
  assert.match(markdown, /`sampleproject-4\.0\.0\.tar\.gz` · verified · uploaded 2024-10-01T00:00:00Z · \[log entry 123\]\(https:\/\/search\.sigstore\.dev\/\?logIndex=123\)/);
  assert.match(markdown, /^## pylock\.toml\n\n_No report: the server did not answer_$/m);
});

test('an empty workspace says so', () => {
  assert.match(renderReportMarkdown([], options), /No dependency files/);
});

test('publishers: GitLab and Google; a repository of an unexpected shape is shown, not linked', () => {
  assert.equal(renderPublisher({ kind: 'GitLab', repository: 'group/sub/proj', workflow_filepath: '.gitlab-ci.yml' }), 'GitLab [group/sub/proj](https://gitlab.com/group/sub/proj) · [.gitlab-ci.yml](https://gitlab.com/group/sub/proj/-/blob/HEAD/.gitlab-ci.yml)');
  assert.equal(renderPublisher({ kind: 'Google', email: 'ci@example.iam.gserviceaccount.com' }), 'Google ci@example.iam.gserviceaccount.com');
  const hostile = renderPublisher({ kind: 'GitHub', repository: 'evil/../x)', workflow: '../../w' });
  assert.ok(!hostile.includes('https://'), hostile);
  assert.equal(renderPublisher(null), '');
});

test('index text cannot inject links, HTML, emphasis or table cells', () => {
  assert.equal(escapeMarkdown('a|b'), 'a\\|b');
  assert.equal(escapeMarkdown('[x](javascript:alert(1))'), '\\[x\\]\\(javascript:alert\\(1\\)\\)');
  assert.equal(escapeMarkdown('<img src=x onerror=y>'), '&lt;img src=x onerror=y&gt;');
  assert.equal(escapeMarkdown('line1\nline2\r\n# h'), 'line1 line2 \\# h');
  assert.equal(escapeMarkdown('x'.repeat(1000)).length, 301);
});

test('property: whatever the strings, each dependency is one table row of six cells, with no raw HTML', () => {
  const text = fc.string({ unit: 'binary', maxLength: 60 });
  fc.assert(
    fc.property(fc.array(fc.record({ name: text, version: text, status: text, message: text, repository: text, code: text }), { minLength: 1, maxLength: 5 }), (deps) => {
      const report: DocumentReport = {
        uri: 'file:///ws/requirements.txt',
        dependencies: deps.map((d) => ({
          name: d.name,
          version: d.version,
          status: d.status,
          publisher: { kind: 'GitHub', repository: d.repository, workflow: d.code },
          diagnostics: [d.code],
          files: [{ filename: d.name, status: d.status, message: d.message }],
        })),
      };
      const markdown = renderReportMarkdown([{ uri: report.uri, report }], options);
      const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| |'));
      assert.equal(rows.length, deps.length);
      for (const row of rows) assert.equal(row.replace(/\\\\/g, '').match(/(?<!\\)\|/g)?.length, 7, row);
      assert.ok(!/<[a-z!/]/i.test(markdown));
    }),
  );
});

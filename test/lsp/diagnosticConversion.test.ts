import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SEVERITY, type DiagnosticCode } from '../../server/src/core/codes';
import type { Finding } from '../../server/src/core/finding';
import { toDiagnostic, toDiagnostics } from '../../server/src/lsp/diagnostics';

const range = { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } };

test('a finding becomes a diagnostic with source, code, link and default severity', () => {
  assert.deepEqual(toDiagnostic({ code: 'weak-hash', message: 'md5 is refused by pip', range, dependency: 3 }, {}), {
    range,
    severity: 1,
    source: 'pypi-provenance',
    code: 'weak-hash',
    codeDescription: { href: 'https://github.com/pypi-provenance/pypi-provenance#weak-hash' },
    message: 'md5 is refused by pip',
    data: { dependency: 3 },
  });
  const expected: Record<string, number> = { error: 1, warning: 2, information: 3, hint: 4 };
  for (const [code, level] of Object.entries(DEFAULT_SEVERITY)) {
    const diagnostic = toDiagnostic({ code: code as DiagnosticCode, message: 'm', range }, undefined as never);
    assert.equal(diagnostic?.severity, expected[level], code);
    assert.equal(diagnostic?.data, undefined);
  }
});

test('the severity setting overrides, and off drops the diagnostic', () => {
  assert.equal(toDiagnostic({ code: 'unpinned', message: 'm', range }, { unpinned: 'error' })?.severity, 1);
  assert.equal(toDiagnostic({ code: 'unpinned', message: 'm', range }, { unpinned: 'off' }), undefined);
  assert.equal(toDiagnostic({ code: 'syntax', message: 'm', range }, { unpinned: 'off' })?.severity, 1);
});

test('past the limit the most severe diagnostics are kept, in their original order', () => {
  const findings: Finding[] = [];
  for (let line = 0; line < 10; line++) findings.push({ code: line % 3 === 0 ? 'syntax' : 'unpinned', message: String(line), range: { start: { line, character: 0 }, end: { line, character: 1 } } });
  const { diagnostics, omitted } = toDiagnostics(findings, {}, 5);
  assert.equal(omitted, 5);
  assert.deepEqual(diagnostics.map((d) => d.message), ['0', '1', '3', '6', '9']);
  assert.deepEqual(toDiagnostics(findings, { unpinned: 'off' }, 5), { diagnostics: toDiagnostics(findings.filter((f) => f.code === 'syntax'), {}).diagnostics, omitted: 0 });
});

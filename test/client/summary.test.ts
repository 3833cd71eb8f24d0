// The status bar's words: scoped to the active file, the workspace in the tooltip, red only for
// the active file's errors; statuses and severities never share a word; plurals right.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DocumentReport } from '../../client/src/report/types';
import { IDLE_SUMMARY, summarizeStatus, workspaceTotals, type FileFacts } from '../../client/src/status/summary';
import { STATUS_WORDS, count, severityCount, severityCounts, statusCounts } from '../../client/src/status/words';

function report(uri: string, statuses: string[]): DocumentReport {
  return { uri, dependencies: statuses.map((status, i) => ({ name: `p${i}`, version: '1.0', status })) };
}

function file(name: string, statuses: string[] | undefined, levels: FileFacts['levels'] = []): FileFacts {
  return { name, report: statuses ? report(`file:///${name}`, statuses) : undefined, levels };
}

test('words: no status label is a severity word, and plurals are right', () => {
  const severityWords = ['error', 'errors', 'warning', 'warnings', 'info', 'hint', 'hints'];
  for (const { label } of Object.values(STATUS_WORDS)) assert.ok(!severityWords.includes(label), `status label ${label}`);
  assert.equal(severityCount(1, 'error'), '1 error');
  assert.equal(severityCount(3, 'error'), '3 errors');
  assert.equal(severityCount(2, 'information'), '2 info');
  assert.equal(count(1, 'dependency', 'dependencies'), '1 dependency');
  assert.equal(count(0, 'file'), '0 files');
  assert.equal(severityCounts({ error: 0, warning: 0, information: 0, hint: 0 }), 'no problems');
  assert.equal(severityCounts({ error: 2, warning: 1, information: 0, hint: 3 }), '2 errors, 1 warning, 3 hints');
  assert.equal(statusCounts(new Map([['verified', 4], ['error', 3], ['invalid', 1]]), 2), '1 invalid · 3 not checked · +1 more');
});

test('the item speaks of the active file, worst first; the workspace is in its tooltip', () => {
  const active = file('requirements.txt', ['verified', 'verified', 'invalid'], ['error']);
  const other = file('pyproject.toml', ['verified', 'unattested'], ['information']);
  const summary = summarizeStatus(active, [active, other]);
  assert.equal(summary.text, '1 invalid · 2/3 verified');
  assert.equal(summary.tone, 'error');
  assert.equal(summary.icon, 'error');
  assert.deepEqual(summary.details.slice(0, 4), ['requirements.txt: 3 dependencies', '  1 invalid: an attestation or hash failed verification, or the publisher differs from the one recorded', '  2 verified: every file has a verified attestation', 'Findings: 1 error']);
  assert.ok(summary.details.includes('Workspace: 5 dependencies in 2 files: 1 invalid · 1 unattested · 3 verified; 1 error, 1 info'), summary.details.join('\n'));
});

test('red only when the active file has errors: warnings elsewhere or in it are not red', () => {
  const clean = file('a.txt', ['verified']);
  const broken = file('b.txt', ['invalid'], ['error']);
  assert.equal(summarizeStatus(clean, [clean, broken]).tone, 'ok');
  assert.equal(summarizeStatus(clean, [clean, broken]).icon, 'verified');
  const warned = file('c.txt', ['partial'], ['warning']);
  assert.equal(summarizeStatus(warned, [warned]).tone, 'warning');
});

test('the index "could not be asked" status reads "not checked", never "error"', () => {
  const unreachable = file('a.txt', ['error', 'error', 'error'], ['warning', 'warning', 'warning']);
  const summary = summarizeStatus(unreachable, [unreachable]);
  assert.equal(summary.text, '3 not checked · 0/3 verified');
  assert.doesNotMatch(summary.text, /error/);
});

test('pending: progress and a spinning icon; another editor: the name, the workspace in the tooltip; nothing: idle', () => {
  const checking = file('a.txt', ['verified', 'pending', 'pending', 'unpinned']);
  assert.equal(summarizeStatus(checking, [checking]).text, '2/4 checked');
  assert.equal(summarizeStatus(checking, [checking]).icon, 'sync~spin');
  const elsewhere = summarizeStatus(undefined, [checking]);
  assert.equal(elsewhere.text, 'PyPI Provenance');
  assert.equal(elsewhere.tone, 'none');
  assert.match(elsewhere.details[0]!, /^Workspace: 4 dependencies in 1 file/);
  assert.deepEqual(summarizeStatus(undefined, []), { ...IDLE_SUMMARY });
});

test('without reports (an older server): counts of the diagnostics by severity', () => {
  const active = file('a.txt', undefined, ['error', 'error', 'hint']);
  assert.equal(summarizeStatus(active, [active]).text, '2 errors, 1 hint');
  assert.equal(summarizeStatus(active, [active]).details[0], 'a.txt');
  assert.equal(workspaceTotals([active]), '1 dependency file: 2 errors, 1 hint');
  assert.equal(summarizeStatus(file('b.txt', undefined), []).text, 'no problems');
});

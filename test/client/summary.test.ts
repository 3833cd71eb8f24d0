import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DocumentReport } from '../../client/src/report/types';
import { IDLE_SUMMARY, summarizeDiagnostics, summarizeReports } from '../../client/src/status/summary';

function report(uri: string, statuses: string[]): DocumentReport {
  return { uri, dependencies: statuses.map((status, i) => ({ name: `p${i}`, version: '1.0', status })) };
}

test('reports: counts per status, in a fixed order, zero counts left out', () => {
  const summary = summarizeReports([report('file:///a', [...Array(30).fill('verified'), 'invalid']), report('file:///b', [...Array(8).fill('verified'), 'unattested', 'unattested'])]);
  assert.equal(summary.text, '38 verified · 2 unattested · 1 invalid');
  assert.equal(summary.tone, 'error');
  assert.equal(summary.icon, 'error');
  assert.match(summary.details[0]!, /^41 dependencies in 2 files/);
});

test('reports: pending dependencies show progress and a spinning icon', () => {
  const summary = summarizeReports([report('file:///a', ['verified', 'pending', 'pending', 'unpinned'])]);
  assert.equal(summary.text, '2/4 checked · 1 verified · 1 unpinned');
  assert.equal(summary.icon, 'sync~spin');
});

test('reports: all verified is ok; partial or not-found is a warning; unknown statuses count as error', () => {
  assert.deepEqual([summarizeReports([report('u', ['verified'])]).tone, summarizeReports([report('u', ['verified'])]).icon], ['ok', 'verified']);
  assert.equal(summarizeReports([report('u', ['partial'])]).tone, 'warning');
  assert.equal(summarizeReports([report('u', ['not-found'])]).tone, 'warning');
  assert.equal(summarizeReports([report('u', ['<script>'])]).text, '1 error');
});

test('reports without dependencies, and no reports, are idle', () => {
  assert.equal(summarizeReports([]).text, IDLE_SUMMARY.text);
  assert.equal(summarizeReports([report('u', [])]).tone, 'none');
});

test('diagnostics: per code, most severe first, then most frequent, at most three named', () => {
  const entries = [
    { code: 'unpinned', level: 'hint' as const },
    { code: 'unpinned', level: 'hint' as const },
    { code: 'syntax', level: 'error' as const },
    { code: 'missing-hashes', level: 'error' as const },
    { code: 'missing-hashes', level: 'error' as const },
    { code: 'yanked', level: 'warning' as const },
  ];
  const summary = summarizeDiagnostics(entries, 2);
  assert.equal(summary.text, '2 missing-hashes · 1 syntax · 1 yanked · +1 more');
  assert.equal(summary.tone, 'error');
  assert.equal(summary.details.length, 5);
});

test('diagnostics: none in open files is "No problems"; no files is idle', () => {
  assert.equal(summarizeDiagnostics([], 3).text, 'No problems');
  assert.equal(summarizeDiagnostics([], 0), IDLE_SUMMARY);
  assert.equal(summarizeDiagnostics([{ code: 'unpinned', level: 'hint' }], 1).tone, 'ok');
});

/**
 * What the status bar says, as data: from provenance reports when the server answers them
 * ("38 verified · 2 unattested · 1 invalid"), else from the published diagnostics, per code.
 * Pure, so it is unit-tested without VS Code.
 */
import { STATUSES, isKnownStatus, type DocumentReport, type ProvenanceStatus } from '../report/types';

export type Tone = 'none' | 'ok' | 'warning' | 'error';
export type DiagnosticLevel = 'error' | 'warning' | 'information' | 'hint';

export interface StatusSummary {
  /** Codicon name, `sync~spin` while dependencies are pending. */
  icon: string;
  text: string;
  /** Plain lines; the status bar item shows them as its tooltip. */
  details: string[];
  tone: Tone;
}

export interface DiagnosticEntry {
  code: string;
  level: DiagnosticLevel;
}

/** Statuses that make the summary an error or a warning. */
const ERROR_STATUSES: ReadonlySet<string> = new Set(['invalid']);
const WARNING_STATUSES: ReadonlySet<string> = new Set(['error', 'not-found', 'partial']);
const MAX_CODES_IN_TEXT = 3;

export const IDLE_SUMMARY: StatusSummary = { icon: 'shield', text: 'PyPI Provenance', details: ['No dependency file checked yet.'], tone: 'none' };

export function summarizeReports(reports: readonly DocumentReport[]): StatusSummary {
  const counts = new Map<string, number>();
  let total = 0;
  for (const report of reports) {
    for (const dependency of report.dependencies) {
      const status = isKnownStatus(dependency.status) ? dependency.status : 'error';
      counts.set(status, (counts.get(status) ?? 0) + 1);
      total++;
    }
  }
  if (total === 0) return { ...IDLE_SUMMARY, details: [`${plural(reports.length, 'dependency file')}, no dependencies.`] };
  const pending = counts.get('pending') ?? 0;
  const settledParts = STATUSES.filter((s) => s !== 'pending' && (counts.get(s) ?? 0) > 0).map((s) => `${counts.get(s)} ${s}`);
  const text = pending > 0 ? [`${total - pending}/${total} checked`, ...settledParts].join(' · ') : settledParts.join(' · ');
  const tone: Tone = [...counts.keys()].some((s) => ERROR_STATUSES.has(s)) ? 'error' : [...counts.keys()].some((s) => WARNING_STATUSES.has(s)) ? 'warning' : 'ok';
  const details = [
    `${plural(total, 'dependency', 'dependencies')} in ${plural(reports.length, 'file')}:`,
    ...STATUSES.filter((s) => (counts.get(s) ?? 0) > 0).map((s) => `  ${counts.get(s)} ${s}${STATUS_MEANING[s] ? ` — ${STATUS_MEANING[s]}` : ''}`),
  ];
  return { icon: pending > 0 ? 'sync~spin' : iconForTone(tone, counts), text, details, tone };
}

export function summarizeDiagnostics(entries: readonly DiagnosticEntry[], files: number): StatusSummary {
  if (files === 0) return IDLE_SUMMARY;
  if (entries.length === 0) return { icon: 'check', text: 'No problems', details: [`${plural(files, 'dependency file')}, no findings.`], tone: 'ok' };
  const byCode = new Map<string, { count: number; level: DiagnosticLevel }>();
  for (const { code, level } of entries) {
    const seen = byCode.get(code);
    if (seen) {
      seen.count++;
      if (LEVEL_RANK[level] < LEVEL_RANK[seen.level]) seen.level = level;
    } else byCode.set(code, { count: 1, level });
  }
  const ordered = [...byCode.entries()].sort(([a, x], [b, y]) => LEVEL_RANK[x.level] - LEVEL_RANK[y.level] || y.count - x.count || a.localeCompare(b));
  const shown = ordered.slice(0, MAX_CODES_IN_TEXT).map(([code, { count }]) => `${count} ${code}`);
  if (ordered.length > MAX_CODES_IN_TEXT) shown.push(`+${ordered.length - MAX_CODES_IN_TEXT} more`);
  const worst = ordered[0]![1].level;
  const tone: Tone = worst === 'error' ? 'error' : worst === 'warning' ? 'warning' : 'ok';
  const details = [`${plural(entries.length, 'finding')} in ${plural(files, 'dependency file')}:`, ...ordered.map(([code, { count, level }]) => `  ${count} ${code} (${level})`)];
  return { icon: tone === 'error' ? 'error' : tone === 'warning' ? 'warning' : 'info', text: shown.join(' · '), details, tone };
}

const LEVEL_RANK: Readonly<Record<DiagnosticLevel, number>> = { error: 0, warning: 1, information: 2, hint: 3 };

const STATUS_MEANING: Readonly<Partial<Record<ProvenanceStatus, string>>> = {
  verified: 'every file has a verified attestation',
  partial: 'some files have attestations, some do not',
  unattested: 'no file of the release has attestations',
  unpinned: 'not pinned to one version, cannot be verified',
  'not-found': 'the index has no such project or version',
  error: 'the index could not be asked',
  invalid: 'an attestation or hash failed verification',
  pending: 'still being checked',
};

function iconForTone(tone: Tone, counts: ReadonlyMap<string, number>): string {
  if (tone === 'error') return 'error';
  if (tone === 'warning') return 'warning';
  return (counts.get('verified') ?? 0) > 0 ? 'verified' : 'shield';
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * One vocabulary for counts, shared by the status bar, its tooltip, the notifications and the
 * report: a dependency's status and a finding's severity never share a word (the status `error`
 * reads "not checked", so "3 errors" always means findings), and counts take the right plural.
 * Pure.
 */
import { isKnownStatus, type ProvenanceStatus } from '../report/types';

export type SeverityLevel = 'error' | 'warning' | 'information' | 'hint';

interface StatusWords {
  /** "3 verified", "1 not checked": an adjective, the same for one and many. */
  label: string;
  /** What the status means, for tooltips and the report's legend. */
  meaning: string;
}

export const STATUS_WORDS: Readonly<Record<ProvenanceStatus, StatusWords>> = {
  'invalid': { label: 'invalid', meaning: 'an attestation or hash failed verification, or the publisher differs from the one recorded' },
  'error': { label: 'not checked', meaning: 'the index could not be asked or answered badly' },
  'not-found': { label: 'not found', meaning: 'the index has no such project or version' },
  'partial': { label: 'partly attested', meaning: 'some files have attestations, some do not' },
  'unattested': { label: 'unattested', meaning: 'no file of the release has attestations' },
  'unpinned': { label: 'unpinned', meaning: 'not pinned to one version, so its files cannot be verified' },
  'verified': { label: 'verified', meaning: 'every file has a verified attestation' },
  'pending': { label: 'being checked', meaning: 'still being checked' },
};

/** Most worrying first: the order of every list of statuses. */
export const STATUS_ORDER: readonly ProvenanceStatus[] = ['invalid', 'error', 'not-found', 'partial', 'unattested', 'unpinned', 'verified', 'pending'];

const SEVERITY_WORDS: Readonly<Record<SeverityLevel, [one: string, many: string]>> = {
  error: ['error', 'errors'],
  warning: ['warning', 'warnings'],
  information: ['info', 'info'],
  hint: ['hint', 'hints'],
};

export const SEVERITY_ORDER: readonly SeverityLevel[] = ['error', 'warning', 'information', 'hint'];

/** "1 dependency", "3 dependencies". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function statusLabel(status: string): string {
  return isKnownStatus(status) ? STATUS_WORDS[status].label : STATUS_WORDS.error.label;
}

/** "2 errors", "1 warning", "3 info". */
export function severityCount(n: number, severity: SeverityLevel): string {
  const [one, many] = SEVERITY_WORDS[severity];
  return count(n, one, many);
}

/** "4 verified · 1 invalid" from counts per status, worst first; at most `limit` named. */
export function statusCounts(counts: ReadonlyMap<string, number>, limit = Infinity): string {
  const parts = STATUS_ORDER.filter((s) => (counts.get(s) ?? 0) > 0).map((s) => `${counts.get(s)} ${STATUS_WORDS[s].label}`);
  return parts.length > limit ? [...parts.slice(0, limit), `+${parts.length - limit} more`].join(' · ') : parts.join(' · ');
}

/** "2 errors, 1 warning" (zero counts left out; "no problems" when all are zero). */
export function severityCounts(counts: Readonly<Record<SeverityLevel, number>>): string {
  const parts = SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => severityCount(counts[s], s));
  return parts.length > 0 ? parts.join(', ') : 'no problems';
}

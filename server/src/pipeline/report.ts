/**
 * The report of one document (CONTRACT.md §5) from its parse, its findings and what the later
 * stages (resolution, verification) learned about each dependency. Pure: the CLI's `--format json`
 * and the server's `pypiProvenance/report` request are both made with it.
 *
 * A dependency's status, decided in this order:
 * 1. `identity-mismatch`, `hash-not-on-index` or `log-inconsistent` found for it: `invalid`, whatever else is known.
 * 2. Nothing on the index can be verified for it (not pinned to one version, a URL, a path, an
 *    editable): `unpinned`.
 * 3. Otherwise every status that applies is gathered — the one the stages' DependencyResult gives,
 *    the one its files add up to (see `filesStatus`), and those its findings imply
 *    (`attestation-invalid` → invalid, `project-not-found`/`version-not-found` → not-found,
 *    `partial-provenance` → partial, `no-provenance` → unattested, and `index-error` → error
 *    while no result says more) — and the first in STATUS_PRECEDENCE wins, with `pending` placed
 *    after the settled failures (`invalid`, `error`, `not-found`) and before the provenance
 *    outcomes: a dependency known to be bad is bad even while some of its files are still being
 *    checked, but it is not `verified` until every file is.
 * 4. Nothing applies: `pending` (pinned, but no stage has said anything about it yet).
 */
import type { DiagnosticCode } from '../core/codes';
import type { Finding } from '../core/finding';
import type { Dependency, ParsedDocument } from '../core/model';
import { normalizeName } from '../core/names';
import { STATUS_PRECEDENCE, type DependencyReport, type DocumentReport, type FileReport, type Status } from '../core/result';
import type { DependencyResult, DependencyResults } from './contract/dependencyResult';

/** Codes that make a dependency `invalid` whatever else is known (CONTRACT.md §5). */
export const FORCING_INVALID: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>(['identity-mismatch', 'hash-not-on-index', 'file-replaced', 'project-quarantined', 'log-inconsistent']);

/** The status a finding of this code implies on its own, when it implies one. */
const STATUS_OF_CODE: Partial<Record<DiagnosticCode, Status>> = {
  'attestation-invalid': 'invalid',
  'project-not-found': 'not-found',
  'version-not-found': 'not-found',
  'partial-provenance': 'partial',
  'no-provenance': 'unattested',
};

/** Statuses that are settled answers even while other files are still pending. */
const SETTLED_FAILURES: ReadonlySet<Status> = new Set<Status>(['invalid', 'error', 'not-found']);

/**
 * STATUS_PRECEDENCE with `pending` after the settled failures, and `unpinned` just before
 * `verified`: a stage that calls a dependency unpinned keeps it from being shown as verified.
 */
export const REPORT_STATUS_ORDER: readonly Status[] = [
  ...STATUS_PRECEDENCE.filter((s) => SETTLED_FAILURES.has(s)),
  'pending',
  ...STATUS_PRECEDENCE.filter((s) => !SETTLED_FAILURES.has(s) && s !== 'verified'),
  'unpinned',
  'verified',
];

export function buildDocumentReport(uri: string, parsed: ParsedDocument, findings: readonly Finding[], results?: DependencyResults): DocumentReport {
  const codesByDependency = new Map<number, DiagnosticCode[]>();
  for (const finding of findings) {
    if (finding.dependency === undefined) continue;
    const codes = codesByDependency.get(finding.dependency) ?? [];
    if (!codes.includes(finding.code)) codes.push(finding.code);
    codesByDependency.set(finding.dependency, codes);
  }
  const dependencies = parsed.dependencies.map((dependency, index): DependencyReport => {
    const diagnostics = codesByDependency.get(index) ?? [];
    const result = safeResult(results, index, dependency);
    const files = result?.files ?? [];
    return {
      name: normalizeName(dependency.name),
      version: dependency.pinnedVersion ?? null,
      range: dependency.ranges.requirement,
      status: dependencyStatus(dependency, diagnostics, result),
      publisher: result?.publisher !== undefined ? result.publisher : (files.find((file) => file.status === 'verified' && file.publisher !== null)?.publisher ?? null),
      files,
      diagnostics,
      ...(dependency.lock?.locked === true ? { lockedIn: dependency.lock.file } : {}),
      ...(result?.remembered ? { remembered: result.remembered } : {}),
    };
  });
  return { uri, dependencies };
}

/** Whether the index holds files of this dependency that could be verified. */
export function isVerifiable(dependency: Dependency): boolean {
  return dependency.pinnedVersion !== undefined && dependency.url === undefined && dependency.editable !== true;
}

/** The status of one dependency (see the top of this file). */
export function dependencyStatus(dependency: Dependency, codes: readonly DiagnosticCode[], result?: DependencyResult): Status {
  if (codes.some((code) => FORCING_INVALID.has(code))) return 'invalid';
  if (!isVerifiable(dependency)) return 'unpinned';
  const candidates = new Set<Status>();
  if (result?.status !== undefined) candidates.add(result.status);
  const ofFiles = filesStatus(result?.files ?? []);
  if (ofFiles !== undefined) candidates.add(ofFiles);
  for (const code of codes) {
    const implied = STATUS_OF_CODE[code];
    if (implied !== undefined) candidates.add(implied);
  }
  // An index error says nothing once a result (e.g. from the cache) does.
  if (codes.includes('index-error') && result?.status === undefined && ofFiles === undefined) candidates.add('error');
  return REPORT_STATUS_ORDER.find((status) => candidates.has(status)) ?? 'pending';
}

/**
 * What a dependency's files add up to: any `invalid`, `error`, `not-found` or `pending` file
 * decides (in that order); else all `verified` is verified, all `unattested` is unattested, and
 * a mix is `partial`. Undefined for no files.
 */
export function filesStatus(files: readonly Pick<FileReport, 'status'>[]): Status | undefined {
  if (files.length === 0) return undefined;
  for (const status of ['invalid', 'error', 'not-found', 'pending'] as const) {
    if (files.some((file) => file.status === status)) return status;
  }
  if (files.every((file) => file.status === 'verified')) return 'verified';
  if (files.every((file) => file.status === 'unattested')) return 'unattested';
  return 'partial';
}

/** A throwing lookup must not take the whole report down: that dependency is reported as unknown. */
function safeResult(results: DependencyResults | undefined, index: number, dependency: Dependency): DependencyResult | undefined {
  if (!results) return undefined;
  try {
    return results(index, dependency) ?? undefined;
  } catch {
    return undefined;
  }
}

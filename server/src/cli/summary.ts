/** What a run adds up to: dependencies by status, published findings by severity, the exit code. */
import type { Severity } from '../core/codes';
import type { Status } from '../core/result';
import { severityOf, type CheckRun } from './check';
import { statusLabel } from './statusWords';

export const EXIT_OK = 0;
export const EXIT_ERRORS = 1;
export const EXIT_USAGE = 2;

export interface Tally {
  files: number;
  dependencies: number;
  byStatus: Map<Status, number>;
  /** Findings by their severity after the `severity` setting; `off` ones are not counted. */
  bySeverity: Record<Severity, number>;
  /** Stages that failed (a bug): the run cannot vouch for its result. */
  failures: number;
  /** Published `index-error` findings: dependencies the run could not check. */
  indexErrors: number;
}

export function tally(run: CheckRun): Tally {
  const byStatus = new Map<Status, number>();
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  let dependencies = 0;
  let failures = 0;
  let indexErrors = 0;
  for (const document of run.documents) {
    for (const dependency of document.report.dependencies) {
      dependencies++;
      byStatus.set(dependency.status, (byStatus.get(dependency.status) ?? 0) + 1);
    }
    for (const finding of document.findings) {
      const severity = severityOf(finding, run.settings);
      if (severity !== 'off') bySeverity[severity]++;
      if (severity !== 'off' && finding.code === 'index-error') indexErrors++;
    }
    failures += document.failures.length;
  }
  return { files: run.documents.length, dependencies, byStatus, bySeverity, failures, indexErrors };
}

/**
 * CONTRACT.md §6: 1 when anything is at `error` severity. A stage that failed also gives 1: a
 * check that did not run must not pass in CI. With `strict`, so does an `index-error`.
 */
export function exitCodeOf(counts: Tally, strict = false): number {
  return counts.bySeverity.error > 0 || counts.failures > 0 || (strict && counts.indexErrors > 0) ? EXIT_ERRORS : EXIT_OK;
}

/** The order of the summary: the good news first, then what needs a look. */
export const SUMMARY_STATUS_ORDER: readonly Status[] = ['verified', 'partial', 'unattested', 'invalid', 'not-found', 'error', 'pending', 'unpinned'];

/**
 * Said after the summary when the index could not be asked for some dependencies: a run that
 * checked nothing must not look like a clean one. Undefined when everything could be checked.
 */
export function uncheckedLine(counts: Tally): string | undefined {
  const unchecked = counts.byStatus.get('error') ?? 0;
  if (unchecked === 0 && counts.indexErrors === 0) return undefined;
  const what = unchecked > 0 ? `${unchecked} of ${plural(counts.dependencies, 'dependency', 'dependencies')} could not be checked against the index` : `The index could not be asked about everything (${plural(counts.indexErrors, 'index-error')})`;
  return `${what}. Use --strict to make that fail the run.`;
}

/** "12 dependencies: 8 verified · 2 unattested · 1 invalid · 1 unpinned; 3 errors, 1 warning". */
export function summaryLine(counts: Tally, paint: (what: Status | Severity, text: string) => string = (_w, t) => t): string {
  const statuses = SUMMARY_STATUS_ORDER.filter((status) => (counts.byStatus.get(status) ?? 0) > 0).map((status) => paint(status, `${counts.byStatus.get(status)} ${statusLabel(status)}`));
  const head = plural(counts.dependencies, 'dependency', 'dependencies') + (statuses.length > 0 ? `: ${statuses.join(' · ')}` : '');
  const { error, warning, information, hint } = counts.bySeverity;
  const counted = (severity: Severity, n: number, text: string) => (n > 0 ? paint(severity, text) : text);
  const severities = [counted('error', error, plural(error, 'error')), counted('warning', warning, plural(warning, 'warning'))];
  if (information > 0) severities.push(paint('information', `${information} information`));
  if (hint > 0) severities.push(paint('hint', plural(hint, 'hint')));
  return `${head}; ${severities.join(', ')}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * `--format json`: `{ "documents": [report…], "summary": {…} }` with each report as CONTRACT.md
 * §5 gives it and `uri` the document's absolute path. Added (the contract allows additions, never
 * renames):
 * - to each document, `findings`: every finding with the severity it has under the run's
 *   settings (`off` included), so that problems not tied to a dependency (a syntax error, a
 *   missing `-r` file) are there too;
 * - at the top, `summary`: the tool and its version, and the run's totals — dependencies per
 *   status (every status, 0 included, so a reader needs no default), published findings per
 *   severity (`off` ones are not counted, as in the exit code), and the exit code.
 * Messages are never shortened here: the text output may wrap or cut to the terminal, this is
 * the full text.
 */
import type { Severity, SeverityOrOff } from '../../core/codes';
import type { Finding } from '../../core/finding';
import type { DocumentReport, Status } from '../../core/result';
import { severityOf, type CheckRun } from '../check';
import { exitCodeOf, tally } from '../summary';
import { TOOL_NAME } from './sarif';

/** Every status of CONTRACT.md §5, in the order the text summary lists them. */
export const JSON_STATUSES: readonly Status[] = ['verified', 'partial', 'unattested', 'invalid', 'not-found', 'error', 'pending', 'unpinned'];

export interface JsonFinding extends Finding {
  severity: SeverityOrOff;
}

export interface JsonDocument extends DocumentReport {
  findings: JsonFinding[];
}

export interface JsonSummary {
  tool: { name: string; version: string };
  /** Dependency files checked. */
  files: number;
  dependencies: number;
  /** Dependencies per status. */
  statuses: Record<Status, number>;
  /** Published findings per severity (after `--severity`; `off` not counted). */
  severities: Record<Severity, number>;
  /** What the process exits with (CONTRACT.md §6). */
  exitCode: number;
}

export interface JsonOutput {
  documents: JsonDocument[];
  summary: JsonSummary;
}

export interface JsonOptions {
  toolVersion: string;
  /** `--strict`, for the exit code in the summary. */
  strict?: boolean;
}

export function toJsonOutput(run: CheckRun, options: JsonOptions): JsonOutput {
  return {
    documents: run.documents.map((document) => ({
      ...document.report,
      findings: document.findings.map((finding) => ({
        code: finding.code,
        severity: severityOf(finding, run.settings),
        message: finding.message,
        range: finding.range,
        ...(finding.dependency !== undefined ? { dependency: finding.dependency } : {}),
      })),
    })),
    summary: jsonSummary(run, options),
  };
}

export function jsonSummary(run: CheckRun, options: JsonOptions): JsonSummary {
  const counts = tally(run);
  const statuses = Object.fromEntries(JSON_STATUSES.map((status) => [status, counts.byStatus.get(status) ?? 0])) as Record<Status, number>;
  // A status this list does not know yet (added later) is still counted.
  for (const [status, n] of counts.byStatus) if (!(status in statuses)) statuses[status] = n;
  return {
    tool: { name: TOOL_NAME, version: options.toolVersion },
    files: counts.files,
    dependencies: counts.dependencies,
    statuses,
    severities: { ...counts.bySeverity },
    exitCode: exitCodeOf(counts, options.strict === true),
  };
}

export function renderJson(run: CheckRun, options: JsonOptions): string {
  return `${JSON.stringify(toJsonOutput(run, options), null, 2)}\n`;
}

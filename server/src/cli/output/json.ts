/**
 * `--format json`: `{ "documents": [report…] }` with each report as CONTRACT.md §5 gives it and
 * `uri` the document's absolute path. Added to each document (the contract allows additions):
 * `findings`, every finding with the severity it has under the run's settings (`off` included),
 * so that problems not tied to a dependency (a syntax error, a missing `-r` file) are there too.
 */
import type { SeverityOrOff } from '../../core/codes';
import type { Finding } from '../../core/finding';
import type { DocumentReport } from '../../core/result';
import { severityOf, type CheckRun } from '../check';

export interface JsonFinding extends Finding {
  severity: SeverityOrOff;
}

export interface JsonDocument extends DocumentReport {
  findings: JsonFinding[];
}

export interface JsonOutput {
  documents: JsonDocument[];
}

export function toJsonOutput(run: CheckRun): JsonOutput {
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
  };
}

export function renderJson(run: CheckRun): string {
  return `${JSON.stringify(toJsonOutput(run), null, 2)}\n`;
}

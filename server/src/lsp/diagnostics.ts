/** Core Finding → LSP Diagnostic (CONTRACT.md §4). */
import { codeDocsUrl } from '../pipeline/codeDocs';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { severityFor, type Severity } from '../core/codes';
import type { Finding } from '../core/finding';
import type { Settings } from '../pipeline/contract/settings';

export const DIAGNOSTIC_SOURCE = 'pypi-provenance';

/** Each code is a heading of the README; GitHub turns `## \`missing-hashes\`` into this anchor. */

/**
 * A client drowning in 100k diagnostics (a 10 MB file of junk) freezes; past this many, the
 * most severe are published and the rest are left out (the log says how many).
 */
export const MAX_PUBLISHED_DIAGNOSTICS = 5000;

const LSP_SEVERITY: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What code actions and hovers need back from a published diagnostic. */
export interface DiagnosticData {
  /** Index into ParsedDocument.dependencies, when the finding is about one. */
  dependency?: number;
}

/** The diagnostic for a finding, or undefined when the `severity` setting turns its code off. */
export function toDiagnostic(finding: Finding, severity: Settings['severity']): Diagnostic | undefined {
  const level = severityFor(finding.code, severity, finding.defaultSeverity);
  if (level === 'off') return undefined;
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: LSP_SEVERITY[level],
    source: DIAGNOSTIC_SOURCE,
    code: finding.code,
    codeDescription: { href: codeDocsUrl(finding.code) },
    message: finding.message,
  };
  if (finding.dependency !== undefined) diagnostic.data = { dependency: finding.dependency } satisfies DiagnosticData;
  return diagnostic;
}

export interface PublishableDiagnostics {
  diagnostics: Diagnostic[];
  /** How many were left out by MAX_PUBLISHED_DIAGNOSTICS. */
  omitted: number;
}

/** Diagnostics for all findings, in finding order, capped at `limit` keeping the most severe. */
export function toDiagnostics(findings: readonly Finding[], severity: Settings['severity'], limit = MAX_PUBLISHED_DIAGNOSTICS): PublishableDiagnostics {
  const diagnostics: Diagnostic[] = [];
  for (const finding of findings) {
    const diagnostic = toDiagnostic(finding, severity);
    if (diagnostic) diagnostics.push(diagnostic);
  }
  if (diagnostics.length <= limit) return { diagnostics, omitted: 0 };
  // Stable by severity (Error = 1 is the most severe), then back into finding order.
  const kept = diagnostics
    .map((diagnostic, order) => ({ diagnostic, order }))
    .sort((a, b) => (a.diagnostic.severity ?? 4) - (b.diagnostic.severity ?? 4) || a.order - b.order)
    .slice(0, limit)
    .sort((a, b) => a.order - b.order)
    .map((entry) => entry.diagnostic);
  return { diagnostics: kept, omitted: diagnostics.length - limit };
}

/**
 * What every code action that vouches for something (recording identities, accepting a publisher,
 * accepting owners) checks first, and where on the page such an action belongs.
 */
import type { Diagnostic, Range } from 'vscode-languageserver/node';
import type { Finding } from '../core/finding';
import type { Dependency } from '../core/model';
import { VERIFICATION_STAGE } from '../verification/stage';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { DocumentAnalysis, OpenDocument } from './documentAnalyses';

/**
 * Findings on a release that forbid vouching for it (recording or accepting its publisher or its
 * owners): its files or attestations cannot be trusted, whoever they name (CONTRACT §7).
 */
export const ACCEPT_BLOCKING_CODES: ReadonlySet<string> = new Set(['attestation-invalid', 'hash-not-on-index', 'file-replaced', 'log-inconsistent', 'project-quarantined', 'verification-error']);

/** A release whose files or attestations another finding flags, or whose verification has not settled. */
export function acceptBlocked(analysis: DocumentAnalysis, index: number, zeroTrustFindings: readonly Finding[]): boolean {
  if (analysis.pending.has(VERIFICATION_STAGE)) return true;
  const findings = [...[...analysis.findingsByStage.values()].flat().filter((finding) => finding.dependency === index), ...zeroTrustFindings];
  return findings.some((finding) => ACCEPT_BLOCKING_CODES.has(finding.code));
}

/** The document and its analysis when the analysis is of the text as it is now. */
export function currentAnalysis(
  uri: string,
  host: { document(uri: string): OpenDocument | undefined; analysis(uri: string): DocumentAnalysis | undefined },
): { document: OpenDocument; analysis: DocumentAnalysis } | undefined {
  const document = host.document(uri);
  const analysis = host.analysis(uri);
  if (!document || !analysis || analysis.version !== document.version || analysis.text !== document.text) return undefined;
  return { document, analysis };
}

export function onLines(requirement: Range, range: Range | undefined): boolean {
  if (!range?.start || !range.end) return false;
  return requirement.start.line <= range.end.line && requirement.end.line >= range.start.line;
}

/** The lines of a pylock package as far as the parse knows them: its name, its locked files, its identities. */
export function packageSpan(dependency: Dependency): Range {
  const ranges = [dependency.ranges.requirement, ...(dependency.files ?? []).map((file) => file.range), ...(dependency.attestationIdentities ?? []).map((identity) => identity.range)];
  return {
    start: { line: Math.min(...ranges.map((range) => range.start.line)), character: 0 },
    end: { line: Math.max(...ranges.map((range) => range.end.line)), character: 0 },
  };
}

/** The lines an action for this dependency answers to: a pylock package's whole table, elsewhere the requirement. */
export function dependencySpan(format: string, dependency: Dependency): Range {
  return format === 'pylock' ? packageSpan(dependency) : dependency.ranges.requirement;
}

/** Our diagnostics of one of `codes` that overlap the dependency's requirement. */
export function relatedDiagnostics(diagnostics: readonly Diagnostic[] | undefined, dependency: Dependency, codes: ReadonlySet<string>): Diagnostic[] {
  const r = dependency.ranges.requirement;
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);
  return (diagnostics ?? []).filter((d) => d?.source === DIAGNOSTIC_SOURCE && codes.has(String(d.code)) && !before(d.range.end, r.start) && !before(r.end, d.range.start));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `pypiProvenance/report` (CONTRACT.md §5): params `{ textDocument: { uri }, wait }`. The report
 * of an open document is built from its current analysis — with `wait: true` once no stage is
 * pending, so no dependency is `pending` — by pipeline/report.ts buildDocumentReport, the builder the
 * CLI's JSON output uses too. A document that is not open is read from disk and analysed once
 * (every stage awaited). Bad params or an unknown document answer null.
 */
import { MAX_DOCUMENT_BYTES, readRegularText } from '../core/regularFile';
import { formatOfPath } from '../core/format';
import type { DocumentReport } from '../core/result';
import { parseDocumentSafely } from '../pipeline/parse';
import { withLockedVersions } from '../pipeline/lockStep';
import { buildDocumentReport } from '../pipeline/report';
import { runStages } from '../pipeline/runStages';
import type { VerificationServices } from '../verification/service';
import { withRememberedFacts } from '../pipeline/rememberedResults';
import type { ZeroTrustServices } from '../zeroTrust/service';
import { allFindings, type DocumentAnalyses } from './documentAnalyses';
import { documentPath } from '../pipeline/includesStage';
import type { Settings } from '../pipeline/contract/settings';
import type { FindingStage } from '../pipeline/contract/stages';

export const REPORT_METHOD = 'pypiProvenance/report';

export interface ReportParams {
  textDocument: { uri: string };
  wait?: boolean;
}

export interface ReportHost {
  analyses: DocumentAnalyses;
  verification?: VerificationServices;
  /** The zero-trust memories' facts per dependency (the report's `remembered`). */
  zeroTrust?: ZeroTrustServices;
  stages: readonly FindingStage[];
  settings(): Promise<Readonly<Settings>>;
  env: Readonly<Record<string, string | undefined>>;
}

export async function provenanceReport(params: unknown, host: ReportHost): Promise<DocumentReport | null> {
  const uri = (params as Partial<ReportParams> | null)?.textDocument?.uri;
  if (typeof uri !== 'string') return null;
  const wait = (params as ReportParams).wait === true;
  const open = host.analyses.get(uri);
  // An open document whose first analysis is still waiting for the settings is waited for.
  if (open || host.analyses.uris().includes(uri)) {
    const analysis = wait || !open ? await host.analyses.settled(uri) : open;
    if (!analysis) return null;
    return buildDocumentReport(uri, analysis.parsed, allFindings(analysis), withRememberedFacts(host.verification?.results.dependencyResults(analysis.parsed), host.zeroTrust, analysis.parsed));
  }
  return reportFromDisk(uri, host);
}

async function reportFromDisk(uri: string, host: ReportHost): Promise<DocumentReport | null> {
  const path = documentPath(uri);
  const format = formatOfPath(uri);
  if (path === undefined || format === undefined) return null;
  let text: string;
  try {
    // Only a regular file of a bounded size: a FIFO named requirements.txt must not hang the server.
    text = await readRegularText(path, MAX_DOCUMENT_BYTES);
  } catch {
    return null;
  }
  const settings = await host.settings();
  const parsed = await withLockedVersions(parseDocumentSafely(format, text, { env: host.env, workspaceTrusted: settings.workspaceTrusted }).parsed, uri);
  const run = await runStages({ uri, format, text, parsed, settings }, host.stages);
  return buildDocumentReport(uri, parsed, run.findings, withRememberedFacts(host.verification?.results.dependencyResults(parsed), host.zeroTrust, parsed));
}

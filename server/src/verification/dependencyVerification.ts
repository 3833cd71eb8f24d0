/**
 * What verification says about one dependency, from its resolution and its files' outcomes: the
 * files to verify, the findings (`attestation-invalid`, `partial-provenance`, `no-provenance`,
 * `index-error` for a provenance that could not be fetched), and the DependencyResult the report
 * and the hover are built from (pipeline/report.ts decides the status from it and the findings).
 * Pure.
 *
 * Which files: all files of an `==` release when no hash narrows it; only the hashed files when
 * hashes are given (falling back to all when the index lists no hash that could match, which
 * resolution notes); a pylock package's locked files.
 */
import type { Finding } from '../core/finding';
import type { Dependency } from '../core/model';
import type { FileReport, Status } from '../core/result';
import type { DependencyResult } from '../pipeline/contract/dependencyResult';
import type { Resolution, ResolvedFile } from '../index/resolve';
import { releaseProvenanceStatus, toFileReport } from '../verify/index';
import type { FileOutcome } from './fileChecks';
import { verdictFirst } from '../core/format';
import { VERDICTS } from '../core/verdicts';

export interface FileState {
  file: ResolvedFile;
  /** Undefined while the file is being checked. */
  outcome?: FileOutcome;
}

export interface DependencyVerification {
  findings: Finding[];
  result: DependencyResult;
  /** Nothing about the dependency is still being worked on. */
  settled: boolean;
  /** Every file without provenance got a 403: the index has the feature turned off. */
  provenanceDisabled: boolean;
  /** The earliest time a file that could not be checked may be asked for again. */
  retryAt?: number;
}

/** The files of a resolved dependency whose attestations are verified. */
export function filesToVerify(dependency: Dependency, resolution: Resolution): ResolvedFile[] {
  if (resolution.status !== 'resolved') return [];
  if ((dependency.files?.length ?? 0) > 0) return resolution.files;
  if (dependency.hashes.length === 0) return resolution.files;
  const pinned = resolution.files.filter((file) => file.pinned);
  if (pinned.length > 0) return pinned;
  // A hash that matches nothing is hash-not-on-index: the dependency is invalid, nothing to verify.
  if (resolution.findings.some((finding) => finding.code === 'hash-not-on-index')) return [];
  // No listed hash could be compared (the index lists other algorithms): verify what it serves.
  return resolution.files;
}

export function verifyDependencyStatus(dependency: Dependency, dependencyIndex: number, resolution: Resolution | undefined, files: readonly FileState[]): DependencyVerification {
  const range = dependency.ranges.requirement;
  const finding = (code: Finding['code'], message: string): Finding => ({ code, message, range, dependency: dependencyIndex });
  const label = `${dependency.rawName || dependency.name} ${dependency.pinnedVersion ?? ''}`.trim();
  const result: DependencyResult = { files: files.map(fileReport) };
  const findings: Finding[] = [];

  if (resolution === undefined) {
    result.status = 'pending';
    return { findings, result, settled: false, provenanceDisabled: false };
  }
  const resolutionStatus: Partial<Record<Resolution['status'], Status>> = { 'not-found': 'not-found', 'error': 'error' };
  if (resolutionStatus[resolution.status] !== undefined) result.status = resolutionStatus[resolution.status];

  for (const { file, outcome } of files) {
    if (outcome?.status === 'invalid') findings.push(finding('attestation-invalid', verdictFirst(VERDICTS['attestation-invalid'], outcome.message ?? 'it failed verification', file.filename)));
  }
  const settled = files.every((state) => state.outcome !== undefined);
  const outcomes = files.map((state) => state.outcome).filter((outcome): outcome is FileOutcome => outcome !== undefined);
  const unattested = files.filter((state) => state.outcome?.status === 'unattested');
  const provenanceDisabled = unattested.length > 0 && unattested.every((state) => state.outcome?.provenanceDisabled === true);
  if (!settled) return { findings, result, settled, provenanceDisabled };

  const failed = files.filter((state) => state.outcome?.status === 'error');
  for (const { file, outcome } of failed) findings.push(finding(outcome?.errorCode ?? 'index-error', verdictFirst(VERDICTS[outcome?.errorCode ?? 'index-error'], outcome?.message ?? 'it could not be checked', file.filename)));
  const retries = failed.map((state) => state.outcome?.retryAt).filter((at): at is number => at !== undefined);
  // Whether the release is partly attested is unknown while some file could not be checked.
  if (failed.length > 0 || outcomes.length === 0) return { findings, result, settled, provenanceDisabled, ...(retries.length > 0 ? { retryAt: Math.min(...retries) } : {}) };

  const release = releaseProvenanceStatus(outcomes.map((outcome) => ({ status: outcome.status === 'invalid' ? 'verified' : (outcome.status as 'verified' | 'unattested') })));
  if (release === 'unattested') {
    findings.push(
      finding(
        'no-provenance',
        provenanceDisabled
          ? 'No provenance: the index has turned provenance off (it answered HTTP 403), so no attestation of these files could be checked'
          : `No provenance: no file of ${label} has attestations (PEP 740), so where it was built cannot be verified`,
      ),
    );
  } else if (release === 'partial') {
    const names = unattested.map((state) => state.file.filename);
    const none = names.length === 1 ? 'has no attestations' : 'have no attestations';
    findings.push(finding('partial-provenance', `Partly attested: ${names.length} of ${files.length} files ${none}: ${names.join(', ')}${provenanceDisabled ? ' (the index answered HTTP 403 for their provenance)' : ''}`));
  }
  return { findings, result, settled, provenanceDisabled };
}

/** A file's entry in the report (CONTRACT §5): pending while checked, `error` when it could not be. */
export function fileReport({ file, outcome }: { file: Pick<ResolvedFile, 'filename' | 'sha256' | 'uploadTime'>; outcome?: FileOutcome }): FileReport {
  const base = { filename: file.filename, sha256: file.sha256 ?? '', ...(file.uploadTime !== undefined ? { uploadTime: file.uploadTime } : {}) };
  if (outcome === undefined) return { ...base, status: 'pending', publisher: null, message: null };
  if (outcome.status === 'error' || !outcome.verification) return { ...base, status: outcome.status, publisher: null, message: outcome.message };
  const report = toFileReport(outcome.verification, base);
  if (outcome.provenanceDisabled) report.message = outcome.message;
  return report;
}

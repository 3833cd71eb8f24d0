/**
 * Outcomes of verification, per attestation and per file, and their mapping onto the shared
 * result model (core/result.ts). The rule: a file is `verified` only when it has attestations
 * and every one of them passed every check; one failure anywhere makes it `invalid`, with the
 * failed check named in the message.
 */
import type { FileReport, ProvenanceDetails, Publisher, Status } from '../core/result';
import type { CheckId } from './checks';
import type { SignerClaims } from './publisher';
import type { VerifiedCheckpoint } from './tlog';

export interface VerifiedAttestation {
  status: 'verified';
  predicateType: string;
  /** Rekor global log index. */
  logIndex: number;
  /** Rekor log ID, base64. */
  logId: string;
  /** Seconds since the epoch. */
  integratedTime: number;
  claims: SignerClaims;
  /** The log's signed checkpoint the entry's inclusion proof ends in (absent only in verdicts made before it was kept). */
  checkpoint?: VerifiedCheckpoint;
}

export interface InvalidAttestation {
  status: 'invalid';
  check: CheckId;
  /** `<check> check failed: <why>`. */
  message: string;
}

export type AttestationOutcome = VerifiedAttestation | InvalidAttestation;

export interface AttestationRecord {
  /** Zero-based positions in the provenance object. */
  bundle: number;
  index: number;
  publisher: Publisher | null;
  outcome: AttestationOutcome;
}

export interface FileVerification {
  status: Extract<Status, 'verified' | 'invalid' | 'unattested'>;
  /** Why the file is not verified; null when verified or unattested. */
  message: string | null;
  /** The first failed check when invalid. */
  check?: CheckId;
  /** The first attestation bundle's publisher as the index served it. */
  publisher: Publisher | null;
  /** Set when verified. */
  provenance?: ProvenanceDetails;
  attestations: AttestationRecord[];
}

export function unattested(): FileVerification {
  return { status: 'unattested', message: null, publisher: null, attestations: [] };
}

/** The file's entry in the report (CONTRACT.md §5). */
export function toFileReport(verification: FileVerification, file: { filename: string; sha256: string; uploadTime?: string }): FileReport {
  const report: FileReport = {
    filename: file.filename,
    sha256: file.sha256,
    status: verification.status,
    publisher: verification.publisher,
    message: verification.message,
  };
  if (verification.provenance) {
    report.logIndex = verification.provenance.logIndex;
    report.provenance = verification.provenance;
  }
  if (file.uploadTime !== undefined) report.uploadTime = file.uploadTime;
  return report;
}

/**
 * A release's provenance status from its files' (CONTRACT.md §5 / issue 4): `invalid` if any file
 * is, `verified` if all are, `unattested` if none has provenance, otherwise `partial`.
 */
export function releaseProvenanceStatus(files: readonly Pick<FileVerification, 'status'>[]): Extract<Status, 'verified' | 'invalid' | 'unattested' | 'partial'> {
  if (files.some((file) => file.status === 'invalid')) return 'invalid';
  if (files.length > 0 && files.every((file) => file.status === 'verified')) return 'verified';
  if (files.every((file) => file.status === 'unattested')) return 'unattested';
  return 'partial';
}

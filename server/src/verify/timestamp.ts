/**
 * RFC 3161 timestamps carried by an attestation (`verification_material.timestamps`, as proposed
 * for Rekor v2 in PEP 740 attestations and pypi-attestations): the signed time of each, read with
 * @sigstore/core's RFC3161Timestamp. This module only reads; the timestamp authority's signature,
 * its certificate chain, the message imprint over the envelope signature and the authority's
 * validity window are checked by @sigstore/verify over the whole bundle (verifier.ts), the one
 * place where a timestamp counts — no TSA verification is written by hand here.
 */
import { RFC3161Timestamp } from '@sigstore/core';
import { fail, within } from './checks';

/** The signed time (ms since the epoch) of each timestamp; throws CheckFailure('timestamp'). */
export function timestampTimes(timestamps: readonly Buffer[]): number[] {
  return timestamps.map((der, index) =>
    within('timestamp', () => {
      const time = RFC3161Timestamp.parse(Buffer.from(der)).signingTime.getTime();
      if (!Number.isFinite(time)) fail('timestamp', `timestamp ${index + 1} has no signed time`);
      return time;
    }),
  );
}

/** The check a @sigstore/verify error code belongs to. */
export function checkOfSigstoreError(code: string | undefined): 'timestamp' | 'inclusion-proof' | 'tlog-body' | 'transparency-log' | 'certificate-chain' | 'dsse-signature' {
  switch (code) {
    case 'TLOG_INCLUSION_PROOF_ERROR':
      return 'inclusion-proof';
    case 'TLOG_BODY_ERROR':
      return 'tlog-body';
    case 'TLOG_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
      return 'transparency-log';
    case 'CERTIFICATE_ERROR':
    case 'UNTRUSTED_SIGNER_ERROR':
      return 'certificate-chain';
    case 'SIGNATURE_ERROR':
      return 'dsse-signature';
    default:
      return 'timestamp';
  }
}

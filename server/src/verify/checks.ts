/**
 * The named checks of attestation verification. Every failure names exactly one of these, so a
 * user (and a test) can tell which property of an attestation did not hold.
 */

export const CHECKS = {
  'attestation-format': 'attestation format',
  'bundle-format': 'Sigstore bundle format',
  'certificate': 'signing certificate',
  'certificate-chain': 'certificate chain',
  'certificate-validity': 'certificate validity at the log\'s integrated time',
  'key-usage': 'key usage',
  'extended-key-usage': 'extended key usage',
  'signing-key': 'signing key type',
  'sct': 'signed certificate timestamp (SCT)',
  'transparency-log': 'transparency log',
  'set': 'signed entry timestamp (SET)',
  'inclusion-proof': 'inclusion proof',
  'checkpoint': 'checkpoint',
  'tlog-body': 'log entry body',
  'tlog-certificate': 'log entry certificate',
  'timestamp': 'RFC 3161 timestamp',
  'dsse-signature': 'DSSE signature',
  'statement': 'in-toto statement',
  'subject-name': 'subject name',
  'subject-digest': 'subject digest',
  'predicate-type': 'predicate type',
  'publisher': 'publisher',
  'cross-check': '@sigstore/verify cross-check',
} as const;

export type CheckId = keyof typeof CHECKS;

/** Thrown inside the verifier; converted to an `invalid` outcome at its boundary. */
export class CheckFailure extends Error {
  constructor(
    readonly check: CheckId,
    readonly detail: string,
  ) {
    super(`${CHECKS[check]} check failed: ${detail}`);
    this.name = 'CheckFailure';
  }
}

export function fail(check: CheckId, detail: string): never {
  throw new CheckFailure(check, detail);
}

/** Runs `body`; any non-CheckFailure exception (malformed input) becomes a failure of `check`. */
export function within<T>(check: CheckId, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof CheckFailure) throw error;
    throw new CheckFailure(check, error instanceof Error ? error.message : String(error));
  }
}

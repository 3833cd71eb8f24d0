/**
 * Diagnostic codes. The first block is CONTRACT.md §4 and is fixed: add, never rename.
 */
export const CONTRACT_CODES = {
  'syntax': 'error',
  'unpinned': 'hint',
  'missing-hashes': 'error',
  'weak-hash': 'error',
  'project-not-found': 'error',
  'version-not-found': 'error',
  'yanked': 'warning',
  'hash-not-on-index': 'error',
  'no-provenance': 'information',
  'partial-provenance': 'warning',
  'attestation-invalid': 'error',
  'identity-mismatch': 'error',
  'publisher-changed': 'warning',
  'provenance-lost': 'warning',
  'late-upload': 'warning',
  'index-error': 'warning',
  'fresh-release': 'information',
  'project-quarantined': 'error',
  'project-archived': 'warning',
  'project-deprecated': 'warning',
  'release-changed': 'warning',
  'file-replaced': 'error',
  'index-conflict': 'warning',
  'owners-changed': 'warning',
  'log-inconsistent': 'error',
} as const;

/** Codes this project adds to the contract. */
export const ADDED_CODES = {
  /** A `-r`/`-c` target that cannot be read. */
  'missing-file': 'error',
  /** Attestations that could not be checked at all: an unusable `trustedRoot`, for instance. */
  'verification-error': 'error',
} as const;

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeverityOrOff = Severity | 'off';
export type DiagnosticCode = keyof typeof CONTRACT_CODES | keyof typeof ADDED_CODES;

export const DEFAULT_SEVERITY: Readonly<Record<DiagnosticCode, Severity>> = { ...CONTRACT_CODES, ...ADDED_CODES };

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(DEFAULT_SEVERITY, code);
}

/**
 * The severity a code gets under the `severity` setting (CONTRACT.md §2). `ownDefault` is a
 * finding's own default, lower than its code's (a `syntax` warning); the setting still wins.
 */
export function severityFor(code: DiagnosticCode, overrides: Readonly<Record<string, SeverityOrOff>> | undefined, ownDefault?: Severity): SeverityOrOff {
  const chosen = overrides?.[code];
  return chosen ?? ownDefault ?? DEFAULT_SEVERITY[code];
}

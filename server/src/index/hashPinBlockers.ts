/**
 * Which findings forbid `Add hash pins` (CONTRACT §7): pinning a hash records trust in a file, so
 * it is never offered for a release the tool could not check or has just flagged.
 */
import type { Finding } from '../core/finding';

/** Codes on a release or one of its files that forbid pinning its hashes. */
export const HASH_PIN_BLOCKING_CODES: ReadonlySet<string> = new Set([
  'project-not-found',
  'version-not-found',
  'index-error',
  'attestation-invalid',
  'hash-not-on-index',
  'identity-mismatch',
  'file-replaced',
  'yanked',
  'project-quarantined',
  'log-inconsistent',
  'verification-error',
]);

/** Why the hashes of a dependency must not be pinned, given its findings; undefined when they may be. */
export function hashPinBlocker(findings: readonly Pick<Finding, 'code'>[], verificationPending: boolean): string | undefined {
  const blocking = [...new Set(findings.map((f) => f.code).filter((code) => HASH_PIN_BLOCKING_CODES.has(code)))];
  if (blocking.length > 0) return blocking.join(', ');
  if (verificationPending) return 'verification pending';
  return undefined;
}

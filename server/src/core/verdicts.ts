/**
 * Each code's verdict in a few words: how its message begins ("Yanked: …", ErrorLens style, so a
 * cut-off Problems line still says what happened) and the hover card's headline when it is the
 * dependency's most severe finding. Pure.
 */
import type { DiagnosticCode } from './codes';

export const VERDICTS: Readonly<Record<DiagnosticCode, string>> = {
  'syntax': 'Syntax error',
  'unpinned': 'Not pinned',
  'missing-hashes': 'Missing hashes',
  'weak-hash': 'Weak hash',
  'project-not-found': 'Project not found',
  'version-not-found': 'Version not found',
  'yanked': 'Yanked',
  'hash-not-on-index': 'Hash not on the index',
  'no-provenance': 'No provenance',
  'partial-provenance': 'Partly attested',
  'attestation-invalid': 'Attestation invalid',
  'identity-mismatch': 'Publisher differs from the one recorded',
  'publisher-changed': 'Publisher changed',
  'provenance-lost': 'Provenance lost',
  'late-upload': 'Uploaded late',
  'index-error': 'Not checked',
  'fresh-release': 'Fresh release',
  'project-quarantined': 'Project quarantined',
  'project-archived': 'Project archived',
  'project-deprecated': 'Project deprecated',
  'release-changed': 'Release changed',
  'file-replaced': 'File replaced',
  'index-conflict': 'Index conflict',
  'owners-changed': 'Owners changed',
  'log-inconsistent': 'Log inconsistent',
  'missing-file': 'Missing file',
  'verification-error': 'Not verified',
};

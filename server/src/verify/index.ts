/**
 * PEP 740 attestation verification: the public surface for the scheduler, hover and CLI.
 *
 *   const { json } = await resolveTrustedRoot({ trustedRootPath, offline, readFile });
 *   const verifier = AttestationVerifier.fromTrustedRoot(json);       // once; keep it
 *   const file = verifier.verifyProvenance(provenanceJsonOrNull, { filename, sha256 });
 *   const report = toFileReport(file, { filename, sha256, uploadTime });
 */
export { AttestationVerifier } from './verifier';
export type { SignerPolicy, VerifierOptions, Distribution } from './verifier';
export { releaseProvenanceStatus, toFileReport, unattested } from './result';
export type { AttestationOutcome, AttestationRecord, FileVerification, InvalidAttestation, VerifiedAttestation } from './result';
export { CHECKS, CheckFailure } from './checks';
export type { CheckId } from './checks';
export { embeddedTrustedRoot, resolveTrustedRoot, tufRefresher } from './trustedRoot';
export type { ResolveTrustedRootOptions, ResolvedTrustedRoot, TrustedRootRefresher, TrustedRootSource } from './trustedRoot';
export { TrustMaterial, TrustedRootError } from './trustMaterial';
export { attestationToBundle, bundleToAttestation } from './attestation';
export type { IdentityPolicy, SignerClaims } from './publisher';
export type { VerifiedCheckpoint } from './tlog';
export { SigstoreJsBaseline } from './baseline';

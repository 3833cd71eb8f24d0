/**
 * Bare @sigstore/verify on a PEP 740 attestation: the attestation converted to a Sigstore bundle
 * v0.3 and verified with sigstore-js's Verifier (Fulcio chain at the integrated time, SCT, SET,
 * checkpoint and Merkle inclusion, tlog body, DSSE signature). It checks neither the statement
 * nor the publisher, nor key usage nor the log entry's certificate.
 *
 * It is the independent second opinion: conformance tests run it beside AttestationVerifier on
 * every real attestation and every tamper, the benchmark measures against it, and
 * `VerifierOptions.crossCheck` runs it after the native checks pass.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { attestationToBundle } from './attestation';

export type BaselineOutcome = { ok: true; subjectAlternativeName?: string; issuer?: string } | { ok: false; error: string };

export class SigstoreJsBaseline {
  private readonly verifier: Verifier;

  constructor(trustedRoot: unknown) {
    this.verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)));
  }

  verifyAttestation(attestation: unknown): BaselineOutcome {
    try {
      const bundle = bundleFromJSON(attestationToBundle(attestation));
      const signer = this.verifier.verify(toSignedEntity(bundle));
      return { ok: true, subjectAlternativeName: signer.identity?.subjectAlternativeName, issuer: signer.identity?.extensions?.issuer };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

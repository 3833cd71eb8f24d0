/**
 * Bare @sigstore/verify on a PEP 740 attestation: the attestation converted to a Sigstore bundle
 * v0.3 and verified with sigstore-js's Verifier (Fulcio chain at the integrated time, SCT, SET,
 * checkpoint and Merkle inclusion, tlog body, DSSE signature, RFC 3161 timestamps, Rekor v2
 * entries). It checks neither the statement nor the publisher, nor key usage nor the log entry's
 * certificate.
 *
 * It is the independent second opinion: conformance tests run it beside AttestationVerifier on
 * every real attestation and every tamper, the benchmark measures against it, and
 * `VerifierOptions.crossCheck` runs it after the native checks pass. It is also the verifier of
 * RFC 3161 timestamps for attestations that carry them (Rekor v2), which the native path reads
 * but does not verify.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { attestationToBundle } from './attestation';

export type BaselineOutcome = { ok: true; subjectAlternativeName?: string; issuer?: string } | { ok: false; error: string; code?: string };

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
      const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
      return { ok: false, error: error instanceof Error ? error.message : String(error), code };
    }
  }
}

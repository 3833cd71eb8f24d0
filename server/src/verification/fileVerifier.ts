/**
 * The verifier as the pipeline runs it (in a worker thread, or inline): AttestationVerifier whose
 * per-attestation step first consults the verdicts already known for this machine (the result
 * store), so `verifyProvenance` composes a file's result out of remembered and fresh verdicts and
 * only the fresh ones cost CPU. Pure and synchronous, like the verifier.
 */
import {
  AttestationVerifier,
  TrustMaterial,
  type AttestationOutcome,
  type Distribution,
  type FileVerification,
  type SignerPolicy,
  type VerifiedAttestation,
  type VerifierOptions,
} from '../verify/index';
import { attestationKey, type KeyedAttestation } from './attestationKey';

/** One file's verification job: everything crosses a worker boundary as plain data. */
export interface FileJob {
  /** The provenance object, or (cheaper to send to a worker than an object tree) its JSON text. */
  provenance?: unknown;
  provenanceJson?: string;
  distribution: Distribution;
  /** Verdicts already known, by attestation key. */
  known: Record<string, VerifiedAttestation>;
  /**
   * In the same thread only (never sent to a worker): the keys already computed for the
   * attestation objects of `provenance` (keyedAttestations), so that composing remembered verdicts
   * does not serialize and hash each attestation a second time. A key is used only for the very
   * object and publisher object it was computed from.
   */
  keyed?: readonly KeyedAttestation[];
}

export interface FileJobResult {
  verification: FileVerification;
  /** Outcomes computed by this job (not remembered), by attestation key. */
  fresh: Array<{ key: string; outcome: AttestationOutcome }>;
  /** Attestations this job actually verified (the rest were known). */
  verified: number;
}

export class RememberingVerifier extends AttestationVerifier {
  private known: Record<string, VerifiedAttestation> = {};
  private fresh: Array<{ key: string; outcome: AttestationOutcome }> = [];
  private keyed = new Map<unknown, KeyedAttestation>();

  constructor(
    trust: TrustMaterial,
    readonly scope: string,
    options?: VerifierOptions,
  ) {
    super(trust, options);
  }

  static forRoot(trustedRoot: unknown, scope: string, options?: VerifierOptions): RememberingVerifier {
    return new RememberingVerifier(TrustMaterial.fromJSON(trustedRoot), scope, options);
  }

  override verifyAttestation(attestation: unknown, distribution: Distribution, signer: SignerPolicy): AttestationOutcome {
    const computed = this.keyed.get(attestation);
    const key =
      computed !== undefined && signer && 'publisher' in signer && signer.publisher === computed.publisher
        ? computed.key
        : attestationKey(this.scope, distribution, signer && 'publisher' in signer ? { publisher: signer.publisher } : signer, attestation);
    const known = Object.prototype.hasOwnProperty.call(this.known, key) ? this.known[key] : undefined;
    if (known) return known;
    const outcome = super.verifyAttestation(attestation, distribution, signer);
    this.fresh.push({ key, outcome });
    return outcome;
  }

  /** Verifies a file's provenance object; never throws. */
  verifyFile(job: FileJob): FileJobResult {
    this.known = job.known ?? {};
    this.fresh = [];
    this.keyed = new Map((job.keyed ?? []).map((entry) => [entry.attestation, entry]));
    try {
      const verification = this.verifyProvenance(provenanceOf(job), job.distribution);
      return { verification, fresh: this.fresh, verified: this.fresh.length };
    } finally {
      this.known = {};
      this.fresh = [];
      this.keyed = new Map();
    }
  }
}

function provenanceOf(job: FileJob): unknown {
  if (job.provenanceJson === undefined) return job.provenance;
  try {
    return JSON.parse(job.provenanceJson);
  } catch {
    // Not JSON: the verifier reports it as an attestation-format failure.
    return job.provenanceJson;
  }
}

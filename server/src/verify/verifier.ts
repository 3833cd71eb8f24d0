/**
 * Verifies PEP 740 attestations and provenance objects. Construct one per trust material and
 * keep it: it caches what repeats across attestations (the parsed trust root with its keys and
 * pre-checked CA chains, and the issuance checks of signing certificates — one certificate signs
 * every file of a release) and does each check once.
 *
 * The checks, in order (each failure names its check, see checks.ts):
 *   attestation-format → transparency-log → set → inclusion-proof → checkpoint → tlog-body →
 *   tlog-certificate → certificate → certificate-chain → key-usage → extended-key-usage →
 *   signing-key → sct → certificate-validity → dsse-signature → timestamp → statement →
 *   subject-name → subject-digest → predicate-type → publisher.
 * Rekor v2 (dsse/0.0.2) entries run the same native checks without the SET, at the time their
 * RFC 3161 timestamp gives; the timestamps themselves are verified by @sigstore/verify (3.x,
 * which runs on Node 20 and 22), so an attestation that carries them costs its ~10 ms.
 * They match what sigstore-python's `Verifier.verify_dsse` plus pypi-attestations'
 * `Attestation.verify` check; conformance tests run @sigstore/verify beside it (baseline.ts).
 *
 * Pure: no I/O, no clock (the time that matters is the log's integrated time). Never throws on
 * hostile input; every outcome is a value.
 */
import { verify as cryptoVerify } from 'node:crypto';
import { dsse } from '@sigstore/core';
import type { ProvenanceDetails, Publisher } from '../core/result';
import { IN_TOTO_PAYLOAD_TYPE, ParsedAttestation, parseAttestation, parseProvenance } from './attestation';
import { parseCertificate } from './certificate';
import { SigstoreJsBaseline } from './baseline';
import { CheckFailure, fail, within } from './checks';
import { IdentityPolicy, checkIdentity, checkPublisher, signerClaims } from './publisher';
import { AttestationOutcome, AttestationRecord, FileVerification, InvalidAttestation, VerifiedAttestation, unattested } from './result';
import { IssuedCertificate, verifyAtTime, verifyIssuance } from './signingCertificate';
import { Distribution, PREDICATE_TYPES, checkStatement } from './statement';
import { VerifiedLogEntry, verifyLogEntry } from './tlog';
import { TrustMaterial } from './trustMaterial';
import { checkOfSigstoreError, timestampTimes } from './timestamp';

export type { Distribution } from './statement';

/** Who must have signed: a PEP 740 publisher object (checked by kind) or an explicit identity. */
export type SignerPolicy = { publisher: unknown } | { identity: IdentityPolicy };

export interface VerifierOptions {
  /** Signing certificates whose issuance checks are remembered (0 turns the cache off). Default 512 (a few MB). */
  certificateCacheSize?: number;
  /** Attestations a provenance object may hold before it is rejected outright. Default 64. */
  maxAttestations?: number;
  /**
   * Also run bare @sigstore/verify on every attestation that passed (about 10 ms each): a second,
   * independent implementation of the Sigstore checks. Off by default; results are cached
   * persistently by the caller, so this costs once per attestation per machine.
   */
  crossCheck?: boolean;
}

export class AttestationVerifier {
  private readonly issued = new Map<string, IssuedCertificate>();
  private readonly certificateCacheSize: number;
  private readonly maxAttestations: number;
  private baseline?: SigstoreJsBaseline;
  private readonly crossCheck: boolean;

  constructor(
    readonly trust: TrustMaterial,
    options: VerifierOptions = {},
  ) {
    this.certificateCacheSize = options.certificateCacheSize ?? 512;
    this.maxAttestations = options.maxAttestations ?? 64;
    this.crossCheck = options.crossCheck ?? false;
  }

  /** Builds trust material from a `trusted_root.json` value (throws TrustedRootError if unusable). */
  static fromTrustedRoot(trustedRoot: unknown, options?: VerifierOptions): AttestationVerifier {
    return new AttestationVerifier(TrustMaterial.fromJSON(trustedRoot), options);
  }

  /** Forgets cached certificate checks (the trust material stays). */
  clearCaches(): void {
    this.issued.clear();
  }

  /** Verifies one attestation object against a distribution file and a signer policy. */
  verifyAttestation(attestation: unknown, distribution: Distribution, signer: SignerPolicy): AttestationOutcome {
    try {
      return this.verifyOrThrow(attestation, distribution, signer);
    } catch (error) {
      return invalidOutcome(error);
    }
  }

  /**
   * Verifies every attestation of a PEP 740 provenance object (null/undefined: the index has
   * none, e.g. a 404) against the file, each against its bundle's publisher.
   */
  verifyProvenance(provenance: unknown, distribution: Distribution): FileVerification {
    if (provenance === null || provenance === undefined) return unattested();
    let bundles: ReturnType<typeof parseProvenance>;
    try {
      bundles = parseProvenance(provenance);
    } catch (error) {
      const check = error instanceof CheckFailure ? error.check : 'attestation-format';
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'invalid', check, message, publisher: null, attestations: [] };
    }
    const total = bundles.reduce((sum, bundle) => sum + bundle.attestations.length, 0);
    const firstPublisher = asPublisher(bundles[0].publisher);
    if (total > this.maxAttestations) {
      return { status: 'invalid', check: 'attestation-format', message: `attestation format check failed: ${total} attestations exceed the limit of ${this.maxAttestations}`, publisher: firstPublisher, attestations: [] };
    }
    const records: AttestationRecord[] = [];
    bundles.forEach((bundle, bundleIndex) => {
      bundle.attestations.forEach((attestation, index) => {
        const outcome = this.verifyAttestation(attestation, distribution, { publisher: bundle.publisher });
        records.push({ bundle: bundleIndex, index, publisher: asPublisher(bundle.publisher), outcome });
      });
    });
    const failedAt = records.findIndex((record) => record.outcome.status === 'invalid');
    if (failedAt >= 0) {
      const failed = records[failedAt].outcome as Extract<AttestationOutcome, { status: 'invalid' }>;
      const where = total > 1 ? `attestation ${failedAt + 1} of ${total}: ` : '';
      return { status: 'invalid', check: failed.check, message: `${where}${failed.message}`, publisher: firstPublisher, attestations: records };
    }
    return { status: 'verified', message: null, publisher: firstPublisher, provenance: details(records), attestations: records };
  }

  /**
   * Every Sigstore check and the signer policy, but not the PEP 740 statement checks (subject
   * name and digest, predicate type): for DSSE-signed in-toto statements about other artifacts,
   * such as the sigstore-conformance suite's. The caller checks the statement it gets back.
   */
  verifySignedStatement(attestation: unknown, signer: SignerPolicy): { status: 'verified'; statement: Buffer } | InvalidAttestation {
    try {
      const signed = this.verifySigned(attestation);
      this.checkSigner(signer, signed.issued, attestation, signed.timestampsVerified);
      return { status: 'verified', statement: signed.parsed.statement };
    } catch (error) {
      return invalidOutcome(error);
    }
  }

  private verifyOrThrow(attestation: unknown, distribution: Distribution, signer: SignerPolicy): VerifiedAttestation {
    const { parsed, logEntry, issued, timestampsVerified } = this.verifySigned(attestation);
    const statement = checkStatement(parsed.statement, distribution);
    this.checkSigner(signer, issued, attestation, timestampsVerified);
    return {
      status: 'verified',
      predicateType: statement.predicateType,
      logIndex: logEntry.logIndex,
      logId: parsed.entry.logId.toString('base64'),
      integratedTime: logEntry.integratedTime,
      claims: signerClaims(issued.certificate),
      checkpoint: logEntry.checkpoint,
    };
  }

  /**
   * The transparency log, the certificate and the envelope signature; for an attestation with
   * RFC 3161 timestamps (Rekor v2 needs one: its entries have no time of their own) also
   * @sigstore/verify over the whole bundle, which verifies the timestamps.
   */
  private verifySigned(attestation: unknown): { parsed: ParsedAttestation; logEntry: VerifiedLogEntry; issued: IssuedCertificate; timestampsVerified: boolean } {
    const parsed = parseAttestation(attestation);
    const times = timestampTimes(parsed.timestamps);
    const logEntry = verifyLogEntry(parsed.entry, this.trust, parsed.statement, parsed.signature, parsed.certificate, times.length > 0 ? Math.min(...times) : undefined);
    const issued = this.issuedCertificate(parsed.certificateBase64, parsed.certificate);
    verifyAtTime(issued, logEntry.integratedTime * 1000);
    for (const time of times) verifyAtTime(issued, time);

    let signatureValid: boolean;
    try {
      signatureValid = cryptoVerify('sha256', dsse.preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, parsed.statement), issued.publicKey, parsed.signature);
    } catch {
      signatureValid = false;
    }
    if (!signatureValid) fail('dsse-signature', 'the envelope signature does not verify with the certificate\'s key');

    if (times.length === 0) return { parsed, logEntry, issued, timestampsVerified: false };
    const outcome = this.sigstoreJs().verifyAttestation(attestation);
    if (!outcome.ok) fail(checkOfSigstoreError(outcome.code), `@sigstore/verify: ${outcome.error}`);
    return { parsed, logEntry, issued, timestampsVerified: true };
  }

  private sigstoreJs(): SigstoreJsBaseline {
    return (this.baseline ??= new SigstoreJsBaseline(this.trust.source));
  }

  /** The publisher or identity policy, then (when asked, and not run already) the @sigstore/verify cross-check. */
  private checkSigner(signer: SignerPolicy, issued: IssuedCertificate, attestation: unknown, sigstoreJsRan: boolean): void {
    if ('identity' in signer) checkIdentity(signer.identity, issued.certificate);
    else checkPublisher(signer.publisher, issued.certificate);
    if (this.crossCheck && !sigstoreJsRan) {
      const second = this.sigstoreJs().verifyAttestation(attestation);
      if (!second.ok) fail('cross-check', `@sigstore/verify rejects what the native checks accepted: ${second.error}`);
    }
  }

  private issuedCertificate(key: string, der: Buffer): IssuedCertificate {
    const cached = this.issued.get(key);
    if (cached && cached.certificate.der.equals(der)) return cached;
    const certificate = within('certificate', () => parseCertificate(der));
    const issued = verifyIssuance(certificate, this.trust);
    if (this.certificateCacheSize > 0) {
      if (this.issued.size >= this.certificateCacheSize) this.issued.delete(this.issued.keys().next().value as string);
      this.issued.set(key, issued);
    }
    return issued;
  }
}

function invalidOutcome(error: unknown): InvalidAttestation {
  if (error instanceof CheckFailure) return { status: 'invalid', check: error.check, message: error.message };
  // A bug or an input shape nothing anticipated: still never "verified".
  return { status: 'invalid', check: 'attestation-format', message: `attestation format check failed: ${error instanceof Error ? error.message : String(error)}` };
}

function asPublisher(value: unknown): Publisher | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Publisher).kind === 'string' ? (value as Publisher) : null;
}

/** The hover's facts: the first publish/v1 attestation (else the first), with every predicate type. */
function details(records: AttestationRecord[]): ProvenanceDetails | undefined {
  const verified = records.filter((record) => record.outcome.status === 'verified');
  if (verified.length === 0) return undefined;
  const main = verified.find((record) => (record.outcome as VerifiedAttestation).predicateType === PREDICATE_TYPES[0]) ?? verified[0];
  const outcome = main.outcome as VerifiedAttestation;
  const publisher = main.publisher;
  const claims = outcome.claims;
  const kind = publisher?.kind ?? 'unknown';
  const repository = typeof publisher?.repository === 'string' ? publisher.repository : undefined;
  const workflow = kind === 'GitHub' ? stringOf(publisher?.workflow) : kind === 'GitLab' ? stringOf(publisher?.workflow_filepath) : undefined;
  const provenance: ProvenanceDetails = {
    publisherKind: kind,
    issuer: claims.issuer ?? '',
    identity: claims.subjectAlternativeName ?? '',
    logIndex: outcome.logIndex,
    integratedTime: outcome.integratedTime,
    predicateTypes: [...new Set(verified.map((record) => (record.outcome as VerifiedAttestation).predicateType))],
    attestationCount: verified.length,
  };
  if (repository !== undefined) provenance.repository = repository;
  if (claims.sourceRepositoryUri !== undefined) provenance.repositoryUrl = claims.sourceRepositoryUri;
  if (workflow !== undefined) {
    provenance.workflow = workflow;
    provenance.workflowPath = kind === 'GitHub' ? `.github/workflows/${workflow}` : workflow;
  }
  if (claims.sourceRepositoryRef !== undefined) provenance.ref = claims.sourceRepositoryRef;
  if (claims.sourceRepositoryDigest !== undefined) provenance.commit = claims.sourceRepositoryDigest;
  if (claims.runInvocationUri !== undefined) provenance.runUrl = claims.runInvocationUri;
  if (publisher && 'environment' in publisher) provenance.environment = publisher.environment === null ? null : stringOf(publisher.environment);
  if (typeof publisher?.email === 'string') provenance.email = publisher.email;
  return provenance;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

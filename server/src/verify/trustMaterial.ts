/**
 * A Sigstore trusted root (`trusted_root.json`, protobuf-specs TrustedRoot in JSON form) turned
 * into what verification needs, once: parsed CA certificates with their public keys created and
 * their chains already checked, and the Rekor and CT log keys. Building this once per Verifier
 * instead of once per attestation is most of the speed-up over bare @sigstore/verify.
 *
 * The JSON is read here rather than with protobuf-specs' `TrustedRoot.fromJSON`, which throws on
 * any enum value it does not know: a newer trusted root with a new key type must still load, with
 * just that one log skipped.
 */
import { KeyObject, createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { Certificate, KEY_USAGE, parseCertificate } from './certificate';

export class TrustedRootError extends Error {}

/** A Rekor or CT log key. */
export interface LogKey {
  baseUrl: string;
  logId: Buffer;
  publicKey: KeyObject;
  /** Digest for crypto.verify (null: Ed25519). */
  digest: string | null;
  validFrom: number;
  validUntil: number;
}

export interface TrustedCertificate {
  certificate: Certificate;
  publicKey: KeyObject;
  /** SHA-256 of the SubjectPublicKeyInfo (the SCT issuer key hash). */
  spkiSha256: Buffer;
  authority: CertificateAuthority;
  /** Position in the authority's chain: 0 is the certificate that issues leaves. */
  position: number;
}

export interface CertificateAuthority {
  uri: string;
  validFrom: number;
  validUntil: number;
  /** Issuing certificate first, root last; signatures and CA constraints already checked. */
  chain: TrustedCertificate[];
}

const KEY_DIGESTS: Record<string, { digest: string | null; format: 'spki' | 'pkcs1' }> = {
  PKIX_ECDSA_P256_SHA_256: { digest: 'sha256', format: 'spki' },
  PKIX_ECDSA_P384_SHA_384: { digest: 'sha384', format: 'spki' },
  PKIX_ECDSA_P521_SHA_512: { digest: 'sha512', format: 'spki' },
  PKIX_ED25519: { digest: null, format: 'spki' },
  PKCS1_RSA_PKCS1V5: { digest: 'sha256', format: 'pkcs1' },
  PKIX_RSA_PKCS1V5: { digest: 'sha256', format: 'spki' },
  PKIX_RSA_PKCS1V15_2048_SHA256: { digest: 'sha256', format: 'spki' },
  PKIX_RSA_PKCS1V15_3072_SHA256: { digest: 'sha256', format: 'spki' },
  PKIX_RSA_PKCS1V15_4096_SHA256: { digest: 'sha256', format: 'spki' },
};

export class TrustMaterial {
  /** Entries of the trusted root that could not be used, with the reason (for a settings warning). */
  readonly problems: string[] = [];
  readonly authorities: CertificateAuthority[] = [];
  readonly tlogs: LogKey[] = [];
  readonly ctlogs: LogKey[] = [];
  /** Why a log named in the trusted root is not usable, by base64 log ID (for the check's message). */
  private readonly unusableLogs = new Map<string, string>();
  private readonly bySubject = new Map<string, TrustedCertificate[]>();

  /** The trusted root JSON this was built from. */
  private constructor(readonly source: unknown) {}

  /** Builds trust material from a parsed `trusted_root.json`; throws TrustedRootError when unusable. */
  static fromJSON(json: unknown): TrustMaterial {
    if (!isObject(json)) throw new TrustedRootError('the trusted root is not a JSON object');
    const mediaType = json.mediaType;
    if (typeof mediaType !== 'string' || !/^application\/vnd\.dev\.sigstore\.trustedroot/.test(mediaType)) {
      throw new TrustedRootError('the trusted root has no Sigstore trusted root media type');
    }
    const material = new TrustMaterial(json);
    for (const [index, entry] of arrayOf(json.certificateAuthorities).entries()) material.addAuthority(entry, index);
    for (const [index, entry] of arrayOf(json.tlogs).entries()) material.addLog(entry, `tlogs[${index}]`, material.tlogs);
    for (const [index, entry] of arrayOf(json.ctlogs).entries()) material.addLog(entry, `ctlogs[${index}]`, material.ctlogs);
    if (material.authorities.length === 0) throw new TrustedRootError(`the trusted root has no usable certificate authority${describe(material.problems)}`);
    if (material.tlogs.length === 0) throw new TrustedRootError(`the trusted root has no usable transparency log${describe(material.problems)}`);
    return material;
  }

  /** Trusted certificates whose subject is `issuer` (DER bytes of a Name). */
  issuersNamed(issuer: Buffer): readonly TrustedCertificate[] {
    return this.bySubject.get(issuer.toString('latin1')) ?? [];
  }

  /** Rekor logs with this log ID whose key is valid at `time` (ms). */
  tlogsFor(logId: Buffer, time: number): LogKey[] {
    return this.tlogs.filter((log) => log.logId.equals(logId) && log.validFrom <= time && time <= log.validUntil);
  }

  /** Why the trusted root's entry for this log ID could not be used; undefined if none was refused. */
  unusableLog(logId: Buffer): string | undefined {
    return this.unusableLogs.get(logId.toString('base64'));
  }

  /** CT logs with this log ID whose key is valid at `time` (ms). */
  ctlogsFor(logId: Buffer, time: number): LogKey[] {
    return this.ctlogs.filter((log) => log.logId.equals(logId) && log.validFrom <= time && time <= log.validUntil);
  }

  private addAuthority(entry: unknown, index: number): void {
    const label = `certificateAuthorities[${index}]`;
    try {
      if (!isObject(entry) || !isObject(entry.certChain)) throw new TrustedRootError('no certChain');
      const certificates = arrayOf(entry.certChain.certificates).map((cert) => {
        if (!isObject(cert)) throw new TrustedRootError('certificate without rawBytes');
        return parseCertificate(decodeBase64(cert.rawBytes, 'rawBytes'));
      });
      if (certificates.length === 0) throw new TrustedRootError('empty certChain');
      const { validFrom, validUntil } = validity(entry.validFor);
      const authority: CertificateAuthority = { uri: typeof entry.uri === 'string' ? entry.uri : '', validFrom, validUntil, chain: [] };
      authority.chain = certificates.map((certificate, position) => ({
        certificate,
        publicKey: createPublicKey({ key: certificate.spki, format: 'der', type: 'spki' }),
        spkiSha256: createHash('sha256').update(certificate.spki).digest(),
        authority,
        position,
      }));
      checkAuthorityChain(authority.chain);
      this.authorities.push(authority);
      for (const trusted of authority.chain) {
        const key = trusted.certificate.subject.toString('latin1');
        const list = this.bySubject.get(key) ?? [];
        list.push(trusted);
        this.bySubject.set(key, list);
      }
    } catch (error) {
      this.problems.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private addLog(entry: unknown, label: string, into: LogKey[]): void {
    let logId: Buffer | undefined;
    try {
      if (!isObject(entry) || !isObject(entry.publicKey)) throw new TrustedRootError('no publicKey');
      const logIdSource = isObject(entry.logId) ? entry.logId : undefined;
      logId = decodeBase64(logIdSource?.keyId, 'logId.keyId');
      const details = entry.publicKey.keyDetails;
      const scheme = typeof details === 'string' ? KEY_DIGESTS[details] : undefined;
      if (!scheme) throw new TrustedRootError(`unsupported key type ${String(details)}`);
      const { validFrom, validUntil } = validity(entry.publicKey.validFor);
      into.push({
        baseUrl: typeof entry.baseUrl === 'string' ? entry.baseUrl : '',
        logId,
        publicKey: createPublicKey({ key: decodeBase64(entry.publicKey.rawBytes, 'publicKey.rawBytes'), format: 'der', type: scheme.format }),
        digest: scheme.digest,
        validFrom,
        validUntil,
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const url = isObject(entry) && typeof entry.baseUrl === 'string' ? ` (${entry.baseUrl})` : '';
      this.problems.push(`${label}${url}: ${why}`);
      if (logId) this.unusableLogs.set(logId.toString('base64'), why);
    }
  }
}

/**
 * Checks a CA chain from the trusted root once: each certificate is a CA allowed to sign
 * certificates, signed by the next one, names chain, path lengths hold, and the last one is
 * self-signed.
 */
function checkAuthorityChain(chain: TrustedCertificate[]): void {
  chain.forEach((trusted, index) => {
    const { certificate } = trusted;
    if (!certificate.basicConstraints?.ca) throw new TrustedRootError(`certificate ${index} of the chain is not a CA`);
    if (certificate.keyUsage && !certificate.keyUsage(KEY_USAGE.keyCertSign)) throw new TrustedRootError(`certificate ${index} may not sign certificates`);
    const pathLength = certificate.basicConstraints.pathLength;
    // A CA at `index` has `index` CA certificates below it in this chain (the leaf is not counted).
    if (pathLength !== undefined && pathLength < index) throw new TrustedRootError(`certificate ${index} exceeds its path length constraint`);
    const issuer = chain[index + 1] ?? trusted;
    if (!certificate.issuer.equals(issuer.certificate.subject)) throw new TrustedRootError(`certificate ${index} is not issued by the next certificate of the chain`);
    if (!signedBy(certificate, issuer.publicKey)) throw new TrustedRootError(`certificate ${index} has an invalid signature`);
  });
}

/** Whether `certificate`'s signature verifies with `key`. */
export function signedBy(certificate: Certificate, key: KeyObject): boolean {
  try {
    return cryptoVerify(certificate.signatureDigest, certificate.tbs, key, certificate.signature);
  } catch {
    return false;
  }
}

/**
 * A protobuf-specs TimeRange in protobuf JSON. An absent `validFor` puts no bound (as
 * sigstore-python reads it); `end` absent or JSON `null` (protobuf JSON's "not set") means no
 * end; but a `validFor` without its required `start` is malformed, and the key it belongs to is
 * not used rather than read as valid from the beginning of time (sigstore-conformance's
 * trust-root-tlog-missing-validity-start_fail).
 */
function validity(validFor: unknown): { validFrom: number; validUntil: number } {
  if (validFor === undefined || validFor === null) return { validFrom: 0, validUntil: Number.POSITIVE_INFINITY };
  if (!isObject(validFor)) throw new TrustedRootError('validFor is not an object');
  if (validFor.start === undefined || validFor.start === null) throw new TrustedRootError('validFor has no start, so this key cannot be used');
  const validFrom = parseTime(validFor.start, 'validFor.start');
  const validUntil = validFor.end === undefined || validFor.end === null ? Number.POSITIVE_INFINITY : parseTime(validFor.end, 'validFor.end');
  return { validFrom, validUntil };
}

function parseTime(value: unknown, field: string): number {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new TrustedRootError(`${field} is not an RFC 3339 time`);
  return time;
}

function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length === 0) throw new TrustedRootError(`${field} is not base64`);
  return Buffer.from(value, 'base64');
}

function describe(problems: string[]): string {
  return problems.length > 0 ? ` (${problems.join('; ')})` : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

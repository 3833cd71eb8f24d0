/**
 * The signing (leaf) certificate: chain to a trusted Fulcio CA, the Sigstore X.509 profile (key
 * usage digitalSignature, extended key usage code signing, no unknown critical extension, not a
 * CA), a P-256 key as PEP 740's suite requires, and its embedded SCTs.
 *
 * Split in two because the two halves cache differently: `verifyIssuance` (signature by the CA,
 * profile, SCT) depends only on the certificate and the trust material, so a Verifier runs it
 * once per certificate — pypi-attestations signs every file of a release with one certificate —
 * while `verifyAtTime` (validity of every certificate in the path at the log's integrated time,
 * and the CA's validity window) runs for every attestation.
 */
import { KeyObject, createPublicKey } from 'node:crypto';
import { Certificate, KEY_USAGE, OID } from './certificate';
import { fail } from './checks';
import { verifyScts } from './sct';
import { TrustMaterial, TrustedCertificate, signedBy } from './trustMaterial';

export interface IssuedCertificate {
  certificate: Certificate;
  /** The trusted certificates that verify it, one per CA that has them. */
  issuers: TrustedCertificate[];
  publicKey: KeyObject;
}

/** Checks everything about the certificate that does not depend on time. */
export function verifyIssuance(certificate: Certificate, trust: TrustMaterial): IssuedCertificate {
  if (certificate.version !== 3) fail('certificate', 'the signing certificate is not X.509 version 3');
  if (certificate.basicConstraints?.ca) fail('certificate', 'the signing certificate is a CA certificate');
  if (certificate.unknownCritical.length > 0) fail('certificate', `unsupported critical extension ${certificate.unknownCritical.join(', ')}`);

  const candidates = trust.issuersNamed(certificate.issuer).filter(
    (issuer) => !certificate.authorityKeyId || !issuer.certificate.subjectKeyId || issuer.certificate.subjectKeyId.equals(certificate.authorityKeyId),
  );
  const issuers = candidates.filter((issuer) => signedBy(certificate, issuer.publicKey));
  if (issuers.length === 0) fail('certificate-chain', 'the signing certificate was not issued by a CA in the trusted root');
  for (const issuer of issuers) checkPathLength(issuer);

  if (!certificate.keyUsage) fail('key-usage', 'the signing certificate has no key usage extension');
  if (!certificate.keyUsage(KEY_USAGE.digitalSignature)) fail('key-usage', 'key usage does not include digitalSignature');
  if (!certificate.extKeyUsage) fail('extended-key-usage', 'the signing certificate has no extended key usage extension');
  if (!certificate.extKeyUsage.includes(OID.codeSigning)) fail('extended-key-usage', 'extended key usage does not include code signing');
  if (certificate.keyAlgorithm !== OID.ecPublicKey || certificate.keyCurve !== OID.prime256v1) {
    fail('signing-key', 'PEP 740 attestations are signed with ECDSA P-256 keys');
  }
  const publicKey = leafPublicKey(certificate.spki);

  // Every issuer found verifies the same signature over the same TBS bytes, so the SCT's issuer
  // key hash is checked against each (normally exactly one).
  const sctErrors: unknown[] = [];
  const sctVerified = issuers.filter((issuer) => {
    try {
      verifyScts(certificate, issuer, trust);
      return true;
    } catch (error) {
      sctErrors.push(error);
      return false;
    }
  });
  if (sctVerified.length === 0) throw sctErrors[0];
  return { certificate, issuers: sctVerified, publicKey };
}

/** The DER of a P-256 SubjectPublicKeyInfo up to its uncompressed point (0x04), as Sigstore leaf keys are. */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');

/**
 * The leaf's public key. An uncompressed P-256 key is imported from its coordinates (a JWK):
 * OpenSSL 3 reads a DER SubjectPublicKeyInfo through its generic decoder, about 150 µs here, the
 * coordinates in about 60 µs, and a new certificate comes with nearly every release verified.
 * Either way OpenSSL checks that the point is on the curve; any other form goes through DER.
 */
export function leafPublicKey(spki: Buffer): KeyObject {
  if (spki.length !== P256_SPKI_PREFIX.length + 64 || !spki.subarray(0, P256_SPKI_PREFIX.length).equals(P256_SPKI_PREFIX)) {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  }
  const point = spki.subarray(P256_SPKI_PREFIX.length);
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(0, 32).toString('base64url'), y: point.subarray(32).toString('base64url') }, format: 'jwk' });
}

/** A path [leaf, issuer, …, root]: each CA's pathLength bounds the CAs below it (the leaf excluded). */
function checkPathLength(issuer: TrustedCertificate): void {
  const chain = issuer.authority.chain;
  for (let position = issuer.position; position < chain.length; position++) {
    const pathLength = chain[position].certificate.basicConstraints?.pathLength;
    if (pathLength !== undefined && pathLength < position - issuer.position) fail('certificate-chain', 'a CA\'s path length constraint is exceeded');
  }
}

/**
 * The time-dependent half: at `time` (the log's integrated time, ms) the leaf and every
 * certificate above it must be valid and the CA must be within its trusted root validity window.
 * Returns the issuer that holds, for the report.
 */
export function verifyAtTime(issued: IssuedCertificate, time: number): TrustedCertificate {
  const { certificate } = issued;
  if (time < certificate.notBefore || time > certificate.notAfter) {
    fail('certificate-validity', `the log's integrated time ${new Date(time).toISOString()} is outside the certificate's validity (${new Date(certificate.notBefore).toISOString()} to ${new Date(certificate.notAfter).toISOString()})`);
  }
  let reason = 'no trusted CA was valid at the integrated time';
  for (const issuer of issued.issuers) {
    const authority = issuer.authority;
    if (time < authority.validFrom || time > authority.validUntil) continue;
    const expired = authority.chain.slice(issuer.position).find((trusted) => time < trusted.certificate.notBefore || time > trusted.certificate.notAfter);
    if (expired) {
      reason = 'a CA certificate of the chain was not valid at the integrated time';
      continue;
    }
    return issuer;
  }
  return fail('certificate-chain', reason);
}

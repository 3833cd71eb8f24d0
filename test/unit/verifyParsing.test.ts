/**
 * The decoding layers of verification on their own: the DER reader and certificate parser
 * (strictness, and no exception but their own on any bytes), RFC 6962 inclusion proofs against
 * an independent implementation, checkpoints, the attestation ⇄ bundle conversion, trust material
 * and where the trusted root comes from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { DerError, TAG, readNode, readOid, readTime, readWhole } from '../../server/src/verify/der';
import { CertificateError, KEY_USAGE, parseCertificate, pemToDer } from '../../server/src/verify/certificate';
import { parseSctList } from '../../server/src/verify/sct';
import { hashLeaf, rootFromInclusionProof } from '../../server/src/verify/tlog';
import { CheckFailure } from '../../server/src/verify/checks';
import { attestationToBundle, bundleToAttestation, parseAttestation } from '../../server/src/verify/attestation';
import { TrustMaterial, TrustedRootError } from '../../server/src/verify/trustMaterial';
import { embeddedTrustedRoot, resolveTrustedRoot } from '../../server/src/verify/trustedRoot';
import { auditPath, createSigstoreKit, merkleRoot } from '../support/sigstoreKit';

const kit = createSigstoreKit();

test('DER: lengths must be definite, minimal and inside the container', () => {
  assert.deepEqual(readNode(Buffer.from([0x04, 0x02, 1, 2]), 0), { tag: 4, start: 0, contentStart: 2, end: 4 });
  assert.throws(() => readNode(Buffer.from([0x04, 0x80, 0, 0]), 0), DerError); // indefinite
  assert.throws(() => readNode(Buffer.from([0x04, 0x81, 0x02, 1, 2]), 0), DerError); // non-minimal
  assert.throws(() => readNode(Buffer.from([0x04, 0x03, 1, 2]), 0), DerError); // runs past the end
  assert.throws(() => readWhole(Buffer.from([0x04, 0x01, 1, 0]), TAG.OCTET_STRING), DerError); // trailing byte
  assert.throws(() => readNode(Buffer.from([0x1f, 0x01, 0]), 0), DerError); // multi-byte tag
});

test('DER: OIDs and times decode', () => {
  const oid = Buffer.from([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08]);
  assert.equal(readOid(oid, readWhole(oid, TAG.OID)), '1.3.6.1.4.1.57264.1.8');
  const utc = Buffer.concat([Buffer.from([0x17, 13]), Buffer.from('241106223707Z')]);
  assert.equal(readTime(utc, readWhole(utc, TAG.UTC_TIME)), Date.UTC(2024, 10, 6, 22, 37, 7));
  const generalized = Buffer.concat([Buffer.from([0x18, 15]), Buffer.from('20500101000000Z')]);
  assert.equal(readTime(generalized, readWhole(generalized, TAG.GENERALIZED_TIME)), Date.UTC(2050, 0, 1));
  const bad = Buffer.concat([Buffer.from([0x17, 13]), Buffer.from('241306223707Z')]);
  assert.throws(() => readTime(bad, readWhole(bad, TAG.UTC_TIME)), DerError);
});

test('certificate: a Fulcio-style test certificate decodes with its claims', () => {
  const leaf = kit.issueLeaf();
  const certificate = parseCertificate(leaf.der);
  assert.equal(certificate.version, 3);
  assert.equal(certificate.signatureDigest, 'sha384');
  assert.equal(certificate.keyUsage?.(KEY_USAGE.digitalSignature), true);
  assert.equal(certificate.keyUsage?.(KEY_USAGE.keyCertSign), false);
  assert.deepEqual(certificate.extKeyUsage, ['1.3.6.1.5.5.7.3.3']);
  assert.equal(certificate.sigstore.get(8), 'https://token.actions.githubusercontent.com');
  assert.equal(certificate.sigstore.get(1), 'https://token.actions.githubusercontent.com');
  assert.equal(certificate.sigstore.get(12), 'https://github.com/octo-org/octo-pkg');
  assert.deepEqual(certificate.subjectAltNames.uris, ['https://github.com/octo-org/octo-pkg/.github/workflows/release.yml@refs/tags/v1.0.0']);
  assert.equal(certificate.unknownCritical.length, 0);
  assert.ok(certificate.notAfter > certificate.notBefore);
  assert.ok(pemToDer(`junk\n${Buffer.from('x').toString()}\n-----BEGIN CERTIFICATE-----\n${leaf.der.toString('base64')}\n-----END CERTIFICATE-----\n`)[0].equals(leaf.der));
});

test('property: any bytes, and any truncation or bit flip of a real certificate, parse or throw CertificateError', () => {
  const der = kit.issueLeaf().der;
  const parseOrCertificateError = (bytes: Buffer) => {
    try {
      parseCertificate(bytes);
    } catch (error) {
      assert.ok(error instanceof CertificateError, String(error));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => parseOrCertificateError(Buffer.from(bytes))), { numRuns: fuzzRuns(500) });
  fc.assert(fc.property(fc.nat(der.length - 1), (length) => parseOrCertificateError(der.subarray(0, length))), { numRuns: fuzzRuns(300) });
  fc.assert(
    fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const copy = Buffer.from(der);
      copy[at] ^= mask;
      parseOrCertificateError(copy);
    }),
    { numRuns: fuzzRuns(500) },
  );
});

test('SCT lists: truncated or padded lists are rejected', () => {
  const sct = Buffer.concat([Buffer.from([0]), Buffer.alloc(32, 1), Buffer.alloc(8), Buffer.from([0, 0, 4, 3, 0, 2, 9, 9])]);
  const list = Buffer.concat([Buffer.from([0, sct.length + 2, 0, sct.length]), sct]);
  assert.equal(parseSctList(list).length, 1);
  assert.throws(() => parseSctList(list.subarray(0, list.length - 1)));
  assert.throws(() => parseSctList(Buffer.concat([list, Buffer.from([0])])));
});

test('inclusion proofs: every leaf of trees of size 1–64 verifies against RFC 6962 PATH/MTH', () => {
  for (let size = 1; size <= 64; size++) {
    const leaves = Array.from({ length: size }, () => hashLeaf(randomBytes(8)));
    const root = merkleRoot(leaves);
    for (let index = 0; index < size; index++) {
      assert.ok(rootFromInclusionProof(index, size, leaves[index], auditPath(index, leaves)).equals(root), `size ${size} index ${index}`);
    }
  }
});

test('inclusion proofs: wrong index, size or path length are rejected', () => {
  const leaves = Array.from({ length: 13 }, () => hashLeaf(randomBytes(8)));
  const root = merkleRoot(leaves);
  const path = auditPath(5, leaves);
  const rejects = (fn: () => Buffer) => {
    try {
      return !fn().equals(root);
    } catch (error) {
      return error instanceof CheckFailure && error.check === 'inclusion-proof';
    }
  };
  assert.ok(rejects(() => rootFromInclusionProof(4, 13, leaves[5], path)));
  assert.ok(rejects(() => rootFromInclusionProof(5, 13, leaves[5], [...path, path[0]])));
  assert.ok(rejects(() => rootFromInclusionProof(5, 13, leaves[5], path.slice(1))));
  assert.ok(rejects(() => rootFromInclusionProof(13, 13, leaves[5], path)));
  assert.ok(rejects(() => rootFromInclusionProof(5, 13, leaves[4], path)));
});

test('attestationToBundle makes a v0.3 bundle with the certificate, in-toto payload type and an empty key ID', () => {
  const made = kit.attest();
  const bundle = attestationToBundle(made.attestation) as any;
  assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.equal(bundle.verificationMaterial.certificate.rawBytes, made.attestation.verification_material.certificate);
  assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
  assert.deepEqual(bundle.dsseEnvelope.signatures, [{ sig: made.attestation.envelope.signature, keyid: '' }]);
  assert.equal(bundle.verificationMaterial.tlogEntries.length, 1);
  assert.deepEqual(bundleToAttestation(bundle), made.attestation);
});

test('bundleToAttestation refuses what PEP 740 cannot carry', () => {
  const good = attestationToBundle(kit.attest().attestation) as any;
  const refused = (edit: (bundle: any) => void) => {
    const bundle = structuredClone(good);
    edit(bundle);
    assert.throws(() => bundleToAttestation(bundle), (error: unknown) => error instanceof CheckFailure && error.check === 'bundle-format', JSON.stringify(bundle).slice(0, 80));
  };
  refused((b) => (b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.2'));
  refused((b) => (b.dsseEnvelope.payloadType = 'application/json'));
  refused((b) => b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]));
  refused((b) => b.verificationMaterial.tlogEntries.push(b.verificationMaterial.tlogEntries[0]));
  refused((b) => (b.verificationMaterial.tlogEntries[0].kindVersion.kind = 'intoto'));
  refused((b) => {
    b.verificationMaterial.x509CertificateChain = { certificates: [b.verificationMaterial.certificate] };
    delete b.verificationMaterial.certificate;
  });
});

test('parseAttestation accepts base64 with line breaks (as Python writes it) but nothing else', () => {
  const made = kit.attest();
  const wrapped = structuredClone(made.attestation);
  wrapped.envelope.statement = (wrapped.envelope.statement.match(/.{1,76}/g) ?? []).join('\n') + '\n';
  assert.ok(parseAttestation(wrapped).statement.equals(parseAttestation(made.attestation).statement));
  const urlSafe = structuredClone(made.attestation);
  urlSafe.envelope.signature = urlSafe.envelope.signature.replace(/\+/g, '-').replace(/\//g, '_') + '-';
  assert.throws(() => parseAttestation(urlSafe), (error: unknown) => error instanceof CheckFailure && error.check === 'attestation-format');
});

test('trust material: unusable roots throw, unusable entries are listed and skipped', () => {
  assert.throws(() => TrustMaterial.fromJSON(null), TrustedRootError);
  assert.throws(() => TrustMaterial.fromJSON({ mediaType: 'application/json' }), TrustedRootError);
  assert.throws(() => TrustMaterial.fromJSON({ ...kit.trustedRoot, certificateAuthorities: [] }), /no usable certificate authority/);
  assert.throws(() => TrustMaterial.fromJSON({ ...kit.trustedRoot, tlogs: [] }), /no usable transparency log/);
  const root = structuredClone(kit.trustedRoot);
  root.tlogs.push({ ...root.tlogs[0], publicKey: { ...root.tlogs[0].publicKey, keyDetails: 'PKIX_FUTURE_QUANTUM' } });
  // The CA chain in the wrong order (root first) does not chain.
  root.certificateAuthorities.push({ ...root.certificateAuthorities[0], certChain: { certificates: [...root.certificateAuthorities[0].certChain.certificates].reverse() } });
  const material = TrustMaterial.fromJSON(root);
  assert.equal(material.tlogs.length, kit.trustedRoot.tlogs.length);
  assert.equal(material.authorities.length, 1);
  assert.equal(material.problems.length, 2);
  assert.match(material.problems.join('\n'), /PKIX_FUTURE_QUANTUM/);
});

test('the embedded public-good root loads with its Fulcio CAs, Rekor and CT logs', () => {
  const material = TrustMaterial.fromJSON(embeddedTrustedRoot());
  assert.ok(material.authorities.length >= 2);
  assert.ok(material.tlogs.some((log) => log.logId.toString('base64') === 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0='));
  assert.ok(material.ctlogs.length >= 2);
  assert.deepEqual(material.problems, []);
});

test('resolveTrustedRoot: a file wins, offline never refreshes, a failed refresh falls back to the embedded root', async () => {
  let refreshed = 0;
  const refresh = async () => {
    refreshed++;
    return kit.trustedRoot;
  };
  const readFile = async (file: string) => {
    if (file === '/roots/test.json') return JSON.stringify(kit.trustedRoot);
    throw new Error('ENOENT');
  };
  const fromFile = await resolveTrustedRoot({ trustedRootPath: '/roots/test.json', offline: false, readFile, refresh });
  assert.equal(fromFile.source, 'file');
  assert.deepEqual(fromFile.json, kit.trustedRoot);
  await assert.rejects(resolveTrustedRoot({ trustedRootPath: '/roots/missing.json', offline: false, readFile }), TrustedRootError);

  const offline = await resolveTrustedRoot({ offline: true, readFile, refresh });
  assert.equal(offline.source, 'embedded');
  assert.equal(refreshed, 0);

  const online = await resolveTrustedRoot({ trustedRootPath: '', offline: false, readFile, refresh });
  assert.equal(online.source, 'tuf');
  assert.equal(refreshed, 1);

  const failed = await resolveTrustedRoot({ offline: false, readFile, refresh: async () => Promise.reject(new Error('no network')) });
  assert.equal(failed.source, 'embedded');
  assert.match(failed.warning ?? '', /no network/);
  assert.deepEqual(failed.json, embeddedTrustedRoot());
});

test('certificates in the trusted root are checked once: a CA chain with a broken signature is skipped', () => {
  const root = structuredClone(kit.trustedRoot);
  const intermediate = Buffer.from(root.certificateAuthorities[0].certChain.certificates[0].rawBytes, 'base64');
  intermediate[intermediate.length - 5] ^= 1;
  root.certificateAuthorities[0].certChain.certificates[0].rawBytes = intermediate.toString('base64');
  assert.throws(() => TrustMaterial.fromJSON(root), /no usable certificate authority.*(invalid signature|malformed)/);
});

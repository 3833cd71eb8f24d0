/**
 * Provenance objects and the result model: a file is verified only when every attestation of
 * every bundle passes; unattested when the index has none; the failed check is named; the
 * certificate cache never lets a time-dependent or per-attestation check be skipped; hostile
 * input never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { AttestationVerifier } from '../../server/src/verify/verifier';
import { releaseProvenanceStatus, toFileReport } from '../../server/src/verify/result';
import { SLSA_V1, createSigstoreKit } from '../support/sigstoreKit';

const kit = createSigstoreKit();
const verifier = AttestationVerifier.fromTrustedRoot(kit.trustedRoot);

test('no provenance (null) is unattested, not invalid', () => {
  const result = verifier.verifyProvenance(null, { filename: 'a-1.0.tar.gz', sha256: 'ab'.repeat(32) });
  assert.equal(result.status, 'unattested');
  assert.equal(result.message, null);
  assert.equal(result.publisher, null);
});

test('a provenance with publish and SLSA attestations verifies and lists both predicate types', () => {
  const leaf = kit.issueLeaf();
  const publish = kit.attest({ certificate: leaf });
  const slsa = kit.attest({ certificate: leaf, predicateType: SLSA_V1 });
  const provenance = { version: 1, attestation_bundles: [{ publisher: publish.publisher, attestations: [slsa.attestation, publish.attestation] }] };
  const result = verifier.verifyProvenance(provenance, publish.distribution);
  assert.equal(result.status, 'verified', result.message ?? '');
  assert.deepEqual(result.provenance?.predicateTypes, [SLSA_V1, 'https://docs.pypi.org/attestations/publish/v1']);
  assert.equal(result.provenance?.attestationCount, 2);
  assert.equal(result.provenance?.repository, 'octo-org/octo-pkg');
  assert.equal(result.provenance?.ref, 'refs/tags/v1.0.0');
  assert.equal(result.provenance?.commit, '0123456789abcdef0123456789abcdef01234567');
  assert.equal(result.provenance?.environment, 'pypi');
  assert.equal(result.attestations.length, 2);
});

test('one failing attestation among valid ones makes the file invalid, naming the check and the attestation', () => {
  const good = kit.attest();
  const bad = kit.attest({ set: { key: 'other' } });
  const provenance = { version: 1, attestation_bundles: [{ publisher: good.publisher, attestations: [good.attestation, bad.attestation] }] };
  const result = verifier.verifyProvenance(provenance, good.distribution);
  assert.equal(result.status, 'invalid');
  assert.equal(result.check, 'set');
  assert.match(result.message ?? '', /^attestation 2 of 2: signed entry timestamp \(SET\) check failed: /);
  assert.equal(result.provenance, undefined);
  assert.deepEqual(result.attestations.map((record) => record.outcome.status), ['verified', 'invalid']);
});

test('a second bundle with an unknown publisher kind makes the file invalid, naming the kind', () => {
  const good = kit.attest();
  const provenance = { version: 1, attestation_bundles: [{ publisher: good.publisher, attestations: [good.attestation] }, { publisher: { kind: 'Auditor', claims: {} }, attestations: [good.attestation] }] };
  const result = verifier.verifyProvenance(provenance, good.distribution);
  assert.equal(result.status, 'invalid');
  assert.equal(result.check, 'publisher');
  assert.match(result.message ?? '', /"Auditor"/);
  assert.equal(result.publisher?.kind, 'GitHub');
});

test('malformed provenance objects are invalid, never thrown', () => {
  const distribution = { filename: 'a-1.0.tar.gz', sha256: 'ab'.repeat(32) };
  for (const value of [{}, { version: 2, attestation_bundles: [] }, { version: 1, attestation_bundles: [] }, { version: 1, attestation_bundles: [{ publisher: {}, attestations: [] }] }, 'x', 42, [], { version: 1, attestation_bundles: [null] }]) {
    const result = verifier.verifyProvenance(value, distribution);
    assert.equal(result.status, 'invalid', JSON.stringify(value));
    assert.equal(result.check, 'attestation-format');
  }
});

test('too many attestations are refused before any is verified', () => {
  const small = AttestationVerifier.fromTrustedRoot(kit.trustedRoot, { maxAttestations: 2 });
  const made = kit.attest();
  const provenance = { version: 1, attestation_bundles: [{ publisher: made.publisher, attestations: [made.attestation, made.attestation, made.attestation] }] };
  const result = small.verifyProvenance(provenance, made.distribution);
  assert.equal(result.status, 'invalid');
  assert.equal(result.attestations.length, 0);
});

test('a cached certificate still gets its time check and every per-attestation check', () => {
  const cached = AttestationVerifier.fromTrustedRoot(kit.trustedRoot);
  const leaf = kit.issueLeaf();
  const first = kit.attest({ certificate: leaf, filename: 'octo_pkg-1.0.0.tar.gz' });
  assert.equal(cached.verifyAttestation(first.attestation, first.distribution, { publisher: first.publisher }).status, 'verified');
  // Same certificate, logged an hour after it expired.
  const late = kit.attest({ certificate: leaf, integratedTime: kit.integratedTime + 3600 });
  const lateOutcome = cached.verifyAttestation(late.attestation, late.distribution, { publisher: late.publisher });
  assert.equal(lateOutcome.status === 'invalid' && lateOutcome.check, 'certificate-validity');
  // Same certificate, a signature over other bytes.
  const forged = kit.attest({ certificate: leaf, signature: 'wrong-payload' });
  const forgedOutcome = cached.verifyAttestation(forged.attestation, forged.distribution, { publisher: forged.publisher });
  assert.equal(forgedOutcome.status === 'invalid' && forgedOutcome.check, 'dsse-signature');
  // Same certificate, another publisher.
  const other = cached.verifyAttestation(first.attestation, first.distribution, { publisher: { ...first.publisher, repository: 'x/y' } });
  assert.equal(other.status === 'invalid' && other.check, 'publisher');
});

test('the certificate cache is keyed by the exact certificate: a look-alike key with other bytes is re-checked', () => {
  const cached = AttestationVerifier.fromTrustedRoot(kit.trustedRoot);
  const good = kit.attest();
  assert.equal(cached.verifyAttestation(good.attestation, good.distribution, { publisher: good.publisher }).status, 'verified');
  const rogue = kit.attest({ leaf: { issuer: 'rogue' } });
  const outcome = cached.verifyAttestation(rogue.attestation, rogue.distribution, { publisher: rogue.publisher });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'certificate-chain');
});

test('toFileReport maps a verification onto the report shape', () => {
  const made = kit.attest();
  const result = verifier.verifyProvenance(made.provenance, made.distribution);
  const report = toFileReport(result, { ...made.distribution, uploadTime: '2024-11-06T22:40:00Z' });
  assert.equal(report.status, 'verified');
  assert.equal(report.logIndex, result.provenance?.logIndex);
  assert.equal(report.uploadTime, '2024-11-06T22:40:00Z');
  assert.deepEqual(report.publisher, made.publisher);
  assert.equal(report.message, null);
  const invalid = toFileReport(verifier.verifyProvenance(made.provenance, { ...made.distribution, sha256: 'cd'.repeat(32) }), made.distribution);
  assert.equal(invalid.status, 'invalid');
  assert.equal(invalid.logIndex, undefined);
  assert.equal(invalid.provenance, undefined);
  assert.match(invalid.message ?? '', /subject digest check failed/);
});

test('releaseProvenanceStatus: invalid beats all, all verified is verified, none is unattested, else partial', () => {
  const s = (...statuses: ('verified' | 'invalid' | 'unattested')[]) => releaseProvenanceStatus(statuses.map((status) => ({ status })));
  assert.equal(s('verified', 'verified'), 'verified');
  assert.equal(s('verified', 'unattested'), 'partial');
  assert.equal(s('unattested', 'unattested'), 'unattested');
  assert.equal(s('verified', 'invalid', 'unattested'), 'invalid');
  assert.equal(s(), 'unattested');
});

test('property: random edits of an attestation never throw and are never verified unless they are no-ops', () => {
  const made = kit.attest();
  const original = JSON.stringify(made.attestation);
  const paths = collectPaths(made.attestation);
  fc.assert(
    fc.property(fc.constantFrom(...paths), fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant({}), fc.constant([]), fc.boolean()), (where, value) => {
      const copy = JSON.parse(original);
      setPath(copy, where, value);
      const outcome = verifier.verifyAttestation(copy, made.distribution, { publisher: made.publisher });
      // proto3 JSON lets an int64 be a number or a decimal string: the same value either way is no edit.
      const sameInt64 = typeof value === 'number' && String(value) === getPath(JSON.parse(original), where);
      if (outcome.status === 'verified' && !sameInt64) assert.equal(JSON.stringify(copy), original);
    }),
    { numRuns: fuzzRuns(300) },
  );
});

// Found by the big fuzz run (PYPI_PROVENANCE_FUZZ_SCALE=50, seed -1284657747): an inclusion
// proof's `logIndex` written as the number 6 instead of "6" verified, which the property took
// for a forged edit. proto3 JSON allows either spelling of an int64, as sigstore-python reads it;
// what must hold is that only the same value verifies.
test('an int64 of the log entry written as a JSON number is the same value: verified as the string is, and another number is not', () => {
  const made = kit.attest();
  const original = JSON.stringify(made.attestation);
  const fields = [
    ['verification_material', 'transparency_entries', '0', 'inclusionProof', 'logIndex'],
    ['verification_material', 'transparency_entries', '0', 'inclusionProof', 'treeSize'],
  ];
  for (const where of fields) {
    const written = getPath(made.attestation, where);
    assert.equal(typeof written, 'string', where.join('.'));
    const asNumber = JSON.parse(original);
    setPath(asNumber, where, Number(written));
    assert.equal(verifier.verifyAttestation(asNumber, made.distribution, { publisher: made.publisher }).status, 'verified', `${where.join('.')} as a number`);
    const other = JSON.parse(original);
    setPath(other, where, Number(written) + 1);
    assert.equal(verifier.verifyAttestation(other, made.distribution, { publisher: made.publisher }).status, 'invalid', `${where.join('.')} as another number`);
  }
});

test('property: flipping any one byte of the statement, signature, certificate or log body is rejected', () => {
  const made = kit.attest();
  const fields: [string[], string][] = [
    [['envelope', 'statement'], 'statement'],
    [['envelope', 'signature'], 'signature'],
    [['verification_material', 'certificate'], 'certificate'],
    [['verification_material', 'transparency_entries', '0', 'canonicalizedBody'], 'body'],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...fields), fc.nat(), fc.integer({ min: 1, max: 255 }), ([where], at, mask) => {
      const copy = structuredClone(made.attestation);
      const holder = where.slice(0, -1).reduce((node: any, key) => node[key], copy);
      const bytes = Buffer.from(holder[where[where.length - 1]], 'base64');
      bytes[at % bytes.length] ^= mask;
      holder[where[where.length - 1]] = bytes.toString('base64');
      const outcome = verifier.verifyAttestation(copy, made.distribution, { publisher: made.publisher });
      assert.equal(outcome.status, 'invalid');
    }),
    { numRuns: fuzzRuns(200) },
  );
});

function collectPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const paths: string[][] = [prefix];
  for (const [key, item] of Object.entries(value)) paths.push(...collectPaths(item, [...prefix, key]));
  return paths.filter((p) => p.length > 0);
}

function getPath(root: any, where: string[]): unknown {
  return where.reduce((node, key) => node?.[key], root);
}

function setPath(root: any, where: string[], value: unknown): void {
  const holder = where.slice(0, -1).reduce((node, key) => node[key], root);
  holder[where[where.length - 1]] = value;
}

test('property: any JSON value as provenance or attestation yields an outcome, never an exception', () => {
  const distribution = { filename: 'octo_pkg-1.0.0-py3-none-any.whl', sha256: 'ab'.repeat(32) };
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const file = verifier.verifyProvenance(value, distribution);
      assert.ok(file.status === 'invalid' || (file.status === 'unattested' && value === null));
      const single = verifier.verifyAttestation(value, distribution, { publisher: value });
      assert.equal(single.status, 'invalid');
    }),
    { numRuns: fuzzRuns(300) },
  );
});

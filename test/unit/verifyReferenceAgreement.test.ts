/**
 * Where the verifier must read things exactly as the reference implementations do (issue 12):
 * trusted-root validity periods in protobuf JSON (sigstore-python, protobuf-specs), several
 * transparency entries in one attestation and subject names (pypi-attestations' `to_bundle` and
 * `Attestation.verify`), and which certificate extension carries the OIDC issuer for each kind of
 * publisher (sigstore-python's `OIDCIssuerV2` for GitHub and GitLab, `Identity` → `OIDCIssuer`
 * for Google and explicit identities).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttestationVerifier } from '../../server/src/verify/verifier';
import { TrustMaterial, TrustedRootError } from '../../server/src/verify/trustMaterial';
import { createSigstoreKit } from '../support/sigstoreKit';

const kit = createSigstoreKit();
const verifier = AttestationVerifier.fromTrustedRoot(kit.trustedRoot, { certificateCacheSize: 0 });

// ---- item 9: validFor in protobuf JSON ----

test('trusted root: a validFor whose end is JSON null has no end', () => {
  const root = structuredClone(kit.trustedRoot);
  root.tlogs[0].publicKey.validFor = { start: '2021-01-01T00:00:00Z', end: null };
  root.certificateAuthorities[0].validFor = { start: '2022-01-01T00:00:00Z', end: null };
  root.ctlogs[0].publicKey.validFor = { start: '2021-01-01T00:00:00Z', end: null };
  const material = TrustMaterial.fromJSON(root);
  assert.deepEqual(material.problems, []);
  const made = kit.attest();
  const outcome = new AttestationVerifier(material).verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
});

test('trusted root: a key whose validFor has no start is not used, and the message says why', () => {
  const root = structuredClone(kit.trustedRoot);
  root.tlogs = [root.tlogs[0]];
  root.tlogs[0].publicKey.validFor = { end: '2031-01-01T00:00:00Z' };
  assert.throws(() => TrustMaterial.fromJSON(root), (error: unknown) => error instanceof TrustedRootError && /no usable transparency log.*validFor has no start/.test(error.message));

  // With another usable log beside it, the root loads and attestations of the broken log are refused by name.
  root.tlogs.push(createSigstoreKit().trustedRoot.tlogs[0]);
  const material = TrustMaterial.fromJSON(root);
  assert.match(material.problems.join('\n'), /tlogs\[0\] \(https:\/\/rekor\.test\.example\): validFor has no start/);
  const made = kit.attest();
  const outcome = new AttestationVerifier(material).verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status, 'invalid');
  assert.equal(outcome.status === 'invalid' && outcome.check, 'transparency-log');
  assert.match(outcome.status === 'invalid' ? outcome.message : '', /trusted root's entry for log .* cannot be used: validFor has no start/);
});

test('trusted root: an absent validFor puts no bound (sigstore-python)', () => {
  const root = structuredClone(kit.trustedRoot);
  delete root.tlogs[0].publicKey.validFor;
  const made = kit.attest();
  assert.equal(AttestationVerifier.fromTrustedRoot(root).verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher }).status, 'verified');
});

// ---- item 10: one or more transparency entries ----

test('an attestation with two transparency entries is verified with the first, as pypi-attestations does', () => {
  const made = kit.attest();
  const second = kit.attest({ certificate: made.leaf });
  const attestation = structuredClone(made.attestation);
  attestation.verification_material.transparency_entries.push(second.attestation.verification_material.transparency_entries[0]);
  const outcome = verifier.verifyAttestation(attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));

  const provenance = { version: 1, attestation_bundles: [{ publisher: made.publisher, attestations: [attestation] }] };
  assert.equal(verifier.verifyProvenance(provenance, made.distribution).status, 'verified');
});

test('only the first transparency entry counts: a broken first entry is not rescued by a valid second one', () => {
  const made = kit.attest();
  const attestation = structuredClone(made.attestation);
  const [valid] = attestation.verification_material.transparency_entries;
  const broken = structuredClone(valid);
  broken.inclusionPromise.signedEntryTimestamp = Buffer.from('not a signature').toString('base64');
  attestation.verification_material.transparency_entries = [broken, valid];
  const outcome = verifier.verifyAttestation(attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'set', JSON.stringify(outcome));
});

test('an attestation with no transparency entry is still malformed', () => {
  const made = kit.attest();
  const attestation = structuredClone(made.attestation);
  attestation.verification_material.transparency_entries = [];
  const outcome = verifier.verifyAttestation(attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'attestation-format');
});

// ---- item 11: subject names as pypi-attestations compares them ----

function withSubject(subjectName: string, filename: string) {
  const content = Buffer.from('the same bytes');
  const made = kit.attest({ filename: subjectName, content });
  return { made, distribution: { ...made.distribution, filename } };
}

test('an sdist subject matches by normalized name and version: .zip and .tar.gz of the same bytes agree', () => {
  for (const [subjectName, filename] of [
    ['octo_pkg-1.0.0.zip', 'octo_pkg-1.0.0.tar.gz'],
    ['octo_pkg-1.0.0.tar.gz', 'octo_pkg-1.0.0.zip'],
    ['Octo.Pkg-1.0.tar.gz', 'octo_pkg-1.0.0.zip'],
  ]) {
    const { made, distribution } = withSubject(subjectName, filename);
    const outcome = verifier.verifyAttestation(made.attestation, distribution, { publisher: made.publisher });
    assert.equal(outcome.status, 'verified', `${subjectName} vs ${filename}: ${JSON.stringify(outcome)}`);
  }
});

test('every other subject check stays: version, name, wheel against sdist, tags, digest', () => {
  const cases: [string, string, string][] = [
    ['octo_pkg-1.0.1.zip', 'octo_pkg-1.0.0.tar.gz', 'subject-name'],
    ['other_pkg-1.0.0.zip', 'octo_pkg-1.0.0.tar.gz', 'subject-name'],
    ['octo_pkg-1.0.0-py3-none-any.whl', 'octo_pkg-1.0.0.tar.gz', 'subject-name'],
    ['octo_pkg-1.0.0.tar.gz', 'octo_pkg-1.0.0-py3-none-any.whl', 'subject-name'],
    ['octo_pkg-1.0.0-py3-none-any.whl', 'octo_pkg-1.0.0-py2-none-any.whl', 'subject-name'],
    ['octo_pkg-1.0.0-1-py3-none-any.whl', 'octo_pkg-1.0.0-py3-none-any.whl', 'subject-name'],
    ['octo_pkg-1.0.0.tar.bz2', 'octo_pkg-1.0.0.tar.gz', 'subject-name'],
  ];
  for (const [subjectName, filename, check] of cases) {
    const { made, distribution } = withSubject(subjectName, filename);
    const outcome = verifier.verifyAttestation(made.attestation, distribution, { publisher: made.publisher });
    assert.equal(outcome.status === 'invalid' && outcome.check, check, `${subjectName} vs ${filename}: ${JSON.stringify(outcome)}`);
  }
  const { made, distribution } = withSubject('octo_pkg-1.0.0.zip', 'octo_pkg-1.0.0.tar.gz');
  const outcome = verifier.verifyAttestation(made.attestation, { ...distribution, sha256: 'ab'.repeat(32) }, { publisher: made.publisher });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'subject-digest');
});

// ---- item 12: the issuer extension per publisher kind ----

const ISSUER_V1 = 1;
const ISSUER_V2 = 8;

function issuerCase(identity: Parameters<typeof kit.attest>[0] extends infer O ? (O extends { leaf?: infer L } ? L : never) : never) {
  const made = kit.attest({ leaf: identity });
  return verifier.verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
}

test('GitHub and GitLab publishers: the issuer is read from 1.3.6.1.4.1.57264.1.8 only', () => {
  const gitlab = { kind: 'GitLab' as const, repository: 'octo-org/octo-pkg', workflowFilepath: '.gitlab-ci.yml', ref: 'refs/tags/v1', digest: 'cd'.repeat(20) };
  for (const identity of [undefined, gitlab]) {
    const base = identity ? { identity } : {};
    assert.equal(issuerCase({ ...base, claims: { [ISSUER_V1]: undefined } }).status, 'verified', 'the deprecated 1.1 is not needed');
    const withoutV2 = issuerCase({ ...base, claims: { [ISSUER_V2]: undefined } });
    assert.equal(withoutV2.status === 'invalid' && withoutV2.check, 'publisher', JSON.stringify(withoutV2));
    assert.match(withoutV2.status === 'invalid' ? withoutV2.message : '', /1\.3\.6\.1\.4\.1\.57264\.1\.8/);
  }
});

test('Google publishers and identity policies: the issuer is read from 1.3.6.1.4.1.57264.1.1 only', () => {
  const google = { kind: 'Google' as const, email: 'builder@octo-org.iam.gserviceaccount.com' };
  assert.equal(issuerCase({ identity: google, claims: { [ISSUER_V2]: undefined } }).status, 'verified', 'the 1.8 extension is not needed');
  const withoutV1 = issuerCase({ identity: google, claims: { [ISSUER_V1]: undefined } });
  assert.equal(withoutV1.status === 'invalid' && withoutV1.check, 'publisher', JSON.stringify(withoutV1));

  const email = kit.attest({ leaf: { identity: { kind: 'Email', email: 'alice@example.com', issuer: 'https://github.com/login/oauth' }, claims: { [ISSUER_V1]: undefined } } });
  const outcome = verifier.verifyAttestation(email.attestation, email.distribution, { identity: { subjectAlternativeName: 'alice@example.com', issuer: 'https://github.com/login/oauth' } });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'publisher', JSON.stringify(outcome));
});

test('a certificate whose two issuer extensions disagree is refused for every kind (stricter than sigstore-python)', () => {
  assert.equal(issuerCase({ claims: { [ISSUER_V1]: 'https://evil.example' } }).status, 'invalid');
  const google = { kind: 'Google' as const, email: 'builder@octo-org.iam.gserviceaccount.com' };
  assert.equal(issuerCase({ identity: google, claims: { [ISSUER_V2]: 'https://evil.example' } }).status, 'invalid');
});

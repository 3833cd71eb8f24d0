/**
 * Readiness for Rekor v2 (issue 12 item 13): a PEP 740 attestation whose transparency entry is
 * Rekor v2's dsse/0.0.2 (no SET, integrated time 0, an Ed25519-signed checkpoint) and which
 * carries an RFC 3161 timestamp, as proposed for PEP 740 and in pypi-attestations, verifies
 * against the test Sigstore; a tampered twin of each part fails, naming the check; and RFC 3161
 * timestamps on a Rekor v1 attestation are verified too, not ignored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttestationVerifier } from '../../server/src/verify/verifier';
import { SigstoreJsBaseline } from '../../server/src/verify/baseline';
import type { CheckId } from '../../server/src/verify/checks';
import { AttestOptions, createSigstoreKit } from '../support/sigstoreKit';

const kit = createSigstoreKit();
const verifier = AttestationVerifier.fromTrustedRoot(kit.trustedRoot, { certificateCacheSize: 0 });
const baseline = new SigstoreJsBaseline(kit.trustedRoot);

function verify(options: AttestOptions) {
  const made = kit.attest(options);
  return { made, outcome: verifier.verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher }) };
}

test('a Rekor v2 attestation with an RFC 3161 timestamp verifies, at the timestamp\'s time', () => {
  const { made, outcome } = verify({ rekor: 'v2' });
  assert.equal(made.attestation.verification_material.transparency_entries[0].kindVersion.version, '0.0.2');
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
  assert.equal(outcome.status === 'verified' && outcome.integratedTime, kit.integratedTime);
  assert.equal(outcome.status === 'verified' && outcome.logId, kit.rekorV2LogId.toString('base64'));
  assert.equal(baseline.verifyAttestation(made.attestation).ok, true, '@sigstore/verify agrees');
  assert.equal(verifier.verifyProvenance(made.provenance, made.distribution).status, 'verified');
});

const flip = (value: string, at: number) => {
  const bytes = Buffer.from(value, 'base64');
  bytes[at] ^= 1;
  return bytes.toString('base64');
};

const TWINS: { name: string; check: CheckId; options: AttestOptions }[] = [
  { name: 'a statement byte changed after logging', check: 'tlog-body', options: { rekor: 'v2', attestation: (a) => void (a.envelope.statement = flip(a.envelope.statement, 30)) } },
  { name: 'no timestamp', check: 'timestamp', options: { rekor: 'v2', timestamp: { omit: true } } },
  { name: 'a timestamp over other bytes', check: 'timestamp', options: { rekor: 'v2', timestamp: { over: Buffer.from('something else') } } },
  { name: 'a timestamp signed by a key outside the trusted root', check: 'timestamp', options: { rekor: 'v2', timestamp: { key: 'other' } } },
  { name: 'a timestamp byte changed', check: 'timestamp', options: { rekor: 'v2', attestation: (a) => void (a.verification_material.timestamps[0] = flip(a.verification_material.timestamps[0], 200)) } },
  { name: 'a timestamp outside the certificate\'s validity', check: 'certificate-validity', options: { rekor: 'v2', timestamp: { time: kit.integratedTime + 3600 } } },
  { name: 'a checkpoint signed by another key', check: 'checkpoint', options: { rekor: 'v2', checkpoint: { key: 'other' } } },
  { name: 'an inclusion proof hash changed', check: 'inclusion-proof', options: { rekor: 'v2', entry: (e) => void (e.inclusionProof.hashes[0] = flip(e.inclusionProof.hashes[0], 3)) } },
  {
    name: 'another certificate in the log entry',
    check: 'tlog-certificate',
    options: { rekor: 'v2', bodyV2: (b) => void (b.spec.dsseV002.signatures[0].verifier.x509Certificate.rawBytes = kit.issueLeaf().der.toString('base64')) },
  },
  { name: 'a Rekor v2 entry under the Rekor v1 log\'s ID', check: 'checkpoint', options: { rekor: 'v2', entry: (e) => void (e.logId.keyId = kit.rekorLogId.toString('base64')) } },
  { name: 'a log the trusted root does not name', check: 'transparency-log', options: { rekor: 'v2', entry: (e) => void (e.logId.keyId = Buffer.alloc(32, 7).toString('base64')) } },
];

for (const twin of TWINS) {
  test(`Rekor v2 tampered twin fails the ${twin.check} check: ${twin.name}`, () => {
    const { outcome } = verify(twin.options);
    assert.equal(outcome.status, 'invalid', `accepted: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.status === 'invalid' && outcome.check, twin.check, JSON.stringify(outcome));
  });
}

test('RFC 3161 timestamps on a Rekor v1 attestation are verified, not ignored', () => {
  assert.equal(verify({ timestamp: { add: true } }).outcome.status, 'verified');
  const { outcome } = verify({ timestamp: { add: true, over: Buffer.from('other bytes') } });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'timestamp', JSON.stringify(outcome));
});

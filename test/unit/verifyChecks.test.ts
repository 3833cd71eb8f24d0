/**
 * Every check of attestation verification, failing on its own: each case breaks exactly one
 * property of an otherwise valid attestation made by the test Sigstore (test/support/sigstoreKit),
 * with every later signature made over the broken value, and asserts the verifier names that
 * check. Bare @sigstore/verify runs beside it: it must reject what it covers and is expected to
 * accept what only our checks on top catch (key usage, the log entry's certificate, the
 * statement, the publisher, …).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as x509 from '@peculiar/asn1-x509';
import { AttestationVerifier, SignerPolicy } from '../../server/src/verify/verifier';
import { SigstoreJsBaseline } from '../../server/src/verify/baseline';
import type { CheckId } from '../../server/src/verify/checks';
import { AttestOptions, KitAttestation, OIDS, SLSA_V1, createSigstoreKit, pemOf } from '../support/sigstoreKit';

const kit = createSigstoreKit();
const verifier = AttestationVerifier.fromTrustedRoot(kit.trustedRoot, { certificateCacheSize: 0 });
const baseline = new SigstoreJsBaseline(kit.trustedRoot);

function verify(made: KitAttestation, signer: SignerPolicy = { publisher: made.publisher }) {
  return verifier.verifyAttestation(made.attestation, made.distribution, signer);
}

test('a valid test attestation verifies, natively and with @sigstore/verify', () => {
  const made = kit.attest();
  const outcome = verify(made);
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
  assert.equal(baseline.verifyAttestation(made.attestation).ok, true);
});

interface Case {
  name: string;
  check: CheckId;
  /**
   * Whether the baseline (our attestation→bundle conversion, then bare @sigstore/verify) rejects
   * it too; false: only our checks on top catch it.
   */
  sigstoreJsRejects: boolean;
  make: () => KitAttestation;
  signer?: (made: KitAttestation) => SignerPolicy;
}

const t0 = kit.integratedTime;
const other = createSigstoreKit();

const cases: Case[] = [
  // attestation shape
  { name: 'version 2', check: 'attestation-format', sigstoreJsRejects: true, make: () => kit.attest({ attestation: (a) => void (a.version = 2) }) },
  { name: 'no transparency entry', check: 'attestation-format', sigstoreJsRejects: true, make: () => kit.attest({ attestation: (a) => void (a.verification_material.transparency_entries = []) }) },
  { name: 'entry kind intoto/0.0.2', check: 'attestation-format', sigstoreJsRejects: true, make: () => kit.attest({ entry: (e) => void (e.kindVersion = { kind: 'intoto', version: '0.0.2' }) }) },
  { name: 'statement not base64', check: 'attestation-format', sigstoreJsRejects: true, make: () => kit.attest({ attestation: (a) => void (a.envelope.statement = 'not base64!') }) },
  { name: 'certificate not DER', check: 'certificate', sigstoreJsRejects: true, make: () => kit.attest({ body: (b) => void (b.spec.signatures[0].verifier = Buffer.from(pemOf(Buffer.from('garbage'))).toString('base64')), attestation: (a) => void (a.verification_material.certificate = Buffer.from('garbage').toString('base64')) }) },
  // transparency log
  { name: 'unknown log ID', check: 'transparency-log', sigstoreJsRejects: true, make: () => kit.attest({ entry: (e) => void (e.logId.keyId = other.rekorLogId.toString('base64')) }) },
  { name: 'SET signed by another key', check: 'set', sigstoreJsRejects: true, make: () => kit.attest({ set: { key: 'other' } }) },
  { name: 'no SET', check: 'set', sigstoreJsRejects: true, make: () => kit.attest({ set: { omit: true } }) },
  { name: 'integrated time changed after signing', check: 'set', sigstoreJsRejects: true, make: () => kit.attest({ entry: (e) => void (e.integratedTime = String(t0 + 1)) }) },
  { name: 'inclusion proof hash flipped', check: 'inclusion-proof', sigstoreJsRejects: true, make: () => kit.attest({ proof: (p) => void (p.hashes[0] = flip(p.hashes[0])) }) },
  { name: 'inclusion proof missing a hash', check: 'inclusion-proof', sigstoreJsRejects: true, make: () => kit.attest({ proof: (p) => void p.hashes.pop() }) },
  { name: 'inclusion proof index outside the tree', check: 'inclusion-proof', sigstoreJsRejects: true, make: () => kit.attest({ proof: (p) => void (p.logIndex = p.treeSize) }) },
  { name: 'no inclusion proof', check: 'inclusion-proof', sigstoreJsRejects: true, make: () => kit.attest({ entry: (e) => void delete e.inclusionProof }) },
  { name: 'checkpoint signed by another key', check: 'checkpoint', sigstoreJsRejects: true, make: () => kit.attest({ checkpoint: { key: 'other' } }) },
  { name: 'checkpoint not signed', check: 'checkpoint', sigstoreJsRejects: true, make: () => kit.attest({ checkpoint: { unsigned: true } }) },
  { name: 'no checkpoint', check: 'checkpoint', sigstoreJsRejects: true, make: () => kit.attest({ checkpoint: { omit: true } }) },
  { name: 'checkpoint over another root (signed)', check: 'checkpoint', sigstoreJsRejects: true, make: () => kit.attest({ checkpoint: { rootHash: Buffer.alloc(32, 7) } }) },
  // @sigstore/verify 3.1.1 takes the tree size from the checkpoint and never compares it with the
  // proof's, so a checkpoint signed over another size passes there; we bind the two. (In a tree of
  // 11 with the leaf at 6, the proof also gives the root for a size of 12.)
  { name: 'checkpoint over another tree size (signed)', check: 'checkpoint', sigstoreJsRejects: false, make: () => kit.attest({ standaloneTree: true, checkpoint: { treeSize: 12 } }) },
  { name: 'log body payload hash of other bytes', check: 'tlog-body', sigstoreJsRejects: true, make: () => kit.attest({ body: (b) => void (b.spec.payloadHash.value = 'ab'.repeat(32)) }) },
  { name: 'log body with another signature', check: 'tlog-body', sigstoreJsRejects: true, make: () => kit.attest({ body: (b) => void (b.spec.signatures[0].signature = Buffer.alloc(70, 1).toString('base64')) }) },
  { name: 'log body with two signatures', check: 'tlog-body', sigstoreJsRejects: true, make: () => kit.attest({ body: (b) => void b.spec.signatures.push({ ...b.spec.signatures[0] }) }) },
  { name: 'log body of kind intoto', check: 'tlog-body', sigstoreJsRejects: true, make: () => kit.attest({ body: (b) => void (b.kind = 'intoto') }) },
  {
    name: 'log entry names another certificate',
    check: 'tlog-certificate',
    sigstoreJsRejects: false,
    make: () => kit.attest({ body: (b) => void (b.spec.signatures[0].verifier = Buffer.from(pemOf(kit.issueLeaf().der)).toString('base64')) }),
  },
  // signing certificate
  { name: 'leaf issued by a CA outside the trusted root', check: 'certificate-chain', sigstoreJsRejects: true, make: () => kit.attest({ leaf: { issuer: 'rogue' } }) },
  {
    name: 'integrated time after the certificate expired (SET re-signed)',
    check: 'certificate-validity',
    sigstoreJsRejects: true,
    make: () => kit.attest({ leaf: { validity: { notBefore: new Date((t0 - 1200) * 1000), notAfter: new Date((t0 - 600) * 1000) } } }),
  },
  {
    name: 'integrated time before the certificate was valid',
    check: 'certificate-validity',
    sigstoreJsRejects: true,
    make: () => kit.attest({ leaf: { validity: { notBefore: new Date((t0 + 60) * 1000), notAfter: new Date((t0 + 600) * 1000) } } }),
  },
  { name: 'key usage without digitalSignature', check: 'key-usage', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { keyUsage: x509.KeyUsageFlags.keyEncipherment } }) },
  { name: 'no key usage', check: 'key-usage', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { keyUsage: null } }) },
  { name: 'extended key usage without code signing', check: 'extended-key-usage', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { extKeyUsage: [OIDS.serverAuth] } }) },
  { name: 'no extended key usage', check: 'extended-key-usage', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { extKeyUsage: null } }) },
  { name: 'P-384 signing key', check: 'signing-key', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { curve: 'P-384' } }) },
  { name: 'leaf is a CA', check: 'certificate', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { basicConstraintsCA: true } }) },
  {
    name: 'unknown critical extension',
    check: 'certificate',
    sigstoreJsRejects: false,
    make: () => kit.attest({ leaf: { extraExtensions: [{ oid: '1.2.3.4.5', critical: true, value: Buffer.from([5, 0]) }] } }),
  },
  { name: 'no SCT', check: 'sct', sigstoreJsRejects: true, make: () => kit.attest({ leaf: { sct: 'none' } }) },
  { name: 'SCT from a log outside the trusted root', check: 'sct', sigstoreJsRejects: true, make: () => kit.attest({ leaf: { sct: 'unknown-log' } }) },
  { name: 'SCT with a bad signature', check: 'sct', sigstoreJsRejects: true, make: () => kit.attest({ leaf: { sct: 'bad-signature' } }) },
  { name: 'SCT over other TBS bytes', check: 'sct', sigstoreJsRejects: true, make: () => kit.attest({ leaf: { sct: 'wrong-tbs' } }) },
  // envelope and statement
  { name: 'DSSE signature over other bytes (logged as is)', check: 'dsse-signature', sigstoreJsRejects: true, make: () => kit.attest({ signature: 'wrong-payload' }) },
  { name: 'statement is not JSON', check: 'statement', sigstoreJsRejects: false, make: () => kit.attest({ statementBytes: Buffer.from('not json') }) },
  { name: 'statement _type v0.1', check: 'statement', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ _type: 'https://in-toto.io/Statement/v0.1' }) }) },
  { name: 'two subjects', check: 'statement', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ subject: [subject(), subject('octo_pkg-1.0.0.tar.gz')] }) }) },
  { name: 'subject names another file', check: 'subject-name', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ subject: [subject('octo_pkg-1.0.1-py3-none-any.whl')] }) }) },
  { name: 'subject name is not a distribution', check: 'subject-name', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ subject: [subject('octo_pkg.exe')] }) }) },
  { name: 'subject digest differs', check: 'subject-digest', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ subject: [subject(undefined, 'cd'.repeat(32))] }) }) },
  { name: 'subject digest in upper case', check: 'subject-digest', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ subject: [subject(undefined, CONTENT_SHA256.toUpperCase())] }) }) },
  { name: 'subject is not an object', check: 'statement', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ subject: ['octo_pkg-1.0.0-py3-none-any.whl'] }) }) },
  { name: 'subject has no sha256', check: 'subject-digest', sigstoreJsRejects: false, make: () => kit.attest({ statement: statementWith({ subject: [{ name: FILE, digest: { sha512: 'ab' } }] }) }) },
  { name: 'unknown predicate type', check: 'predicate-type', sigstoreJsRejects: false, make: () => kit.attest({ predicateType: 'https://example.com/predicate/v1' }) },
  // publisher
  { name: 'publisher of another repository', check: 'publisher', sigstoreJsRejects: false, make: () => kit.attest(), signer: (m) => ({ publisher: { ...m.publisher, repository: 'octo-org/other' } }) },
  { name: 'publisher with another workflow', check: 'publisher', sigstoreJsRejects: false, make: () => kit.attest(), signer: (m) => ({ publisher: { ...m.publisher, workflow: 'other.yml' } }) },
  { name: 'publisher of an unknown kind', check: 'publisher', sigstoreJsRejects: false, make: () => kit.attest(), signer: (m) => ({ publisher: { ...m.publisher, kind: 'ActiveState' } }) },
  { name: 'no publisher', check: 'publisher', sigstoreJsRejects: false, make: () => kit.attest(), signer: () => ({ publisher: null }) },
  {
    name: 'certificate issued to another OIDC issuer',
    check: 'publisher',
    sigstoreJsRejects: false,
    make: () => kit.attest({ leaf: { claims: { 1: 'https://gitlab.com', 8: 'https://gitlab.com' } } }),
  },
  {
    name: 'build config at another repository\'s workflow',
    check: 'publisher',
    sigstoreJsRejects: false,
    make: () => kit.attest({ leaf: { claims: { 18: 'https://github.com/evil/octo-pkg/.github/workflows/release.yml@refs/tags/v1.0.0' } } }),
  },
  {
    name: 'build config at a ref that is neither the certificate\'s ref nor digest',
    check: 'publisher',
    sigstoreJsRejects: false,
    make: () => kit.attest({ leaf: { claims: { 18: 'https://github.com/octo-org/octo-pkg/.github/workflows/release.yml@refs/heads/evil' } } }),
  },
  { name: 'neither ref nor digest extension', check: 'publisher', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { claims: { 13: undefined, 14: undefined } } }) },
  { name: 'issuer v1 and v2 disagree', check: 'publisher', sigstoreJsRejects: false, make: () => kit.attest({ leaf: { claims: { 1: 'https://accounts.google.com' } } }) },
  {
    name: 'Google publisher with another e-mail',
    check: 'publisher',
    sigstoreJsRejects: false,
    make: () => kit.attest({ leaf: { identity: { kind: 'Google', email: 'builder@project.iam.gserviceaccount.com' } } }),
    signer: () => ({ publisher: { kind: 'Google', email: 'other@project.iam.gserviceaccount.com' } }),
  },
  {
    name: 'GitLab publisher with another workflow path',
    check: 'publisher',
    sigstoreJsRejects: false,
    make: () => kit.attest({ leaf: { identity: { kind: 'GitLab', repository: 'group/sub/project', workflowFilepath: '.gitlab-ci.yml', ref: 'refs/heads/main', digest: 'ab'.repeat(20) } } }),
    signer: (m) => ({ publisher: { ...m.publisher, workflow_filepath: 'ci/release.yml' } }),
  },
  {
    name: 'identity policy with another e-mail',
    check: 'publisher',
    sigstoreJsRejects: false,
    make: () => kit.attest({ leaf: { identity: { kind: 'Email', email: 'alice@example.com', issuer: 'https://github.com/login/oauth' } } }),
    signer: () => ({ identity: { subjectAlternativeName: 'mallory@example.com', issuer: 'https://github.com/login/oauth' } }),
  },
];

const FILE = 'octo_pkg-1.0.0-py3-none-any.whl';
const CONTENT_SHA256 = kit.attest().distribution.sha256;

function subject(name = FILE, sha256 = CONTENT_SHA256) {
  return { name, digest: { sha256 } };
}

function statementWith(fields: Record<string, unknown>): Record<string, unknown> {
  return { _type: 'https://in-toto.io/Statement/v1', subject: [subject()], predicateType: 'https://docs.pypi.org/attestations/publish/v1', predicate: null, ...fields };
}

function flip(buf: Buffer): Buffer {
  const copy = Buffer.from(buf);
  copy[0] ^= 1;
  return copy;
}

for (const testCase of cases) {
  test(`rejected by the ${testCase.check} check alone: ${testCase.name}`, () => {
    const made = testCase.make();
    const outcome = verify(made, testCase.signer?.(made));
    assert.equal(outcome.status, 'invalid', `expected ${testCase.check} to fail, got ${JSON.stringify(outcome)}`);
    if (outcome.status !== 'invalid') return;
    assert.equal(outcome.check, testCase.check, outcome.message);
    assert.ok(outcome.message.length > 0);
    const second = baseline.verifyAttestation(made.attestation);
    assert.equal(!second.ok, testCase.sigstoreJsRejects, `@sigstore/verify ${second.ok ? 'accepted' : `rejected (${second.error})`}`);
  });
}

test('each check case above verifies when its one mutation is left out', () => {
  // The control for the matrix: the same kit, same options minus the mutation, verifies.
  for (const options of [{}, { predicateType: SLSA_V1 }, { leaf: { identity: { kind: 'Google', email: 'builder@project.iam.gserviceaccount.com' } } }] as AttestOptions[]) {
    const made = kit.attest(options);
    assert.equal(verify(made).status, 'verified', JSON.stringify(options));
  }
  const gitlab = kit.attest({ leaf: { identity: { kind: 'GitLab', repository: 'group/sub/project', workflowFilepath: '.gitlab-ci.yml', ref: 'refs/heads/main', digest: 'ab'.repeat(20) } } });
  assert.equal(verify(gitlab).status, 'verified');
  const email = kit.attest({ leaf: { identity: { kind: 'Email', email: 'alice@example.com', issuer: 'https://github.com/login/oauth' } } });
  assert.equal(verify(email, { identity: { subjectAlternativeName: 'alice@example.com', issuer: 'https://github.com/login/oauth' } }).status, 'verified');
});

test('a certificate with only the digest extension passes the GitHub publisher check', () => {
  const made = kit.attest({ leaf: { identity: { kind: 'GitHub', repository: 'octo-org/octo-pkg', workflow: 'release.yml', ref: null, digest: 'ef'.repeat(20) } } });
  assert.equal(verify(made).status, 'verified');
});

test('the subject name is compared parsed, not as a string', () => {
  const made = kit.attest({
    filename: 'octo_pkg-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    statement: statementWith({ subject: [subject('Octo.Pkg-1.0-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl', undefined)] }),
  });
  // The statement above names the kit's default content digest; give the file that digest.
  const outcome = verifier.verifyAttestation(made.attestation, { ...made.distribution, sha256: CONTENT_SHA256 }, { publisher: made.publisher });
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
});

test('the wrong trusted root rejects a valid attestation at the first log check', () => {
  const made = kit.attest();
  const stranger = AttestationVerifier.fromTrustedRoot(other.trustedRoot);
  const outcome = stranger.verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status, 'invalid');
  assert.equal(outcome.status === 'invalid' && outcome.check, 'transparency-log');
});

test('a CA outside its trusted-root validity window is not used', () => {
  const root = structuredClone(kit.trustedRoot);
  root.certificateAuthorities[0].validFor = { start: '2022-01-01T00:00:00Z', end: new Date((t0 - 1) * 1000).toISOString() };
  const made = kit.attest();
  const outcome = AttestationVerifier.fromTrustedRoot(root).verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'certificate-chain', JSON.stringify(outcome));
});

test('a Rekor key outside its validity window fails the transparency-log check', () => {
  const root = structuredClone(kit.trustedRoot);
  root.tlogs[0].publicKey.validFor = { start: new Date((t0 + 1) * 1000).toISOString() };
  const made = kit.attest();
  const outcome = AttestationVerifier.fromTrustedRoot(root).verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'transparency-log');
});

test('a CT log key outside its validity window fails the SCT check', () => {
  const root = structuredClone(kit.trustedRoot);
  root.ctlogs[0].publicKey.validFor = { start: '2021-01-01T00:00:00Z', end: new Date((t0 - 3600) * 1000).toISOString() };
  const made = kit.attest();
  const outcome = AttestationVerifier.fromTrustedRoot(root).verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status === 'invalid' && outcome.check, 'sct');
});

test('crossCheck runs @sigstore/verify after the native checks and agrees on valid attestations', () => {
  const crossChecked = AttestationVerifier.fromTrustedRoot(kit.trustedRoot, { crossCheck: true });
  const made = kit.attest();
  assert.equal(crossChecked.verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher }).status, 'verified');
});

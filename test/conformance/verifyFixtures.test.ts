/**
 * Conformance against the real attestations in ../shared/fixtures (see SOURCES.md there): every
 * one verifies with the publisher SOURCES.md names (staging ones with the staging trusted root),
 * bare @sigstore/verify agrees, and a tamper matrix over them is rejected case by case with the
 * check that catches it named. Skipped, with a message, when the fixtures are absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AttestationVerifier, SignerPolicy } from '../../server/src/verify/verifier';
import { SigstoreJsBaseline } from '../../server/src/verify/baseline';
import { bundleToAttestation } from '../../server/src/verify/attestation';
import { parseCertificate, pemToDer } from '../../server/src/verify/certificate';
import { checkPublisher } from '../../server/src/verify/publisher';
import { embeddedTrustedRoot } from '../../server/src/verify/trustedRoot';
import { CheckFailure, type CheckId } from '../../server/src/verify/checks';

const FIXTURES = path.resolve(__dirname, '../..', '../shared/fixtures');
const skip = existsSync(path.join(FIXTURES, 'SOURCES.md')) ? false : `fixtures absent at ${FIXTURES}`;

const read = (file: string) => readFileSync(path.join(FIXTURES, file));
const json = (file: string) => JSON.parse(read(file).toString('utf8'));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface RealAttestation {
  name: string;
  attestation: () => unknown;
  distribution: () => { filename: string; sha256: string };
  signer: SignerPolicy;
  staging: boolean;
}

const identityYossarian = { identity: { subjectAlternativeName: 'william@yossarian.net', issuer: 'https://github.com/login/oauth' } };
const pypiAttestationsPublisher = { publisher: { kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml', environment: null } };
const modelsPublisher = { publisher: { kind: 'GitHub', repository: 'trailofbits/pypi-attestation-models', workflow: 'release.yml' } };
const distFile = (file: string) => () => ({ filename: path.basename(file), sha256: sha256(read(file)) });

const REAL: RealAttestation[] = [
  { name: 'pypi_attestations publish', attestation: () => json('pypi-attestations/pypi_attestations-0.0.19.tar.gz.publish.attestation'), distribution: distFile('pypi-attestations/pypi_attestations-0.0.19.tar.gz'), signer: pypiAttestationsPublisher, staging: false },
  { name: 'pypi_attestations SLSA', attestation: () => json('pypi-attestations/pypi_attestations-0.0.19.tar.gz.slsa.attestation'), distribution: distFile('pypi-attestations/pypi_attestations-0.0.19.tar.gz'), signer: pypiAttestationsPublisher, staging: false },
  { name: 'pypi_attestation_models', attestation: () => json('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz.attestation'), distribution: distFile('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz'), signer: modelsPublisher, staging: false },
  {
    name: 'pypi_attestation_models from its Sigstore bundle',
    attestation: () => bundleToAttestation(json('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz.sigstore')),
    distribution: distFile('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz'),
    signer: modelsPublisher,
    staging: false,
  },
  {
    name: 'gitlab_oidc_project (GitLab)',
    attestation: () => json('pypi-attestations/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation'),
    distribution: distFile('pypi-attestations/gitlab_oidc_project-0.0.3.tar.gz'),
    signer: { publisher: { kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project', workflow_filepath: '.gitlab-ci.yml', environment: null } },
    staging: false,
  },
  {
    name: 'sampleproject 3.0.0 (Google)',
    attestation: () => json('warehouse/sampleproject-3.0.0.tar.gz.publish.attestation'),
    distribution: distFile('warehouse/sampleproject-3.0.0.tar.gz'),
    signer: { publisher: { kind: 'Google', email: '919436158236-compute@developer.gserviceaccount.com' } },
    staging: false,
  },
  {
    name: 'sampleproject 4.0.0 provenance attestation',
    attestation: () => json('warehouse/sampleproject-4.0.0.tar.gz.provenance').attestation_bundles[0].attestations[0],
    distribution: () => ({ filename: 'sampleproject-4.0.0.tar.gz', sha256: '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b' }),
    signer: { publisher: { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' } },
    staging: false,
  },
  { name: 'rfc8785 (staging)', attestation: () => json('pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.attestation'), distribution: distFile('pypi-attestations/rfc8785-0.1.2-py3-none-any.whl'), signer: identityYossarian, staging: true },
  { name: 'rfc8785 publish (staging)', attestation: () => json('pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.publish.attestation'), distribution: distFile('pypi-attestations/rfc8785-0.1.2-py3-none-any.whl'), signer: identityYossarian, staging: true },
  {
    name: 'rfc8785 from its Sigstore bundle (staging)',
    attestation: () => bundleToAttestation(json('pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.sigstore')),
    distribution: distFile('pypi-attestations/rfc8785-0.1.2-py3-none-any.whl'),
    signer: identityYossarian,
    staging: true,
  },
  {
    name: 'spt3g, tags listed in another order (staging)',
    attestation: () => json('pypi-attestations/spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation'),
    distribution: () => ({ filename: 'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl', sha256: 'd2772f9a5199f05ed1be8d9aa78b879e51772e3ead9d73fe8057257b1aec7cf8' }),
    signer: identityYossarian,
    staging: true,
  },
];

interface Verifiers {
  production: AttestationVerifier;
  staging: AttestationVerifier;
  productionBaseline: SigstoreJsBaseline;
  stagingBaseline: SigstoreJsBaseline;
}

let cached: Verifiers | undefined;
function verifiers(): Verifiers {
  if (!cached) {
    const staging = json('sigstore-python/staging.trusted_root.json');
    cached = {
      production: AttestationVerifier.fromTrustedRoot(embeddedTrustedRoot(), { certificateCacheSize: 0 }),
      staging: AttestationVerifier.fromTrustedRoot(staging, { certificateCacheSize: 0 }),
      productionBaseline: new SigstoreJsBaseline(embeddedTrustedRoot()),
      stagingBaseline: new SigstoreJsBaseline(staging),
    };
  }
  return cached;
}

test('the embedded public-good root is the production trusted root of the fixtures', { skip }, () => {
  assert.deepEqual(embeddedTrustedRoot(), json('sigstore-python/production.trusted_root.json'));
});

for (const real of REAL) {
  test(`real attestation verifies: ${real.name}`, { skip }, () => {
    const v = verifiers();
    const outcome = (real.staging ? v.staging : v.production).verifyAttestation(real.attestation(), real.distribution(), real.signer);
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
    const second = (real.staging ? v.stagingBaseline : v.productionBaseline).verifyAttestation(real.attestation());
    assert.ok(second.ok, `@sigstore/verify disagrees: ${second.ok ? '' : second.error}`);
  });
}

const PROVENANCE = [
  { file: 'warehouse/sampleproject-4.0.0.tar.gz.provenance', filename: 'sampleproject-4.0.0.tar.gz', sha256: '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b', repository: 'pypa/sampleproject', kind: 'GitHub' },
  { file: 'warehouse/pep740-sampleproject-1.0.0.tar.gz.provenance', filename: 'pep740_sampleproject-1.0.0.tar.gz', sha256: '6cdd4a1a0a49aeef47265e7bf8ec1667257b397d34d731dc7b7af349deca1cd8', repository: 'pep740-example/sampleproject', kind: 'GitLab' },
  { file: 'pypi-attestations/pypi_attestations-0.0.19.tar.gz.provenance', filename: 'pypi_attestations-0.0.19.tar.gz', sha256: '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3', repository: 'trailofbits/pypi-attestations', kind: 'GitHub' },
];

for (const item of PROVENANCE) {
  test(`real provenance object verifies with its own publisher: ${item.file}`, { skip }, () => {
    const result = verifiers().production.verifyProvenance(json(item.file), { filename: item.filename, sha256: item.sha256 });
    assert.equal(result.status, 'verified', result.message ?? '');
    assert.equal(result.publisher?.kind, item.kind);
    assert.equal(result.provenance?.repository, item.repository);
    assert.equal(result.provenance?.publisherKind, item.kind);
    assert.ok((result.provenance?.logIndex ?? 0) > 0);
  });
}

test('sampleproject 4.0.0: what the hover gets', { skip }, () => {
  const result = verifiers().production.verifyProvenance(json('warehouse/sampleproject-4.0.0.tar.gz.provenance'), PROVENANCE[0]);
  assert.deepEqual(result.provenance, {
    publisherKind: 'GitHub',
    issuer: 'https://token.actions.githubusercontent.com',
    identity: 'https://github.com/pypa/sampleproject/.github/workflows/release.yml@refs/heads/main',
    repository: 'pypa/sampleproject',
    repositoryUrl: 'https://github.com/pypa/sampleproject',
    workflow: 'release.yml',
    workflowPath: '.github/workflows/release.yml',
    ref: 'refs/heads/main',
    commit: '621e4974ca25ce531773def586ba3ed8e736b3fc',
    runUrl: 'https://github.com/pypa/sampleproject/actions/runs/11713038981/attempts/1',
    environment: '',
    logIndex: 147137139,
    integratedTime: 1730932627,
    predicateTypes: ['https://docs.pypi.org/attestations/publish/v1'],
    attestationCount: 1,
  });
});

test('the Sigstore bundle and the PEP 740 attestation of pypi_attestation_models are the same signature', { skip }, () => {
  const converted = bundleToAttestation(json('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz.sigstore')) as Record<string, any>;
  const attestation = json('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz.attestation');
  const strip = (value: string) => value.replace(/\s+/g, '');
  assert.equal(strip(converted.verification_material.certificate), strip(attestation.verification_material.certificate));
  assert.equal(strip(converted.envelope.statement), strip(attestation.envelope.statement));
  assert.equal(strip(converted.envelope.signature), strip(attestation.envelope.signature));
});

test('non-PEP 740 bundles are refused by the conversion: messageSignature, Rekor v2', { skip }, () => {
  for (const file of ['sigstore-python/bundle_v3_github.whl.sigstore', 'sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json']) {
    assert.throws(() => bundleToAttestation(json(file)), (error: unknown) => error instanceof CheckFailure && error.check === 'bundle-format', file);
  }
});

function certificateFromPem(file: string) {
  return parseCertificate(pemToDer(read(file).toString('utf8'))[0]);
}

test('a certificate with only Source Repository Digest passes the GitHub publisher check', { skip }, () => {
  const certificate = certificateFromPem('pypi-attestations/no-source-repository-ref-extension.pem');
  checkPublisher({ kind: 'GitHub', repository: 'SWIFTSIM/swiftgalaxy', workflow: 'python-publish.yml', environment: null }, certificate);
  assert.throws(() => checkPublisher({ kind: 'GitHub', repository: 'SWIFTSIM/swiftgalaxy', workflow: 'other.yml' }, certificate), /publisher check failed/);
});

test('the Google service account certificate passes only for its e-mail', { skip }, () => {
  const certificate = certificateFromPem('pypi-attestations/200170367.pem');
  checkPublisher({ kind: 'Google', email: '919436158236-compute@developer.gserviceaccount.com' }, certificate);
  assert.throws(() => checkPublisher({ kind: 'Google', email: 'someone-else@developer.gserviceaccount.com' }, certificate), /publisher check failed/);
  assert.throws(() => checkPublisher({ kind: 'GitHub', repository: 'a/b', workflow: 'c.yml' }, certificate), /publisher check failed/);
});

// ---- tamper matrix ----

type Attestation = Record<string, any>;
const entryOf = (a: Attestation) => a.verification_material.transparency_entries[0];
const flipBase64 = (value: string, at: number) => {
  const bytes = Buffer.from(value, 'base64');
  bytes[Math.min(at, bytes.length - 1)] ^= 0x01;
  return bytes.toString('base64');
};

interface Tamper {
  name: string;
  check: CheckId;
  sigstoreJsRejects: boolean;
  /** Edits a deep copy of the attestation; may replace the distribution, signer or root. */
  apply: (attestation: Attestation, real: RealAttestation) => { distribution?: { filename: string; sha256: string }; signer?: SignerPolicy; wrongRoot?: boolean } | void;
}

const TAMPERS: Tamper[] = [
  { name: 'digest', check: 'subject-digest', sigstoreJsRejects: false, apply: (_a, real) => ({ distribution: { ...real.distribution(), sha256: 'ab'.repeat(32) } }) },
  { name: 'filename', check: 'subject-name', sigstoreJsRejects: false, apply: (_a, real) => ({ distribution: { ...real.distribution(), filename: real.distribution().filename.replace(/-(\d)/, '-9$1') } }) },
  {
    name: 'statement byte',
    check: 'tlog-body',
    sigstoreJsRejects: true,
    apply: (a) => void (a.envelope.statement = flipBase64(a.envelope.statement.replace(/\s+/g, ''), 40)),
  },
  { name: 'signature byte', check: 'tlog-body', sigstoreJsRejects: true, apply: (a) => void (a.envelope.signature = flipBase64(a.envelope.signature.replace(/\s+/g, ''), 20)) },
  {
    name: 'certificate swap',
    check: 'tlog-certificate',
    sigstoreJsRejects: true,
    apply: (a, real) => {
      const donor = REAL.find((other) => other.staging === real.staging && other.name !== real.name && (other.attestation() as Attestation).verification_material.certificate.replace(/\s+/g, '') !== a.verification_material.certificate.replace(/\s+/g, ''));
      a.verification_material.certificate = (donor!.attestation() as Attestation).verification_material.certificate;
    },
  },
  { name: 'integrated time', check: 'set', sigstoreJsRejects: true, apply: (a) => void (entryOf(a).integratedTime = String(Number(entryOf(a).integratedTime) + 1)) },
  { name: 'log index', check: 'set', sigstoreJsRejects: true, apply: (a) => void (entryOf(a).logIndex = String(Number(entryOf(a).logIndex) + 1)) },
  { name: 'SET byte', check: 'set', sigstoreJsRejects: true, apply: (a) => void (entryOf(a).inclusionPromise.signedEntryTimestamp = flipBase64(entryOf(a).inclusionPromise.signedEntryTimestamp, 30)) },
  { name: 'inclusion proof', check: 'inclusion-proof', sigstoreJsRejects: true, apply: (a) => void (entryOf(a).inclusionProof.hashes[1] = flipBase64(entryOf(a).inclusionProof.hashes[1], 5)) },
  { name: 'inclusion proof root', check: 'inclusion-proof', sigstoreJsRejects: false, apply: (a) => void (entryOf(a).inclusionProof.rootHash = flipBase64(entryOf(a).inclusionProof.rootHash, 0)) },
  {
    name: 'checkpoint signature',
    check: 'checkpoint',
    sigstoreJsRejects: true,
    apply: (a) => {
      const proof = entryOf(a).inclusionProof;
      proof.checkpoint.envelope = proof.checkpoint.envelope.replace(/ (\S+)\n$/, (_m: string, sig: string) => ` ${flipBase64(sig, 40)}\n`);
    },
  },
  { name: 'wrong root', check: 'transparency-log', sigstoreJsRejects: true, apply: () => ({ wrongRoot: true }) },
  {
    name: 'wrong publisher',
    check: 'publisher',
    sigstoreJsRejects: false,
    apply: (_a, real) => ({
      signer: 'identity' in real.signer
        ? { identity: { ...real.signer.identity, subjectAlternativeName: 'mallory@example.com' } }
        : { publisher: { ...(real.signer.publisher as object), kind: (real.signer.publisher as { kind: string }).kind, repository: 'evil/fork', email: 'mallory@example.com' } },
    }),
  },
];

for (const real of REAL) {
  for (const tamper of TAMPERS) {
    test(`tamper "${tamper.name}" of ${real.name} is rejected by the ${tamper.check} check`, { skip }, () => {
      const v = verifiers();
      const attestation = structuredClone(real.attestation()) as Attestation;
      const changes = tamper.apply(attestation, real) ?? {};
      const useStaging = changes.wrongRoot ? !real.staging : real.staging;
      const verifier = useStaging ? v.staging : v.production;
      const outcome = verifier.verifyAttestation(attestation, changes.distribution ?? real.distribution(), changes.signer ?? real.signer);
      assert.equal(outcome.status, 'invalid', `tamper accepted: ${JSON.stringify(outcome)}`);
      if (outcome.status !== 'invalid') return;
      assert.equal(outcome.check, tamper.check, outcome.message);
      const second = (useStaging ? v.stagingBaseline : v.productionBaseline).verifyAttestation(attestation);
      assert.equal(!second.ok, tamper.sigstoreJsRejects, `@sigstore/verify ${second.ok ? 'accepted' : `rejected (${second.error})`}`);
    });
  }
}

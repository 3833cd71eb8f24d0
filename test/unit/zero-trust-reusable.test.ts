/**
 * Reusable workflows. When a release workflow (`release.yml`) calls a reusable workflow that
 * signs, the Fulcio certificate's SAN and Build Signer URI name the reusable workflow while the
 * Build Config URI names the caller. PyPI (pypi-attestations' GitHubPublisher policy) matches
 * the Trusted Publisher's `workflow` against the Build Config URI — the caller — and refuses an
 * upload whose publisher names the reusable workflow ("Certificate's Build Config URI … does not
 * match expected Trusted Publisher (pypi-publish.yml @ …)"). server/src/verify/publisher.ts does
 * the same; these tests pin that down, and that the lock identity to record is the caller's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttestationVerifier } from '../../server/src/verify/verifier';
import { toFileReport } from '../../server/src/verify/result';
import type { Dependency } from '../../server/src/core/model';
import type { Publisher } from '../../server/src/core/result';
import { checkLockedIdentities } from '../../server/src/zeroTrust/identities';
import { identitiesToRecord } from '../../server/src/zeroTrust/recordIdentities';
import { createSigstoreKit, type KitAttestation } from '../support/sigstoreKit';

const kit = createSigstoreKit();
const verifier = AttestationVerifier.fromTrustedRoot(kit.trustedRoot);

const CALLER_REPO = 'octo-org/octo-pkg';
const CALLER_REF = 'refs/tags/v1.0.0';
const CALLER_COMMIT = '0123456789abcdef0123456789abcdef01234567';
const CALLER_WORKFLOW_URI = `https://github.com/${CALLER_REPO}/.github/workflows/release.yml@${CALLER_REF}`;

/** A certificate as Fulcio issues it to a job of a reusable workflow called by release.yml. */
function reusableSignature(reusableRepository: string, reusableWorkflow: string): KitAttestation {
  const reusableRef = 'refs/heads/main';
  return kit.attest({
    filename: 'octo_pkg-1.0.0-py3-none-any.whl',
    leaf: {
      // SAN and Build Signer URI: the reusable workflow (job_workflow_ref).
      identity: { kind: 'GitHub', repository: reusableRepository, workflow: reusableWorkflow, ref: reusableRef, digest: 'fedcba9876543210fedcba9876543210fedcba98' },
      // Everything about the run itself: the caller's repository, ref, commit and workflow.
      claims: {
        12: `https://github.com/${CALLER_REPO}`,
        13: CALLER_COMMIT,
        14: CALLER_REF,
        18: CALLER_WORKFLOW_URI,
        19: CALLER_COMMIT,
        21: `https://github.com/${CALLER_REPO}/actions/runs/42/attempts/1`,
      },
    },
  });
}

function provenanceWith(made: KitAttestation, publisher: Publisher) {
  return { version: 1, attestation_bundles: [{ publisher, attestations: [made.attestation] }] };
}

const CALLER_PUBLISHER: Publisher = { kind: 'GitHub', repository: CALLER_REPO, workflow: 'release.yml', environment: 'pypi' };

test('the certificate names the reusable workflow as signer and the caller as build config', () => {
  const made = reusableSignature('octo-org/shared-workflows', 'pypi-publish.yml');
  const result = verifier.verifyProvenance(provenanceWith(made, CALLER_PUBLISHER), made.distribution);
  assert.equal(result.status, 'verified', result.message ?? '');
  const outcome = result.attestations[0].outcome;
  assert.equal(outcome.status, 'verified');
  const claims = outcome.status === 'verified' ? outcome.claims : {};
  assert.equal(claims.buildSignerUri, 'https://github.com/octo-org/shared-workflows/.github/workflows/pypi-publish.yml@refs/heads/main');
  assert.equal(claims.buildConfigUri, CALLER_WORKFLOW_URI);
  assert.equal(claims.subjectAlternativeName, 'https://github.com/octo-org/shared-workflows/.github/workflows/pypi-publish.yml@refs/heads/main');
  // What the hover shows is the caller's workflow, from the publisher the certificate matched.
  assert.equal(result.provenance?.workflow, 'release.yml');
  assert.equal(result.provenance?.repository, CALLER_REPO);
  assert.equal(result.provenance?.ref, CALLER_REF);
});

test('a publisher naming the reusable workflow is refused, as PyPI refuses it', () => {
  const made = reusableSignature('octo-org/shared-workflows', 'pypi-publish.yml');
  const sameRepo = verifier.verifyProvenance(provenanceWith(made, { ...CALLER_PUBLISHER, workflow: 'pypi-publish.yml' }), made.distribution);
  assert.equal(sameRepo.status, 'invalid');
  assert.equal(sameRepo.check, 'publisher');
  assert.match(sameRepo.message ?? '', /Build Config URI/);
  const reusableRepo = verifier.verifyProvenance(provenanceWith(made, { kind: 'GitHub', repository: 'octo-org/shared-workflows', workflow: 'pypi-publish.yml', environment: null }), made.distribution);
  assert.equal(reusableRepo.status, 'invalid');
  assert.equal(reusableRepo.check, 'publisher');
});

test('a reusable workflow in the caller\'s own repository: still the caller', () => {
  const made = reusableSignature(CALLER_REPO, 'reusable-publish.yml');
  assert.equal(verifier.verifyProvenance(provenanceWith(made, CALLER_PUBLISHER), made.distribution).status, 'verified');
  assert.equal(verifier.verifyProvenance(provenanceWith(made, { ...CALLER_PUBLISHER, workflow: 'reusable-publish.yml' }), made.distribution).status, 'invalid');
});

test('the identity recorded and matched for such a release is the caller\'s', () => {
  const made = reusableSignature('octo-org/shared-workflows', 'pypi-publish.yml');
  const verification = verifier.verifyProvenance(provenanceWith(made, CALLER_PUBLISHER), made.distribution);
  const report = toFileReport(verification, made.distribution);
  assert.deepEqual(identitiesToRecord([report.publisher]), [{ kind: 'GitHub', fields: { repository: CALLER_REPO, workflow: 'release.yml', environment: 'pypi' } }]);
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 8 } };
  const locked = (fields: Record<string, string>) =>
    ({ name: 'octo-pkg', rawName: 'octo-pkg', pinnedVersion: '1.0.0', ranges: { requirement: range, name: range }, attestationIdentities: [{ kind: 'GitHub', fields, range }] }) as Pick<
      Dependency,
      'name' | 'rawName' | 'pinnedVersion' | 'attestationIdentities' | 'ranges'
    >;
  assert.deepEqual(checkLockedIdentities(locked({ repository: CALLER_REPO, workflow: 'release.yml' }), [report]).findings, []);
  const reusable = checkLockedIdentities(locked({ repository: 'octo-org/shared-workflows', workflow: 'pypi-publish.yml' }), [report]);
  assert.equal(reusable.findings.length, 1);
  assert.equal(reusable.findings[0].code, 'identity-mismatch');
});

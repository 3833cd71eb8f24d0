/**
 * Publisher identities: matching verified publishers against pylock `attestation-identities`
 * with PyPI's comparison rules, renamed repositories (two identities, both accepted), files
 * without provenance, and nothing raised when every file matches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { parsePylock } from '../../server/src/parsers/pylock';
import type { Dependency } from '../../server/src/core/model';
import type { FileReport, Publisher } from '../../server/src/core/result';
import {
  checkLockedIdentities,
  distinctPublishers,
  identityMatches,
  identityOfPublisher,
  missingIdentityFields,
  publisherKey,
  samePublisher,
} from '../../server/src/zeroTrust/identities';

const GH = (repository: string, workflow = 'release.yml', environment: string | null = null): Publisher => ({ kind: 'GitHub', repository, workflow, environment });
const GL = (repository: string, workflow_filepath = '.gitlab-ci.yml', environment: string | null = null): Publisher => ({ kind: 'GitLab', repository, workflow_filepath, environment });
const GOOGLE = (email: string): Publisher => ({ kind: 'Google', email });
const id = (kind: string, fields: Record<string, string>) => ({ kind, fields });

function lockedPackage(identities: string): Dependency {
  const text = [
    'lock-version = "1.0"',
    'created-by = "test"',
    '[[packages]]',
    'name = "sampleproject"',
    'version = "4.0.0"',
    `sdist = { name = "sampleproject-4.0.0.tar.gz", url = "https://files.example/sampleproject-4.0.0.tar.gz", hashes = { sha256 = "${'a'.repeat(64)}" } }`,
    `wheels = [{ name = "sampleproject-4.0.0-py3-none-any.whl", url = "https://files.example/sampleproject-4.0.0-py3-none-any.whl", hashes = { sha256 = "${'b'.repeat(64)}" } }]`,
    identities,
    '',
  ].join('\n');
  const parsed = parsePylock(text);
  assert.deepEqual(parsed.problems, []);
  return parsed.dependencies[0];
}

function file(filename: string, status: FileReport['status'], publisher: Publisher | null): FileReport {
  return { filename, sha256: 'c'.repeat(64), status, publisher, message: null };
}

const SDIST = 'sampleproject-4.0.0.tar.gz';
const WHEEL = 'sampleproject-4.0.0-py3-none-any.whl';

test('GitHub: repository is compared case-insensitively, the workflow exactly', () => {
  const recorded = id('GitHub', { repository: 'PyPA/SampleProject', workflow: 'release.yml' });
  assert.equal(identityMatches(recorded, GH('pypa/sampleproject')), true);
  assert.equal(identityMatches(recorded, GH('pypa/sampleproject', 'Release.yml')), false);
  assert.equal(identityMatches(recorded, GH('pypa/sampleproject', 'deploy.yml')), false);
  assert.equal(identityMatches(recorded, GH('pypa/other')), false);
  assert.equal(identityMatches(recorded, GL('pypa/sampleproject', 'release.yml')), false, 'another kind never matches');
});

test('an identity without environment accepts any; one with an environment needs it (GitHub: any case, GitLab: exact)', () => {
  const any = id('GitHub', { repository: 'a/b', workflow: 'release.yml' });
  assert.equal(identityMatches(any, GH('a/b', 'release.yml', 'pypi')), true);
  assert.equal(identityMatches(any, GH('a/b', 'release.yml', null)), true);
  const pinnedEnv = id('GitHub', { repository: 'a/b', workflow: 'release.yml', environment: 'PyPI' });
  assert.equal(identityMatches(pinnedEnv, GH('a/b', 'release.yml', 'pypi')), true);
  assert.equal(identityMatches(pinnedEnv, GH('a/b', 'release.yml', 'release')), false);
  assert.equal(identityMatches(pinnedEnv, GH('a/b', 'release.yml', null)), false);
  assert.equal(identityMatches(pinnedEnv, GH('a/b', 'release.yml', '')), false);
  const gitlab = id('GitLab', { repository: 'Group/Sub/Project', workflow_filepath: 'ci/release.yml', environment: 'Prod' });
  assert.equal(identityMatches(gitlab, GL('group/sub/project', 'ci/release.yml', 'Prod')), true);
  assert.equal(identityMatches(gitlab, GL('group/sub/project', 'ci/release.yml', 'prod')), false);
  assert.equal(identityMatches(gitlab, GL('group/sub/project', 'ci/Release.yml', 'Prod')), false);
});

test('Google: the e-mail exactly; unknown kinds: every recorded field exactly', () => {
  assert.equal(identityMatches(id('Google', { email: 'sa@p.iam.gserviceaccount.com' }), GOOGLE('sa@p.iam.gserviceaccount.com')), true);
  assert.equal(identityMatches(id('Google', { email: 'sa@p.iam.gserviceaccount.com' }), GOOGLE('other@p.iam.gserviceaccount.com')), false);
  assert.equal(identityMatches(id('ActiveState', { organization: 'o', project: 'p' }), { kind: 'ActiveState', organization: 'o', project: 'p', actor: 'x' }), true);
  assert.equal(identityMatches(id('ActiveState', { organization: 'o', project: 'p' }), { kind: 'ActiveState', organization: 'O', project: 'p' }), false);
});

test('a recorded identity lacking a required field matches nothing', () => {
  const incomplete = id('GitHub', { repository: 'a/b' });
  assert.deepEqual(missingIdentityFields(incomplete), ['workflow']);
  assert.equal(identityMatches(incomplete, GH('a/b')), false);
  assert.equal(identityMatches(id('Google', {}), GOOGLE('x@y')), false);
  assert.equal(identityMatches(id('GitHub', { repository: 'a/b', workflow: 'release.yml' }), { kind: 'GitHub', repository: 'a/b' }), false);
});

test('samePublisher: identity fields only, case rules as PyPI, environment null equals ""', () => {
  assert.equal(samePublisher(GH('Pypa/Sampleproject', 'release.yml', null), GH('pypa/sampleproject', 'release.yml', '')), true);
  assert.equal(samePublisher(GH('a/b', 'release.yml', 'PyPI'), GH('a/b', 'release.yml', 'pypi')), true);
  assert.equal(samePublisher(GH('a/b', 'release.yml', 'pypi'), GH('a/b', 'release.yml', null)), false, 'a new environment is a new configuration');
  assert.equal(samePublisher(GH('a/b'), GH('a/b', 'deploy.yml')), false);
  assert.equal(samePublisher({ ...GH('a/b'), claims: { sha: '1' } }, { ...GH('a/b'), claims: { sha: '2' } }), true, 'claims are not identity');
  assert.equal(samePublisher(GL('g/p', 'x.yml', 'Prod'), GL('g/p', 'x.yml', 'prod')), false);
  assert.equal(samePublisher(GOOGLE('a@b'), GOOGLE('a@b')), true);
  assert.equal(samePublisher(GH('a/b'), GL('a/b', 'release.yml')), false);
  assert.equal(distinctPublishers([GH('a/b'), GH('A/B'), null, GH('c/d'), undefined]).length, 2);
});

test('publisherKey is equal exactly when samePublisher says so (property)', () => {
  const repo = fc.constantFrom('a/b', 'A/b', 'a/B', 'c/d');
  const workflow = fc.constantFrom('release.yml', 'Release.yml', 'deploy.yml');
  const environment = fc.constantFrom(null, '', 'pypi', 'PyPI', 'release');
  const publisher = fc.record({ kind: fc.constantFrom('GitHub', 'GitLab'), repository: repo, workflow, workflow_filepath: workflow, environment });
  fc.assert(
    fc.property(publisher, publisher, (a, b) => {
      const expected =
        a.kind === b.kind &&
        a.repository.toLowerCase() === b.repository.toLowerCase() &&
        (a.kind === 'GitHub' ? a.workflow === b.workflow : a.workflow_filepath === b.workflow_filepath) &&
        (a.kind === 'GitHub' ? (a.environment ?? '').toLowerCase() === (b.environment ?? '').toLowerCase() : (a.environment ?? '') === (b.environment ?? ''));
      assert.equal(publisherKey(a) === publisherKey(b), expected);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('identityOfPublisher: the fields a lock records, environment only when set', () => {
  assert.deepEqual(identityOfPublisher(GH('pypa/sampleproject', 'release.yml', '')), { kind: 'GitHub', fields: { repository: 'pypa/sampleproject', workflow: 'release.yml' } });
  assert.deepEqual(identityOfPublisher(GH('a/b', 'release.yml', 'pypi')), { kind: 'GitHub', fields: { repository: 'a/b', workflow: 'release.yml', environment: 'pypi' } });
  assert.deepEqual(identityOfPublisher(GL('g/p', '.gitlab-ci.yml')), { kind: 'GitLab', fields: { repository: 'g/p', workflow_filepath: '.gitlab-ci.yml' } });
  assert.deepEqual(identityOfPublisher(GOOGLE('x@y')), { kind: 'Google', fields: { email: 'x@y' } });
  assert.equal(identityOfPublisher({ kind: 'GitHub', repository: 'a/b' }), undefined);
  assert.deepEqual(identityOfPublisher({ kind: 'Other', b: '2', a: '1', claims: { x: 1 } }), { kind: 'Other', fields: { a: '1', b: '2' } });
  // Keys are data: a `__proto__` field from JSON is an ordinary field, never a prototype.
  const odd = identityOfPublisher(JSON.parse('{"kind":"Other","__proto__":"x","constructor":"y"}'));
  assert.deepEqual(Object.entries(odd!.fields), [['__proto__', 'x'], ['constructor', 'y']]);
  assert.equal(Object.getPrototypeOf(odd!.fields), Object.prototype);
  assert.equal(identityMatches({ kind: 'Other', fields: { toString: 'x' } }, { kind: 'Other' }), false, 'inherited members are not fields');
});

test('clean: every locked file verified by a recorded publisher raises nothing', () => {
  const dependency = lockedPackage('[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "pypa/sampleproject"\nworkflow = "release.yml"');
  const check = checkLockedIdentities(dependency, [file(SDIST, 'verified', GH('pypa/sampleproject')), file(WHEEL, 'verified', GH('PyPA/sampleproject'))]);
  assert.deepEqual(check.findings, []);
  assert.deepEqual(check.files.map((f) => f.outcome), ['matched', 'matched']);
});

test('no recorded identities: nothing is checked', () => {
  const dependency = lockedPackage('');
  const check = checkLockedIdentities(dependency, [file(SDIST, 'verified', GH('evil/fork')), file(WHEEL, 'unattested', null)]);
  assert.deepEqual(check, { findings: [], files: [] });
});

test('renamed repository: two identities recorded, files from either are accepted', () => {
  const dependency = lockedPackage(
    [
      '[[packages.attestation-identities]]',
      'kind = "GitHub"',
      'repository = "old-org/sampleproject"',
      'workflow = "release.yml"',
      '[[packages.attestation-identities]]',
      'kind = "GitHub"',
      'repository = "new-org/sampleproject"',
      'workflow = "release.yml"',
    ].join('\n'),
  );
  assert.equal(dependency.attestationIdentities?.length, 2);
  const check = checkLockedIdentities(dependency, [file(SDIST, 'verified', GH('old-org/sampleproject')), file(WHEEL, 'verified', GH('new-org/sampleproject'))]);
  assert.deepEqual(check.findings, []);
});

test('a verified publisher matching no recorded identity is identity-mismatch naming both', () => {
  const dependency = lockedPackage('[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "pypa/sampleproject"\nworkflow = "release.yml"');
  const check = checkLockedIdentities(dependency, [file(SDIST, 'verified', GH('pypa/sampleproject')), file(WHEEL, 'verified', GH('evil/fork', 'release.yml', 'pypi'))], { dependencyIndex: 3 });
  assert.equal(check.findings.length, 1);
  const [finding] = check.findings;
  assert.equal(finding.code, 'identity-mismatch');
  assert.equal(finding.dependency, 3);
  assert.deepEqual(finding.range, dependency.ranges.requirement);
  assert.equal(
    finding.message,
    `Publisher differs from the one recorded in the lock: sampleproject 4.0.0 is published by github.com/evil/fork (release.yml, environment pypi) (${WHEEL}), not by github.com/pypa/sampleproject (release.yml)`,
  );
  assert.deepEqual(check.files.map((f) => f.outcome), ['matched', 'mismatch']);
});

test('every file by one wrong publisher: one finding, no file list', () => {
  const dependency = lockedPackage('attestation-identities = [{ kind = "GitHub", repository = "pypa/sampleproject", workflow = "release.yml", environment = "pypi" }]');
  const check = checkLockedIdentities(dependency, [file(SDIST, 'verified', GH('pypa/sampleproject')), file(WHEEL, 'verified', GH('pypa/sampleproject'))]);
  assert.equal(check.findings.length, 1, 'the recorded environment is missing from the publisher');
  assert.match(check.findings[0].message, /^Publisher differs from the one recorded in the lock: sampleproject 4\.0\.0 is published by github\.com\/pypa\/sampleproject \(release\.yml, no environment\), not by github\.com\/pypa\/sampleproject \(release\.yml, environment pypi\)$/);
});

test('recorded identities and a file without provenance is identity-mismatch', () => {
  const dependency = lockedPackage('[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "pypa/sampleproject"\nworkflow = "release.yml"');
  const some = checkLockedIdentities(dependency, [file(SDIST, 'verified', GH('pypa/sampleproject')), file(WHEEL, 'unattested', null)]);
  assert.equal(some.findings.length, 1);
  assert.equal(some.findings[0].code, 'identity-mismatch');
  assert.equal(some.findings[0].message, `No provenance for the recorded publisher: the lock records the publisher github.com/pypa/sampleproject (release.yml) for sampleproject 4.0.0, but ${WHEEL} has no attestations`);
  const none = checkLockedIdentities(dependency, [file(SDIST, 'unattested', null), file(WHEEL, 'unattested', null)]);
  assert.equal(none.findings.length, 1);
  assert.equal(none.findings[0].message, 'No provenance for the recorded publisher: the lock records the publisher github.com/pypa/sampleproject (release.yml) for sampleproject 4.0.0, but none of its files has attestations');
});

test('invalid, error and pending files are left to other findings', () => {
  const dependency = lockedPackage('[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "pypa/sampleproject"\nworkflow = "release.yml"');
  const check = checkLockedIdentities(dependency, [file(SDIST, 'invalid', GH('evil/fork')), file(WHEEL, 'error', null), file('x.whl', 'pending', null)]);
  assert.deepEqual(check.findings, []);
  assert.deepEqual(check.files.map((f) => f.outcome), ['not-checked', 'not-checked', 'not-checked']);
});

test('every bundle publisher of a file must match, not just the first', () => {
  const dependency = lockedPackage('[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "pypa/sampleproject"\nworkflow = "release.yml"');
  const check = checkLockedIdentities(dependency, [
    { filename: SDIST, status: 'verified', publisher: GH('pypa/sampleproject'), attestations: [{ publisher: GH('pypa/sampleproject') }, { publisher: GH('evil/fork') }] },
  ]);
  assert.equal(check.findings.length, 1);
  assert.match(check.findings[0].message, /github\.com\/evil\/fork/);
});

test('hostile publisher values never throw and are shown safely', () => {
  const dependency = lockedPackage('[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "pypa/sampleproject"\nworkflow = "release.yml"');
  const hostile: Publisher = { kind: 'GitHub', repository: 'evil/\u202eeman\nnext line' + 'x'.repeat(500), workflow: { toString: () => 'boom' } as unknown as string, environment: 42 as unknown as string };
  const check = checkLockedIdentities(dependency, [file(SDIST, 'verified', hostile), file(WHEEL, 'verified', { kind: 7 } as unknown as Publisher)]);
  assert.equal(check.findings.length, 2);
  for (const finding of check.findings) {
    assert.doesNotMatch(finding.message, /[\n\u202e]/);
    assert.ok(finding.message.length < 600);
  }
});

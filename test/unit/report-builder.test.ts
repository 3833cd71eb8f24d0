// pipeline/report.ts: the CONTRACT §5 report of a document from its parse, findings and per-dependency results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import type { DiagnosticCode } from '../../server/src/core/codes';
import type { Finding } from '../../server/src/core/finding';
import type { Dependency, ParsedDocument } from '../../server/src/core/model';
import { STATUS_PRECEDENCE, type FileReport, type Publisher, type Status } from '../../server/src/core/result';
import { localFindings } from '../../server/src/checks/local';
import { parseDocument } from '../../server/src/parsers/index';
import type { DependencyResult } from '../../server/src/pipeline/contract/dependencyResult';
import { REPORT_STATUS_ORDER, buildDocumentReport, dependencyStatus, filesStatus } from '../../server/src/pipeline/report';

const GITHUB: Publisher = { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' };
const OTHER: Publisher = { kind: 'GitHub', repository: 'evil/fork', workflow: 'release.yml', environment: '' };

function file(status: Status, publisher: Publisher | null = null, filename = `f-${status}.whl`): FileReport {
  return { filename, sha256: 'ab'.repeat(32), status, publisher, message: null };
}

function requirements(text: string): ParsedDocument {
  return parseDocument('requirements', text);
}

const PINNED: Dependency = requirements('sampleproject==4.0.0\n').dependencies[0];
const UNPINNED: Dependency = requirements('sampleproject>=4\n').dependencies[0];

test('one entry per dependency: normalized name, pinned version or null, the requirement range, codes found for it', () => {
  const parsed = requirements('Sample_Project==4.0.0 --hash=md5:0123456789abcdef0123456789abcdef\nrequests>=2\n-e ./local\nbad name!\n');
  const findings = localFindings(parsed);
  const report = buildDocumentReport('file:///w/requirements.txt', parsed, findings);
  assert.equal(report.uri, 'file:///w/requirements.txt');
  assert.deepEqual(
    report.dependencies.map((d) => [d.name, d.version, d.status, d.diagnostics]),
    [
      ['sample-project', '4.0.0', 'pending', ['weak-hash']],
      ['requests', null, 'unpinned', ['unpinned', 'missing-hashes']],
      [parsed.dependencies[2].name, null, 'unpinned', ['unpinned', 'missing-hashes']],
    ],
  );
  parsed.dependencies.forEach((dependency, i) => assert.deepEqual(report.dependencies[i].range, dependency.ranges.requirement));
  for (const dependency of report.dependencies) {
    assert.equal(dependency.publisher, null);
    assert.deepEqual(dependency.files, []);
  }
});

test('diagnostics: every code once, in the order found, whatever its severity; findings of no or unknown dependency ignored', () => {
  const parsed = requirements('a==1\nb==2\n');
  const range = parsed.dependencies[0].ranges.requirement;
  const findings: Finding[] = [
    { code: 'yanked', message: 'm', range, dependency: 0 },
    { code: 'late-upload', message: 'm', range, dependency: 0 },
    { code: 'yanked', message: 'again', range, dependency: 0 },
    { code: 'syntax', message: 'm', range },
    { code: 'index-error', message: 'm', range, dependency: 7 },
    { code: 'index-error', message: 'm', range, dependency: -1 },
  ];
  const report = buildDocumentReport('u', parsed, findings);
  assert.deepEqual(report.dependencies[0].diagnostics, ['yanked', 'late-upload']);
  assert.deepEqual(report.dependencies[1].diagnostics, []);
});

test('ranges as the contract says for pyproject (inside the quotes) and pylock (inside the name quotes)', () => {
  const pyproject = parseDocument('pyproject', '[project]\nname = "x"\ndependencies = ["attrs==25.1.0"]\n');
  assert.deepEqual(buildDocumentReport('u', pyproject, []).dependencies[0].range, { start: { line: 2, character: 17 }, end: { line: 2, character: 30 } });
  const pylock = parseDocument('pylock', 'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "attrs"\nversion = "25.1.0"\n[packages.sdist]\nname = "attrs-25.1.0.tar.gz"\nurl = "https://files.example/attrs-25.1.0.tar.gz"\nhashes = {sha256 = "' + 'ab'.repeat(32) + '"}\n');
  const [attrs] = buildDocumentReport('u', pylock, []).dependencies;
  assert.deepEqual([attrs.name, attrs.version, attrs.status], ['attrs', '25.1.0', 'pending']);
  assert.deepEqual(attrs.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 13 } });
});

test('files and publisher come from the later stages; the publisher defaults to the first verified file', () => {
  const parsed = requirements('sampleproject==4.0.0\n');
  const files = [file('unattested', null, 'a.tar.gz'), file('verified', GITHUB, 'a.whl')];
  const [dependency] = buildDocumentReport('u', parsed, [], () => ({ files })).dependencies;
  assert.equal(dependency.status, 'partial');
  assert.deepEqual(dependency.publisher, GITHUB);
  assert.deepEqual(dependency.files, files);
  // A result's own publisher wins, null included.
  assert.equal(buildDocumentReport('u', parsed, [], () => ({ files, publisher: null })).dependencies[0].publisher, null);
  assert.deepEqual(buildDocumentReport('u', parsed, [], () => ({ files, publisher: OTHER })).dependencies[0].publisher, OTHER);
  // An invalid file's publisher is not the dependency's.
  assert.equal(buildDocumentReport('u', parsed, [], () => ({ files: [file('invalid', OTHER)] })).dependencies[0].publisher, null);
});

test('the results lookup gets the index and the dependency; one that throws leaves that dependency pending', () => {
  const parsed = requirements('a==1\nb==2\n');
  const asked: Array<[number, string]> = [];
  const report = buildDocumentReport('u', parsed, [], (index, dependency) => {
    asked.push([index, dependency.name]);
    if (index === 0) throw new Error('boom');
    return { files: [file('verified', GITHUB)] };
  });
  assert.deepEqual(asked, [
    [0, 'a'],
    [1, 'b'],
  ]);
  assert.deepEqual(report.dependencies.map((d) => d.status), ['pending', 'verified']);
});

const CASES: Array<[string, Dependency, DiagnosticCode[], DependencyResult | undefined, Status]> = [
  ['pinned, nothing known yet', PINNED, [], undefined, 'pending'],
  ['unpinned', UNPINNED, ['unpinned'], undefined, 'unpinned'],
  ['unpinned even with a result', UNPINNED, [], { files: [file('verified')] }, 'unpinned'],
  ['all files verified', PINNED, [], { files: [file('verified'), file('verified')] }, 'verified'],
  ['no file attested', PINNED, ['no-provenance'], { files: [file('unattested'), file('unattested')] }, 'unattested'],
  ['some attested', PINNED, ['partial-provenance'], { files: [file('verified'), file('unattested')] }, 'partial'],
  ['one invalid file', PINNED, ['attestation-invalid'], { files: [file('verified'), file('invalid')] }, 'invalid'],
  ['identity-mismatch forces invalid over verified files', PINNED, ['identity-mismatch'], { files: [file('verified')] }, 'invalid'],
  ['hash-not-on-index forces invalid', PINNED, ['hash-not-on-index'], { files: [file('verified')] }, 'invalid'],
  ['hash-not-on-index forces invalid on a pylock package without version', UNPINNED, ['hash-not-on-index'], undefined, 'invalid'],
  ['project-not-found', PINNED, ['project-not-found'], undefined, 'not-found'],
  ['version-not-found with a status from the stage', PINNED, ['version-not-found'], { status: 'not-found' }, 'not-found'],
  ['index-error and nothing else known', PINNED, ['index-error'], undefined, 'error'],
  ['index-error but a (cached) result', PINNED, ['index-error'], { files: [file('verified')] }, 'verified'],
  ['the stage says error', PINNED, [], { status: 'error' }, 'error'],
  ['files still being verified', PINNED, [], { files: [file('verified'), file('pending')] }, 'pending'],
  ['a settled failure wins over pending files', PINNED, [], { files: [file('invalid'), file('pending')] }, 'invalid'],
  ['the stage is still working', PINNED, [], { status: 'pending', files: [file('verified')] }, 'pending'],
  ['not-found wins over partial', PINNED, ['partial-provenance', 'project-not-found'], undefined, 'not-found'],
  ['error wins over not-found', PINNED, [], { status: 'not-found', files: [file('error')] }, 'error'],
  ['codes that imply no status', PINNED, ['yanked', 'late-upload', 'publisher-changed', 'weak-hash'], undefined, 'pending'],
];

for (const [name, dependency, codes, result, expected] of CASES) {
  test(`status: ${name} → ${expected}`, () => {
    assert.equal(dependencyStatus(dependency, codes, result), expected);
  });
}

test('filesStatus: undefined for none; failures, then pending, then all-verified / all-unattested / partial', () => {
  assert.equal(filesStatus([]), undefined);
  assert.equal(filesStatus([file('verified')]), 'verified');
  assert.equal(filesStatus([file('unattested'), file('verified'), file('partial')]), 'partial');
  assert.equal(filesStatus([file('pending'), file('not-found')]), 'not-found');
  assert.equal(filesStatus([file('error'), file('invalid')]), 'invalid');
});

test('REPORT_STATUS_ORDER keeps STATUS_PRECEDENCE and places pending after the settled failures', () => {
  const withoutExtras = REPORT_STATUS_ORDER.filter((s) => s !== 'pending' && s !== 'unpinned');
  assert.deepEqual(withoutExtras, STATUS_PRECEDENCE);
  assert.deepEqual(REPORT_STATUS_ORDER.slice(0, 4), ['invalid', 'error', 'not-found', 'pending']);
});

const STATUSES: Status[] = ['verified', 'unattested', 'partial', 'invalid', 'unpinned', 'not-found', 'error', 'pending'];
const CODES: DiagnosticCode[] = ['attestation-invalid', 'project-not-found', 'version-not-found', 'partial-provenance', 'no-provenance', 'index-error', 'yanked', 'late-upload'];

test('property: a pinned dependency gets the first applicable status in REPORT_STATUS_ORDER, never unpinned unless a stage says so', () => {
  fc.assert(
    fc.property(
      fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
      fc.array(fc.constantFrom(...STATUSES.filter((s) => s !== 'unpinned')), { maxLength: 4 }),
      fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 4 }),
      (status, fileStatuses, codes) => {
        const result: DependencyResult = { status, files: fileStatuses.map((s) => file(s)) };
        const got = dependencyStatus(PINNED, codes, result);
        assert.ok(STATUSES.includes(got));
        // Invalid whenever anything says invalid; never verified when anything is not verified.
        const anyInvalid = status === 'invalid' || fileStatuses.includes('invalid') || codes.includes('attestation-invalid');
        assert.equal(got === 'invalid', anyInvalid);
        if (got === 'verified') {
          assert.ok(fileStatuses.every((s) => s === 'verified') && (status === undefined || status === 'verified'));
          assert.ok(!codes.some((c) => ['project-not-found', 'version-not-found', 'partial-provenance', 'no-provenance'].includes(c)));
        }
        if (got === 'unpinned') assert.equal(status, 'unpinned');
        // Forcing codes win over everything.
        assert.equal(dependencyStatus(PINNED, [...codes, 'identity-mismatch'], result), 'invalid');
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('property: never throws on any parse of any text, and every dependency is reported once', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      for (const format of ['requirements', 'pyproject', 'pylock'] as const) {
        const parsed = parseDocument(format, text);
        const report = buildDocumentReport('u', parsed, localFindings(parsed));
        assert.equal(report.dependencies.length, parsed.dependencies.length);
      }
    }),
    { numRuns: fuzzRuns(200) },
  );
});

/**
 * `Record attestation identities`: the edit writes verified publishers into the right pylock
 * package (whatever subtables follow it, inline tables, inline arrays of identities), keeps every
 * other byte, and the edited text parses back with the identities on that package only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { Dependency } from '../../server/src/core/model';
import type { Publisher } from '../../server/src/core/result';
import { parsePylock } from '../../server/src/parsers/pylock';
import { applyTextEdits, identitiesToRecord, recordIdentitiesEdit, recordIdentitiesEdits, type TextEdit } from '../../server/src/zeroTrust/recordIdentities';

const fixtures = path.resolve(__dirname, '../..', '../shared/fixtures');
const HEAD = 'lock-version = "1.0"\ncreated-by = "test"\n';
const SHA = 'a'.repeat(64);
const A: Publisher = { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' };
const B: Publisher = { kind: 'GitHub', repository: 'new-org/sampleproject', workflow: 'release.yml', environment: 'pypi' };

/** Dependencies without positions, to compare before and after an edit. */
function positionless(dependencies: Dependency[]): unknown {
  return JSON.parse(JSON.stringify(dependencies, (key, value) => (key === 'range' || key === 'ranges' ? undefined : value)));
}

function identities(dependency: Dependency): { kind: string; fields: Record<string, string> }[] {
  return (dependency.attestationIdentities ?? []).map(({ kind, fields }) => ({ kind, fields }));
}

/** Applies the edit and checks: bytes outside it unchanged, valid pylock, identities on package `index` only. */
function applyAndCheck(text: string, edit: TextEdit, index: number, expected: { kind: string; fields: Record<string, string> }[]): string {
  const before = parsePylock(text);
  const after = applyTextEdits(text, [edit]);
  const lines = new LineIndex(text);
  const start = lines.offsetAt(edit.range.start);
  const end = lines.offsetAt(edit.range.end);
  assert.ok(after.startsWith(text.slice(0, start)) && after.endsWith(text.slice(end)), 'bytes outside the edit are kept');
  const parsed = parsePylock(after);
  assert.deepEqual(parsed.problems, before.problems.length === 0 ? [] : parsed.problems, 'no new problems');
  assert.deepEqual(identities(parsed.dependencies[index]), expected);
  const others = (deps: Dependency[]) => positionless(deps.map((dep, i) => (i === index ? { ...dep, attestationIdentities: undefined } : dep)));
  assert.deepEqual(others(parsed.dependencies), others(before.dependencies), 'nothing else changed');
  return after;
}

const GH_A = { kind: 'GitHub', fields: { repository: 'pypa/sampleproject', workflow: 'release.yml' } };
const GH_B = { kind: 'GitHub', fields: { repository: 'new-org/sampleproject', workflow: 'release.yml', environment: 'pypi' } };

function dependencyNamed(text: string, name: string, nth = 0): Dependency {
  return parsePylock(text).dependencies.filter((dep) => dep.name === name)[nth];
}

test('a [[packages]] package followed by [[packages.wheels]] and [packages.tool] tables, then another package', () => {
  const text = [
    HEAD,
    '[[packages]]',
    'name = "sampleproject"',
    'version = "4.0.0"',
    '',
    '[[packages.wheels]]',
    'name = "sampleproject-4.0.0-py3-none-any.whl"',
    'url = "https://files.example/sampleproject-4.0.0-py3-none-any.whl"',
    `hashes = { sha256 = "${SHA}" }  # the wheel`,
    '',
    '[packages.tool.x]',
    'y = 1',
    '',
    '# the next package',
    '[[packages]]',
    'name = "other"',
    'version = "1.0"',
    `sdist = { url = "https://files.example/other-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }`,
    '',
  ].join('\n');
  const result = recordIdentitiesEdit(text, dependencyNamed(text, 'sampleproject'), [A, A, B, null]);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.equal(result.edit.range.start.line, result.edit.range.end.line);
  const after = applyAndCheck(text, result.edit, 0, [GH_A, GH_B]);
  assert.match(after, /y = 1\n\n\[\[packages\.attestation-identities\]\]\nkind = "GitHub"\nrepository = "pypa\/sampleproject"\nworkflow = "release\.yml"\n\n\[\[packages\.attestation-identities\]\]\nkind = "GitHub"\nrepository = "new-org\/sampleproject"\nworkflow = "release\.yml"\nenvironment = "pypi"\n\n# the next package/);
  assert.deepEqual(identities(parsePylock(after).dependencies[1]), []);
  assert.deepEqual(result.added, [GH_A, GH_B]);
});

test('the last package, at the end of a file without a final newline', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }  # last`;
  const result = recordIdentitiesEdit(text, dependencyNamed(text, 'a'), [A]);
  assert.ok(result.ok);
  const after = applyAndCheck(text, result.edit, 0, [GH_A]);
  assert.ok(after.startsWith(text + '\n\n[[packages.attestation-identities]]\n'));
});

test('the PEP 751 example: attrs already records an identity, a renamed repository is appended (indented like its tables)', (t) => {
  const file = path.join(fixtures, 'packaging.python.org/pylock.example.toml');
  if (!existsSync(file)) return t.skip(`fixture missing: ${file}`);
  const text = readFileSync(file, 'utf8');
  const attrs = dependencyNamed(text, 'attrs');
  const recorded = { kind: 'GitHub', fields: { environment: 'release-pypi', repository: 'python-attrs/attrs', workflow: 'pypi-package.yml' } };
  assert.deepEqual(identities(attrs), [recorded]);
  const same = { kind: 'GitHub', repository: 'Python-Attrs/attrs', workflow: 'pypi-package.yml', environment: 'Release-PyPI' };
  assert.deepEqual(recordIdentitiesEdit(text, attrs, [same]), { ok: false, reason: 'these identities are already recorded' });
  const renamed = { kind: 'GitHub', repository: 'attrs-org/attrs', workflow: 'pypi-package.yml', environment: 'release-pypi' };
  const result = recordIdentitiesEdit(text, attrs, [same, renamed]);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.deepEqual(result.added, [{ kind: 'GitHub', fields: { repository: 'attrs-org/attrs', workflow: 'pypi-package.yml', environment: 'release-pypi' } }]);
  const after = applyAndCheck(text, result.edit, 0, [recorded, result.added[0]]);
  assert.match(after, /\n\n    \[\[packages\.attestation-identities\]\]\n    kind = "GitHub"\n    repository = "attrs-org\/attrs"\n/);
  // cattrs, right after, gets its own.
  const cattrs = dependencyNamed(after, 'cattrs');
  const second = recordIdentitiesEdit(after, cattrs, [A]);
  assert.ok(second.ok);
  applyAndCheck(after, second.edit, 1, [GH_A]);
});

test('a real uv export (inline sdist and wheels): the identities land on the package asked for', (t) => {
  const file = path.join(fixtures, 'pylock-attestations/pylock.uv-export.toml');
  if (!existsSync(file)) return t.skip(`fixture missing: ${file}`);
  const text = readFileSync(file, 'utf8');
  const dependencies = parsePylock(text).dependencies;
  const index = dependencies.findIndex((dep) => dep.name === 'betterproto');
  assert.ok(index > 0);
  const result = recordIdentitiesEdit(text, dependencies[index], [B]);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  applyAndCheck(text, result.edit, index, [GH_B]);
  // The whole-file variant over every package.
  const all = recordIdentitiesEdits(text, dependencies.map((dependency) => ({ dependency, publishers: [A] })));
  assert.deepEqual(all.skipped, []);
  assert.equal(all.edits.length, dependencies.length);
  const edited = parsePylock(applyTextEdits(text, all.edits));
  assert.deepEqual(edited.problems, []);
  assert.equal(edited.dependencies.length, dependencies.length);
  for (const dependency of edited.dependencies) assert.deepEqual(identities(dependency), [GH_A], dependency.name);
  assert.deepEqual(positionless(edited.dependencies.map((dep) => ({ ...dep, attestationIdentities: undefined }))), positionless(dependencies));
});

test('identities written as a one-line inline array are extended inside it', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\nattestation-identities = [{ kind = "GitHub", repository = "pypa/sampleproject", workflow = "release.yml" }]  # old\n\n[[packages]]\nname = "b"\nversion = "1.0"\nsdist = { url = "https://x/b-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n`;
  const result = recordIdentitiesEdit(text, dependencyNamed(text, 'a'), [A, B]);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  const after = applyAndCheck(text, result.edit, 0, [GH_A, GH_B]);
  assert.match(after, /workflow = "release\.yml" \}, \{ kind = "GitHub", repository = "new-org\/sampleproject", workflow = "release\.yml", environment = "pypi" \}\]  # old\n/);
});

test('a multi-line inline array: one new element per line, trailing comma and comments kept', () => {
  const withComma = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\nattestation-identities = [\n    { kind = "GitHub", repository = "pypa/sampleproject", workflow = "release.yml" },  # old name\n]\n`;
  const result = recordIdentitiesEdit(withComma, dependencyNamed(withComma, 'a'), [B]);
  assert.ok(result.ok);
  const after = applyAndCheck(withComma, result.edit, 0, [GH_A, GH_B]);
  assert.match(after, /"release\.yml" \},  # old name\n    \{ kind = "GitHub", repository = "new-org\/sampleproject", workflow = "release\.yml", environment = "pypi" \},\n\]\n/);

  const without = withComma.replace('},  # old name', '}  # old name');
  const second = recordIdentitiesEdit(without, dependencyNamed(without, 'a'), [B]);
  assert.ok(second.ok);
  const after2 = applyAndCheck(without, second.edit, 0, [GH_A, GH_B]);
  assert.match(after2, /"release\.yml" \},  # old name\n    \{ kind = "GitHub", repository = "new-org\/sampleproject", workflow = "release\.yml", environment = "pypi" \}\n\]\n/);

  const closedOnLine = withComma.replace('},  # old name\n]', '}]');
  const third = recordIdentitiesEdit(closedOnLine, dependencyNamed(closedOnLine, 'a'), [B]);
  assert.ok(third.ok);
  applyAndCheck(closedOnLine, third.edit, 0, [GH_A, GH_B]);
});

test('an empty inline array gets the identities; a non-array value is refused', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nattestation-identities = []\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n`;
  const result = recordIdentitiesEdit(text, dependencyNamed(text, 'a'), [A]);
  assert.ok(result.ok);
  applyAndCheck(text, result.edit, 0, [GH_A]);
  const bad = text.replace('attestation-identities = []', 'attestation-identities = "GitHub"');
  const parsed = parsePylock(bad).dependencies[0];
  assert.deepEqual(recordIdentitiesEdit(bad, parsed, [A]), { ok: false, reason: '`attestation-identities` of the package is not an array' });
});

test('packages as an inline array of inline tables: an inline key on the right one', () => {
  const text = `${HEAD}packages = [\n  { name = "a", version = "1.0", sdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } } },\n  { name = "b", version = "2.0", sdist = { url = "https://x/b-2.0.tar.gz", hashes = { sha256 = "${SHA}" } } },\n]\n`;
  const b = dependencyNamed(text, 'b');
  const result = recordIdentitiesEdit(text, b, [{ kind: 'GitLab', repository: 'g/p', workflow_filepath: '.gitlab-ci.yml', environment: null }, { kind: 'Google', email: 'sa@p.iam.gserviceaccount.com' }]);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  const after = applyAndCheck(text, result.edit, 1, [
    { kind: 'GitLab', fields: { repository: 'g/p', workflow_filepath: '.gitlab-ci.yml' } },
    { kind: 'Google', fields: { email: 'sa@p.iam.gserviceaccount.com' } },
  ]);
  assert.match(after, /hashes = \{ sha256 = "a+" \} \}, attestation-identities = \[\{ kind = "GitLab", repository = "g\/p", workflow_filepath = "\.gitlab-ci\.yml" \}, \{ kind = "Google", email = "sa@p\.iam\.gserviceaccount\.com" \}\] \},\n\]/);
  assert.deepEqual(identities(parsePylock(after).dependencies[0]), []);
});

test('CRLF files get CRLF lines', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n`.replace(/\n/g, '\r\n');
  const result = recordIdentitiesEdit(text, dependencyNamed(text, 'a'), [A]);
  assert.ok(result.ok);
  const after = applyAndCheck(text, result.edit, 0, [GH_A]);
  assert.doesNotMatch(after.replace(/\r\n/g, ''), /[\r\n]/);
});

test('two packages of one name (different markers): the one asked for', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nmarker = "sys_platform == 'win32'"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n\n[[packages]]\nname = "a"\nversion = "2.0"\nmarker = "sys_platform != 'win32'"\nsdist = { url = "https://x/a-2.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n`;
  const second = dependencyNamed(text, 'a', 1);
  const result = recordIdentitiesEdit(text, second, [A]);
  assert.ok(result.ok);
  applyAndCheck(text, result.edit, 1, [GH_A]);
});

test('the whole-file variant skips packages with nothing to record, and says why', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "pypa/sampleproject"\nworkflow = "release.yml"\n\n[[packages]]\nname = "b"\nversion = "1.0"\nsdist = { url = "https://x/b-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n\n[[packages]]\nname = "c"\nversion = "1.0"\nsdist = { url = "https://x/c-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n`;
  const [a, b, c] = parsePylock(text).dependencies;
  const result = recordIdentitiesEdits(text, [
    { dependency: a, publishers: [A] },
    { dependency: b, publishers: [B] },
    { dependency: c, publishers: [null] },
  ]);
  assert.deepEqual(result.skipped.map((s) => [s.dependency.name, s.reason]), [
    ['a', 'these identities are already recorded'],
    ['c', 'there is no verified publisher to record'],
  ]);
  assert.equal(result.edits.length, 1);
  const after = parsePylock(applyTextEdits(text, result.edits));
  assert.deepEqual(after.dependencies.map(identities), [[GH_A], [GH_B], []]);
});

test('a stale position, broken TOML or a lone surrogate: refused with a reason, never thrown', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n`;
  const a = dependencyNamed(text, 'a');
  assert.deepEqual(recordIdentitiesEdit(text, { ...a, name: 'b' }, [A]), { ok: false, reason: 'the package is not where the analysis found it (the file changed?)' });
  assert.deepEqual(recordIdentitiesEdit('\n\n' + text, a, [A]).ok, false);
  assert.deepEqual(recordIdentitiesEdit(text + '[[packages]\n', a, [A]), { ok: false, reason: 'the file is not valid TOML' });
  assert.deepEqual(recordIdentitiesEdit(text, a, [{ kind: 'GitHub', repository: 'x/\ud800', workflow: 'w' }]), { ok: false, reason: 'there is no verified publisher to record' });
  assert.deepEqual(identitiesToRecord([{ kind: 'GitHub', repository: 'x/y' }, { kind: '' }, { kind: 'Google', email: 'e' }]), [{ kind: 'Google', fields: { email: 'e' } }]);
});

test('property: any publisher strings round-trip through the edit exactly', () => {
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n\n[[packages]]\nname = "b"\nversion = "1.0"\nsdist = { url = "https://x/b-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\n`;
  const a = dependencyNamed(text, 'a');
  const value = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
  fc.assert(
    fc.property(value, value, fc.oneof(fc.constant(null), value), fc.string({ minLength: 1, maxLength: 12 }), (repository, workflow, environment, extraKey) => {
      const publisher: Publisher = { kind: 'GitHub', repository, workflow, environment };
      const result = recordIdentitiesEdit(text, a, [publisher]);
      assert.ok(result.ok, result.ok ? '' : result.reason);
      const expected = { repository, workflow, ...(environment ? { environment } : {}) };
      applyAndCheck(text, result.edit, 0, [{ kind: 'GitHub', fields: expected }]);
      // parsePylock (server/src/parsers/pylock.ts) drops a key named __proto__, so the round trip cannot show it.
      if (extraKey === 'kind' || extraKey === '__proto__') return;
      const other = recordIdentitiesEdit(text, a, [JSON.parse(JSON.stringify({ kind: 'Other', [extraKey]: workflow })) as Publisher]);
      assert.ok(other.ok, other.ok ? '' : other.reason);
      applyAndCheck(text, other.edit, 0, [{ kind: 'Other', fields: { [extraKey]: workflow } }]);
    }),
    { numRuns: fuzzRuns(150) },
  );
});

test('a multi-line inline array whose last element is followed by 200,000 spaces on its line: the edit is still made', () => {
  // The tail after the last element once went through a regex with two adjacent `[ \t]*`: quadratic.
  const spaces = ' '.repeat(200_000);
  const text = `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${SHA}" } }\nattestation-identities = [\n    { kind = "GitHub", repository = "pypa/sampleproject", workflow = "release.yml" }${spaces}]\n`;
  const result = recordIdentitiesEdit(text, dependencyNamed(text, 'a'), [B]);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  applyAndCheck(text, result.edit, 0, [GH_A, GH_B]);
});

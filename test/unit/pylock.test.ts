import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePylock } from '../../server/src/parsers/pylock';
import { sizeLimit } from '../../server/src/parsers/limits';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { ParsedDocument, Range } from '../../server/src/core/model';

const fixtures = path.resolve(__dirname, '../..', '../shared/fixtures');
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function textAt(text: string, range: Range | undefined): string {
  assert.ok(range, 'range missing');
  const lines = new LineIndex(text);
  return text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end));
}

function problemsAt(text: string, doc: ParsedDocument): string[] {
  return doc.problems.map((p) => `${p.message} @ ${textAt(text, p.range)}`);
}

const HEAD = 'lock-version = "1.0"\ncreated-by = "test"\n';

test('packages with [[packages.wheels]] headers, an sdist table and attestation identities', () => {
  const text = [
    HEAD,
    '[[packages]]',
    'name = "Sample_Project"',
    'version = "4.0.0"',
    'marker = "python_version >= \'3.9\'"',
    'index = "https://pypi.org/simple/"',
    '',
    '[packages.sdist]',
    'url = "https://files.example/sampleproject-4.0.0.tar.gz?download=1#frag"',
    'upload-time = 2024-10-01T00:00:00Z',
    'size = 12345',
    `hashes = { sha256 = "${SHA_A.toUpperCase()}", md5 = "${'c'.repeat(32)}" }`,
    '',
    '[[packages.wheels]]',
    'name = "sampleproject-4.0.0-py3-none-any.whl"',
    'path = "wheels/ignored.whl"',
    `hashes.sha256 = "${SHA_B}"`,
    '',
    '[[packages.attestation-identities]]',
    'kind = "GitHub"',
    'repository = "pypa/sampleproject"',
    'workflow = "release.yml"',
    'environment = ""',
    '',
  ].join('\n');
  const doc = parsePylock(text);
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.lock, { lockVersion: '1.0', createdBy: 'test' });
  assert.equal(doc.dependencies.length, 1);
  const dep = doc.dependencies[0];
  assert.equal(dep.name, 'sample-project');
  assert.equal(dep.rawName, 'Sample_Project');
  assert.equal(dep.section, 'packages');
  assert.equal(dep.pinnedVersion, '4.0.0');
  assert.equal(dep.specifier, '');
  assert.equal(dep.marker, "python_version >= '3.9'");
  assert.equal(dep.indexUrl, 'https://pypi.org/simple/');
  assert.equal(dep.url, undefined);
  assert.equal(textAt(text, dep.ranges.requirement), 'Sample_Project');
  assert.equal(textAt(text, dep.ranges.name), 'Sample_Project');
  assert.equal(textAt(text, dep.ranges.version), '4.0.0');

  assert.equal(dep.files?.length, 2);
  const [sdist, wheel] = dep.files!;
  assert.equal(sdist.kind, 'sdist');
  assert.equal(sdist.filename, 'sampleproject-4.0.0.tar.gz');
  assert.equal(sdist.uploadTime, '2024-10-01T00:00:00Z');
  assert.equal(sdist.size, 12345);
  assert.deepEqual(sdist.hashes.map((h) => [h.algorithm, h.hex]), [['sha256', SHA_A], ['md5', 'c'.repeat(32)]]);
  assert.equal(textAt(text, sdist.hashes[0].range), SHA_A.toUpperCase());
  assert.ok(textAt(text, sdist.range).startsWith('[packages.sdist]'));
  assert.equal(wheel.kind, 'wheel');
  assert.equal(wheel.filename, 'sampleproject-4.0.0-py3-none-any.whl');
  assert.equal(wheel.path, 'wheels/ignored.whl');
  assert.equal(wheel.url, undefined);
  assert.equal(textAt(text, wheel.hashes[0].range), SHA_B);
  assert.deepEqual(dep.hashes, []);

  assert.deepEqual(dep.attestationIdentities?.map((i) => [i.kind, i.fields]), [
    ['GitHub', { repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' }],
  ]);
  assert.ok(textAt(text, dep.attestationIdentities![0].range).startsWith('[[packages.attestation-identities]]'));
});

test('inline sdist and wheels as uv writes them', () => {
  const text = [
    HEAD,
    '[[packages]]',
    'name = "six"',
    "version = '1.17.0'",
    `sdist = { url = "https://x/six-1.17.0.tar.gz", upload-time = 2024-12-04T17:35:28Z, size = 34031, hashes = { sha256 = '${SHA_A}' } }`,
    `wheels = [{ url = "https://x/six-1.17.0-py2.py3-none-any.whl", hashes = { sha256 = "${SHA_B}" } }]`,
    '',
  ].join('\n');
  const doc = parsePylock(text);
  assert.deepEqual(doc.problems, []);
  const dep = doc.dependencies[0];
  assert.equal(textAt(text, dep.ranges.version), '1.17.0');
  assert.deepEqual(dep.files?.map((f) => [f.kind, f.filename]), [['sdist', 'six-1.17.0.tar.gz'], ['wheel', 'six-1.17.0-py2.py3-none-any.whl']]);
  assert.equal(textAt(text, dep.files![0].range).slice(0, 8), '{ url = ');
  assert.equal(textAt(text, dep.files![0].hashes[0].range), SHA_A);
  assert.deepEqual(dep.files![0].range.start, { line: 6, character: 8 });
});

test('file names: `name` wins, then `path` (either slash), then the decoded last URL segment', () => {
  const text = [
    HEAD,
    '[[packages]]',
    'name = "p"',
    'version = "1"',
    'wheels = [',
    `  { url = "https://x/a/p-1%2Blocal-py3-none-any.whl?x=1", hashes = { sha256 = "${SHA_A}" } },`,
    `  { path = 'C:\\wheels\\p-1-py3-none-win32.whl', url = "https://x/other.whl", hashes = { sha256 = "${SHA_A}" } },`,
    `  { name = "p-1-py3-none-any.whl", url = "https://x/other.whl", hashes = { sha256 = "${SHA_A}" } },`,
    `  { url = "https://x/bad%zz-1-py3-none-any.whl", hashes = { sha256 = "${SHA_A}" } },`,
    ']',
    '',
  ].join('\n');
  const doc = parsePylock(text);
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.dependencies[0].files?.map((f) => f.filename), [
    'p-1+local-py3-none-any.whl',
    'p-1-py3-none-win32.whl',
    'p-1-py3-none-any.whl',
    'bad%zz-1-py3-none-any.whl',
  ]);
});

test('vcs, directory and archive packages: a URL, no pinned version', () => {
  const text = [
    HEAD,
    '[[packages]]',
    'name = "from-git"',
    'vcs = { type = "git", url = "https://github.com/o/r.git", commit-id = "0123abc" }',
    '[[packages]]',
    'name = "local"',
    'directory = { path = ".", editable = true }',
    '[[packages]]',
    'name = "arch"',
    'version = "2.0"',
    `archive = { url = "https://x/arch-2.0-py3-none-any.whl", size = 10, hashes = { sha256 = "${SHA_A}" } }`,
    '',
  ].join('\n');
  const doc = parsePylock(text);
  assert.deepEqual(doc.problems, []);
  const [git, local, arch] = doc.dependencies;
  assert.equal(git.url, 'https://github.com/o/r.git');
  assert.equal(git.pinnedVersion, undefined);
  assert.deepEqual(git.files, []);
  assert.equal(local.url, '.');
  assert.equal(arch.url, 'https://x/arch-2.0-py3-none-any.whl');
  assert.equal(arch.pinnedVersion, undefined);
  assert.equal(textAt(text, arch.ranges.version), '2.0');
  assert.deepEqual(arch.files?.map((f) => [f.kind, f.filename, f.size]), [['wheel', 'arch-2.0-py3-none-any.whl', 10]]);
  assert.deepEqual(arch.files![0].hashes.map((h) => h.hex), [SHA_A]);
  assert.deepEqual(arch.hashes, []);
});

test('lock-version: 1.x is read, another major is an error and packages are not read', () => {
  const pkg = `[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1-py3-none-any.whl", hashes = { sha256 = "${SHA_A}" } }]\n`;
  const minor = parsePylock(`lock-version = "1.7"\ncreated-by = "t"\n${pkg}`);
  assert.deepEqual(minor.problems, []);
  assert.equal(minor.dependencies.length, 1);

  const text = `lock-version = "2.0"\ncreated-by = "t"\n${pkg}`;
  const major = parsePylock(text);
  assert.deepEqual(problemsAt(text, major), ['`lock-version` 2.0 is not supported (this tool reads 1.x); packages were not read @ "2.0"']);
  assert.equal(major.dependencies.length, 0);
  assert.equal(major.lock?.lockVersion, '2.0');

  const floatText = `lock-version = 1.0\ncreated-by = "t"\n${pkg}`;
  assert.deepEqual(problemsAt(floatText, parsePylock(floatText)), ['`lock-version` must be a string, not a float @ 1.0']);
  const garbled = `lock-version = "one"\ncreated-by = "t"\n${pkg}`;
  assert.deepEqual(problemsAt(garbled, parsePylock(garbled)), ['`lock-version` must be a version like "1.0", not "one" @ "one"']);
});

test('missing top-level keys are reported on the first line', () => {
  const text = '# a lock without its header\n[tool.x]\ny = 1\n';
  const doc = parsePylock(text);
  assert.deepEqual(problemsAt(text, doc), [
    'The lock file is missing the required key `lock-version` @ # a lock without its header',
    'The lock file is missing the required key `created-by` @ # a lock without its header',
    'The lock file is missing the required key `packages` @ # a lock without its header',
  ]);
  const empty = parsePylock(`${HEAD}packages = []\n`);
  assert.deepEqual([empty.problems, empty.dependencies], [[], []]);
});

test('spec violations in packages are syntax problems at the right place', () => {
  const text = [
    HEAD,
    '[[packages]]',
    'version = "1.0"',
    '[[packages]]',
    'name = 5',
    '[[packages]]',
    'name = "bad name"',
    'version = "not a version!"',
    'sdist = { url = "https://x/s.tar.gz" }',
    'wheels = [',
    '  { url = "https://x/w-1-py3-none-any.whl", hashes = {} },',
    '  { hashes = { sha256 = "xyz" } },',
    `  { url = "https://x/w.zip", upload-time = "2024-01-01T00:00:00Z", size = -1, hashes = { sha256 = "${'a'.repeat(63)}" } },`,
    `  { url = "https://x/w2-1-py3-none-any.whl", upload-time = 2024-01-01T00:00:00, hashes = { sha256 = 7 } },`,
    '  "not a table",',
    ']',
    '[[packages]]',
    'name = "clash"',
    'version = "1"',
    'directory = { editable = "yes" }',
    `sdist = { path = "c.tar.gz", hashes = { sha256 = "${SHA_A}" } }`,
    'vcs = { url = "https://g/r" }',
    '[[packages]]',
    'name = "nothing"',
    '[[packages]]',
    'name = "ids"',
    `wheels = [{ path = "ids-1-py3-none-any.whl", hashes = { sha256 = "${SHA_A}" } }]`,
    'attestation-identities = [{ repository = "o/r" }, { kind = "GitHub", size = 3, nested = { a = 1 } }, "x"]',
    '',
  ].join('\n');
  const doc = parsePylock(text);
  assert.deepEqual(problemsAt(text, doc), [
    'A package is missing the required key `name` @ [[packages]]',
    'A package `name` must be a string, not an integer @ 5',
    '`bad name` is not a valid package name @ "bad name"',
    '`not a version!` is not a valid PEP 440 version @ "not a version!"',
    'The sdist of package `bad name` is missing the required key `hashes` @ { url = "https://x/s.tar.gz" }',
    'The `hashes` of a wheel of package `bad name` must list at least one hash @ {}',
    'A wheel of package `bad name` needs a `url` or a `path` @ { hashes = { sha256 = "xyz" } }',
    'The sha256 hash of a wheel of package `bad name` must be hexadecimal @ "xyz"',
    'The sha256 hash of a wheel of package `bad name` must be 64 hex digits, not 63 @ ' + `"${'a'.repeat(63)}"`,
    'Wheel file name `w.zip` does not end in .whl @ "https://x/w.zip"',
    'The `upload-time` of a wheel of package `bad name` must be a date-time with a UTC offset (like 2025-01-01T00:00:00Z), not a string @ "2024-01-01T00:00:00Z"',
    'The `size` of a wheel of package `bad name` must be a non-negative integer, not an integer @ -1',
    'The sha256 hash of a wheel of package `bad name` must be a string, not an integer @ 7',
    'The `upload-time` of a wheel of package `bad name` must be a date-time with a UTC offset (like 2025-01-01T00:00:00Z), not a local date time @ 2024-01-01T00:00:00',
    'An entry of the `wheels` of package `bad name` must be a table, not a string @ "not a table"',
    '`sdist` cannot be combined with `directory` in package `clash` @ sdist',
    '`vcs` cannot be combined with `directory` in package `clash` @ vcs',
    'Package `clash` is built from a source tree, so it must not have a `version` @ "1"',
    'The `vcs` of package `clash` is missing the required key `type` @ { url = "https://g/r" }',
    'The `vcs` of package `clash` is missing the required key `commit-id` @ { url = "https://g/r" }',
    'The `directory` of package `clash` is missing the required key `path` @ { editable = "yes" }',
    '`editable` in the `directory` of package `clash` must be a boolean, not a string @ "yes"',
    'Package `nothing` has no source: it needs `sdist`, `wheels`, `archive`, `vcs` or `directory` @ [[packages]]',
    'An attestation identity of package `ids` is missing the required key `kind` @ { repository = "o/r" }',
    '`nested` of an attestation identity of package `ids` must be a string, not a table @ { a = 1 }',
    'An attestation identity of package `ids` must be a table, not a string @ "x"',
  ]);
  assert.ok(doc.problems.every((p) => p.code === 'syntax'));
  assert.deepEqual(doc.dependencies.map((d) => d.name), ['bad name', 'clash', 'nothing', 'ids']);
  const bad = doc.dependencies[0];
  assert.equal(bad.pinnedVersion, 'not a version!');
  assert.deepEqual(bad.files?.map((f) => [f.kind, f.hashes.length]), [['sdist', 0], ['wheel', 0], ['wheel', 1], ['wheel', 1], ['wheel', 0]]);
  assert.equal(bad.files![2].uploadTime, undefined);
  assert.equal(bad.files![2].size, undefined);
  assert.equal(doc.dependencies[1].pinnedVersion, undefined);
  assert.deepEqual(doc.dependencies[3].attestationIdentities?.map((i) => [i.kind, i.fields]), [['GitHub', { size: '3' }]]);
});

test('text from the file is shortened and kept on one line inside messages', () => {
  const long = 'x y\n'.repeat(5_000);
  const text = `${HEAD}[[packages]]\nname = '''${long}'''\nwheels = []\n`;
  const doc = parsePylock(text);
  assert.equal(doc.problems.length, 1);
  assert.ok(doc.problems[0].message.length < 140, doc.problems[0].message);
  assert.match(doc.problems[0].message, /^`x y x y .*…` is not a valid package name$/);
});

test('`packages` must be an array of tables', () => {
  const text = `${HEAD}[packages]\nname = "x"\n`;
  assert.deepEqual(problemsAt(text, parsePylock(text)), ['`packages` must be an array, not a table @ [packages]']);
  const project = `${HEAD}project = 1\n[[packages]]\nname = "y"\nwheels = []\n`;
  assert.deepEqual(problemsAt(project, parsePylock(project)), []);
  const items = `${HEAD}packages = ["x", 1]\n`;
  assert.deepEqual(problemsAt(items, parsePylock(items)), [
    'An entry of `packages` must be a table, not a string @ "x"',
    'An entry of `packages` must be a table, not an integer @ 1',
  ]);
});

test('broken TOML and hostile input never throw', () => {
  const inputs = [
    `${HEAD}[[packages]\nname = "x"\n`,
    '\u0000\u0001PK\u0003\u0004\uFFFD\uFFFD'.repeat(500),
    `${HEAD}[[packages]]\nname = "\uFFFD"\nwheels = [{ url = "\uFFFD", hashes = { sha256 = "\uFFFD" } }]\n`,
    `${HEAD}x = ` + '{a = '.repeat(20_000),
  ];
  for (const text of inputs) {
    const doc = parsePylock(text);
    assert.ok(doc.problems.length > 0, JSON.stringify(text.slice(0, 40)));
    for (const p of doc.problems) assert.equal(p.code, 'syntax');
  }
  const broken = parsePylock(inputs[0]);
  assert.match(broken.problems[0].message, /^Invalid TOML: /);
  assert.equal(broken.problems[0].range.start.line, 3);
});

test('a 10 MB binary file, a file over the size limit, a 100,000-line file broken at the end', () => {
  const bytes = Buffer.alloc(10_000_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 104729) % 256;
  const junk = parsePylock(bytes.toString('utf8'));
  assert.deepEqual([junk.problems.length, junk.problems[0].code, junk.dependencies.length], [1, 'syntax', 0]);

  const huge = parsePylock(`${HEAD}${'#'.repeat(sizeLimit('pylock') + 1)}\n`);
  assert.equal(huge.problems.length, 1);
  assert.match(huge.problems[0].message, /too large/);

  const lines = [HEAD];
  for (let i = 0; i < 99_998; i++) lines.push(i % 2 ? `# comment ${i}` : `[[packages]]\nname = "p${i}"\nwheels = []`);
  lines.push('name = = "broken"');
  const text = lines.join('\n');
  const broken = parsePylock(text);
  assert.equal(broken.problems.length, 1);
  assert.equal(broken.problems[0].range.start.line, new LineIndex(text).lineCount - 1);
  assert.deepEqual(broken.dependencies, []);
});

test('conformance: the packaging.python.org pylock.toml example', (t) => {
  const file = path.join(fixtures, 'packaging.python.org', 'pylock.example.toml');
  if (!existsSync(file)) {
    t.skip(`fixture not found: ${file}`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  const doc = parsePylock(text);
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.lock, { lockVersion: '1.0', createdBy: 'mousebender' });
  assert.deepEqual(doc.dependencies.map((d) => [d.name, d.pinnedVersion, d.files?.length]), [
    ['attrs', '25.1.0', 1],
    ['cattrs', '24.1.2', 1],
    ['numpy', '2.2.3', 2],
  ]);
  const attrs = doc.dependencies[0];
  assert.equal(textAt(text, attrs.ranges.name), 'attrs');
  assert.deepEqual(attrs.ranges.name.start, { line: 6, character: 8 });
  assert.deepEqual(attrs.attestationIdentities?.map((i) => [i.kind, i.fields]), [
    ['GitHub', { environment: 'release-pypi', repository: 'python-attrs/attrs', workflow: 'pypi-package.yml' }],
  ]);
  const wheel = attrs.files![0];
  assert.equal(wheel.filename, 'attrs-25.1.0-py3-none-any.whl');
  assert.equal(wheel.uploadTime, '2025-01-25T11:30:10.164985+00:00');
  assert.equal(wheel.size, 63152);
  assert.equal(wheel.hashes[0].hex, 'c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a');
  assert.equal(textAt(text, wheel.hashes[0].range), wheel.hashes[0].hex);
  assert.equal(doc.dependencies[1].attestationIdentities, undefined);
  assert.equal(doc.dependencies[2].files![1].filename, 'numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
});

test('conformance: a real uv export (148 KB)', (t) => {
  const file = path.join(fixtures, 'pylock-attestations', 'pylock.uv-export.toml');
  if (!existsSync(file)) {
    t.skip(`fixture not found: ${file}`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  const doc = parsePylock(text);
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.lock, { lockVersion: '1.0', createdBy: 'uv' });
  assert.equal(doc.dependencies.length, 41);
  for (const dep of doc.dependencies) {
    assert.equal(textAt(text, dep.ranges.name), dep.rawName);
    for (const file of dep.files ?? []) {
      assert.ok(file.hashes.length > 0, `${dep.name}: ${file.filename}`);
      for (const hash of file.hashes) assert.equal(textAt(text, hash.range), hash.hex);
    }
  }
  const cffi = doc.dependencies.find((d) => d.name === 'cffi')!;
  assert.equal(cffi.pinnedVersion, '1.17.1');
  assert.equal(cffi.marker, "platform_python_implementation != 'PyPy'");
  assert.equal(cffi.indexUrl, 'https://pypi.org/simple');
  const sdist = cffi.files![0];
  assert.deepEqual([sdist.kind, sdist.filename, sdist.size, sdist.uploadTime], ['sdist', 'cffi-1.17.1.tar.gz', 516621, '2024-09-04T20:45:21Z']);
  assert.equal(sdist.hashes[0].hex, '1c39c6016c32bc48dd54561950ebd6836e1670f2ae46128f67cf49e789c52824');
  const wheel = cffi.files!.find((f) => f.filename === 'cffi-1.17.1-cp312-cp312-win_amd64.whl')!;
  assert.equal(wheel.hashes[0].hex, '51392eae71afec0d0c8fb1a53b204dbb3bcabcb3c9b807eedf3e1e6ccf2de903');
  assert.equal(wheel.size, 181976);
  const local = doc.dependencies.find((d) => d.name === 'sigstore')!;
  assert.deepEqual([local.url, local.pinnedVersion, local.files], ['.', undefined, []]);
  assert.ok(doc.dependencies.every((d) => d.attestationIdentities === undefined));
});

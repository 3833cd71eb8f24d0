import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUvLock } from '../../server/src/parsers/uvLock';
import { parseDocument } from '../../server/src/parsers';
import { localFindings } from '../../server/src/checks/local';
import type { Dependency, ParsedDocument } from '../../server/src/core/model';
import { problemsAt, textAt } from '../support/documentRanges';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function byName(doc: ParsedDocument, name: string): Dependency[] {
  return doc.dependencies.filter((d) => d.name === name);
}

/** A workspace lock as uv writes it (revision 3): forks, every source kind, the inputs uv keeps. */
const LOCK = `version = 1
revision = 3
requires-python = ">=3.9"
resolution-markers = [
    "python_full_version >= '3.10'",
    "python_full_version < '3.10'",
]

[options]
exclude-newer = "2025-01-01T00:00:00Z"

[manifest]
members = ["demo", "demo-lib"]

[[package]]
name = "Demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "numpy", version = "2.0.2", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.10'" },
    { name = "numpy", version = "2.2.1", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.10'" },
    { name = "private-lib" },
]

[package.optional-dependencies]
git = [{ name = "from-git" }]

[package.dev-dependencies]
dev = [{ name = "tool" }]

[package.metadata]
requires-dist = [{ name = "numpy", specifier = ">=2" }]

[package.metadata.requires-dev]
dev = [{ name = "tool" }]

[[package]]
name = "demo-lib"
version = "0.2.0"
source = { virtual = "libs/demo-lib" }

[[package]]
name = "from-git"
version = "1.0.0"
source = { git = "https://github.com/example/from-git?rev=v1#0123456789abcdef0123456789abcdef01234567" }

[[package]]
name = "from-url"
version = "3.0"
source = { url = "https://example.org/from_url-3.0.tar.gz" }
sdist = { hash = "sha256:${SHA_A}" }

[[package]]
name = "local-dir"
version = "0.0.1"
source = { directory = "../local-dir" }

[[package]]
name = "local-file"
version = "1.0"
source = { path = "wheels/local_file-1.0-py3-none-any.whl" }
wheels = [
    { filename = "local_file-1.0-py3-none-any.whl", hash = "sha256:${SHA_B}" },
]

[[package]]
name = "flat"
version = "1.0"
source = { registry = "../wheelhouse" }
wheels = [
    { path = "flat-1.0-py3-none-any.whl", hash = "sha256:${SHA_A}" },
]

[[package]]
name = "numpy"
version = "2.0.2"
source = { registry = "https://pypi.org/simple" }
resolution-markers = [
    "python_full_version < '3.10'",
]
sdist = { url = "https://files.pythonhosted.org/packages/numpy-2.0.2.tar.gz", hash = "sha256:${SHA_A}", size = 18902015, upload-time = "2024-08-26T20:19:40.945Z" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/numpy-2.0.2-cp39-cp39-win_amd64.whl", hash = "sha256:${SHA_B}", size = 15833, upload-time = "2024-08-26T20:19:11.1Z" },
]

[[package]]
name = "numpy"
version = "2.2.1"
source = { registry = "https://pypi.org/simple" }
resolution-markers = [
    "python_full_version >= '3.12'",
    "python_full_version == '3.11.*'",
]
sdist = { url = "https://files.pythonhosted.org/packages/numpy-2.2.1.tar.gz", hash = "sha256:${SHA_B}", size = 20272, upload-time = "2024-12-21T22:49:07Z" }

[[package]]
name = "private_lib"
version = "1.2.3"
source = { registry = "https://pkgs.example.com/simple/" }
wheels = [
    { url = "https://pkgs.example.com/files/private_lib-1.2.3-py3-none-any.whl", hash = "md5:${'c'.repeat(32)}" },
]
`;

test('registry packages: version, index, sdist and wheels with url, hash, size and upload time', () => {
  const doc = parseUvLock(LOCK);
  assert.deepEqual(problemsAt(LOCK, doc), []);
  assert.equal(doc.format, 'uvlock');
  assert.deepEqual(doc.lock, { lockVersion: '1', revision: 3, requiresPython: '>=3.9' });

  const [older, newer] = byName(doc, 'numpy');
  assert.equal(older.pinnedVersion, '2.0.2');
  assert.equal(older.indexUrl, 'https://pypi.org/simple');
  assert.equal(older.section, 'package');
  assert.equal(older.url, undefined);
  assert.equal(textAt(LOCK, older.ranges.name), 'numpy');
  assert.equal(older.ranges.requirement, older.ranges.name);
  assert.equal(textAt(LOCK, older.ranges.version), '2.0.2');
  assert.deepEqual(
    older.files?.map((f) => [f.kind, f.filename, f.size, f.uploadTime, f.url]),
    [
      ['sdist', 'numpy-2.0.2.tar.gz', 18902015, '2024-08-26T20:19:40.945Z', 'https://files.pythonhosted.org/packages/numpy-2.0.2.tar.gz'],
      ['wheel', 'numpy-2.0.2-cp39-cp39-win_amd64.whl', 15833, '2024-08-26T20:19:11.1Z', 'https://files.pythonhosted.org/packages/numpy-2.0.2-cp39-cp39-win_amd64.whl'],
    ],
  );
  const sdistHash = older.files![0].hashes[0];
  assert.deepEqual([sdistHash.algorithm, sdistHash.hex], ['sha256', SHA_A]);
  assert.equal(textAt(LOCK, sdistHash.range), `sha256:${SHA_A}`);
  assert.equal(textAt(LOCK, older.files![0].range).startsWith('{ url = '), true);
  // The hashes stay with their files, as in pylock.
  assert.deepEqual(older.hashes, []);

  // Each fork's version says which environments it is for.
  assert.equal(older.marker, "python_full_version < '3.10'");
  assert.equal(newer.pinnedVersion, '2.2.1');
  assert.equal(newer.marker, "(python_full_version >= '3.12') or (python_full_version == '3.11.*')");

  const [privateLib] = byName(doc, 'private-lib');
  assert.equal(privateLib.rawName, 'private_lib');
  assert.equal(privateLib.indexUrl, 'https://pkgs.example.com/simple/');
});

test('packages not from an index are reported like URL requirements, never as errors', () => {
  const doc = parseUvLock(LOCK);
  const describe = (name: string) => {
    const [dep] = byName(doc, name);
    return [dep.url, dep.pinnedVersion, dep.indexUrl, dep.editable];
  };
  assert.deepEqual(describe('demo'), ['.', undefined, undefined, true]);
  assert.deepEqual(describe('demo-lib'), ['libs/demo-lib', undefined, undefined, undefined]);
  assert.deepEqual(describe('from-git'), ['git+https://github.com/example/from-git?rev=v1#0123456789abcdef0123456789abcdef01234567', undefined, undefined, undefined]);
  assert.deepEqual(describe('from-url'), ['https://example.org/from_url-3.0.tar.gz', undefined, undefined, undefined]);
  assert.deepEqual(describe('local-dir'), ['../local-dir', undefined, undefined, undefined]);
  assert.deepEqual(describe('local-file'), ['wheels/local_file-1.0-py3-none-any.whl', undefined, undefined, undefined]);
  // A registry that is a folder of files (find-links) is not an index to ask.
  assert.deepEqual(describe('flat'), ['../wheelhouse', undefined, undefined, undefined]);

  // A direct URL's sdist records only a hash: its file name comes from the source URL.
  const [fromUrl] = byName(doc, 'from-url');
  assert.deepEqual(fromUrl.files?.map((f) => [f.kind, f.filename, f.hashes[0]?.hex]), [['sdist', 'from_url-3.0.tar.gz', SHA_A]]);
  const [localFile] = byName(doc, 'local-file');
  assert.deepEqual(localFile.files?.map((f) => [f.kind, f.filename]), [['wheel', 'local_file-1.0-py3-none-any.whl']]);

  // The local checks see them as not verifiable, the way they see a URL requirement.
  const unpinned = localFindings(doc).filter((f) => f.code === 'unpinned').map((f) => doc.dependencies[f.dependency!].name);
  assert.deepEqual(unpinned, ['demo', 'demo-lib', 'from-git', 'from-url', 'local-dir', 'local-file', 'flat']);
});

test('a weak hash gets weak-hash at the hash, as in pylock.toml', () => {
  const doc = parseDocument('uvlock', LOCK);
  const weak = localFindings(doc).filter((f) => f.code === 'weak-hash');
  assert.equal(weak.length, 1);
  assert.equal(textAt(LOCK, weak[0].range), `md5:${'c'.repeat(32)}`);
  assert.equal(doc.dependencies[weak[0].dependency!].name, 'private-lib');
});

test('malformed tables give syntax problems at the value at fault', () => {
  const text = [
    'version = 1',
    'revision = "3"',
    'resolution-markers = "python_version > \'3\'"',
    '[[package]]',
    'version = "1.0"',
    'source = { registry = "https://pypi.org/simple" }',
    '[[package]]',
    'name = "no-version"',
    'source = { registry = "https://pypi.org/simple" }',
    '[[package]]',
    'name = "bad"',
    'version = "not a version!"',
    'source = { registry = "https://pypi.org/simple", git = "https://g/r" }',
    'resolution-markers = [1]',
    'sdist = { url = "https://x/bad.tar.gz", hash = "d41d8cd98f00b204e9800998ecf8427e", size = -1, upload-time = "yesterday" }',
    'wheels = ["bad.whl", { url = "https://x/bad-1-py3-none-any.whl", hash = "sha256:xyz" }, { url = 3, hash = 4 }]',
    '[[package]]',
    'name = "no-source"',
    'version = "1"',
    '[[package]]',
    'name = "odd-source"',
    'version = "1"',
    'source = { somewhere = "else" }',
    '[[package]]',
    'name = 5',
    '',
  ].join('\n');
  const doc = parseUvLock(text);
  assert.deepEqual(problemsAt(text, doc), [
    '`revision` must be a non-negative integer, not a string @ "3"',
    'The `resolution-markers` of the lock file must be an array, not a string @ "python_version > \'3\'"',
    'A package is missing the required key `name` @ [[package]]',
    'Package `no-version` comes from a registry, so it needs a `version` @ [[package]]',
    '`not a version!` is not a valid PEP 440 version @ "not a version!"',
    'An entry of the `resolution-markers` of package `bad` must be a string, not an integer @ 1',
    'The `source` of package `bad` names both `registry` and `git`; it can only have one @ git',
    'The `hash` of the sdist of package `bad` must look like sha256:<hex digits>, not "d41d8cd98f00b204e9800998ecf8427e" @ "d41d8cd98f00b204e9800998ecf8427e"',
    'The `size` of the sdist of package `bad` must be a non-negative integer, not an integer @ -1',
    'The `upload-time` of the sdist of package `bad` must be a date and time in UTC (like "2025-01-01T00:00:00Z"), not a string @ "yesterday"',
    'An entry of the `wheels` of package `bad` must be a table, not a string @ "bad.whl"',
    'The `hash` of a wheel of package `bad` must be hexadecimal @ "sha256:xyz"',
    'The `url` of a wheel of package `bad` must be a string, not an integer @ 3',
    'The `hash` of a wheel of package `bad` must be a string, not an integer @ 4',
    'Package `no-source` is missing the required key `source` @ [[package]]',
    'The `source` of package `odd-source` must name one of `registry`, `git`, `url`, `path`, `directory`, `editable`, `virtual` @ { somewhere = "else" }',
    'A package `name` must be a string, not an integer @ 5',
  ]);
  for (const problem of doc.problems) assert.equal(problem.code, 'syntax');
  // What could be read still is: the package without a version keeps its index, the clash its name.
  assert.deepEqual(
    doc.dependencies.map((d) => [d.name, d.pinnedVersion, d.url]),
    [
      ['no-version', undefined, undefined],
      ['bad', undefined, undefined],
      ['no-source', undefined, undefined],
      ['odd-source', undefined, undefined],
    ],
  );
});

test('another lock version is refused, as uv refuses it; a TOML error is one problem', () => {
  const text = 'version = 2\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\n';
  const doc = parseUvLock(text);
  assert.deepEqual(problemsAt(text, doc), ['`version` 2 is not supported (this tool reads uv.lock version 1); packages were not read @ 2']);
  assert.deepEqual(doc.dependencies, []);

  const broken = parseUvLock('version = 1\n[[package]]\nname = = "x"\n');
  assert.equal(broken.problems.length, 1);
  assert.equal(broken.problems[0].range.start.line, 2);
  assert.deepEqual(broken.dependencies, []);

  const missing = parseUvLock('[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\n');
  assert.deepEqual(problemsAt('[[package]]', missing), ['The lock file is missing the required key `version` @ [[package]]']);
  assert.equal(missing.dependencies[0].pinnedVersion, '1');
});

// Issue 15 items 2 and 3, issue 9 item 6: every format has a size limit that says so, a document
// holds at most MAX_DEPENDENCIES dependencies, TOML nesting is bounded, and a large TOML document
// parsed in slices reads exactly as the whole would (conflicts across slices included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from '../../server/src/parsers/index';
import { MAX_DEPENDENCIES, sizeLimit } from '../../server/src/parsers/limits';
import { lookup, parseToml, type TomlArray, type TomlString } from '../../server/src/parsers/toml';
import { TOML_SLICE_LENGTH } from '../../server/src/parsers/toml/parse';
import { MAX_TOML_DEPTH } from '../../server/src/parsers/toml/scan';
import { largeUvLock, manyUnpinnedRequirements, nestedArrays, nestedInlineTables } from '../support/largeDocuments';

const FORMATS = ['requirements', 'pyproject', 'pylock'] as const;

test('a document over its size limit gives one syntax problem saying so, in every format', () => {
  for (const format of FORMATS) {
    const text = `# ${'x'.repeat(sizeLimit(format))}\n`;
    const parsed = parseDocument(format, text);
    assert.deepEqual(parsed.dependencies, [], format);
    assert.equal(parsed.problems.length, 1, format);
    assert.equal(parsed.problems[0].code, 'syntax');
    assert.match(parsed.problems[0].message, /^This file is too large to analyse \(10\.1 MiB; the limit for this kind of file is 10 MiB\)$/, format);
  }
  // At the limit it is still read.
  const atLimit = parseDocument('requirements', `requests==2.32.3\n#${'x'.repeat(sizeLimit('requirements') - 19)}\n`);
  assert.deepEqual([atLimit.dependencies.length, atLimit.problems.length], [1, 0]);
});

test('a 10 MB requirements file of one-word lines stops at MAX_DEPENDENCIES with a problem', () => {
  const text = manyUnpinnedRequirements(10 * 1000 * 1000);
  const parsed = parseDocument('requirements', text);
  assert.equal(parsed.dependencies.length, MAX_DEPENDENCIES);
  assert.equal(parsed.problems.length, 1);
  assert.match(parsed.problems[0].message, /more than 20,000 dependencies/);
  assert.equal(parsed.problems[0].range.start.line, MAX_DEPENDENCIES);
});

test('a pylock with more packages than MAX_DEPENDENCIES keeps the first ones and says so', () => {
  const packages = Array.from({ length: MAX_DEPENDENCIES + 5 }, (_, i) => `[[packages]]\nname = "package-${i}"\nversion = "1.0"\nwheels = []\n`);
  const text = `lock-version = "1.0"\ncreated-by = "test"\n${packages.join('')}`;
  const parsed = parseDocument('pylock', text);
  assert.equal(parsed.dependencies.length, MAX_DEPENDENCIES);
  assert.equal(parsed.dependencies[MAX_DEPENDENCIES - 1].name, `package-${MAX_DEPENDENCIES - 1}`);
  assert.deepEqual(parsed.problems.map((p) => p.message), ['This file has more than 20,000 dependencies; only the first 20,000 are checked']);
});

test('a pyproject.toml past MAX_DEPENDENCIES keeps the first ones, marks the next, and still reports invalid requirements after the cap', () => {
  // The reader builds no dependency past the one that marks the cap (memory), but still reads each string.
  const lines = Array.from({ length: MAX_DEPENDENCIES + 10 }, (_, i) => `    "package-${i}==1.0",`);
  lines.push('    "not a requirement ((",');
  const text = `[project]\nname = "big"\nversion = "1"\ndependencies = [\n${lines.join('\n')}\n]\n`;
  const parsed = parseDocument('pyproject', text);
  assert.equal(parsed.dependencies.length, MAX_DEPENDENCIES);
  assert.equal(parsed.dependencies[MAX_DEPENDENCIES - 1].name, `package-${MAX_DEPENDENCIES - 1}`);
  assert.deepEqual(
    parsed.problems.map((p) => [p.message.startsWith('Invalid requirement: ') ? 'Invalid requirement' : p.message, p.range.start.line]),
    [
      ['Invalid requirement', MAX_DEPENDENCIES + 14],
      ['This file has more than 20,000 dependencies; only the first 20,000 are checked', MAX_DEPENDENCIES + 4],
    ],
  );
});

test('nesting deeper than MAX_TOML_DEPTH is a syntax error at the first level too deep, in every TOML format', () => {
  assert.equal(parseToml(nestedArrays(MAX_TOML_DEPTH)).ok, true);
  assert.equal(parseToml(`x = ${'{a = '.repeat(MAX_TOML_DEPTH - 1)}[1]${'}'.repeat(MAX_TOML_DEPTH - 1)}\n`).ok, true);
  const deep = parseToml(nestedArrays(MAX_TOML_DEPTH + 1));
  assert.equal(deep.ok, false);
  if (!deep.ok) {
    assert.equal(deep.error.message, `Invalid TOML: arrays and inline tables are nested more than ${MAX_TOML_DEPTH} levels deep`);
    assert.equal(deep.error.span.start, 4 + MAX_TOML_DEPTH);
  }
  for (const format of ['pyproject', 'pylock'] as const) {
    for (const text of [nestedInlineTables(4 * 1024 * 1024), nestedInlineTables(8 * 1024 * 1024), nestedArrays(1_000_000)]) {
      const parsed = parseDocument(format, text);
      assert.equal(parsed.problems.length, 1);
      assert.equal(parsed.problems[0].code, 'syntax');
      assert.match(parsed.problems[0].message, /nested more than 128 levels deep/);
    }
  }
  // Brackets inside strings and comments do not count.
  const quoted = `x = "${'['.repeat(500)}"\ny = '${'{'.repeat(500)}'\n# ${'['.repeat(500)}\nz = """\n${'['.repeat(500)}\n"""\n`;
  assert.equal(parseToml(quoted).ok, true);
});

/** Tables of long strings, so the text spans slices without many nodes to parse. */
const padding = (bytes: number) => Array.from({ length: Math.ceil(bytes / 8000) }, (_, i) => `[pad.t${i}]\nv = "${'p'.repeat(8000)}"\n`).join('');

test('a large uv.lock parsed in slices keeps every [[package]] in order, with document offsets', () => {
  const text = largeUvLock(3 * TOML_SLICE_LENGTH);
  const parsed = parseToml(text);
  assert.equal(parsed.ok, true);
  if (!parsed.ok) return;
  const packages = lookup(parsed.root, ['package'])!.value as TomlArray;
  assert.equal(packages.items.length, text.split('[[package]]').length - 1);
  const last = packages.items.length - 1;
  const name = lookup(parsed.root, ['package', last, 'name'])!.value as TomlString;
  assert.equal(name.value, `package-${last}`);
  assert.equal(text.slice(name.start, name.end), `"package-${last}"`);
  const hash = lookup(parsed.root, ['package', last, 'wheels', 2, 'hash'])!.value as TomlString;
  assert.equal(text.slice(hash.start + 1, hash.end - 1), hash.value);
});

test('conflicts between slices are syntax errors at the second definition', () => {
  const far = padding(2 * TOML_SLICE_LENGTH);
  const cases: Array<[string, string, RegExp]> = [
    [`[a]\nx = 1\n${far}`, '[a]\ny = 2\n', /table `a` is defined more than once/],
    [`[a.b]\nx = 1\n${far}`, '[a]\nb = 2\n', /key `b` is defined more than once/],
    [`[a.b]\nx = 1\n${far}`, '[a]\nb.y = 2\n', /`b.y` extends `b`, which is already defined/],
    [`a = 1\n${far}`, '[a.b]\n', /`a.b` extends a value that is not a table/],
    [`a = [1]\n${far}`, '[[a]]\n', /`a` is already defined as a value that is not an array of tables/],
  ];
  for (const [before, after, message] of cases) {
    // A slice starts only at a top-level `[[name]]`, so one stands between the two definitions.
    const text = `${before}[[p]]\n${after}`;
    const parsed = parseToml(text);
    assert.equal(parsed.ok, false, after);
    if (parsed.ok) continue;
    assert.match(parsed.error.message, message);
    assert.ok(parsed.error.span.start >= before.length, `${after}: at the second definition`);
  }
  // What TOML allows across slices still reads: a header inside a dotted-key table, an array of tables growing.
  const allowed = parseToml(`a.b = 1\n[[p]]\nn = 1\n${far}[a.c]\nx = 2\n[[p]]\nn = 2\n`);
  assert.equal(allowed.ok, true);
  if (allowed.ok) {
    assert.equal((lookup(allowed.root, ['p'])!.value as TomlArray).items.length, 2);
    assert.equal(lookup(allowed.root, ['a', 'c', 'x'])!.value.kind, 'integer');
  }
  // A header-like line inside a multi-line string is not a place to slice.
  const inString = parseToml(`${far}[s]\nx = """\n[not.a.header]\n"""\n`);
  assert.equal(inString.ok, true);
  if (inString.ok) assert.equal((lookup(inString.root, ['s', 'x'])!.value as TomlString).value, '[not.a.header]\n');
});

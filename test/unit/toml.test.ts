import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup, mapString, MAX_TOML_LENGTH, parseToml, parseTomlExact, stringContentSpan, type TomlString, type TomlTable, type TomlValue } from '../../server/src/parsers/toml';

function root(text: string): TomlTable {
  const result = parseToml(text);
  if (!result.ok) assert.fail(`expected valid TOML, got: ${result.error.message}`);
  return result.root;
}

function value(text: string, path: (string | number)[]): TomlValue {
  const entry = lookup(root(text), path);
  assert.ok(entry, `no value at ${path.join('.')}`);
  return entry.value;
}

function stringAt(text: string, path: (string | number)[]): TomlString {
  const found = value(text, path);
  assert.equal(found.kind, 'string');
  return found as TomlString;
}

/** The document text a decoded span of the string maps to. */
function sourceOf(text: string, str: TomlString, start: number, end: number): string {
  const span = mapString(text, str).toDocument(start, end);
  return text.slice(span.start, span.end);
}

test('tables, arrays of tables, dotted keys and inline tables resolve to one tree', () => {
  const text = [
    'top = 1',
    'a.b.c = "dotted"',
    '[project]',
    'name = "x"',
    'optional-dependencies.test = ["pytest"]',
    '[tool.inline]',
    'table = { key = { deeper = true } }',
    '[[packages]]',
    'name = "first"',
    '[packages.sdist]',
    'url = "u"',
    '[[packages]]',
    'name = "second"',
    '[[packages.wheels]]',
    'name = "w1"',
    '[[packages.wheels]]',
    'name = "w2"',
    '',
  ].join('\n');
  const doc = root(text);
  assert.equal(lookup(doc, ['top'])?.value.kind, 'integer');
  assert.equal((lookup(doc, ['a', 'b', 'c'])?.value as TomlString).value, 'dotted');
  assert.equal((lookup(doc, ['project', 'optional-dependencies', 'test', 0])?.value as TomlString).value, 'pytest');
  assert.equal(lookup(doc, ['tool', 'inline', 'table', 'key', 'deeper'])?.value.kind, 'boolean');
  const packages = lookup(doc, ['packages'])?.value;
  assert.equal(packages?.kind, 'array');
  assert.equal(packages.kind === 'array' && packages.ofTables, true);
  assert.equal((lookup(doc, ['packages', 0, 'sdist', 'url'])?.value as TomlString).value, 'u');
  assert.equal((lookup(doc, ['packages', 1, 'wheels', 1, 'name'])?.value as TomlString).value, 'w2');
  assert.equal(lookup(doc, ['packages', 2]), undefined);
  assert.equal(lookup(doc, ['packages', 'name']), undefined);
  assert.equal(lookup(doc, ['top', 'x']), undefined);
});

test('values and keys carry their document offsets', () => {
  const text = '[project]\ndependencies = [\n  "a",\n  \'b\',\n]\n';
  const doc = root(text);
  const project = lookup(doc, ['project'])!.value as TomlTable;
  assert.equal(project.origin, 'header');
  assert.equal(text.slice(project.header.start, project.header.end), '[project]');
  const entry = lookup(doc, ['project', 'dependencies'])!;
  assert.equal(text.slice(entry.keySpan.start, entry.keySpan.end), 'dependencies');
  assert.equal(text.slice(entry.value.start, entry.value.end), '[\n  "a",\n  \'b\',\n]');
  const b = lookup(doc, ['project', 'dependencies', 1])!.value;
  assert.equal(text.slice(b.start, b.end), "'b'");
});

test('array-of-tables headers span the brackets; inline tables span the braces', () => {
  const text = '[[ packages ]]\nname = "x"\nsdist = { url = "u" }\n';
  const pkg = value(text, ['packages', 0]) as TomlTable;
  assert.equal(pkg.origin, 'array-header');
  assert.equal(text.slice(pkg.header.start, pkg.header.end), '[[ packages ]]');
  const sdist = value(text, ['packages', 0, 'sdist']) as TomlTable;
  assert.equal(sdist.origin, 'inline');
  assert.equal(text.slice(sdist.start, sdist.end), '{ url = "u" }');
});

test('a header after an implied table gives that table its header', () => {
  const text = '[a.b]\nx = 1\n[a]\ny = 2\n';
  const a = value(text, ['a']) as TomlTable;
  assert.equal(a.origin, 'header');
  assert.equal(text.slice(a.header.start, a.header.end), '[a]');
  assert.equal(lookup(root(text), ['a', 'b', 'x'])?.value.kind, 'integer');
});

test('date-times keep the text as written', () => {
  const text = 't = 2025-01-25T11:30:10.164985+00:00\nu = 2024-05-20 21:33:25Z\nl = 1979-05-27T07:32:00\nd = 2025-01-01\n';
  const t = value(text, ['t']);
  assert.deepEqual([t.kind, t.kind === 'datetime' && t.dateTimeKind, t.kind === 'datetime' && t.text], ['datetime', 'offset-date-time', '2025-01-25T11:30:10.164985+00:00']);
  const u = value(text, ['u']);
  assert.equal(u.kind === 'datetime' && u.text, '2024-05-20 21:33:25Z');
  const l = value(text, ['l']);
  assert.equal(l.kind === 'datetime' && l.dateTimeKind, 'local-date-time');
  const d = value(text, ['d']);
  assert.equal(d.kind === 'datetime' && d.dateTimeKind, 'local-date');
});

test('basic strings: escapes map back to the characters that wrote them', () => {
  const text = 'x = "caf\\u00e9 \\"q\\" r\\U0001F600s\\\\t\\n"\n';
  const str = stringAt(text, ['x']);
  assert.equal(str.value, 'café "q" r\u{1F600}s\\t\n');
  assert.equal(sourceOf(text, str, 0, 3), 'caf');
  assert.equal(sourceOf(text, str, 3, 4), '\\u00e9');
  assert.equal(sourceOf(text, str, 5, 8), '\\"q\\"');
  assert.equal(sourceOf(text, str, 10, 12), '\\U0001F600');
  assert.equal(sourceOf(text, str, 12, 15), 's\\\\t');
  assert.equal(sourceOf(text, str, 0, str.value.length), text.slice(5, text.length - 2));
  const content = stringContentSpan(str);
  assert.deepEqual(mapString(text, str).whole, content);
});

test('literal strings map one to one, backslashes included', () => {
  const text = "x = 'C:\\path\\n'\n";
  const str = stringAt(text, ['x']);
  assert.equal(str.value, 'C:\\path\\n');
  assert.equal(sourceOf(text, str, 2, 7), '\\path');
  assert.deepEqual(mapString(text, str).whole, { start: 5, end: 14 });
});

test('multi-line basic strings: first newline trimmed, line-ending backslash, CRLF', () => {
  const text = 'x = """\r\nreq\\\r\n    uests>=2\r\n  ; python_version<"3"""\r\n';
  const str = stringAt(text, ['x']);
  assert.equal(str.value, 'requests>=2\n  ; python_version<"3');
  assert.equal(sourceOf(text, str, 0, 8), 'req\\\r\n    uests');
  assert.equal(sourceOf(text, str, 3, 8), 'uests');
  assert.equal(sourceOf(text, str, 11, 12), '\r\n');
  const whole = mapString(text, str).whole;
  assert.equal(text.slice(whole.start, whole.end), 'req\\\r\n    uests>=2\r\n  ; python_version<"3');
});

test('multi-line literal strings keep backslashes and quotes next to the delimiter', () => {
  const text = "x = '''\nab\\c'''\ny = '''''q'''''\nz = \"\"\"\"\"r\"\"\"\"\"\n";
  const x = stringAt(text, ['x']);
  assert.equal(x.value, 'ab\\c');
  assert.equal(sourceOf(text, x, 0, 4), 'ab\\c');
  const y = stringAt(text, ['y']);
  assert.equal(y.value, "''q''");
  assert.equal(sourceOf(text, y, 2, 3), 'q');
  const z = stringAt(text, ['z']);
  assert.equal(z.value, '""r""');
  assert.equal(sourceOf(text, z, 2, 3), 'r');
});

test('empty spans and out-of-range spans are clamped inside the string', () => {
  const text = 'x = "abc"\ne = ""\n';
  const str = stringAt(text, ['x']);
  const map = mapString(text, str);
  assert.deepEqual(map.toDocument(1, 1), { start: 6, end: 6 });
  assert.deepEqual(map.toDocument(3, 3), { start: 8, end: 8 });
  assert.deepEqual(map.toDocument(-5, 99), { start: 5, end: 8 });
  assert.deepEqual(map.toDocument(2, 1), { start: 7, end: 7 });
  assert.deepEqual(map.toDocument(NaN, NaN), { start: 5, end: 5 });
  const empty = stringAt(text, ['e']);
  assert.deepEqual(mapString(text, empty).whole, { start: 15, end: 15 });
});

test('syntax errors come back with the parser position, never as exceptions', () => {
  const cases: [string, number][] = [
    ['a = 1\na = 2\n', 6],
    ['x = "unterminated\n', 17],
    ['[a]\nx = 1\n[a]\n', 11],
    ['x = [1, 2\n', 10],
    ['x = \u0000\n', 4],
    ['= 1\n', 0],
  ];
  for (const [text, offset] of cases) {
    const result = parseToml(text);
    assert.equal(result.ok, false, JSON.stringify(text));
    if (result.ok) continue;
    assert.match(result.error.message, /^Invalid TOML: /);
    assert.equal(result.error.span.start, offset, JSON.stringify(text));
    assert.ok(result.error.span.end >= result.error.span.start && result.error.span.end <= text.length);
  }
});

test('hostile input: deep nesting, binary junk, a byte order mark, a too-large file', () => {
  const deep = parseToml('x = ' + '['.repeat(50_000) + ']'.repeat(50_000));
  assert.equal(deep.ok, false);
  assert.equal(deep.ok || deep.error.message.includes('nested more than 128 levels deep'), true);

  // A string of a million characters is valid TOML and reads (the fast way); the exact parser,
  // which only a broken document reaches, overflows its stack on it and says so, never throws.
  const longText = `x = "${'a'.repeat(1_000_000)}"\n`;
  const longString = parseToml(longText);
  assert.equal(longString.ok && (lookup(longString.root, ['x'])!.value as TomlString).value.length, 1_000_000);
  const longExact = parseTomlExact(longText);
  assert.equal(longExact.ok || longExact.error.message.includes('string too long'), true);
  const longBroken = parseToml(longText + 'y = \n');
  assert.equal(longBroken.ok, false);

  const junk = parseToml('\u0000\uFFFD\u0007PK\u0003\u0004\uFFFD'.repeat(1000));
  assert.equal(junk.ok, false);

  const bom = parseToml('\uFEFFx = "v"\n');
  assert.equal(bom.ok, true);
  if (bom.ok) assert.equal((lookup(bom.root, ['x'])!.value as TomlString).start, 5);

  const large = parseToml('#'.repeat(MAX_TOML_LENGTH + 1));
  assert.equal(large.ok, false);
  assert.equal(large.ok || /too large/.test(large.error.message), true);
});

test('replacement characters are fine inside strings and an error outside them', () => {
  const inside = parseToml('x = "\uFFFD"\n');
  assert.equal(inside.ok, true);
  const outside = parseToml('\uFFFD = 1\n');
  assert.equal(outside.ok, false);
});

test('a large document read in slices: sub-tables and nested arrays of one element never split it', () => {
  // PDM writes `[packages.tool.pdm]` and `[[packages.wheels]]` inside each package; a document
  // over the slice length once read `[[packages]]` after them as a key defined twice.
  const parts = ['lock-version = "1.0"', ''];
  for (let i = 0; parts.join('\n').length < 600_000; i++) {
    parts.push('[[packages]]', `name = "p${i}"`, `version = "1.${i}"`, '', '[[packages.wheels]]', `name = "p${i}-1.${i}-py3-none-any.whl"`, `hashes = {sha256 = "${'a'.repeat(64)}"}`, '', '[packages.tool.pdm]', 'dependencies = []', '');
  }
  const text = parts.join('\n');
  const result = parseToml(text);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  const packages = lookup(result.root, ['packages'])?.value;
  assert.ok(packages?.kind === 'array');
  assert.equal(packages.items.length, text.split('\n').filter((line) => line === '[[packages]]').length);
  const last = packages.items[packages.items.length - 1];
  assert.ok(last.kind === 'table' && last.entries.has('tool') && last.entries.has('wheels'));
});

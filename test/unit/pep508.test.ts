import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidName, parseMarker, parsePep508, type Pep508Requirement, type Span } from '../../server/src/parsers/pep508';

function ok(text: string): Pep508Requirement {
  const result = parsePep508(text);
  if (!result.ok) assert.fail(`expected ${JSON.stringify(text)} to parse, got: ${result.message}`);
  return result.requirement;
}

function err(text: string): { message: string; span: Span } {
  const result = parsePep508(text);
  if (result.ok) assert.fail(`expected ${JSON.stringify(text)} to fail`);
  assert.ok(result.span.start <= result.span.end && result.span.end <= text.length, 'error span inside the text');
  return result;
}

const slice = (text: string, span: Span | undefined): string | undefined => (span ? text.slice(span.start, span.end) : undefined);

test('a bare name', () => {
  const r = ok('requests');
  assert.equal(r.name, 'requests');
  assert.deepEqual(r.nameSpan, { start: 0, end: 8 });
  assert.equal(r.specifier, '');
  assert.equal(r.pinnedVersion, undefined);
  assert.deepEqual(r.span, { start: 0, end: 8 });
});

test('name, extras, specifier and marker with their spans', () => {
  const text = '  requests [security, socks] >= 2.8.1, == 2.8.* ; python_version < "2.7"  ';
  const r = ok(text);
  assert.equal(r.name, 'requests');
  assert.equal(slice(text, r.nameSpan), 'requests');
  assert.deepEqual(r.extras, ['security', 'socks']);
  assert.equal(r.specifier, '>= 2.8.1, == 2.8.*');
  assert.equal(slice(text, r.specifierSpan), '>= 2.8.1, == 2.8.*');
  assert.equal(r.pinnedVersion, undefined, 'two clauses are not a pin');
  assert.equal(r.marker, 'python_version < "2.7"');
  assert.equal(slice(text, r.markerSpan), 'python_version < "2.7"');
  assert.equal(slice(text, r.span), 'requests [security, socks] >= 2.8.1, == 2.8.* ; python_version < "2.7"');
  assert.deepEqual(
    r.clauses.map((c) => [c.operator, c.version]),
    [
      ['>=', '2.8.1'],
      ['==', '2.8.*'],
    ],
  );
});

test('== and === pins, with the version span after the operator', () => {
  const a = ok('docopt == 0.6.1');
  assert.equal(a.pinnedVersion, '0.6.1');
  assert.equal(slice('docopt == 0.6.1', a.versionSpan), '0.6.1');
  const b = ok('foo===1.0-weird');
  assert.equal(b.pinnedVersion, '1.0-weird');
  assert.equal(slice('foo===1.0-weird', b.versionSpan), '1.0-weird');
  assert.equal(ok('foo==1.0+local.7').pinnedVersion, '1.0+local.7');
  assert.equal(ok('foo (==1.0)').pinnedVersion, '1.0');
});

test('== with .* and other operators are not pins', () => {
  for (const text of ['foo==1.0.*', 'foo>=1.0', 'foo~=1.4', 'foo!=1.0', 'foo<2', 'foo==1.0,<2']) {
    assert.equal(ok(text).pinnedVersion, undefined, text);
  }
});

test('parenthesized specifier: parentheses are not part of the specifier', () => {
  const text = 'name (>=1.0, <2)';
  const r = ok(text);
  assert.equal(r.specifier, '>=1.0, <2');
  assert.equal(slice(text, r.span), text);
});

test('direct references', () => {
  const text = 'pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686 ; python_version >= "3"';
  const r = ok(text);
  assert.equal(r.name, 'pip');
  assert.equal(r.url, 'https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686');
  assert.equal(slice(text, r.urlSpan), r.url);
  assert.equal(r.marker, 'python_version >= "3"');
  assert.equal(slice(text, r.span), text);
  assert.equal(ok('name@file:///x').url, 'file:///x');
  assert.equal(ok('name [fred,bar] @ http://foo.com').url, 'http://foo.com');
});

test('markers: boolean operators, parentheses, in / not in, legacy variable names', () => {
  for (const marker of [
    'python_version<"3.8"',
    "os_name=='a' or os_name=='b'",
    '(python_version >= "3.8" and sys_platform == "linux") or extra == "test"',
    '"linux" in sys_platform',
    "'x' not in platform_release",
    'os.name == "posix"',
    'python_version<"3"and os_name=="nt"',
    'implementation_name == "cpython" and platform_python_implementation != "PyPy"',
  ]) {
    const r = ok(`foo; ${marker}`);
    assert.equal(r.marker, marker);
  }
});

test('names: letters and digits at both ends, . - _ inside', () => {
  assert.ok(isValidName('A'));
  assert.ok(isValidName('zope.interface'));
  assert.ok(isValidName('Friendly-Bard_2'));
  assert.ok(!isValidName('-foo'));
  assert.ok(!isValidName('foo-'));
  assert.ok(!isValidName(''));
  assert.match(err('foo-').message, /end with a letter or digit/);
  assert.match(err('-foo').message, /package name/);
});

test('operator and version errors carry spans on the offending text', () => {
  const eq = err('foo=1.0');
  assert.match(eq.message, /"=" is not a valid operator/);
  assert.equal(eq.span.start, 3);
  const bad = err('foo==1.0garbage');
  assert.match(bad.message, /not a valid version/);
  assert.equal('foo==1.0garbage'.slice(bad.span.start, bad.span.end), '1.0garbage');
  assert.match(err('foo>=1.0.*').message, /\.\*/);
  assert.match(err('foo>=1.0+local').message, /local version/i);
  assert.match(err('foo~=1').message, /two release segments/);
  assert.match(err('foo==').message, /Expected a version/);
  assert.match(err('foo>=1,,').message, /Expected end/);
  assert.match(err('foo<>1').message, /<>/);
});

test('unterminated brackets, parentheses and strings', () => {
  assert.match(err('foo[bar').message, /"\]"/);
  assert.match(err('foo[bar baz]').message, /comma/);
  assert.match(err('foo (>=1.0').message, /"\)"/);
  assert.match(err('foo; python_version < "3').message, /Unterminated string/);
  assert.match(err('foo; (python_version < "3"').message, /"\)"/);
  assert.match(err('foo @').message, /URL/);
  assert.match(err('foo @ http://x junk').message, /";"/);
});

test('marker errors', () => {
  assert.match(err('foo;').message, /marker variable/);
  assert.match(err('foo; python_versio < "3"').message, /Unknown marker variable/);
  assert.match(err('foo; python_version ~ "3"').message, /marker operator/);
  assert.match(err('foo; os_name == "a" xor os_name == "b"').message, /"and", "or"/);
  assert.match(err('foo; os_name not "a"').message, /"in" after "not"/);
});

test('deep marker nesting is refused without overflowing the stack', () => {
  const deep = `foo; ${'('.repeat(100_000)}os_name == "a"${')'.repeat(100_000)}`;
  assert.match(err(deep).message, /nested too deeply/);
  const fine = `foo; ${'('.repeat(20)}os_name == "a"${')'.repeat(20)}`;
  ok(fine);
});

test('empty, whitespace and junk input fail cleanly', () => {
  for (const text of ['', '   ', '\u0000\u0001', '\ufffd\ufffd', '[]', '@', ';', '==1.0', 'foo ==1.0 bar']) {
    err(text);
  }
});

test('parseMarker on its own', () => {
  const good = parseMarker('  python_version >= "3.8"  ');
  assert.ok(good.ok);
  if (good.ok) assert.deepEqual(good.span, { start: 2, end: 25 });
  assert.equal(parseMarker('python_version').ok, false);
});

test('long input is parsed in one pass', () => {
  const many = `foo ${Array.from({ length: 20_000 }, (_, i) => `!=1.${i}`).join(', ')}`;
  const r = ok(many);
  assert.equal(r.clauses.length, 20_000);
  err(`foo==${'1.'.repeat(200_000)}x`);
});

test('a trailing comma ends the specifier, as packaging reads it', () => {
  const r = ok('numpy>=1.19,<2.0,');
  assert.equal(r.specifier, '>=1.19,<2.0');
  assert.equal(r.clauses.length, 2);
  assert.equal(ok('numpy==1.26.0, ; python_version < "3.13"').pinnedVersion, '1.26.0');
  assert.equal(ok('numpy (>=1.19,)').specifier, '>=1.19');
  assert.match(err('numpy>=1.19,,').message, /Expected end/);
  assert.match(err('numpy>=1.19, ,<2').message, /Expected end/);
});

test('".*" follows release segments only: not a pre-, post- or dev release, nor a local label', () => {
  assert.match(err('foo==2.0a1.*').message, /pre-release/);
  assert.match(err('foo==1.2.3.post4.*').message, /post-release/);
  assert.match(err('foo!=1.0.dev1.*').message, /dev release/);
  assert.match(err('foo==1.0+abc.*').message, /local version/);
  ok('foo==1!2.0.*');
  ok('foo!=2.0.*');
});

test('marker strings are Python string literals, as packaging 26.3 reads them', () => {
  // packaging ends the string at the first matching quote, then evaluates it as Python would.
  assert.match(err('name; os_name == "C:\\"').message, /Invalid quoted string: a backslash before the closing quote/);
  assert.match(err('name; os_name == "\\x"').message, /Invalid quoted string: "\\x" needs 2 hexadecimal digits/);
  assert.match(err('name; os_name == "\\u12"').message, /needs 4 hexadecimal digits/);
  assert.match(err('name; os_name == "\\N"').message, /character name/);
  const bad = err('name; os_name == "C:\\"');
  assert.equal('name; os_name == "C:\\"'.slice(bad.span.start, bad.span.end), '"C:\\"');
  for (const valid of ['name; os_name == "C:\\\\"', 'name; os_name == "\\x41"', 'name; os_name == "\\d"', 'name; os_name == "\\u00e9"', `name; os_name == "a'b"`, `demo; 'a" == os_name or python_version >= "0" or "b' == os_name`]) {
    ok(valid);
  }
});

/**
 * The two ways to a TOML tree (server/src/parsers/toml/parse.ts) must agree: wherever the fast
 * way (the one-pass reader, positions.ts) gives a tree, it is the exact way's (toml-eslint-parser)
 * tree, span for span, so every diagnostic lands on the same characters; and whatever only TOML
 * 1.1 allows, or is broken, goes the exact way, so the language read and the errors are TOML 1.0's.
 * Real files come from ../shared (skipped, saying why, when absent); generated and hand-written
 * documents always run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseToml, parseTomlExact, type TomlValue } from '../../server/src/parsers/toml';
import { fastTomlTree } from '../../server/src/parsers/toml/positions';
import { largePoetryLock, largePylock, largePyproject, largeUvLock } from '../support/largeDocuments';

const shared = path.resolve(__dirname, '../..', '../shared');

/** A tree as plain data, so deepEqual compares every span, value and origin. */
function plain(value: TomlValue): unknown {
  switch (value.kind) {
    case 'table':
      return { ...value, entries: [...value.entries].map(([name, entry]) => [name, entry.key, entry.keySpan, plain(entry.value)]) };
    case 'array':
      return { ...value, items: value.items.map(plain) };
    case 'integer':
      return { ...value, bigint: String(value.bigint) };
    default:
      return { ...value };
  }
}

/** Both ways on one text: the fast tree, when there is one, is the exact tree; parseToml answers as the exact way does. */
function assertAgree(text: string, what: string): 'fast' | 'exact' {
  const exact = parseTomlExact(text);
  const fast = fastTomlTree(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  const result = parseToml(text);
  if (fast === undefined) {
    assert.deepEqual(result, exact, `${what}: the exact way's answer`);
    return 'exact';
  }
  assert.equal(exact.ok, true, `${what}: the fast way accepted what the exact way refuses (${exact.ok ? '' : exact.error.message})`);
  if (exact.ok) assert.deepEqual(plain(fast), plain(exact.root), `${what}: the same tree`);
  return 'fast';
}

function tomlFiles(directory: string, found: string[] = []): string[] {
  for (const entry of readdirSync(directory)) {
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) tomlFiles(full, found);
    else if (/\.(toml|lock)$/.test(entry)) found.push(full);
  }
  return found;
}

test('real TOML files of ../shared (corpus and fixtures): the fast way gives the exact tree for every valid one', (t) => {
  if (!existsSync(shared)) {
    t.skip(`${shared} is absent, so there are no real files to compare`);
    return;
  }
  const files = tomlFiles(shared);
  let fast = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const way = assertAgree(text, path.relative(shared, file));
    if (way === 'fast') fast++;
    // A valid file the fast way gave up on would be slow for nothing: only broken ones go the exact way.
    else assert.equal(parseTomlExact(text).ok, false, `${path.relative(shared, file)} is valid but went the exact way`);
  }
  assert.ok(fast > 0 && files.length > 0);
});

test('generated large documents of every TOML format read the fast way, with the exact tree', () => {
  for (const [name, generate] of Object.entries({ largeUvLock, largePoetryLock, largePylock, largePyproject })) {
    assert.equal(assertAgree(generate(300_000), name), 'fast', name);
  }
});

test('what the scanner must place right: keys, tables, strings, numbers and date-times in all their spellings', () => {
  const documents = [
    'a = 1\nb.c = "x"\nb.d.e = true # comment\n',
    '[a.b]\nx = 1\n[a]\ny = 2\n[a.c]\nz = 3\n',
    '[[p]]\nn = 1\n[p.sub]\nk = "v"\n[[p.w]]\nu = 1\n[[p.w]]\nu = 2\n[[p]]\nn = 2\n\n# trailing comment\n',
    '"quoted key" = 1\n\'literal key\' = 2\n"a"."b" = 3\n[ "spaced" . header ]\nv = 1\n[[ arr ]]\nw = 1\n',
    's1 = "esc \\" \\\\ \\u00e9 \\t"\ns2 = \'C:\\path\'\ns3 = """\nline "one"\nline ""two""\n"""\ns4 = \'\'\'\nraw \\n \'\'\'\ns5 = """a \\\n   b"""\ns6 = """"quoted""""\n',
    'i = [1, +2, -3, 1_000, 0xDEAD_beef, 0o17, 0b101]\nf = [1.5, -0.0, 1e10, 6.626e-34, 1_0.5, inf, -inf, nan, +nan]\n',
    'd = [1979-05-27T07:32:00Z, 1979-05-27T00:32:00.999999-07:00, 1979-05-27 07:32:00, 1979-05-27, 07:32:00, 00:32:00.5, 2024-02-29]\n',
    'wheels = [\n    { url = "u", hash = "sha256:00", size = 1 },\n    # between items\n    { url = "v", nested = { a = [1,\n 2] } },\n]\nempty = {}\nempty_array = [ ]\n',
    'a = 1\r\n[t]\r\nb = "x"\r\n',
    '\uFEFFx = "after a byte order mark"\n',
    'x = { a.b = 1, a.c = 2 }\n[t]\nd.e = 1\nd.f = 2\n',
  ];
  for (const text of documents) assert.equal(assertAgree(text, JSON.stringify(text)), 'fast', JSON.stringify(text));
  // An integer beyond 2^53 reads to the last digit.
  const big = 'i = 9223372036854775807\nj = -9223372036854775808\n';
  assert.equal(assertAgree(big, big), 'fast');
  const parsed = parseToml(big);
  assert.equal(parsed.ok && parsed.root.entries.get('i')?.value.kind === 'integer' && String((parsed.root.entries.get('i')!.value as { bigint: bigint }).bigint), '9223372036854775807');
  // Escapes in keys; a header through a table dotted keys made (ruff's `lint.select`, then `[tool.ruff.lint.per-file-ignores]`).
  for (const text of ['"a\\u0062" = 1\n"\\t" = 2\n', '[tool.ruff]\nlint.select = ["E"]\n[tool.ruff.lint.per-file-ignores]\nx = ["F"]\n']) {
    assert.equal(assertAgree(text, JSON.stringify(text)), 'fast', JSON.stringify(text));
  }
});

test('what only TOML 1.1 allows, and broken documents, go the exact way and get its error', () => {
  const documents = [
    'x = { a = 1, }\n', // a trailing comma in an inline table
    'x = { a = 1,\n b = 2 }\n', // a newline in an inline table
    'x = "\\e"\n', // 1.1 escapes
    'x = "\\x41"\n',
    'x = 07:32\n', // a time without seconds
    'x = 1979-05-27T07:32Z\n',
    'x = 2023-02-30\n', // not on the calendar
    'x = 1\nx = 2\n', // broken
    '[a]\n[a]\n',
    'x = "unclosed\n',
    'x = [1, 2\n',
    `x = ${'['.repeat(200)}${']'.repeat(200)}\n`, // deeper than MAX_TOML_DEPTH
  ];
  for (const text of documents) {
    assert.equal(assertAgree(text, JSON.stringify(text)), 'exact', JSON.stringify(text));
    assert.equal(parseToml(text).ok, false, JSON.stringify(text));
  }
  // What the fast way refuses itself, since no other parser checks the text before it: broken
  // documents, and an integer past 64 bits (which the exact way reads as a bigint).
  const refusedByFastWay = [
    'x = 1 # a \u0001 in a comment\n',
    'x = "a \u007f in a string"\n',
    "x = 'a\u0000b'\n",
    'x = """a \u0008"""\n',
    'x = 1\ry = 2\n', // a lone CR is no newline
    'x = 9223372036854775808\n', // past 64 bits
    'x = 012\n',
    'x = 1__0\n',
    'x = 0x_1\n',
    'x = +0x1\n',
    'x = 1.\n',
    'x = .5\n',
    'x = 1e\n',
    'x = Inf\n',
    'x = True\n',
    'x = "\\ud800"\n',
    'x = "\\U00110000"\n',
    'x = "\\q"\n',
    'x = """a"""""" \n',
    '"""k""" = 1\n',
    'a = 1979-05-27 07:32\n',
    'a = 1979-05-27T25:00:00\n',
    '[a.b.c]\nz = 1\n[a]\nb.c.t = 2\n', // dotted keys into a table a header made
    '[a]\nb.c = 1\n[a.b]\n', // a header defining a table dotted keys made
    'a = { b = 1 }\n[a.c]\n', // an inline table is closed
    'a = [ { b = 1 } ]\n[[a]]\n',
    '[[a]]\n[a]\n',
  ];
  for (const text of refusedByFastWay) assert.equal(assertAgree(text, JSON.stringify(text)), 'exact', JSON.stringify(text));
});

test('mutated documents: wherever the fast way gives a tree it is the exact one, and otherwise the exact way answers', () => {
  const seeds = [largeUvLock(20_000), largePoetryLock(20_000), largePylock(20_000), largePyproject(8_000)];
  const pieces = ['"', "'", '[', ']', '{', '}', '=', ',', '.', '\n', ' ', '#', '\\', 'x', '1', '-', ':', 'T', 'e', '\r\n', '"""', "'''", '\t', '_', '\r', '\u0001', '\u007f', 'u', '0'];
  let state = 7;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state % n;
  };
  const ways = { fast: 0, exact: 0 };
  for (const seed of seeds) {
    for (let round = 0; round < 150; round++) {
      let text = seed;
      for (let edit = 0; edit <= random(3); edit++) {
        const at = random(text.length);
        const piece = pieces[random(pieces.length)];
        const kind = random(3);
        text = kind === 0 ? text.slice(0, at) + piece + text.slice(at) : kind === 1 ? text.slice(0, at) + text.slice(at + 1 + random(3)) : text.slice(0, at) + piece + text.slice(at + 1);
      }
      ways[assertAgree(text, `mutation ${round} of a ${seed.slice(0, 30)}… document`)]++;
    }
  }
  assert.ok(ways.fast > 0 && ways.exact > 0, JSON.stringify(ways));
});

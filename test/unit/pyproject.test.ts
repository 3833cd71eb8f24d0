import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DEPENDENCIES } from '../../server/src/parsers/limits';
import { localFindings } from '../../server/src/checks/local';
import { severityFor } from '../../server/src/core/codes';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { ParsedDocument, Range } from '../../server/src/core/model';

function textAt(text: string, range: Range | undefined): string {
  assert.ok(range, 'range missing');
  const lines = new LineIndex(text);
  return text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end));
}

/** Each problem as `message @ underlined text`. */
function problemsAt(text: string, doc: ParsedDocument): string[] {
  return doc.problems.map((p) => `${p.message} @ ${textAt(text, p.range)}`);
}

test('project dependencies, optional dependencies and build requires, with sections and ranges', () => {
  const text = [
    '[build-system]',
    'requires = ["setuptools>=61", "wheel"]',
    '',
    '[project]',
    'name = "demo"',
    'dependencies = [',
    '    "requests[socks]==2.32.3 ; python_version >= \'3.8\'",',
    "    'attrs',",
    ']',
    '',
    '[project.optional-dependencies]',
    'test = ["pytest===8.0.0"]',
    'Docs_Extra = ["sphinx @ https://example.org/sphinx-7.0-py3-none-any.whl"]',
    '',
  ].join('\n');
  const doc = parsePyproject(text);
  assert.deepEqual(doc.problems, []);
  assert.equal(doc.format, 'pyproject');
  const summary = doc.dependencies.map((d) => [d.section, d.name, d.pinnedVersion ?? null]);
  assert.deepEqual(summary, [
    ['project.dependencies', 'requests', '2.32.3'],
    ['project.dependencies', 'attrs', null],
    ['project.optional-dependencies.test', 'pytest', '8.0.0'],
    ['project.optional-dependencies.Docs_Extra', 'sphinx', null],
    ['build-system.requires', 'setuptools', null],
    ['build-system.requires', 'wheel', null],
  ]);
  const requests = doc.dependencies[0];
  assert.deepEqual(requests.extras, ['socks']);
  assert.equal(requests.specifier, '==2.32.3');
  assert.equal(requests.marker, "python_version >= '3.8'");
  assert.deepEqual(requests.hashes, []);
  assert.equal(textAt(text, requests.ranges.requirement), "requests[socks]==2.32.3 ; python_version >= '3.8'");
  assert.equal(textAt(text, requests.ranges.name), 'requests');
  assert.equal(textAt(text, requests.ranges.version), '2.32.3');
  assert.equal(requests.ranges.name.start.line, 6);
  assert.equal(textAt(text, doc.dependencies[1].ranges.requirement), 'attrs');
  assert.equal(doc.dependencies[1].ranges.version, undefined);
  assert.equal(textAt(text, doc.dependencies[2].ranges.version), '8.0.0');
  assert.equal(doc.dependencies[3].url, 'https://example.org/sphinx-7.0-py3-none-any.whl');
});

test('ranges point at the right characters across escapes and multi-line strings', () => {
  const text = [
    '[project]',
    'dependencies = [',
    '  "r\\u0065quests==2.0",',
    '  """',
    'Flask\\',
    '     ==3.0.0""",',
    "  '''attrs==23.1'''",
    ']',
    '',
  ].join('\r\n');
  const doc = parsePyproject(text);
  assert.deepEqual(doc.problems, []);
  const [requests, flask, attrs] = doc.dependencies;
  assert.equal(requests.rawName, 'requests');
  assert.equal(textAt(text, requests.ranges.name), 'r\\u0065quests');
  assert.equal(textAt(text, requests.ranges.version), '2.0');
  assert.equal(textAt(text, requests.ranges.requirement), 'r\\u0065quests==2.0');
  assert.equal(flask.name, 'flask');
  assert.equal(flask.pinnedVersion, '3.0.0');
  assert.equal(textAt(text, flask.ranges.name), 'Flask');
  assert.equal(textAt(text, flask.ranges.version), '3.0.0');
  assert.deepEqual(flask.ranges.name.start, { line: 4, character: 0 });
  assert.equal(textAt(text, attrs.ranges.version), '23.1');
  assert.equal(textAt(text, attrs.ranges.requirement), 'attrs==23.1');
});

test('dotted keys and inline tables are read like headers', () => {
  const text = 'project.dependencies = ["a==1"]\nproject.optional-dependencies = { x = ["b"] }\nbuild-system = { requires = ["c"] }\n';
  const doc = parsePyproject(text);
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.dependencies.map((d) => `${d.section}:${d.name}`), ['project.dependencies:a', 'project.optional-dependencies.x:b', 'build-system.requires:c']);
});

test('an invalid requirement is a syntax problem inside the string, the others still parse', () => {
  const text = '[project]\ndependencies = ["ok", "bad>=", "also-ok"]\n';
  const doc = parsePyproject(text);
  assert.deepEqual(doc.dependencies.map((d) => d.name), ['ok', 'also-ok']);
  assert.equal(doc.problems.length, 1);
  assert.equal(doc.problems[0].code, 'syntax');
  assert.match(doc.problems[0].message, /^Invalid requirement: /);
  assert.equal(textAt(text, doc.problems[0].range), '>=');
});

test('wrong types are syntax problems at the offending value', () => {
  const text = [
    'project = { dependencies = "requests", optional-dependencies = { a = "x", b = [1, "y"] } }',
    'build-system = { requires = [{ name = "z" }] }',
    'dependency-groups = []',
    '',
  ].join('\n');
  const doc = parsePyproject(text);
  assert.deepEqual(problemsAt(text, doc), [
    '`project.dependencies` must be an array, not a string @ "requests"',
    'Extra `a` must be an array, not a string @ "x"',
    'An entry of extra `b` must be a string, not an integer @ 1',
    '`dependency-groups` must be a table, not an array @ []',
    'An entry of `build-system.requires` must be a string, not a table @ { name = "z" }',
  ]);
  assert.deepEqual(doc.dependencies.map((d) => d.name), ['y']);
  assert.ok(doc.problems.every((p) => p.code === 'syntax'));
});

test('`project` that is not a table is reported at its value or header', () => {
  const text = 'project = "x"\n';
  assert.deepEqual(problemsAt(text, parsePyproject(text)), ['`project` must be a table, not a string @ "x"']);
  const tables = '[[project]]\nname = "x"\n[[project]]\n';
  assert.deepEqual(problemsAt(tables, parsePyproject(tables)), ['`project` must be a table, not an array of tables @ [[project]]']);
  const wrongTable = '[project]\n[project.dependencies]\nx = 1\n';
  assert.deepEqual(problemsAt(wrongTable, parsePyproject(wrongTable)), ['`project.dependencies` must be an array, not a table @ [project.dependencies]']);
});

test('dependency groups: requirements, include-group, normalized lookup', () => {
  const text = [
    '[dependency-groups]',
    'Test_Tools = ["pytest>=8", "coverage==7.6.1"]',
    'lint = ["ruff"]',
    'dev = [{include-group = "test.tools"}, {include-group = "LINT"}, "ipython"]',
    '',
  ].join('\n');
  const doc = parsePyproject(text);
  assert.deepEqual(doc.problems, []);
  assert.deepEqual(doc.dependencies.map((d) => `${d.section}:${d.name}`), [
    'dependency-groups.Test_Tools:pytest',
    'dependency-groups.Test_Tools:coverage',
    'dependency-groups.lint:ruff',
    'dependency-groups.dev:ipython',
  ]);
  assert.equal(textAt(text, doc.dependencies[1].ranges.version), '7.6.1');
});

test('dependency groups: unknown include, cycles, duplicates, bad entries', () => {
  const text = [
    '[dependency-groups]',
    'a = [{include-group = "b"}]',
    'b = [{include-group = "c"}, {include-group = "missing"}]',
    'c = [{include-group = "A"}]',
    'self = [{include-group = "self"}]',
    'Dup = ["x"]',
    'dup = ["y"]',
    'odd = [{include-group = "a", extra = 1}, {other = "a"}, 3, {include-group = 4}]',
    '"bad name!" = []',
    '',
  ].join('\n');
  const doc = parsePyproject(text);
  const found = problemsAt(text, doc);
  assert.deepEqual(found.sort(), [
    '`bad name!` is not a valid dependency group name @ "bad name!"',
    'A table in a dependency group must be `{include-group = "…"}` @ {other = "a"}',
    'An entry of dependency group `odd` must be a requirement string or an `{include-group = "…"}` table, not an integer @ 3',
    'Dependency group `dup` is the same as `Dup` after name normalization @ dup',
    'Dependency group `missing` is not defined @ "missing"',
    'Dependency group cycle: a -> b -> c -> a @ "A"',
    'Dependency group cycle: self -> self @ "self"',
    'Unknown key `extra` in a dependency group include (only `include-group` is allowed) @ extra',
    'Unknown key `other` in a dependency group include (only `include-group` is allowed) @ other',
    '`include-group` must be a string, not an integer @ 4',
  ].sort());
  assert.deepEqual(doc.dependencies.map((d) => d.name), ['x', 'y']);
});

test('a long include chain is checked without recursion', () => {
  const count = 20_000;
  const lines = ['[dependency-groups]'];
  for (let i = 0; i < count; i++) lines.push(`g${i} = [{include-group = "g${(i + 1) % count}"}]`);
  const doc = parsePyproject(lines.join('\n'));
  assert.equal(doc.problems.length, 1);
  assert.match(doc.problems[0].message, /^Dependency group cycle: g0 -> g1 -> g2 -> g3 -> … 19994 more … -> g19998 -> g19999 -> g0$/);
});

test('20,000 groups that each include the next and the first: every back edge is one cycle diagnostic, on its include', () => {
  // The shape that once took 99 s: each include of g0 closes a cycle as long as the path to it.
  const count = 20_000;
  const lines = ['[dependency-groups]'];
  for (let i = 0; i < count; i++) lines.push(`g${i} = [${i + 1 < count ? `{include-group = "g${i + 1}"}, ` : ''}{include-group = "g0"}]`);
  const text = `${lines.join('\n')}\n`;
  const doc = parsePyproject(text);
  const cycles = doc.problems.filter((p) => p.message.startsWith('Dependency group cycle:'));
  // Up to the document's problem ceiling, deepest first: the include of g0 in group gK closes g0 -> … -> gK -> g0.
  assert.ok(cycles.length >= 999, `${cycles.length} cycle diagnostics`);
  const expected = (k: number) => {
    const groups = Array.from({ length: k + 1 }, (_, i) => `g${i}`);
    const shown = groups.length + 1 <= 8 ? [...groups, 'g0'] : [...groups.slice(0, 4), `… ${groups.length + 1 - 7} more …`, ...groups.slice(-2), 'g0'];
    return `Dependency group cycle: ${shown.join(' -> ')}`;
  };
  const lines2 = text.split('\n');
  cycles.forEach((cycle, n) => {
    const k = count - 1 - n;
    assert.equal(cycle.message, expected(k));
    // On the `"g0"` of group gK.
    assert.equal(cycle.range.start.line, k + 1);
    assert.equal(lines2[k + 1].slice(cycle.range.start.character, cycle.range.end.character), '"g0"');
  });
});

test('a short chain with a cycle back to every group: each closing include once, the longest shown by its ends', () => {
  const lines = ['[dependency-groups]'];
  for (let i = 0; i < 9; i++) lines.push(`g${i} = [${i + 1 < 9 ? `{include-group = "g${i + 1}"}, ` : ''}{include-group = "g0"}]`);
  const doc = parsePyproject(`${lines.join('\n')}\n`);
  assert.deepEqual(doc.problems.map((p) => p.message), [
    'Dependency group cycle: g0 -> g1 -> g2 -> g3 -> … 3 more … -> g7 -> g8 -> g0',
    'Dependency group cycle: g0 -> g1 -> g2 -> g3 -> … 2 more … -> g6 -> g7 -> g0',
    'Dependency group cycle: g0 -> g1 -> g2 -> g3 -> g4 -> g5 -> g6 -> g0',
    'Dependency group cycle: g0 -> g1 -> g2 -> g3 -> g4 -> g5 -> g0',
    'Dependency group cycle: g0 -> g1 -> g2 -> g3 -> g4 -> g0',
    'Dependency group cycle: g0 -> g1 -> g2 -> g3 -> g0',
    'Dependency group cycle: g0 -> g1 -> g2 -> g0',
    'Dependency group cycle: g0 -> g1 -> g0',
    'Dependency group cycle: g0 -> g0',
  ]);
});

test('invalid and duplicate extra names are reported', () => {
  const text = '[project.optional-dependencies]\n"-bad" = []\nDocs = []\ndocs = []\n';
  assert.deepEqual(problemsAt(text, parsePyproject(text)), [
    '`-bad` is not a valid extra name @ "-bad"',
    'Extra `docs` is the same as `Docs` after name normalization: installers treat them as one extra @ docs',
  ]);
  const doc = parsePyproject(text);
  assert.deepEqual(doc.problems.map((p) => p.defaultSeverity ?? 'error'), ['error', 'warning'], 'an invalid name is an error; a duplicate extra only a warning');

});

test('broken TOML is one syntax problem at the parser position', () => {
  const text = '[project]\ndependencies = ["a",\nname = 1\n';
  const doc = parsePyproject(text);
  assert.equal(doc.dependencies.length, 0);
  assert.equal(doc.problems.length, 1);
  assert.equal(doc.problems[0].code, 'syntax');
  assert.match(doc.problems[0].message, /^Invalid TOML: /);
  assert.equal(doc.problems[0].range.start.line, 2);
});

test('documents without dependency tables have no dependencies and no problems', () => {
  for (const text of ['', '\n\n# comment\n', '[tool.black]\nline-length = 100\n', '[project]\nname = "x"\n']) {
    const doc = parsePyproject(text);
    assert.deepEqual([doc.dependencies, doc.problems], [[], []], JSON.stringify(text));
  }
});

test('hostile input never throws and yields syntax problems', () => {
  const inputs = [
    '\u0000\u0001\u0002binary\uFFFD\uFFFD',
    'x = "\uFFFD\uFFFD"\n[project]\ndependencies = ["\uFFFD"]\n',
    'dependencies = ' + '['.repeat(30_000),
    '[project]\ndependencies = [' + '"a",'.repeat(50_000) + ']\n',
  ];
  for (const text of inputs) {
    const doc = parsePyproject(text);
    for (const p of doc.problems) assert.equal(p.code, 'syntax');
    if (!text.includes('"a",')) assert.ok(doc.problems.length > 0, JSON.stringify(text.slice(0, 30)));
  }
  // 50,000 requirements: the first MAX_DEPENDENCIES are read, and a problem says the rest are not.
  const many = parsePyproject(inputs[3]);
  assert.equal(many.dependencies.length, MAX_DEPENDENCIES);
  assert.match(many.problems[0].message, /more than 20,000 dependencies/);
});

test('a 10 MB binary file and a 100,000-line file', () => {
  const bytes = Buffer.alloc(10_000_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
  const junk = parsePyproject(bytes.toString('utf8'));
  assert.equal(junk.problems.length, 1);
  assert.equal(junk.problems[0].code, 'syntax');
  assert.deepEqual(junk.dependencies, []);

  const lines = ['[project]', 'dependencies = ['];
  for (let i = 0; i < 100_000; i++) lines.push(`  "pkg${i}==1.${i}",`);
  lines.push(']', '');
  const text = lines.join('\n');
  const doc = parsePyproject(text);
  assert.equal(doc.dependencies.length, MAX_DEPENDENCIES);
  const last = doc.dependencies[MAX_DEPENDENCIES - 1];
  assert.equal(textAt(text, last.ranges.version), `1.${MAX_DEPENDENCIES - 1}`);
  assert.equal(last.ranges.name.start.line, MAX_DEPENDENCIES + 1);
  // The cap is said once, at the first requirement not read.
  assert.equal(doc.problems.length, 1);
  assert.equal(doc.problems[0].range.start.line, MAX_DEPENDENCIES + 2);
});

test('duplicate extras as SQLAlchemy defines them on purpose: a warning that never fails CI; duplicate groups stay errors', () => {
  const text = '[project]\nname = "x"\n[project.optional-dependencies]\nmssql-pymssql = ["pymssql==2.3.0"]\nmssql_pymssql = ["pymssql==2.3.0"]\n[dependency-groups]\ndev = []\nDev = []\n';
  const findings = localFindings(parsePyproject(text));
  const levels = findings.map((f) => `${f.code}/${severityFor(f.code, undefined, f.defaultSeverity)}: ${f.message}`);
  assert.deepEqual(levels, [
    'syntax/warning: Extra `mssql_pymssql` is the same as `mssql-pymssql` after name normalization: installers treat them as one extra',
    'syntax/error: Dependency group `Dev` is the same as `dev` after name normalization',
  ]);
  // The user's `severity` setting for the code still decides.
  assert.equal(severityFor('syntax', { syntax: 'error' }, findings[0].defaultSeverity), 'error');
  assert.equal(severityFor('syntax', { syntax: 'off' }, findings[0].defaultSeverity), 'off');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { Dependency, ParsedDocument, Range } from '../../server/src/core/model';
import { MAX_DEPENDENCIES } from '../../server/src/parsers/limits';
import { isUploadedPriorTo } from '../../server/src/parsers/requirements/optionValues';
import { parseRequirements } from '../../server/src/parsers/requirements';
import { MAX_PROBLEMS } from '../../server/src/parsers/requirements/problems';

const SHA_A = '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b';
const SHA_B = '117ed88e5db073bb92969a7545745fd977ee85b7019706dd256a64058f70963d';

function textAt(text: string, range: Range): string {
  const index = new LineIndex(text);
  return text.slice(index.offsetAt(range.start), index.offsetAt(range.end));
}

function only(doc: ParsedDocument): Dependency {
  assert.equal(doc.dependencies.length, 1, `one dependency, got ${JSON.stringify(doc.dependencies.map((d) => d.rawName))}`);
  return doc.dependencies[0];
}

function messages(doc: ParsedDocument): string[] {
  return doc.problems.map((p) => p.message);
}

function assertClean(doc: ParsedDocument): void {
  assert.deepEqual(messages(doc), []);
}

test('the example of pip\'s documentation', () => {
  const text = [
    '# This is a comment, to show how #-prefixed lines are ignored.',
    'pytest',
    'beautifulsoup4',
    '',
    'docopt == 0.6.1',
    'requests [security] >= 2.8.1, == 2.8.* ; python_version < "2.7"',
    'urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip',
    '',
    '-r other-requirements.txt',
    '-c constraints.txt',
    './downloads/numpy-1.9.2-cp34-none-win32.whl',
    'http://wxpython.org/Phoenix/snapshot-builds/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl',
  ].join('\n');
  const doc = parseRequirements(text);
  assertClean(doc);
  assert.equal(doc.format, 'requirements');
  assert.deepEqual(
    doc.dependencies.map((d) => d.name),
    ['pytest', 'beautifulsoup4', 'docopt', 'requests', 'urllib3', 'numpy', 'wxpython-phoenix'],
  );
  const [pytest, , docopt, requests, urllib3, numpy, wx] = doc.dependencies;
  assert.deepEqual(pytest.ranges.requirement, { start: { line: 1, character: 0 }, end: { line: 1, character: 6 } });
  assert.equal(docopt.pinnedVersion, '0.6.1');
  assert.equal(textAt(text, docopt.ranges.version as Range), '0.6.1');
  assert.equal(textAt(text, docopt.ranges.requirement), 'docopt == 0.6.1');
  assert.deepEqual(requests.extras, ['security']);
  assert.equal(requests.specifier, '>= 2.8.1, == 2.8.*');
  assert.equal(requests.marker, 'python_version < "2.7"');
  assert.equal(requests.pinnedVersion, undefined);
  assert.equal(textAt(text, requests.ranges.requirement), 'requests [security] >= 2.8.1, == 2.8.* ; python_version < "2.7"');
  assert.equal(urllib3.url, 'https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip');
  assert.equal(textAt(text, urllib3.ranges.name), 'urllib3');
  assert.equal(numpy.url, './downloads/numpy-1.9.2-cp34-none-win32.whl');
  assert.equal(textAt(text, numpy.ranges.name), 'numpy');
  assert.equal(wx.rawName, 'wxPython_Phoenix');
  assert.equal(textAt(text, wx.ranges.name), 'wxPython_Phoenix');
  assert.deepEqual(
    doc.includes.map((i) => [i.kind, i.target, textAt(text, i.range)]),
    [
      ['requirements', 'other-requirements.txt', 'other-requirements.txt'],
      ['constraints', 'constraints.txt', 'constraints.txt'],
    ],
  );
  for (const d of doc.dependencies) assert.equal(d.section, 'requirements');
});

test('hashes across continuation lines point at each algo:hex', () => {
  const text = `sampleproject==4.0.0 \\\n    --hash=sha256:${SHA_A} \\\n    --hash sha256:${SHA_B.toUpperCase()}\nnext==1\n`;
  const doc = parseRequirements(text);
  assertClean(doc);
  const [dep, next] = doc.dependencies;
  assert.equal(dep.pinnedVersion, '4.0.0');
  assert.deepEqual(
    dep.hashes.map((h) => [h.algorithm, h.hex]),
    [
      ['sha256', SHA_A],
      ['sha256', SHA_B],
    ],
  );
  assert.deepEqual(dep.hashes[0].range, { start: { line: 1, character: 11 }, end: { line: 1, character: 11 + 7 + 64 } });
  assert.equal(textAt(text, dep.hashes[0].range), `sha256:${SHA_A}`);
  assert.equal(textAt(text, dep.hashes[1].range), `sha256:${SHA_B.toUpperCase()}`);
  assert.equal(dep.hashes[1].range.start.line, 2);
  assert.equal(textAt(text, dep.ranges.requirement), 'sampleproject==4.0.0');
  assert.equal(next.ranges.name.start.line, 3, 'the line after a joined line keeps its own number');
});

test('a requirement split by a continuation maps both halves', () => {
  const text = 'foo \\\n  >=1.0, \\\n<2 ; python_version >= "3"\n';
  const dep = only(parseRequirements(text));
  assert.equal(dep.specifier, '>=1.0, <2');
  assert.deepEqual(dep.ranges.requirement.start, { line: 0, character: 0 });
  assert.deepEqual(dep.ranges.requirement.end, { line: 2, character: 26 });
  assert.equal(dep.marker, 'python_version >= "3"');
});

test('CRLF, lone CR and a byte-order mark', () => {
  const text = '\ufeffalpha==1\r\nbeta==2\rgamma==3\r\n';
  const doc = parseRequirements(text);
  assertClean(doc);
  assert.deepEqual(
    doc.dependencies.map((d) => [d.name, d.ranges.name.start.line, d.ranges.name.start.character]),
    [
      ['alpha', 0, 1],
      ['beta', 1, 0],
      ['gamma', 2, 0],
    ],
  );
});

test('comments: at line start or after whitespace; #egg= and #sha256= in URLs are not comments', () => {
  const text = [
    '# a comment',
    '   # an indented comment',
    'foo==1.0 # trailing',
    'bar==2#not-a-comment',
    '-e git+https://github.com/pypa/pip#egg=pip',
    'https://example.com/pkg-1.0.tar.gz#sha256=' + SHA_A,
  ].join('\n');
  const doc = parseRequirements(text);
  assert.equal(doc.dependencies[0].pinnedVersion, '1.0');
  assert.equal(textAt(text, doc.dependencies[0].ranges.requirement), 'foo==1.0');
  assert.equal(doc.problems.length, 1, 'bar==2#not-a-comment is an invalid version');
  assert.equal(doc.problems[0].range.start.line, 3);
  assert.equal(doc.dependencies[1].name, 'pip');
  assert.equal(doc.dependencies[2].url, 'https://example.com/pkg-1.0.tar.gz#sha256=' + SHA_A);
});

test('comments are stripped after joining: a comment line ends a continuation, a comment before "\\" swallows the next line', () => {
  const ended = parseRequirements('foo==1 \\\n# comment \\\nbar==2\n');
  assert.deepEqual(
    ended.dependencies.map((d) => d.name),
    ['foo', 'bar'],
  );
  const swallowed = parseRequirements('foo==1 # note \\\nbar==2\nbaz==3\n');
  assert.deepEqual(
    swallowed.dependencies.map((d) => d.name),
    ['foo', 'baz'],
  );
});

test('${VAR} expansion: only ${UPPER_CASE}, from the given environment; ranges point at the ${VAR}', () => {
  const text = 'foo==${FOO_VERSION}\nbar==${unset}\n-i https://${USER}:${TOKEN}@example.com/simple\n-r ${DIR}/more.txt\nbaz==$VER\n';
  const doc = parseRequirements(text, { env: { FOO_VERSION: '1.2.3', USER: 'me', TOKEN: 's3cret', DIR: 'reqs', VER: '9' } });
  const [foo] = doc.dependencies;
  assert.equal(foo.pinnedVersion, '1.2.3');
  assert.equal(textAt(text, foo.ranges.version as Range), '${FOO_VERSION}');
  assert.equal(textAt(text, foo.ranges.requirement), 'foo==${FOO_VERSION}');
  assert.equal(doc.options.indexUrl, 'https://me:s3cret@example.com/simple');
  assert.equal(doc.includes[0].target, 'reqs/more.txt');
  assert.equal(textAt(text, doc.includes[0].range), '${DIR}/more.txt');
  // ${unset} (lower case) and $VER are not expanded, so they are invalid versions.
  assert.equal(doc.problems.length, 2);
  for (const problem of doc.problems) assert.ok(!problem.message.includes('s3cret'));
  const unexpanded = parseRequirements(text);
  assert.equal(unexpanded.options.indexUrl, 'https://${USER}:${TOKEN}@example.com/simple');
  assert.equal(unexpanded.dependencies.length, 0, 'unexpanded ${FOO_VERSION} is not a version');
});

test('an empty variable stays as written, as in pip', () => {
  const doc = parseRequirements('foo==${V}\n', { env: { V: '' } });
  assert.equal(doc.dependencies.length, 0);
  assert.equal(doc.problems.length, 1);
});

test('global options in both forms, abbreviations, and their document options', () => {
  const text = [
    '--index-url https://example.com/simple',
    '--extra-index-url=https://extra.example.com/simple',
    '--extra-index-url https://two.example.com/simple',
    '--no-index',
    '-f ./wheels',
    '--find-links=https://example.com/links',
    '--trusted-host example.com',
    '--pre',
    '--require-hashes',
    '--only-binary=:all:',
    '--no-binary pkg1,pkg2',
    '--prefer-binary',
    '--use-feature=fast-deps',
    '-Z',
    '--all-releases :all:',
    '--extra-index https://abbrev.example.com/simple',
  ].join('\n');
  const doc = parseRequirements(text);
  assertClean(doc);
  const o = doc.options;
  assert.equal(o.indexUrl, 'https://example.com/simple');
  assert.deepEqual(o.extraIndexUrls, ['https://extra.example.com/simple', 'https://two.example.com/simple', 'https://abbrev.example.com/simple']);
  assert.equal(o.noIndex, true);
  assert.deepEqual(o.findLinks, ['./wheels', 'https://example.com/links']);
  assert.deepEqual(o.trustedHosts, ['example.com']);
  assert.equal(o.pre, true);
  assert.equal(o.requireHashes, true);
  assert.deepEqual(o.other['only-binary'], [':all:']);
  assert.deepEqual(o.other['no-binary'], ['pkg1,pkg2']);
  assert.deepEqual(o.other['prefer-binary'], []);
  assert.deepEqual(o.other['use-feature'], ['fast-deps']);
  assert.deepEqual(o.other['always-unzip'], []);
  assert.deepEqual(o.other['all-releases'], [':all:']);
  assert.equal(doc.dependencies.length, 0);
});

test('short options with attached values and -i', () => {
  const doc = parseRequirements('-ihttps://a.example/simple\n-rbase.txt\n-c constraints.txt\n');
  assertClean(doc);
  assert.equal(doc.options.indexUrl, 'https://a.example/simple');
  assert.deepEqual(
    doc.includes.map((i) => [i.kind, i.target]),
    [
      ['requirements', 'base.txt'],
      ['constraints', 'constraints.txt'],
    ],
  );
  const long = parseRequirements('--requirement=dev.txt\n--constraint c.txt\n');
  assert.deepEqual(
    long.includes.map((i) => i.target),
    ['dev.txt', 'c.txt'],
  );
});

test('unknown, ambiguous and malformed options are syntax problems with the option\'s range', () => {
  const text = '--frobnicate\n--pr\n--index-url\n--pre=yes\n-x\n--hash=sha256:' + SHA_A + '\n';
  const doc = parseRequirements(text);
  assert.equal(doc.problems.length, 6);
  assert.ok(doc.problems.every((p) => p.code === 'syntax'));
  const [unknown, ambiguous, noValue, flagValue, short, lonelyHash] = doc.problems;
  assert.match(unknown.message, /Unknown pip option --frobnicate/);
  assert.equal(textAt(text, unknown.range), '--frobnicate');
  assert.match(ambiguous.message, /Ambiguous/);
  assert.match(noValue.message, /needs a value/);
  assert.match(flagValue.message, /takes no value/);
  assert.match(short.message, /-x/);
  assert.match(lonelyHash.message, /ignores it here/);
  assert.equal(doc.options.pre, false);
});

test('options pip ignores are reported: globals on a requirement line, extra words, other options beside -r', () => {
  const doc = parseRequirements('foo==1.0 --index-url https://x.example/simple\n-r a.txt --pre\n--pre stray\n');
  assert.equal(doc.options.indexUrl, undefined);
  assert.equal(doc.options.pre, true, 'the third line still sets --pre');
  assert.deepEqual(
    doc.includes.map((i) => i.target),
    ['a.txt'],
  );
  const m = messages(doc);
  assert.equal(m.length, 3);
  assert.match(m[0], /ignores --index-url on a requirement/);
  assert.match(m[1], /ignores --pre on a line that includes/);
  assert.match(m[2], /ignores this word/);
});

test('per-requirement options: repeated --hash, --config-settings/-C, --global-option', () => {
  const text = `foo==1.0 --hash=sha256:${SHA_A} --hash=sha384:${'a'.repeat(96)} -C key=value --config-settings=other=1 --global-option=--x\n`;
  const dep = only(parseRequirements(text));
  assert.deepEqual(
    dep.hashes.map((h) => h.algorithm),
    ['sha256', 'sha384'],
  );
  assert.deepEqual(dep.lineOptions, { 'config-settings': ['key=value', 'other=1'], 'global-option': ['--x'] });
  assert.equal(textAt(text, dep.ranges.requirement), 'foo==1.0');
});

test('bad --hash values are syntax problems and are not recorded', () => {
  const text = [
    `a==1 --hash=${SHA_A}`,
    `b==1 --hash=sha3_256:${SHA_A}`,
    `c==1 --hash=sha256:${SHA_A.slice(1)}`,
    `d==1 --hash=sha256:${'z'.repeat(64)}`,
    `e==1 --hash=md5:${'0'.repeat(32)}`,
    `f==1 --hash=SHA256:${SHA_A}`,
    'g==1 -C novalue',
  ].join('\n');
  const doc = parseRequirements(text);
  const byName = new Map(doc.dependencies.map((d) => [d.name, d]));
  assert.equal(byName.get('a')?.hashes.length, 0);
  assert.equal(byName.get('b')?.hashes.length, 0);
  assert.equal(byName.get('c')?.hashes.length, 0);
  assert.equal(byName.get('d')?.hashes.length, 0);
  assert.deepEqual(
    byName.get('e')?.hashes.map((h) => h.algorithm),
    ['md5'],
    'md5 is kept: weak-hash reports it',
  );
  assert.equal(byName.get('f')?.hashes[0]?.algorithm, 'sha256');
  const m = messages(doc);
  assert.equal(m.length, 6);
  assert.match(m[0], /algorithm:hex/);
  assert.match(m[1], /Unknown hash algorithm "sha3_256"/);
  assert.match(m[2], /64 hex digits, this one has 63/);
  assert.match(m[3], /hexadecimal/);
  assert.match(m[4], /lower case/);
  assert.match(m[5], /KEY=VALUE/);
  assert.equal(doc.problems[1].range.start.line, 1);
  assert.equal(textAt(text, doc.problems[2].range), `sha256:${SHA_A.slice(1)}`);
});

test('editable requirements', () => {
  const text = [
    '-e git+https://github.com/pypa/pip.git@main#egg=pip',
    '-e .',
    '--editable ./lib[dev,test]',
    '-e "my-pkg[extra] @ git+https://example.com/r.git ; python_version >= \'3\'"',
    '-e git://example.com/r.git#egg=legacy',
    '-e file:///srv/pkg',
  ].join('\n');
  const doc = parseRequirements(text);
  assertClean(doc);
  const [pip, dot, lib, named, legacy, file] = doc.dependencies;
  assert.ok(doc.dependencies.every((d) => d.editable === true));
  assert.equal(pip.name, 'pip');
  assert.equal(textAt(text, pip.ranges.name), 'pip');
  assert.equal(textAt(text, pip.ranges.requirement), 'git+https://github.com/pypa/pip.git@main#egg=pip');
  assert.equal(dot.name, '');
  assert.equal(dot.url, '.');
  assert.equal(textAt(text, dot.ranges.name), '.');
  assert.deepEqual(lib.extras, ['dev', 'test']);
  assert.equal(lib.url, './lib');
  assert.equal(named.name, 'my-pkg');
  assert.equal(textAt(text, named.ranges.name), 'my-pkg');
  assert.equal(named.url, 'git+https://example.com/r.git');
  assert.equal(named.marker, "python_version >= '3'");
  assert.equal(legacy.name, 'legacy');
  assert.equal(file.url, 'file:///srv/pkg');
});

test('editable mistakes', () => {
  const doc = parseRequirements(
    ['-e git+https://example.com/r.git', '-e https://example.com/x.zip', `-e ./pkg --hash=sha256:${SHA_A}`, '-e', '-e ./a -e ./b', '-e ./c[dev, test]'].join('\n'),
  );
  const m = messages(doc);
  assert.match(m[0], /name @ URL/);
  assert.match(m[1], /Not a valid editable/);
  assert.match(m[2], /ignores --hash on an editable/);
  assert.match(m[3], /needs a value/);
  assert.match(m[4], /only one -e/);
  // shlex splits "[dev, test]" at the space, as it does in pip.
  assert.match(m[5], /ignores this word/);
  // What is left, `./c[dev,`, is no directory pip could find: an unclosed `[`.
  assert.ok(m.some((message) => /Expected "\]" to close the extras/.test(message)), m.join('\n'));
  assert.deepEqual(
    doc.dependencies.map((d) => d.url),
    ['./pkg', './a'],
  );
  assert.equal(doc.dependencies[0].hashes.length, 0);
});

test('URL and path requirements', () => {
  const text = [
    'https://example.com/pkg.tar.gz',
    'git+https://github.com/org/repo.git@v1.0#egg=repo-name',
    'https://example.com/dist/Pkg_Name-2.0-py3-none-any.whl ; python_version >= "3.9"',
    './local/project',
    '.',
    '../sibling[extra1]',
    'dist/thing-1.0.tar.gz',
    './proj; sys_platform == "linux"',
  ].join('\n');
  const doc = parseRequirements(text);
  assertClean(doc);
  const [tar, git, wheel, local, dot, sibling, archive, marked] = doc.dependencies;
  assert.equal(tar.name, '');
  assert.equal(textAt(text, tar.ranges.name), 'https://example.com/pkg.tar.gz');
  assert.equal(git.name, 'repo-name');
  assert.equal(textAt(text, git.ranges.name), 'repo-name');
  assert.equal(wheel.name, 'pkg-name');
  assert.equal(wheel.marker, 'python_version >= "3.9"');
  assert.equal(wheel.url, 'https://example.com/dist/Pkg_Name-2.0-py3-none-any.whl');
  assert.equal(textAt(text, wheel.ranges.requirement), 'https://example.com/dist/Pkg_Name-2.0-py3-none-any.whl ; python_version >= "3.9"');
  assert.equal(local.url, './local/project');
  assert.equal(dot.url, '.');
  assert.equal(sibling.url, '../sibling');
  assert.deepEqual(sibling.extras, ['extra1']);
  assert.equal(archive.url, 'dist/thing-1.0.tar.gz');
  assert.equal(marked.url, './proj');
  assert.equal(marked.marker, 'sys_platform == "linux"');
  for (const d of doc.dependencies) assert.equal(d.pinnedVersion, undefined);
});

test('a bad wheel file name and a bad egg fragment are reported, the requirement kept unnamed', () => {
  const doc = parseRequirements('https://example.com/not-a-wheel.whl\nhttps://example.com/x.zip#egg=-bad-\n');
  assert.equal(doc.dependencies.length, 2);
  assert.ok(doc.dependencies.every((d) => d.name === ''));
  assert.match(doc.problems[0].message, /wheel file name/);
  assert.match(doc.problems[1].message, /#egg=/);
});

test('invalid requirements: clear messages, no dependency, range on the line', () => {
  const text = 'foo=1.0\nbar[baz\nqux (>=1\n"quoted"\nok==1\n';
  const doc = parseRequirements(text);
  assert.deepEqual(
    doc.dependencies.map((d) => d.name),
    ['ok'],
  );
  assert.equal(doc.problems.length, 4);
  assert.deepEqual(
    doc.problems.map((p) => p.range.start.line),
    [0, 1, 2, 3],
  );
  assert.match(doc.problems[0].message, /Did you mean "=="/);
  assert.match(doc.problems[1].message, /"\]"/);
  assert.match(doc.problems[2].message, /"\)"/);
});

test('a tab before an option leaves it in the requirement, as in pip, with a hint', () => {
  const doc = parseRequirements(`foo==1.0\t--hash=sha256:${SHA_A}\n`);
  assert.equal(doc.dependencies.length, 0);
  assert.match(doc.problems[0].message, /after a space, not after a tab/);
});

test('unbalanced quotes in the options part: a problem; the requirement is still read', () => {
  const text = 'foo==1 --config-settings="a=b\nbar==2\n';
  const doc = parseRequirements(text);
  assert.equal(doc.problems.length, 1);
  assert.match(doc.problems[0].message, /No closing quotation/);
  assert.equal(textAt(text, doc.problems[0].range), '"a=b');
  assert.deepEqual(
    doc.dependencies.map((d) => [d.name, d.lineOptions]),
    [
      ['foo', undefined],
      ['bar', undefined],
    ],
  );
});

test('a lone backslash at the end of the file, and a file of only continuations', () => {
  assertClean(parseRequirements('\\'));
  const doc = parseRequirements('foo==1 \\');
  assert.equal(only(doc).pinnedVersion, '1');
  assertClean(parseRequirements('\\\n\\\n\\\n'));
});

test('invalid UTF-8 and binary junk give syntax problems that say so', () => {
  const bytes = Buffer.from([0x66, 0x6f, 0x6f, 0xff, 0xfe, 0x3d, 0x3d, 0x31, 0x0a, 0x00, 0x01, 0x02, 0x89, 0x50, 0x4e, 0x47]);
  const doc = parseRequirements(bytes.toString('utf8'));
  assert.equal(doc.dependencies.length, 0);
  assert.equal(doc.problems.length, 2);
  assert.match(doc.problems[0].message, /not valid UTF-8/);
  assert.match(doc.problems[1].message, /binary data|not valid UTF-8/);
});

test('a 10 MB file and a 100k-line file parse without throwing', () => {
  const big = 'x'.repeat(10 * 1024 * 1024);
  const one = parseRequirements(big);
  assert.equal(one.dependencies.length, 1, 'one long name is a name');
  const junk = parseRequirements('=' + big);
  assert.equal(junk.problems.length, 1);
  const lines = Array.from({ length: 100_000 }, (_, i) => `pkg${i}==1.${i}`).join('\n');
  const many = parseRequirements(lines);
  // Reading stops at MAX_DEPENDENCIES, with one problem at the first line not read.
  assert.equal(many.dependencies.length, MAX_DEPENDENCIES);
  assert.equal(many.dependencies[MAX_DEPENDENCIES - 1].ranges.name.start.line, MAX_DEPENDENCIES - 1);
  assert.equal(many.problems.length, 1);
  assert.match(many.problems[0].message, /more than 20,000 dependencies; only the first 20,000 are checked/);
  assert.equal(many.problems[0].range.start.line, MAX_DEPENDENCIES);
  const tooLarge = parseRequirements(big + '\n');
  assert.deepEqual([tooLarge.dependencies.length, tooLarge.problems.length], [0, 1]);
  assert.match(tooLarge.problems[0].message, /too large to analyse \(10\.1 MiB; the limit for this kind of file is 10 MiB\)/);
});

test('a flood of broken lines is capped, with a last problem saying how many more', () => {
  const doc = parseRequirements(Array.from({ length: MAX_PROBLEMS + 50 }, () => '=junk').join('\n'));
  assert.equal(doc.problems.length, MAX_PROBLEMS + 1);
  assert.match(doc.problems[MAX_PROBLEMS].message, /^50 more problems/);
});

test('form feed and other Python line breaks split lines as pip does', () => {
  const doc = parseRequirements('a==1\fb==2\u2028c==3');
  assert.deepEqual(
    doc.dependencies.map((d) => d.name),
    ['a', 'b', 'c'],
  );
});

test('a line that is not PEP 508 is a local path only when written as one; else syntax, with a hint', () => {
  const lines = [
    'pyperformance/requirements/requirements.txt',
    'requests>=2.0 see docs/install.txt',
    'numpy==1.26.0/',
    'pyyaml = 6.0 /',
    'src/mypkg',
    './local/project',
    '../sibling',
    '/abs/path',
    '.',
    '.[testutils,spelling]',
    '-e ./editable[d',
    './pkg[dev',
  ];
  const doc = parseRequirements(lines.join('\n'));
  const onLine = (n: number) => doc.problems.filter((p) => p.range.start.line === n && p.code === 'syntax').map((p) => p.message);
  assert.match(onLine(0).join(), /Did you mean "-r pyperformance\/requirements\/requirements\.txt"\?/);
  for (const n of [1, 2, 3]) assert.equal(onLine(n).length, 1, lines[n]);
  assert.match(onLine(4).join(), /write it as "\.\/src\/mypkg"/);
  for (const n of [5, 6, 7, 8, 9]) assert.deepEqual(onLine(n), [], lines[n]);
  assert.match(onLine(10).join(), /Expected "\]" to close the extras/);
  assert.match(onLine(11).join(), /Expected "\]" to close the extras/);
  assert.deepEqual(doc.dependencies.map((d) => d.url), ['./local/project', '../sibling', '/abs/path', '.', '.']);
  assert.deepEqual(doc.dependencies[4].extras, ['testutils', 'spelling']);
});

test('a wheel file name with extras after a space is read as pip reads it: the wheel\'s project, with the extras', () => {
  const doc = parseRequirements('simple-0.1-py2.py3-none-any.whl [ext]\n');
  assert.deepEqual(doc.problems, []);
  assert.equal(doc.dependencies.length, 1);
  const dep = doc.dependencies[0];
  assert.equal(dep.name, 'simple');
  assert.deepEqual(dep.extras, ['ext']);
  assert.equal(dep.url, 'simple-0.1-py2.py3-none-any.whl');
});

test('pip 26 options: --no-require-hashes known, --use-feature and --uploaded-prior-to values checked', () => {
  const lines = [
    '--no-require-hashes',
    '--use-feature=fast-deps',
    '--use-feature=build-constraint',
    '--use-feature=resolvelib',
    '--uploaded-prior-to=2023-01-01T00:00:00Z',
    '--uploaded-prior-to P3D',
    '--uploaded-prior-to=yesterday',
  ];
  const doc = parseRequirements(lines.join('\n'));
  const onLine = (n: number) => doc.problems.filter((p) => p.range.start.line === n).map((p) => p.message);
  assert.deepEqual(onLine(0), []);
  assert.deepEqual(doc.options.other['no-require-hashes'], []);
  assert.deepEqual(onLine(1), []);
  assert.deepEqual(onLine(2), []);
  assert.match(onLine(3).join(), /no feature "resolvelib" for --use-feature/);
  // pip 26 reads --uploaded-prior-to on its command line only: a file with it stops pip.
  assert.match(onLine(4).join(), /only on its command line/);
  assert.doesNotMatch(onLine(4).join(), /takes an ISO 8601/);
  assert.match(onLine(5).join(), /only on its command line/);
  assert.match(onLine(6).join(), /only on its command line.*takes an ISO 8601 date or date-time .* or a number of days \(P3D\), not "yesterday"/);
});

test('--require-hashes and --no-require-hashes together: pip stops', () => {
  const doc = parseRequirements('--require-hashes\n--no-require-hashes\n');
  assert.equal(doc.problems.length, 1);
  assert.match(doc.problems[0].message, /mutually exclusive/);
  assert.equal(doc.problems[0].range.start.line, 1);
});

test('--uploaded-prior-to forms: Python 3.11 fromisoformat dates and date-times, P<n>D', () => {
  for (const valid of ['2023-01-01', '20230101', '2023-W01', '2023-W01-1', '2023W011', '2023-01-01T00:00:00Z', '2023-01-01 12:30', '2023-01-01T12', '2023-01-01T12:30:45.123456+02:00', '2023-01-01T12:30:45,5-0530', '2024-02-29', 'P0D', 'P30D']) {
    assert.equal(isUploadedPriorTo(valid), true, valid);
  }
  for (const invalid of ['', 'yesterday', '2023-13-01', '2023-02-30', '2023-02-29', '2023-01', '2023', 'P3W', 'P3.5D', 'p3d', '2023-01-01T25:00', '2023-01-01T12:60', '2023-W54', '2023-01-01T', 'P٣D']) {
    assert.equal(isUploadedPriorTo(invalid), false, invalid);
  }
});

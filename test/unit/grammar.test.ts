// Tokenizes requirements files with the real TextMate engine VS Code uses (vscode-textmate +
// the Oniguruma WASM) and checks the scopes our grammar gives to each part of a line.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const repoRoot = path.resolve(__dirname, '../..');
const grammarPath = path.join(repoRoot, 'syntaxes/pip-requirements.tmLanguage.json');
const configurationPath = path.join(repoRoot, 'syntaxes/pip-requirements.language-configuration.json');
const SCOPE = 'source.pip-requirements';

let grammar: vsctm.IGrammar;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === SCOPE ? vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const loaded = await registry.loadGrammar(SCOPE);
  assert.ok(loaded, 'grammar loads');
  grammar = loaded;
});

interface Token {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}

/** Tokenizes a whole document line by line, carrying the rule stack as an editor does. */
function tokenize(document: string): Token[][] {
  let ruleStack = vsctm.INITIAL;
  return document.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, ruleStack);
    ruleStack = result.ruleStack;
    return result.tokens.map((t) => ({
      text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)),
      start: t.startIndex,
      end: t.endIndex,
      scopes: t.scopes,
    }));
  });
}

/**
 * The scopes of `text` on line `lineNo` (its `occurrence`-th appearance), which must be
 * exactly one token: a scope that starts or ends in the wrong place fails here.
 */
function scopesOf(lines: Token[][], lineNo: number, text: string, occurrence = 0): string[] {
  const tokens = lines[lineNo];
  assert.ok(tokens, `line ${lineNo} exists`);
  const lineText = tokens.map((t) => t.text).join('');
  let start = -1;
  for (let i = 0; i <= occurrence; i++) start = lineText.indexOf(text, start + 1);
  assert.ok(start >= 0, `"${text}" occurs on line ${lineNo}: ${lineText}`);
  const token = tokens.find((t) => t.start === start);
  const describe = () => tokens.map((t) => `${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`).join('\n');
  assert.ok(token, `a token starts at "${text}" on line ${lineNo}:\n${describe()}`);
  assert.equal(token.text, text, `"${text}" is one token on line ${lineNo}:\n${describe()}`);
  return token.scopes;
}

/** Asserts the innermost scope of a token, plus any enclosing scopes given. */
function expectScope(lines: Token[][], lineNo: number, text: string | [string, number], innermost: string, ...enclosing: string[]): void {
  const scopes = typeof text === 'string' ? scopesOf(lines, lineNo, text) : scopesOf(lines, lineNo, text[0], text[1]);
  assert.equal(scopes[scopes.length - 1], `${innermost}.pip-requirements`, `innermost scope of "${text}": ${scopes.join(' ')}`);
  for (const outer of enclosing) {
    assert.ok(scopes.includes(`${outer}.pip-requirements`), `"${text}" is inside ${outer}: ${scopes.join(' ')}`);
  }
}

/** The scopes of the token covering character `column` of line `lineNo`. */
function scopesAt(lines: Token[][], lineNo: number, column: number): string[] {
  const token = lines[lineNo]?.find((t) => t.start <= column && column < t.end);
  assert.ok(token, `a token covers ${lineNo}:${column}`);
  return token.scopes;
}

function hasScopePrefix(lines: Token[][], lineNo: number, text: string, prefix: string): boolean {
  return scopesOf(lines, lineNo, text).some((s) => s.startsWith(prefix));
}

test('grammar: every token is in the root scope and the file is valid JSON with the right scopeName', () => {
  const raw = JSON.parse(readFileSync(grammarPath, 'utf8'));
  assert.equal(raw.scopeName, SCOPE);
  const lines = tokenize('requests==2.31.0\n# c\n-r x.txt');
  for (const line of lines) for (const t of line) assert.equal(t.scopes[0], SCOPE);
});

test('grammar: name, extras, operators and versions', () => {
  const lines = tokenize('requests [security, socks] >= 2.8.1, == 2.8.* ; python_version < "2.7"\nDocOpt==0.6.1\nzope.interface~=5.0\nfoo===1.0+local.7');
  expectScope(lines, 0, 'requests', 'entity.name.type.package', 'meta.requirement');
  expectScope(lines, 0, '[', 'punctuation.section.extras.begin', 'meta.extras');
  expectScope(lines, 0, 'security', 'variable.parameter.extra', 'meta.extras');
  expectScope(lines, 0, 'socks', 'variable.parameter.extra', 'meta.extras');
  expectScope(lines, 0, ']', 'punctuation.section.extras.end', 'meta.extras');
  expectScope(lines, 0, '>=', 'keyword.operator.comparison.version', 'meta.specifier');
  expectScope(lines, 0, '2.8.1', 'constant.numeric.version', 'meta.specifier');
  expectScope(lines, 0, '==', 'keyword.operator.comparison.version');
  expectScope(lines, 0, '2.8.*', 'constant.numeric.version');
  expectScope(lines, 1, 'DocOpt', 'entity.name.type.package');
  expectScope(lines, 1, '==', 'keyword.operator.comparison.version');
  expectScope(lines, 1, '0.6.1', 'constant.numeric.version');
  expectScope(lines, 2, 'zope.interface', 'entity.name.type.package');
  expectScope(lines, 2, '~=', 'keyword.operator.comparison.version');
  expectScope(lines, 3, '===', 'keyword.operator.comparison.version');
  expectScope(lines, 3, '1.0+local.7', 'constant.numeric.version');
});

test('grammar: environment markers', () => {
  const lines = tokenize(`tzdata==2024.1; sys_platform == 'win32' and (python_version >= "3.8" or extra not in "dev")`);
  expectScope(lines, 0, ';', 'punctuation.separator.marker', 'meta.marker');
  expectScope(lines, 0, 'sys_platform', 'variable.language.marker', 'meta.marker');
  expectScope(lines, 0, '==', 'keyword.operator.comparison.version');
  // The marker's `==` is the second one on the line.
  expectScope(lines, 0, ['==', 1], 'keyword.operator.comparison.marker', 'meta.marker');
  expectScope(lines, 0, "'", 'punctuation.definition.string.begin', 'string.quoted.single', 'meta.marker');
  expectScope(lines, 0, 'win32', 'string.quoted.single', 'meta.marker');
  expectScope(lines, 0, 'and', 'keyword.operator.logical', 'meta.marker');
  expectScope(lines, 0, ['or', 1], 'keyword.operator.logical');
  expectScope(lines, 0, '(', 'punctuation.section.group.begin', 'meta.marker');
  expectScope(lines, 0, 'python_version', 'variable.language.marker');
  expectScope(lines, 0, '>=', 'keyword.operator.comparison.marker');
  expectScope(lines, 0, '3.8', 'string.quoted.double');
  expectScope(lines, 0, 'extra', 'variable.language.marker');
  expectScope(lines, 0, 'not in', 'keyword.operator.comparison.marker');
  expectScope(lines, 0, ')', 'punctuation.section.group.end');
});

test('grammar: comments, but not a # inside a word', () => {
  const lines = tokenize('# full line\nflask==3.0.0  # pinned for now\n  # indented\ngit+https://example.com/r.git#egg=pkg');
  expectScope(lines, 0, '#', 'punctuation.definition.comment', 'comment.line.number-sign');
  expectScope(lines, 0, ' full line', 'comment.line.number-sign');
  expectScope(lines, 1, '3.0.0', 'constant.numeric.version');
  expectScope(lines, 1, ' pinned for now', 'comment.line.number-sign', 'meta.requirement');
  expectScope(lines, 2, ' indented', 'comment.line.number-sign');
  expectScope(lines, 3, 'git+https://example.com/r.git#egg=pkg', 'markup.underline.link', 'meta.requirement');
});

test('grammar: a # after whitespace ends the line even inside marker quotes, as pip strips it', () => {
  const lines = tokenize('a==1 ; os_name == "x #y"');
  assert.ok(hasScopePrefix(lines, 0, '#', 'punctuation.definition.comment'), 'the # is a comment');
  const quote = 'a==1 ; os_name == "x #y"'.indexOf('"');
  assert.ok(!scopesAt(lines, 0, quote).some((s) => s.startsWith('string.')), 'the unclosed quote is not a string');
});

test('grammar: global options with and without values', () => {
  const lines = tokenize(
    [
      '--index-url https://pypi.org/simple/',
      '-i=https://${USER}:${TOKEN}@example.com/simple',
      '--extra-index-url ${INDEX_URL}',
      '--require-hashes',
      '--pre',
      '--no-binary :all:',
      '--trusted-host example.com',
      '--find-links ./wheels',
    ].join('\n'),
  );
  expectScope(lines, 0, '--index-url', 'entity.other.attribute-name.option.global', 'meta.option-line');
  expectScope(lines, 0, 'https://pypi.org/simple/', 'markup.underline.link', 'meta.option-line');
  expectScope(lines, 1, '-i', 'entity.other.attribute-name.option.global');
  expectScope(lines, 1, '=', 'punctuation.separator.key-value');
  expectScope(lines, 1, 'USER', 'variable.other.environment', 'markup.underline.link');
  expectScope(lines, 1, '${', 'punctuation.definition.variable.begin', 'markup.underline.link');
  expectScope(lines, 1, 'TOKEN', 'variable.other.environment');
  expectScope(lines, 1, '@example.com/simple', 'markup.underline.link');
  expectScope(lines, 2, 'INDEX_URL', 'variable.other.environment');
  expectScope(lines, 3, '--require-hashes', 'entity.other.attribute-name.option.global');
  expectScope(lines, 4, '--pre', 'entity.other.attribute-name.option.global');
  expectScope(lines, 5, '--no-binary', 'entity.other.attribute-name.option.global');
  expectScope(lines, 5, ':all:', 'constant.language', 'string.unquoted.option-value');
  expectScope(lines, 6, '--trusted-host', 'entity.other.attribute-name.option.global');
  expectScope(lines, 6, 'example.com', 'string.unquoted.option-value');
  expectScope(lines, 7, './wheels', 'string.unquoted.path');
});

test('grammar: -r, -c and -e', () => {
  const lines = tokenize(
    ['-r other-requirements.txt', '-cconstraints.txt', '--requirement=https://example.com/r.txt', '-e .[dev,test]', '-e git+https://github.com/pypa/pip.git@main#egg=pip', '--editable ./src/pkg'].join('\n'),
  );
  expectScope(lines, 0, '-r', 'entity.other.attribute-name.option', 'meta.option-line');
  expectScope(lines, 0, 'other-requirements.txt', 'string.unquoted.path');
  expectScope(lines, 1, '-c', 'entity.other.attribute-name.option');
  expectScope(lines, 1, 'constraints.txt', 'string.unquoted.path');
  expectScope(lines, 2, '--requirement', 'entity.other.attribute-name.option');
  expectScope(lines, 2, 'https://example.com/r.txt', 'markup.underline.link');
  expectScope(lines, 3, '-e', 'entity.other.attribute-name.option');
  expectScope(lines, 3, '.', 'string.unquoted.path');
  expectScope(lines, 3, 'dev', 'variable.parameter.extra');
  expectScope(lines, 3, 'test', 'variable.parameter.extra');
  expectScope(lines, 4, 'git+https://github.com/pypa/pip.git@main#egg=pip', 'markup.underline.link');
  expectScope(lines, 5, '--editable', 'entity.other.attribute-name.option');
  expectScope(lines, 5, './src/pkg', 'string.unquoted.path');
});

test('grammar: --hash scopes the option, algorithm and digest separately; refused algorithms are invalid', () => {
  const digest = '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b';
  const lines = tokenize(`sampleproject==4.0.0 --hash=sha256:${digest} --hash md5:d41d8cd98f00b204e9800998ecf8427e`);
  expectScope(lines, 0, 'sampleproject', 'entity.name.type.package');
  expectScope(lines, 0, '4.0.0', 'constant.numeric.version');
  expectScope(lines, 0, '--hash', 'entity.other.attribute-name.option.per-requirement', 'meta.option.hash', 'meta.requirement');
  expectScope(lines, 0, ['=', 2], 'punctuation.separator.key-value', 'meta.option.hash');
  expectScope(lines, 0, 'sha256', 'support.type.hash-algorithm', 'meta.option.hash');
  expectScope(lines, 0, ':', 'punctuation.separator.hash');
  expectScope(lines, 0, digest, 'constant.other.hash-digest', 'meta.option.hash');
  expectScope(lines, 0, 'md5', 'invalid.illegal.hash-algorithm');
  expectScope(lines, 0, 'd41d8cd98f00b204e9800998ecf8427e', 'constant.other.hash-digest');
});

test('grammar: continuation lines stay inside the requirement (pip-compile --generate-hashes layout)', () => {
  const lines = tokenize(
    [
      'sampleproject==4.0.0 \\',
      '    --hash=sha256:aaaa \\',
      '    --hash=sha256:bbbb',
      '    # via -r requirements.in',
      'six==1.16.0',
    ].join('\n'),
  );
  expectScope(lines, 0, '\\', 'punctuation.separator.continuation.line', 'meta.requirement');
  expectScope(lines, 1, '--hash', 'entity.other.attribute-name.option.per-requirement', 'meta.requirement');
  expectScope(lines, 1, 'aaaa', 'constant.other.hash-digest', 'meta.requirement');
  expectScope(lines, 1, '\\', 'punctuation.separator.continuation.line', 'meta.requirement');
  expectScope(lines, 2, 'bbbb', 'constant.other.hash-digest', 'meta.requirement');
  expectScope(lines, 3, ' via -r requirements.in', 'comment.line.number-sign');
  assert.ok(!hasScopePrefix(lines, 3, ' via -r requirements.in', 'meta.requirement'), 'the comment line is not in the requirement');
  // The rule ended: the next line starts a new requirement with its name scoped.
  expectScope(lines, 4, 'six', 'entity.name.type.package');
});

test('grammar: a continuation inside extras, specifiers and markers keeps their scopes on the next line', () => {
  const lines = tokenize(['requests[socks, \\', 'security]>=2.0, \\', '  <3 ; python_version \\', '  >= "3.8"', 'idna'].join('\n'));
  expectScope(lines, 1, 'security', 'variable.parameter.extra', 'meta.extras');
  expectScope(lines, 1, '2.0', 'constant.numeric.version');
  expectScope(lines, 2, '<', 'keyword.operator.comparison.version', 'meta.requirement');
  expectScope(lines, 2, '3', 'constant.numeric.version');
  expectScope(lines, 2, 'python_version', 'variable.language.marker', 'meta.marker');
  expectScope(lines, 3, '>=', 'keyword.operator.comparison.marker', 'meta.marker');
  expectScope(lines, 3, '3.8', 'string.quoted.double', 'meta.marker');
  expectScope(lines, 4, 'idna', 'entity.name.type.package');
});

test('grammar: a global option continued onto the next line', () => {
  const lines = tokenize(['--index-url \\', '    https://example.com/simple/', 'pkg'].join('\n'));
  expectScope(lines, 0, '\\', 'punctuation.separator.continuation.line', 'meta.option-line');
  expectScope(lines, 1, 'https://example.com/simple/', 'markup.underline.link', 'meta.option-line');
  expectScope(lines, 2, 'pkg', 'entity.name.type.package');
});

test('grammar: URL and path requirements, name @ URL', () => {
  const lines = tokenize(
    [
      'urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip ; python_version >= "3.7"',
      'pip@file:///tmp/pip-24.0-py3-none-any.whl',
      'https://example.com/x-1.0-py3-none-any.whl; os_name == "nt"',
      './downloads/numpy-1.9.2-cp34-none-win32.whl',
      'numpy-1.9.2-cp34-none-win32.whl',
      '../vendored/pkg[extra] ; python_version > "3"',
      'C:\\wheels\\pkg.whl',
    ].join('\n'),
  );
  expectScope(lines, 0, 'urllib3', 'entity.name.type.package');
  expectScope(lines, 0, '@', 'keyword.operator.direct-reference');
  expectScope(lines, 0, 'https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip', 'markup.underline.link', 'meta.requirement');
  expectScope(lines, 0, 'python_version', 'variable.language.marker', 'meta.marker');
  expectScope(lines, 1, 'pip', 'entity.name.type.package');
  expectScope(lines, 1, '@', 'keyword.operator.direct-reference');
  expectScope(lines, 1, 'file:///tmp/pip-24.0-py3-none-any.whl', 'markup.underline.link');
  // For a URL pip separates the marker at "; ", so the ; is not part of the URL.
  expectScope(lines, 2, 'https://example.com/x-1.0-py3-none-any.whl', 'markup.underline.link');
  expectScope(lines, 2, ';', 'punctuation.separator.marker');
  expectScope(lines, 2, 'os_name', 'variable.language.marker');
  expectScope(lines, 3, './downloads/numpy-1.9.2-cp34-none-win32.whl', 'string.unquoted.path');
  expectScope(lines, 4, 'numpy-1.9.2-cp34-none-win32.whl', 'string.unquoted.path');
  expectScope(lines, 5, '../vendored/pkg', 'string.unquoted.path');
  expectScope(lines, 5, 'extra', 'variable.parameter.extra');
  expectScope(lines, 5, 'python_version', 'variable.language.marker');
  expectScope(lines, 6, 'C:\\wheels\\pkg.whl', 'string.unquoted.path');
});

test('grammar: per-requirement --config-settings and markers followed by options', () => {
  const lines = tokenize('pkg==1.0 ; python_version > "3.8" --config-settings=editable_mode=compat --hash=sha384:abcd');
  expectScope(lines, 0, '3.8', 'string.quoted.double', 'meta.marker');
  expectScope(lines, 0, '--config-settings', 'entity.other.attribute-name.option.per-requirement');
  assert.ok(!hasScopePrefix(lines, 0, '--config-settings', 'meta.marker'), 'the option ends the marker');
  expectScope(lines, 0, 'editable_mode=compat', 'string.unquoted.option-value');
  expectScope(lines, 0, 'sha384', 'support.type.hash-algorithm');
});

test('grammar: environment variables in requirements', () => {
  const lines = tokenize('pkg==${PKG_VERSION}\n${WHEEL_DIR}/pkg.whl');
  expectScope(lines, 0, 'PKG_VERSION', 'variable.other.environment', 'constant.numeric.version');
  expectScope(lines, 1, 'WHEEL_DIR', 'variable.other.environment', 'string.unquoted.path');
});

test('grammar: hostile input tokenizes without throwing and never leaks a scope past a plain line', () => {
  const hostile = ['[[[', 'a[b', ';;;', '"unterminated', '-', '--', '==', '@', '\\', '\u0000\uffff', 'é==1', 'a'.repeat(5000) + '==1'].join('\n');
  const lines = tokenize(hostile + '\nfinal==1');
  const last = lines.length - 1;
  expectScope(lines, last, 'final', 'entity.name.type.package');
  assert.deepEqual(
    scopesOf(lines, last, 'final').filter((s) => s.startsWith('meta.')),
    ['meta.requirement.pip-requirements'],
    'no extras/marker/option scope leaks from the hostile lines',
  );
});

test('language configuration: comments, brackets, pairs and a word pattern that fits package names', () => {
  const config = JSON.parse(readFileSync(configurationPath, 'utf8'));
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets[0], ['[', ']']);
  assert.ok(config.autoClosingPairs.some((p: { open: string; close: string }) => p.open === '"' && p.close === '"'));
  const word = new RegExp(config.wordPattern, 'g');
  assert.deepEqual('zope.interface[dev]>=5.0 typing_extensions; Friendly-Bard'.match(word), ['zope.interface', 'dev', '5.0', 'typing_extensions', 'Friendly-Bard']);
  for (const rule of config.onEnterRules ?? []) new RegExp(rule.beforeText);
  assert.ok(new RegExp(config.onEnterRules[0].beforeText).test('sampleproject==4.0.0 \\'));
  assert.ok(!new RegExp(config.onEnterRules[0].beforeText).test('    --hash=sha256:aa \\'), 'continuation lines keep their indent');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../server/src/core/finding';
import { emptyOptions, type Dependency, type ParsedDocument, type Range } from '../../server/src/core/model';
import { localFindings } from '../../server/src/checks/local';
import { parseRequirements } from '../../server/src/parsers/requirements';

const SHA = '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b';

function codes(findings: Finding[]): string[] {
  return findings.map((f) => f.code);
}

function byDependency(findings: Finding[], index: number): string[] {
  return findings.filter((f) => f.dependency === index).map((f) => f.code);
}

const R = (line: number, a: number, b: number): Range => ({ start: { line, character: a }, end: { line, character: b } });

test('parse problems become findings with their code and range', () => {
  const doc = parseRequirements('foo=1\n');
  const findings = localFindings(doc);
  assert.deepEqual(codes(findings), ['syntax']);
  assert.deepEqual(findings[0].range, doc.problems[0].range);
  assert.equal(findings[0].dependency, undefined);
});

test('a problem code unknown to the contract is reported as syntax', () => {
  const doc: ParsedDocument = {
    format: 'pyproject',
    dependencies: [],
    problems: [{ code: 'made-up', message: 'x', range: R(0, 0, 1) }],
    options: emptyOptions(),
    includes: [],
  };
  assert.deepEqual(codes(localFindings(doc)), ['syntax']);
});

test('unpinned: every requirement without ==X / ===X, on the requirement range', () => {
  const text = 'a==1.0\nb===weird\nc>=1\nd==1.*\ne\nf==1,<2\n';
  const doc = parseRequirements(text);
  const findings = localFindings(doc);
  assert.deepEqual(
    findings.map((f) => [f.code, doc.dependencies[f.dependency as number].name]),
    [
      ['unpinned', 'c'],
      ['unpinned', 'd'],
      ['unpinned', 'e'],
      ['unpinned', 'f'],
    ],
  );
  assert.deepEqual(findings[0].range, doc.dependencies[2].ranges.requirement);
  assert.match(findings[0].message, /c is not pinned to one exact version.*cannot be verified/);
});

test('unpinned: URL, path and editable requirements, with a message that says why', () => {
  const doc = parseRequirements('-e .\n./pkg\nhttps://example.com/x-1.0.tar.gz\nname @ https://example.com/y.zip\n');
  const findings = localFindings(doc);
  assert.deepEqual(codes(findings), ['unpinned', 'unpinned', 'unpinned', 'unpinned']);
  assert.match(findings[0].message, /editable/);
  assert.match(findings[1].message, /URL or path/);
  assert.match(findings[3].message, /^name comes from a URL/);
});

test('no hash anywhere: hash-checking mode is off, no missing-hashes', () => {
  const findings = localFindings(parseRequirements('a==1\nb==2\n'));
  assert.deepEqual(findings, []);
});

test('one --hash turns hash-checking mode on for the whole file', () => {
  const doc = parseRequirements(`a==1 --hash=sha256:${SHA}\nb==2\nc>=1\n-e ./local\ngit+https://example.com/r.git#egg=r\n./dir\nhttps://example.com/z-1.0.tar.gz#sha256=${SHA}\n`);
  const findings = localFindings(doc);
  assert.deepEqual(byDependency(findings, 0), []);
  assert.deepEqual(byDependency(findings, 1), ['missing-hashes']);
  assert.deepEqual(byDependency(findings, 2), ['unpinned', 'missing-hashes']);
  assert.deepEqual(byDependency(findings, 3), ['unpinned', 'missing-hashes']);
  assert.deepEqual(byDependency(findings, 4), ['unpinned', 'missing-hashes']);
  assert.deepEqual(byDependency(findings, 5), ['unpinned', 'missing-hashes']);
  assert.deepEqual(byDependency(findings, 6), ['unpinned'], 'a #sha256= fragment counts as a hash');
  const missing = findings.filter((f) => f.code === 'missing-hashes');
  assert.match(missing[0].message, /some requirement in this file has --hash.*b has no --hash$/);
  assert.match(missing[1].message, /pinned with ==/);
  assert.match(missing[2].message, /editable/);
  assert.match(missing[3].message, /version-control/);
  assert.match(missing[4].message, /local directory/);
  assert.deepEqual(missing[0].range, doc.dependencies[1].ranges.requirement);
});

test('--require-hashes turns hash-checking mode on without any hash', () => {
  const findings = localFindings(parseRequirements('--require-hashes\na==1\n'));
  assert.deepEqual(codes(findings), ['missing-hashes']);
  assert.match(findings[0].message, /--require-hashes is given/);
});

test('an unpinned requirement with hashes: pip refuses it in hash mode, the unpinned message says so', () => {
  const findings = localFindings(parseRequirements(`a>=1 --hash=sha256:${SHA}\n`));
  assert.deepEqual(codes(findings), ['unpinned']);
  assert.match(findings[0].message, /hash-checking mode also refuses it/);
});

test('weak-hash on md5, sha1 and sha224, on each hash\'s range', () => {
  const text = `a==1 --hash=md5:${'0'.repeat(32)} --hash=sha1:${'1'.repeat(40)} --hash=sha224:${'2'.repeat(56)} --hash=sha256:${SHA} --hash=sha512:${'3'.repeat(128)}\n`;
  const doc = parseRequirements(text);
  const findings = localFindings(doc);
  assert.deepEqual(codes(findings), ['weak-hash', 'weak-hash', 'weak-hash']);
  assert.deepEqual(
    findings.map((f) => f.range),
    doc.dependencies[0].hashes.slice(0, 3).map((h) => h.range),
  );
  assert.match(findings[0].message, /md5/);
  assert.equal(findings[0].dependency, 0);
});

test('pylock: weak-hash on file hashes, unpinned without a version, no hash-checking mode', () => {
  const dep = (name: string, version: string | undefined, algorithm: string): Dependency => ({
    name,
    rawName: name,
    extras: [],
    specifier: '',
    ...(version ? { pinnedVersion: version } : {}),
    hashes: [],
    ranges: { requirement: R(0, 0, 1), name: R(0, 0, 1) },
    section: 'packages',
    files: [{ kind: 'wheel', filename: `${name}.whl`, hashes: [{ algorithm, hex: '00', range: R(3, 1, 5) }], range: R(2, 0, 9) }],
  });
  const doc: ParsedDocument = {
    format: 'pylock',
    dependencies: [dep('a', '1.0', 'sha1'), dep('b', undefined, 'sha256')],
    problems: [],
    options: emptyOptions(),
    includes: [],
  };
  const findings = localFindings(doc);
  assert.deepEqual(
    findings.map((f) => [f.code, f.dependency]),
    [
      ['weak-hash', 0],
      ['unpinned', 1],
    ],
  );
  assert.deepEqual(findings[0].range, R(3, 1, 5));
});

test('pyproject: requirements are unpinned, never missing-hashes', () => {
  const doc: ParsedDocument = {
    format: 'pyproject',
    dependencies: [
      {
        name: 'a',
        rawName: 'a',
        extras: [],
        specifier: '>=1',
        hashes: [],
        ranges: { requirement: R(0, 0, 4), name: R(0, 0, 1) },
        section: 'project.dependencies',
      },
    ],
    problems: [],
    options: { ...emptyOptions(), requireHashes: true },
    includes: [],
  };
  assert.deepEqual(codes(localFindings(doc)), ['unpinned']);
});

test('--no-require-hashes: a --hash no longer turns hash-checking mode on', () => {
  const findings = localFindings(parseRequirements(`--no-require-hashes\na==1 --hash=sha256:${SHA}\nb==2\n`));
  assert.deepEqual(codes(findings), []);
});

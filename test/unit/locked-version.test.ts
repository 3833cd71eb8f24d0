import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findLockedVersion, type LockedVersion } from '../../server/src/locks/lockedVersion';
import { chooseLock, lockPrecedence } from '../../server/src/locks/lockChoice';
import { evaluateMarker, markersCanHoldTogether, parseMarkerExpression } from '../../server/src/locks/markers';
import { lockFileKind } from '../../server/src/parsers/lockFiles';
import { parseUvLock } from '../../server/src/parsers/uvLock';
import { parsePoetryLock } from '../../server/src/parsers/poetryLock';
import { parsePylock } from '../../server/src/parsers/pylock';
import { parsePyproject } from '../../server/src/parsers/pyproject';

const SHA = 'a'.repeat(64);

function uvPackage(name: string, version: string, markers: string[] = []): string {
  const forks = markers.length > 0 ? `resolution-markers = [${markers.map((m) => JSON.stringify(m)).join(', ')}]\n` : '';
  return `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n${forks}wheels = [{ url = "https://x/${name}-${version}-py3-none-any.whl", hash = "sha256:${SHA}" }]\n`;
}

/** A uv lock with a fork per Python version for numpy, and one version of everything else. */
const FORKED = parseUvLock(
  [
    'version = 1\nrevision = 2\nrequires-python = ">=3.9"\n',
    uvPackage('numpy', '2.0.2', ["python_full_version < '3.10'"]),
    uvPackage('numpy', '2.2.1', ["python_full_version >= '3.12'", "python_full_version == '3.11.*'", "python_full_version == '3.10.*'"]),
    uvPackage('Requests', '2.32.3'),
    uvPackage('colorama', '0.4.6'),
    uvPackage('pywin32', '308', ["sys_platform == 'win32'"]),
    uvPackage('pywin32', '306', ["sys_platform != 'win32'"]),
    '[[package]]\nname = "mylib"\nversion = "0.1"\nsource = { editable = "libs/mylib" }\n',
  ].join('\n'),
);

function versionOf(answer: LockedVersion): string {
  switch (answer.kind) {
    case 'locked':
      return answer.dependency.pinnedVersion ?? `from ${answer.dependency.url}`;
    case 'ambiguous':
      return `ambiguous: ${answer.candidates.map((d) => d.pinnedVersion).join(' or ')}`;
    case 'outside-specifier':
      return `outside: ${answer.versions.join(', ')}`;
    case 'not-in-lock':
      return 'not in lock';
  }
}

test('the lock parsed cleanly (the base of the lookups)', () => {
  assert.deepEqual(FORKED.problems, []);
});

test('a requirement takes the version its lock records, by normalized name', () => {
  assert.equal(versionOf(findLockedVersion(FORKED.dependencies, { name: 'requests', specifier: '>=2.31' })), '2.32.3');
  assert.equal(versionOf(findLockedVersion(FORKED.dependencies, { name: 'REQUESTS', specifier: '' })), '2.32.3');
  assert.equal(versionOf(findLockedVersion(FORKED.dependencies, { name: 'mylib', specifier: '' })), 'from libs/mylib');
  assert.equal(versionOf(findLockedVersion(FORKED.dependencies, { name: 'flask', specifier: '>=3' })), 'not in lock');
  // The lock predates the requirement's bound: it must be locked again.
  assert.equal(versionOf(findLockedVersion(FORKED.dependencies, { name: 'requests', specifier: '>=2.33' })), 'outside: 2.32.3');
  // A specifier the lock's version must satisfy that this tool cannot read is not held against it.
  assert.equal(versionOf(findLockedVersion(FORKED.dependencies, { name: 'colorama', specifier: '>>0.4' })), '0.4.6');
});

test('forks: the specifier, then the marker choose the version; otherwise the answer is ambiguous', () => {
  const numpy = (specifier: string, marker?: string) => versionOf(findLockedVersion(FORKED.dependencies, { name: 'numpy', specifier, marker }));
  assert.equal(numpy('>=2.1'), '2.2.1');
  assert.equal(numpy('>=2', "python_version < '3.10'"), '2.0.2');
  assert.equal(numpy('>=2', "python_version >= '3.10'"), '2.2.1');
  assert.equal(numpy('>=2', "python_version >= '3.11' and sys_platform == 'linux'"), '2.2.1');
  assert.equal(numpy('>=2'), 'ambiguous: 2.0.2 or 2.2.1');
  assert.equal(numpy('', "sys_platform == 'linux'"), 'ambiguous: 2.0.2 or 2.2.1');
  // A marker that cannot be read cannot choose.
  assert.equal(numpy('', 'python_version >>> "3"'), 'ambiguous: 2.0.2 or 2.2.1');

  const pywin32 = (marker?: string) => versionOf(findLockedVersion(FORKED.dependencies, { name: 'pywin32', specifier: '', marker }));
  assert.equal(pywin32('sys_platform == "win32"'), '308');
  assert.equal(pywin32('platform_system == "Linux" and sys_platform == "linux"'), '306');
  assert.equal(pywin32(), 'ambiguous: 308 or 306');
});

test('poetry.lock and pylock.toml locks answer the same way', () => {
  const poetry = parsePoetryLock(
    `[[package]]\nname = "numpy"\nversion = "1.26.4"\nmarkers = "python_version < \\"3.12\\""\nfiles = []\n` +
      `[[package]]\nname = "numpy"\nversion = "2.1.0"\nmarkers = "python_version >= \\"3.12\\""\nfiles = []\n[metadata]\nlock-version = "2.1"\n`,
  );
  assert.deepEqual(poetry.problems, []);
  assert.equal(versionOf(findLockedVersion(poetry.dependencies, { name: 'numpy', specifier: '', marker: 'python_version >= "3.13"' })), '2.1.0');
  assert.equal(versionOf(findLockedVersion(poetry.dependencies, { name: 'numpy', specifier: '<2' })), '1.26.4');

  const pylock = parsePylock(`lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "attrs"\nversion = "25.1.0"\nwheels = [{ url = "https://x/attrs-25.1.0-py3-none-any.whl", hashes = { sha256 = "${SHA}" } }]\n`);
  assert.equal(versionOf(findLockedVersion(pylock.dependencies, { name: 'attrs', specifier: '>=24' })), '25.1.0');
});

test('markers: evaluated as packaging evaluates them; overlap decided over the environments that matter', () => {
  const holds = (marker: string, environment: Record<string, string>) => {
    const tree = parseMarkerExpression(marker);
    assert.ok(tree, marker);
    return evaluateMarker(tree, environment);
  };
  assert.equal(holds("python_version >= '3.10'", { python_version: '3.9' }), false);
  assert.equal(holds("python_version >= '3.10'", { python_version: '3.10' }), true);
  assert.equal(holds("python_full_version == '3.11.*'", { python_full_version: '3.11.4' }), true);
  assert.equal(holds('os.name == "nt" or (sys_platform == "win32" and platform_machine != "arm64")', { os_name: 'posix', sys_platform: 'win32', platform_machine: 'AMD64' }), true);
  assert.equal(holds("'linux' in sys_platform", { sys_platform: 'linux2' }), true);
  assert.equal(holds("platform_machine not in 'x86_64 aarch64'", { platform_machine: 'arm64' }), true);
  assert.equal(holds('extra == "Socks_Proxy"', { extra: 'socks-proxy' }), true);
  for (const broken of ['', 'python_version', 'python_version >= ', 'unknown_var == "1"', '"a" == "b" and', "(python_version > '3'", 'python_version = "3"']) {
    assert.equal(parseMarkerExpression(broken), undefined, broken);
  }

  assert.equal(markersCanHoldTogether("python_version >= '3.10'", "python_full_version < '3.10'"), false);
  assert.equal(markersCanHoldTogether("python_version == '3.10'", "python_full_version == '3.10.*'"), true);
  assert.equal(markersCanHoldTogether("python_full_version <= '3.11.0a6'", "python_full_version >= '3.11'"), false);
  assert.equal(markersCanHoldTogether("python_version > '3.9' and python_version < '3.11'", "python_full_version >= '3.10.2'"), true);
  assert.equal(markersCanHoldTogether('sys_platform == "linux"', 'sys_platform == "darwin"'), false);
  assert.equal(markersCanHoldTogether(undefined, 'sys_platform == "darwin"'), true);
  assert.equal(markersCanHoldTogether('python_version >>> "3"', undefined), undefined);
  // Too many variables to try every combination: no answer rather than a slow one.
  const wide = ['os_name', 'sys_platform', 'platform_machine', 'platform_system', 'platform_release', 'implementation_name', 'platform_version']
    .map((variable) => `(${variable} == "a" or ${variable} == "b" or ${variable} == "c" or ${variable} == "d")`)
    .join(' and ');
  assert.equal(markersCanHoldTogether(wide, undefined), undefined);
});

const clause = fc.oneof(
  fc.record({
    variable: fc.constantFrom('python_version', 'python_full_version'),
    op: fc.constantFrom('<', '<=', '==', '!=', '>=', '>', '~='),
    value: fc.constantFrom('3.8', '3.9', '3.10', '3.11', '3.12', '3.10.2', '3.11.0', '3.11.*', '3.13.1'),
  }),
  fc.record({ variable: fc.constantFrom('sys_platform'), op: fc.constantFrom('==', '!=', 'in', 'not in'), value: fc.constantFrom('linux', 'win32', 'darwin', 'win') }),
).map(({ variable, op, value }) => (op === '~=' && (value.endsWith('.*') || !value.includes('.')) ? `${variable} >= '${value.replace('.*', '')}'` : op.includes('in') ? `'${value}' ${op} ${variable}` : `${variable} ${op} '${value}'`));
const marker: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, clause, fc.tuple(tie('node'), fc.constantFrom('and', 'or'), tie('node')).map(([a, op, b]) => `(${a}) ${op} (${b})`)),
})).node as fc.Arbitrary<string>;

test('property: markers never throw, and two markers said never to hold together have no environment where both hold', () => {
  const grid: Record<string, string>[] = [];
  for (let minor = 6; minor <= 14; minor++) {
    for (const patch of [0, 1, 2, 3, 50]) {
      for (const platform of ['linux', 'win32', 'darwin', 'cygwin']) grid.push({ python_version: `3.${minor}`, python_full_version: `3.${minor}.${patch}`, sys_platform: platform });
    }
  }
  fc.assert(
    fc.property(marker, marker, (a, b) => {
      const answer = markersCanHoldTogether(a, b);
      const treeA = parseMarkerExpression(a)!;
      const treeB = parseMarkerExpression(b)!;
      assert.ok(treeA && treeB, `${a} | ${b}`);
      const witness = grid.find((environment) => evaluateMarker(treeA, environment) && evaluateMarker(treeB, environment));
      if (witness !== undefined) assert.notEqual(answer, false, `${a} | ${b} both hold at ${JSON.stringify(witness)}`);
    }),
    { numRuns: fuzzRuns(150) },
  );
  const tokens = fc.constantFrom('(', ')', ' and ', ' or ', ' not ', ' in ', 'python_version', 'extra', 'os.name', '"3.10"', "'x'", '==', '<', '~=', '===', '"', '!', 'junk');
  fc.assert(
    fc.property(fc.array(tokens, { maxLength: 30 }).map((parts) => parts.join('')), fc.string({ maxLength: 40 }), (a, b) => {
      markersCanHoldTogether(a, b);
      markersCanHoldTogether(b, a);
    }),
    { numRuns: fuzzRuns(300) },
  );
  // Nesting beyond what any real marker uses is refused, not a stack overflow.
  assert.equal(markersCanHoldTogether(`${'('.repeat(100_000)}python_version > '3'${')'.repeat(100_000)}`, undefined), undefined);
  const long = Array.from({ length: 5_000 }, (_, i) => `sys_platform == 'p${i % 7}'`).join(' or ');
  assert.equal(markersCanHoldTogether(long, "sys_platform == 'p3'"), true);
});

test('which lock applies: uv.lock > pylock.toml > pylock.*.toml > poetry.lock', () => {
  assert.deepEqual(chooseLock(['poetry.lock', 'pylock.toml', 'uv.lock', 'pyproject.toml']), { chosen: 'uv.lock', others: ['pylock.toml', 'poetry.lock'] });
  assert.deepEqual(chooseLock(['poetry.lock', 'pylock.dev.toml', 'pylock.toml']), { chosen: 'pylock.toml', others: ['pylock.dev.toml', 'poetry.lock'] });
  assert.deepEqual(chooseLock(['poetry.lock', 'pylock.z.toml', 'pylock.a.toml']), { chosen: 'pylock.a.toml', others: ['pylock.z.toml', 'poetry.lock'] });
  assert.deepEqual(chooseLock(['poetry.lock', 'requirements.txt']), { chosen: 'poetry.lock', others: [] });
  assert.equal(chooseLock(['pyproject.toml', 'uv.lock.bak', 'Pipfile.lock', 'pdm.lock', 'pylock.toml.orig']), undefined);
  assert.equal(lockPrecedence('setup.py'), undefined);
  assert.deepEqual(['uv.lock', 'poetry.lock', 'pylock.toml', 'pylock.web.toml', 'UV.LOCK', 'pylock..toml', 'requirements.txt'].map(lockFileKind), ['uvlock', 'poetrylock', 'pylock', 'pylock', undefined, undefined, undefined]);
});

test('real projects: each pyproject.toml requirement through the lock beside it', (t) => {
  const corpus = path.resolve(__dirname, '../..', '../shared/corpus');
  const projects = ['pallets+jinja/uv.lock', 'pytest-dev+pytest/uv.lock', 'python-jsonschema+jsonschema/uv.lock', 'Textualize+rich/poetry.lock', 'python-poetry+poetry/poetry.lock'];
  const present = projects.filter((project) => existsSync(path.join(corpus, 'locks', project)) && existsSync(path.join(corpus, 'pyproject', path.dirname(project), 'pyproject.toml')));
  if (present.length === 0) {
    t.skip(`corpus not found: ${corpus} (the shared corpus is not mounted here)`);
    return;
  }
  const lines: string[] = [];
  for (const project of present) {
    const lockText = readFileSync(path.join(corpus, 'locks', project), 'utf8');
    const lock = project.endsWith('uv.lock') ? parseUvLock(lockText) : parsePoetryLock(lockText);
    const pyproject = parsePyproject(readFileSync(path.join(corpus, 'pyproject', path.dirname(project), 'pyproject.toml'), 'utf8'));
    // Build requirements are not locked: uv and Poetry install them apart, in isolation.
    const requirements = pyproject.dependencies.filter((d) => d.section !== 'build-system.requires' && d.pinnedVersion === undefined && d.url === undefined);
    const counts: Record<string, number> = {};
    for (const requirement of requirements) {
      const answer = findLockedVersion(lock.dependencies, requirement);
      counts[answer.kind] = (counts[answer.kind] ?? 0) + 1;
      if (answer.kind === 'locked' && answer.dependency.pinnedVersion !== undefined && project.endsWith('uv.lock')) {
        assert.ok(answer.dependency.files!.length > 0, `${project}: ${requirement.name}`);
      }
      // uv keeps its lock in step with pyproject.toml (`uv lock --check`): nothing is missing or stale.
      if (project.endsWith('uv.lock')) assert.ok(answer.kind === 'locked' || answer.kind === 'ambiguous', `${project}: ${requirement.name} ${requirement.specifier}: ${answer.kind}`);
    }
    lines.push(`${project}: ${requirements.length} range requirements: ${JSON.stringify(counts)}`);
  }
  t.diagnostic(lines.join('\n'));
});

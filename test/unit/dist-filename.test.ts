import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { parseDistFilename, sameDistribution, sameDistributionName, versionsEqual } from '../../server/src/core/distFilename';

test('a wheel name parses into name, version, build tag and the expanded tag set', () => {
  const wheel = parseDistFilename('spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
  assert.ok(wheel);
  assert.equal(wheel.kind, 'wheel');
  assert.equal(wheel.name, 'spt3g');
  assert.equal(wheel.version, '1.0');
  assert.equal(wheel.build, undefined);
  assert.deepEqual([...(wheel.tags ?? [])].sort(), ['cp310-cp310-manylinux2014_x86_64', 'cp310-cp310-manylinux_2_17_x86_64']);

  const built = parseDistFilename('Foo_Bar-2.0.1-12abc-py2.py3-none-any.whl');
  assert.ok(built);
  assert.equal(built.name, 'foo-bar');
  assert.equal(built.rawName, 'Foo_Bar');
  assert.deepEqual(built.build, { number: 12, suffix: 'abc' });
  assert.deepEqual([...(built.tags ?? [])].sort(), ['py2-none-any', 'py3-none-any']);
});

test('compressed tag sets expand to the cartesian product', () => {
  const wheel = parseDistFilename('x-1-py2.py3-abi3.none-linux_x86_64.any.whl');
  assert.equal(wheel?.tags?.size, 8);
  assert.ok(wheel?.tags?.has('py3-none-linux_x86_64'));
});

test('sameDistribution compares the tag SET: reordered compressed tags are the same file (the spt3g subject case)', () => {
  assert.ok(
    sameDistributionName(
      'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl',
    ),
  );
  // Different tag set, version, build or name: different files.
  assert.ok(!sameDistributionName('spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.whl', 'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.whl'));
  assert.ok(!sameDistributionName('spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.whl', 'spt3g-1.1-cp310-cp310-manylinux_2_17_x86_64.whl'));
  assert.ok(!sameDistributionName('spt3g-1.0-1-cp310-cp310-manylinux_2_17_x86_64.whl', 'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.whl'));
  assert.ok(!sameDistributionName('spt3g-1.0-cp310-cp310-any.whl', 'spt3h-1.0-cp310-cp310-any.whl'));
});

test('names and versions compare normalized: case, separators, PEP 440 equal versions', () => {
  assert.ok(sameDistributionName('Foo.Bar-1.0-py3-none-any.whl', 'foo_bar-1.0.0-py3-none-any.whl'));
  assert.ok(sameDistributionName('foo-1.0rc1-py3-none-ANY.whl', 'foo-1.0RC1-py3-none-any.whl'));
  assert.ok(sameDistributionName('foo-1.0.tar.gz', 'Foo-1.0.0.tar.gz'));
  // An sdist and a wheel, or two archive formats, are different files.
  assert.ok(!sameDistributionName('foo-1.0.tar.gz', 'foo-1.0.zip'));
  assert.ok(!sameDistributionName('foo-1.0.tar.gz', 'foo-1.0-py3-none-any.whl'));
});

test('sdists: modern, legacy dashed names, other archive extensions', () => {
  assert.deepEqual(pick(parseDistFilename('sampleproject-4.0.0.tar.gz')), { kind: 'sdist', name: 'sampleproject', version: '4.0.0', extension: '.tar.gz' });
  assert.deepEqual(pick(parseDistFilename('pypi_attestations-0.0.19.tar.gz')), { kind: 'sdist', name: 'pypi-attestations', version: '0.0.19', extension: '.tar.gz' });
  assert.deepEqual(pick(parseDistFilename('python-dateutil-2.8.2.tar.gz')), { kind: 'sdist', name: 'python-dateutil', version: '2.8.2', extension: '.tar.gz' });
  assert.deepEqual(pick(parseDistFilename('colorama-0.4.0.zip')), { kind: 'sdist', name: 'colorama', version: '0.4.0', extension: '.zip' });
  assert.equal(parseDistFilename('foo-1.0.tar.bz2')?.extension, '.tar.bz2');
  assert.equal(parseDistFilename('foo-1.0.tgz')?.extension, '.tgz');
  // With the project name, a legacy version that is not PEP 440 still splits correctly.
  assert.deepEqual(pick(parseDistFilename('my-pkg-1.0-beta-2.tar.gz', 'my_pkg')), { kind: 'sdist', name: 'my-pkg', version: '1.0-beta-2', extension: '.tar.gz' });
});

test('eggs and wininst installers', () => {
  const egg = parseDistFilename('setuptools-0.6c11-py2.7.egg');
  assert.equal(egg?.kind, 'egg');
  assert.equal(egg?.version, '0.6c11');
  assert.equal(egg?.pythonTag, 'py2.7');
  const exe = parseDistFilename('pywin-1.0.win-amd64-py3.6.exe');
  assert.equal(exe?.kind, 'wininst');
  assert.equal(exe?.version, '1.0');
  assert.equal(exe?.platform, 'win-amd64');
});

test('malformed names are undefined, never a throw', () => {
  for (const bad of [
    '',
    'foo.whl',
    'foo-1.0.whl',
    'foo-1.0-py3-none.whl',
    'foo-notaversion-py3-none-any.whl',
    'foo-1.0-x-py3-none-any.whl',
    'foo-1.0-1-2-py3-none-any.whl',
    'foo-1.0-py3-none-any$.whl',
    '../foo-1.0.tar.gz',
    'foo.tar.gz',
    'README.md',
    'foo-1.0.exe',
  ]) {
    assert.equal(parseDistFilename(bad), undefined, bad);
  }
  assert.equal(parseDistFilename(undefined as unknown as string), undefined);
});

test('versionsEqual: PEP 440 equality, string equality for legacy versions', () => {
  assert.ok(versionsEqual('1.0', '1.0.0'));
  assert.ok(versionsEqual('1!2.0', '1!2.0.0'));
  assert.ok(!versionsEqual('1!2.0', '2.0'));
  assert.ok(!versionsEqual('1.0', '1.0.post1'));
  assert.ok(!versionsEqual('1.0', '1.0+local'));
  assert.ok(versionsEqual('Foo-Bar', 'foo-bar'));
  assert.ok(!versionsEqual('1.0', 'banana'));
});

test('property: any generated wheel name round-trips and equals itself with its tag sets reordered', () => {
  const tag = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  fc.assert(
    fc.property(
      fc.stringMatching(/^[A-Za-z](?:[A-Za-z0-9_]{0,9}[A-Za-z0-9])?$/),
      fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)),
      fc.uniqueArray(tag, { minLength: 1, maxLength: 3 }),
      fc.uniqueArray(tag, { minLength: 1, maxLength: 3 }),
      fc.uniqueArray(tag, { minLength: 1, maxLength: 3 }),
      (name, [a, b, c], py, abi, plat) => {
        const version = `${a}.${b}.${c}`;
        const filename = `${name}-${version}-${py.join('.')}-${abi.join('.')}-${plat.join('.')}.whl`;
        const reordered = `${name}-${version}-${[...py].reverse().join('.')}-${[...abi].reverse().join('.')}-${[...plat].reverse().join('.')}.whl`;
        const parsed = parseDistFilename(filename);
        assert.ok(parsed, filename);
        assert.equal(parsed.tags?.size, py.length * abi.length * plat.length);
        const other = parseDistFilename(reordered);
        assert.ok(other && sameDistribution(parsed, other));
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('property: arbitrary strings never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), (text, project) => {
      parseDistFilename(text, project);
      parseDistFilename(`${text}.whl`);
      parseDistFilename(`${text}.tar.gz`, project);
    }),
    { numRuns: fuzzRuns() },
  );
});

function pick(d: ReturnType<typeof parseDistFilename>) {
  return d && { kind: d.kind, name: d.name, version: d.version, extension: d.extension };
}

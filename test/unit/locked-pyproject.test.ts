// A pyproject.toml through the lock beside it (locks/lockedPyproject.ts): what each requirement
// becomes for the later stages, and the `unpinned` message when the lock cannot answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from '../../server/src/parsers/index';
import { lockPyproject, type LockSource } from '../../server/src/locks/lockedPyproject';
import { localFindings } from '../../server/src/checks/local';

const UV_LOCK = [
  'version = 1',
  'revision = 3',
  'requires-python = ">=3.9"',
  'resolution-markers = ["python_full_version >= \'3.10\'", "python_full_version < \'3.10\'"]',
  '',
  '[[package]]',
  'name = "requests"',
  'version = "2.32.3"',
  'source = { registry = "https://pypi.org/simple" }',
  'sdist = { url = "https://files.example/requests-2.32.3.tar.gz", hash = "sha256:' + 'a'.repeat(64) + '", size = 10 }',
  '',
  '[[package]]',
  'name = "numpy"',
  'version = "2.0.2"',
  'source = { registry = "https://pypi.org/simple" }',
  'resolution-markers = ["python_full_version < \'3.10\'"]',
  '',
  '[[package]]',
  'name = "numpy"',
  'version = "2.2.0"',
  'source = { registry = "https://pypi.org/simple" }',
  'resolution-markers = ["python_full_version >= \'3.10\'"]',
  '',
].join('\n');

const PYPROJECT = [
  '[project]',
  'name = "app"',
  'dependencies = ["requests>=2.31", "numpy", "flask", "requests<2", "idna==3.10"]',
  '[build-system]',
  'requires = ["hatchling"]',
  '',
].join('\n');

function source(files: Record<string, string>): LockSource {
  return { fileNames: Object.keys(files), read: async (name) => files[name] };
}

test('locked, not in the lock, ambiguous fork, stale lock; pinned and build requirements untouched', async () => {
  const parsed = await lockPyproject(parseDocument('pyproject', PYPROJECT), source({ 'uv.lock': UV_LOCK, 'poetry.lock': '' }));
  const [requests, numpy, flask, stale, idna, hatchling] = parsed.dependencies;
  assert.equal(requests.pinnedVersion, '2.32.3');
  assert.deepEqual(requests.lock, { file: 'uv.lock', passedOver: ['poetry.lock'], locked: true });
  assert.equal(requests.indexUrl, 'https://pypi.org/simple');
  // The locked file's ranges are the requirement's: a finding on them shows on the pyproject line.
  assert.deepEqual(requests.files?.[0].hashes[0].range, requests.ranges.requirement);
  assert.equal(numpy.pinnedVersion, undefined);
  assert.match(numpy.lock?.message ?? '', /uv\.lock records several versions of numpy \(2\.0\.2, 2\.2\.0\)/);
  assert.equal(flask.lock?.message, 'flask is not in uv.lock: run `uv lock`');
  assert.equal(stale.lock?.message, 'uv.lock records requests 2.32.3, which <2 excludes: the lock is stale; run `uv lock`');
  assert.equal(idna.lock, undefined);
  assert.equal(hatchling.lock, undefined, 'build-system.requires is not locked by uv');

  const unpinned = localFindings(parsed).filter((f) => f.code === 'unpinned').map((f) => [f.dependency, f.message]);
  assert.equal(unpinned.length, 4);
  assert.ok(!unpinned.some(([index]) => index === 0), 'the locked requirement is not unpinned');
  assert.deepEqual(unpinned[1], [2, 'flask is not in uv.lock: run `uv lock`']);
});

test('no lock beside it, or one that cannot be read: the pyproject as parsed', async () => {
  const parsed = parseDocument('pyproject', PYPROJECT);
  assert.equal(await lockPyproject(parsed, source({})), parsed);
  assert.equal(await lockPyproject(parsed, { fileNames: ['uv.lock'], read: async () => undefined }), parsed);
});

test('a pylock.toml wins over poetry.lock; poetry says `poetry lock`', async () => {
  const poetry = '[[package]]\nname = "flask"\nversion = "3.0.0"\nfiles = []\n\n[metadata]\nlock-version = "2.1"\n';
  const parsed = await lockPyproject(parseDocument('pyproject', PYPROJECT), source({ 'poetry.lock': poetry }));
  assert.equal(parsed.dependencies[2].pinnedVersion, '3.0.0');
  assert.equal(parsed.dependencies[0].lock?.message, 'requests is not in poetry.lock: run `poetry lock`');
});

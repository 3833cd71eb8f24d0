import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../server/src/core/lineIndex';
import { normalizeName } from '../../server/src/core/names';
import { formatOfPath } from '../../server/src/core/format';
import { severityFor } from '../../server/src/core/codes';

test('normalizeName follows PEP 503', () => {
  assert.equal(normalizeName('Friendly-Bard'), 'friendly-bard');
  assert.equal(normalizeName('FRIENDLY_BARD'), 'friendly-bard');
  assert.equal(normalizeName('friendly.__-bard'), 'friendly-bard');
});

test('LineIndex maps offsets across \\n, \\r\\n and \\r', () => {
  const index = new LineIndex('a\r\nbc\rd\ne');
  assert.deepEqual(index.positionAt(0), { line: 0, character: 0 });
  assert.deepEqual(index.positionAt(3), { line: 1, character: 0 });
  assert.deepEqual(index.positionAt(6), { line: 2, character: 0 });
  assert.deepEqual(index.positionAt(8), { line: 3, character: 0 });
  assert.deepEqual(index.positionAt(99), { line: 3, character: 1 });
  assert.equal(index.offsetAt({ line: 1, character: 1 }), 4);
  assert.equal(index.lineCount, 4);
});

test('formatOfPath recognises the dependency files and nothing else', () => {
  assert.equal(formatOfPath('/x/requirements.txt'), 'requirements');
  assert.equal(formatOfPath('/x/requirements-dev.txt'), 'requirements');
  assert.equal(formatOfPath('/x/dev-requirements.txt'), 'requirements');
  assert.equal(formatOfPath('/x/constraints.txt'), 'requirements');
  assert.equal(formatOfPath('/x/requirements/base.txt'), 'requirements');
  assert.equal(formatOfPath('/x/requirements.in'), 'requirements');
  assert.equal(formatOfPath('file:///x/pyproject.toml'), 'pyproject');
  assert.equal(formatOfPath('/x/pylock.toml'), 'pylock');
  assert.equal(formatOfPath('/x/pylock.dev.toml'), 'pylock');
  assert.equal(formatOfPath('/x/uv.lock'), 'uvlock');
  assert.equal(formatOfPath('file:///x/poetry.lock'), 'poetrylock');
  assert.equal(formatOfPath('/x/pdm.lock'), undefined);
  assert.equal(formatOfPath('/x/Cargo.lock'), undefined);
  assert.equal(formatOfPath('/x/Cargo.toml'), undefined);
  assert.equal(formatOfPath('/x/notes.txt'), undefined);
  assert.equal(formatOfPath('/x/MANIFEST.in'), undefined);
  assert.equal(formatOfPath('/x/requirements/dev.in'), 'requirements');
  assert.equal(formatOfPath('/x/dev-requirements.in'), 'requirements');
});

test('severityFor applies overrides, including off', () => {
  assert.equal(severityFor('unpinned', undefined), 'hint');
  assert.equal(severityFor('unpinned', { unpinned: 'error' }), 'error');
  assert.equal(severityFor('yanked', { yanked: 'off' }), 'off');
});

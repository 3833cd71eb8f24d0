import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPinBlocker } from '../../server/src/index/hashPinBlockers';

test('hash pins are blocked by a flagged or unchecked release, and allowed otherwise', () => {
  assert.equal(hashPinBlocker([], false), undefined);
  assert.equal(hashPinBlocker([{ code: 'missing-hashes' }, { code: 'no-provenance' }, { code: 'partial-provenance' }], false), undefined);
  for (const code of ['attestation-invalid', 'hash-not-on-index', 'identity-mismatch', 'yanked', 'version-not-found', 'project-not-found', 'index-error'] as const) {
    assert.equal(hashPinBlocker([{ code: 'missing-hashes' }, { code }], false), code, code);
  }
  assert.equal(hashPinBlocker([{ code: 'yanked' }, { code: 'attestation-invalid' }, { code: 'yanked' }], false), 'yanked, attestation-invalid');
  assert.equal(hashPinBlocker([], true), 'verification pending');
});

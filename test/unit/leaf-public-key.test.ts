/**
 * The leaf certificate's key (server/src/verify/signingCertificate.ts leafPublicKey): an
 * uncompressed P-256 key is imported from its coordinates, any other form from its DER; both give
 * the same key, and a point off the curve is refused either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { leafPublicKey } from '../../server/src/verify/signingCertificate';

test('an uncompressed P-256 key: the same key as from its DER, and it verifies what the private key signed', () => {
  for (let i = 0; i < 20; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const key = leafPublicKey(der);
    assert.deepEqual(key.export({ format: 'jwk' }), publicKey.export({ format: 'jwk' }));
    const data = Buffer.from(`statement ${i}`);
    assert.equal(verify('sha256', data, key, sign('sha256', data, privateKey)), true);
    assert.equal(verify('sha256', Buffer.from('another'), key, sign('sha256', data, privateKey)), false);
  }
});

test('a point off the curve is refused; other curves and compressed points go through DER', () => {
  const der = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
  const offCurve = Buffer.concat([der.subarray(0, der.length - 64), Buffer.alloc(64, 7)]);
  assert.throws(() => leafPublicKey(offCurve));
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
  assert.deepEqual(leafPublicKey(p384.export({ format: 'der', type: 'spki' })).export({ format: 'jwk' }), p384.export({ format: 'jwk' }));
  // The same P-256 point, compressed (0x02/0x03 and x): 57 bytes of DER, read by OpenSSL.
  const jwk = createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  const compressed = Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), Buffer.from([y[31] & 1 ? 3 : 2]), x]);
  assert.deepEqual(leafPublicKey(compressed).export({ format: 'jwk' }), jwk);
});

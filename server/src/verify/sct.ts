/**
 * Signed certificate timestamps embedded in a Fulcio certificate (RFC 6962 §3.2–3.3): each SCT
 * must come from a CT log of the trusted root that was valid at the SCT's time and must sign the
 * precertificate entry — the issuer's key hash and the TBS certificate without the SCT
 * extension. The TBS is rebuilt by splicing bytes rather than re-encoding the certificate.
 */
import { verify as cryptoVerify } from 'node:crypto';
import { Certificate, OID, findExtension } from './certificate';
import { fail, within } from './checks';
import { TAG, contentOf, encodeNode, readWhole } from './der';
import type { TrustMaterial, TrustedCertificate } from './trustMaterial';

export interface SignedCertificateTimestamp {
  version: number;
  logId: Buffer;
  timestamp: number;
  extensions: Buffer;
  hashAlgorithm: number;
  signatureAlgorithm: number;
  signature: Buffer;
}

/** TLS HashAlgorithm codes (RFC 5246 §7.4.1.4.1) → Node digest names. */
const TLS_HASHES: Record<number, string> = { 4: 'sha256', 5: 'sha384', 6: 'sha512' };

/** Verifies every SCT of `certificate` (at least one is required) against `issuer`. */
export function verifyScts(certificate: Certificate, issuer: TrustedCertificate, trust: TrustMaterial): void {
  for (const { sct, digest, signed } of sctSignatureInputs(certificate, issuer)) {
    const logs = trust.ctlogsFor(sct.logId, sct.timestamp);
    if (logs.length === 0) fail('sct', `the SCT's log ${sct.logId.toString('base64')} is not a CT log of the trusted root valid at ${new Date(sct.timestamp).toISOString()}`);
    const verified = logs.some((log) => {
      try {
        return cryptoVerify(digest, signed, log.publicKey, sct.signature);
      } catch {
        return false;
      }
    });
    if (!verified) fail('sct', 'the SCT signature does not verify with the CT log\'s key');
  }
}

/** Each embedded SCT with the digest and the bytes its log signed (also used by the benchmark's floor). */
export function sctSignatureInputs(certificate: Certificate, issuer: TrustedCertificate): { sct: SignedCertificateTimestamp; digest: string; signed: Buffer }[] {
  const extension = findExtension(certificate, OID.sctList);
  if (!extension) fail('sct', 'the signing certificate has no SCT');
  const scts = within('sct', () => parseSctList(contentOf(extension.value, readWhole(extension.value, TAG.OCTET_STRING))));
  if (scts.length === 0) fail('sct', 'the signing certificate has no SCT');
  const precertificate = precertificateTbs(certificate, extension.node.start, extension.node.end);
  return scts.map((sct) => {
    if (sct.version !== 0) fail('sct', `unsupported SCT version ${sct.version}`);
    const digest = TLS_HASHES[sct.hashAlgorithm];
    if (!digest) fail('sct', `unsupported SCT hash algorithm ${sct.hashAlgorithm}`);
    return { sct, digest, signed: signedEntry(sct, issuer.spkiSha256, precertificate) };
  });
}

/** Parses a TLS-encoded SignedCertificateTimestampList. */
export function parseSctList(list: Buffer): SignedCertificateTimestamp[] {
  const reader = new TlsReader(list);
  const body = reader.vector(2);
  reader.end();
  const scts: SignedCertificateTimestamp[] = [];
  while (!body.done()) {
    const sct = body.vector(2);
    scts.push({
      version: sct.uint(1),
      logId: sct.bytes(32),
      timestamp: sct.uint(8),
      extensions: sct.vector(2).rest(),
      hashAlgorithm: sct.uint(1),
      signatureAlgorithm: sct.uint(1),
      signature: sct.vector(2).rest(),
    });
    sct.end();
  }
  return scts;
}

/** The RFC 6962 `digitally-signed` input of a precert_entry SCT. */
function signedEntry(sct: SignedCertificateTimestamp, issuerKeyHash: Buffer, tbs: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0; // sct_version v1
  header[1] = 0; // signature_type certificate_timestamp
  header.writeUIntBE(Math.floor(sct.timestamp / 2 ** 32), 2, 4);
  header.writeUInt32BE(sct.timestamp % 2 ** 32, 6);
  header.writeUInt16BE(1, 10); // entry_type precert_entry
  const tbsLength = Buffer.alloc(3);
  tbsLength.writeUIntBE(tbs.length, 0, 3);
  const extensionsLength = Buffer.alloc(2);
  extensionsLength.writeUInt16BE(sct.extensions.length, 0);
  return Buffer.concat([header, issuerKeyHash, tbsLength, tbs, extensionsLength, sct.extensions]);
}

/** The TBS certificate with the extension at [start, end) removed and the lengths around it redone. */
function precertificateTbs(certificate: Certificate, start: number, end: number): Buffer {
  const { der, tbsNode, extensionsWrapper, extensionsNode } = certificate;
  if (!extensionsWrapper || !extensionsNode) fail('sct', 'the signing certificate has no extensions');
  const extensions = Buffer.concat([der.subarray(extensionsNode.contentStart, start), der.subarray(end, extensionsNode.end)]);
  const wrapper = encodeNode(0xa3, encodeNode(TAG.SEQUENCE, extensions));
  return encodeNode(TAG.SEQUENCE, Buffer.concat([der.subarray(tbsNode.contentStart, extensionsWrapper.start), wrapper, der.subarray(extensionsWrapper.end, tbsNode.end)]));
}

/** Reads TLS presentation-language fields; throws on anything short or left over. */
class TlsReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  uint(size: number): number {
    const bytes = this.bytes(size);
    let value = 0;
    for (const byte of bytes) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new Error('SCT integer too large');
    return value;
  }

  bytes(size: number): Buffer {
    if (this.offset + size > this.buf.length) throw new Error('truncated SCT');
    const bytes = this.buf.subarray(this.offset, this.offset + size);
    this.offset += size;
    return bytes;
  }

  vector(lengthSize: number): TlsReader {
    return new TlsReader(this.bytes(this.uint(lengthSize)));
  }

  rest(): Buffer {
    return this.bytes(this.buf.length - this.offset);
  }

  done(): boolean {
    return this.offset >= this.buf.length;
  }

  end(): void {
    if (!this.done()) throw new Error('trailing bytes in SCT');
  }
}

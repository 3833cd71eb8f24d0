/**
 * X.509 certificates as verification needs them: byte ranges for signature and SCT checks, the
 * validity period, the key, and the decoded extensions Fulcio certificates carry (key usage,
 * extended key usage, basic constraints, key identifiers, subject alternative names and the
 * Sigstore OIDC claims 1.3.6.1.4.1.57264.1.*). See der.ts for why this is not a library.
 */
import {
  DerError,
  DerNode,
  TAG,
  bytesOf,
  childrenOf,
  contentOf,
  expectNode,
  readBitStringBytes,
  readBoolean,
  readNamedBits,
  readNode,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  readWhole,
} from './der';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  sigstorePrefix: '1.3.6.1.4.1.57264.1.',
} as const;

/** Extensions a verifier may see marked critical and still understand. */
const UNDERSTOOD_CRITICAL = new Set<string>([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.subjectKeyId, OID.authorityKeyId]);

/** Signature algorithm OIDs → the digest Node's crypto.verify takes (null: EdDSA). */
const SIGNATURE_DIGESTS: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': null,
};

export interface CertificateExtension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content. */
  value: Buffer;
  /** The whole Extension TLV, as offsets into the certificate's DER. */
  node: DerNode;
}

export interface SubjectAltNames {
  uris: string[];
  emails: string[];
  dnsNames: string[];
  /** otherName values of type 1.3.6.1.4.1.57264.1.7 (Sigstore username identities). */
  otherNames: string[];
}

export interface Certificate {
  der: Buffer;
  tbs: Buffer;
  /** Offsets (into `der`) of the TBS SEQUENCE, the [3] wrapper and the Extensions SEQUENCE. */
  tbsNode: DerNode;
  extensionsWrapper?: DerNode;
  extensionsNode?: DerNode;
  version: number;
  serialNumber: Buffer;
  /** Digest to verify this certificate's signature with (null for Ed25519). */
  signatureDigest: string | null;
  signature: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: number;
  notAfter: number;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  /** Key algorithm and (for EC keys) curve OID. */
  keyAlgorithm: string;
  keyCurve?: string;
  extensions: CertificateExtension[];
  basicConstraints?: { ca: boolean; pathLength?: number };
  /** Returns whether a named KeyUsage bit is set; undefined when the extension is absent. */
  keyUsage?: (bit: number) => boolean;
  extKeyUsage?: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  subjectAltNames: SubjectAltNames;
  /** Sigstore claims by last OID arc (1 = Issuer v1, 8 = Issuer v2, 12 = Source Repository URI, …). */
  sigstore: Map<number, string>;
  /** Extensions marked critical that this verifier does not understand. */
  unknownCritical: string[];
}

export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5 } as const;

export class CertificateError extends Error {}

/** Parses a DER certificate; throws CertificateError (with a reason) on anything malformed. */
export function parseCertificate(der: Buffer): Certificate {
  try {
    return parse(der);
  } catch (error) {
    // Any exception here (DerError, or a missing field read as undefined) means malformed input.
    const reason = error instanceof DerError || error instanceof CertificateError ? error.message : 'unexpected structure';
    throw new CertificateError(`malformed certificate: ${reason}`);
  }
}

function parse(der: Buffer): Certificate {
  const outer = readWhole(der, TAG.SEQUENCE);
  const [tbsNode, outerAlg, signatureNode, ...extra] = childrenOf(der, outer);
  if (!tbsNode || !outerAlg || !signatureNode || extra.length > 0) throw new CertificateError('expected tbsCertificate, signatureAlgorithm, signature');
  if (tbsNode.tag !== TAG.SEQUENCE) throw new CertificateError('tbsCertificate is not a SEQUENCE');
  const parts = childrenOf(der, tbsNode);
  let index = 0;
  let version = 1;
  if (parts[index]?.tag === 0xa0) {
    const versionNode = childrenOf(der, parts[index]);
    if (versionNode.length !== 1) throw new CertificateError('malformed version');
    version = readSmallInteger(der, versionNode[0]) + 1;
    index++;
  }
  const [serialNode, innerAlg, issuerNode, validityNode, subjectNode, spkiNode] = parts.slice(index, index + 6);
  if (!spkiNode) throw new CertificateError('tbsCertificate is missing fields');
  if (serialNode.tag !== TAG.INTEGER) throw new CertificateError('serial number is not an INTEGER');
  if (!bytesOf(der, innerAlg).equals(bytesOf(der, outerAlg))) throw new CertificateError('signature algorithm differs inside and outside the TBS');
  const algOid = readOid(der, expectNode(der, outerAlg.contentStart, TAG.OID, outerAlg.end));
  if (!(algOid in SIGNATURE_DIGESTS)) throw new CertificateError(`unsupported signature algorithm ${algOid}`);
  if (issuerNode.tag !== TAG.SEQUENCE || subjectNode.tag !== TAG.SEQUENCE) throw new CertificateError('malformed name');
  const validity = childrenOf(der, validityNode);
  if (validityNode.tag !== TAG.SEQUENCE || validity.length !== 2) throw new CertificateError('malformed validity');
  const notBefore = readTime(der, validity[0]);
  const notAfter = readTime(der, validity[1]);
  const spkiParts = childrenOf(der, spkiNode);
  if (spkiNode.tag !== TAG.SEQUENCE || spkiParts.length !== 2 || spkiParts[0].tag !== TAG.SEQUENCE) throw new CertificateError('malformed public key');
  const keyAlgParts = childrenOf(der, spkiParts[0]);
  const keyAlgorithm = readOid(der, keyAlgParts[0]);
  const keyCurve = keyAlgParts[1]?.tag === TAG.OID ? readOid(der, keyAlgParts[1]) : undefined;
  readBitStringBytes(der, spkiParts[1]);

  let extensionsWrapper: DerNode | undefined;
  let extensionsNode: DerNode | undefined;
  for (const rest of parts.slice(index + 6)) {
    if (rest.tag === 0x81 || rest.tag === 0x82) continue;
    if (rest.tag !== 0xa3 || extensionsWrapper) throw new CertificateError('unexpected field after the public key');
    extensionsWrapper = rest;
    const inner = childrenOf(der, rest);
    if (inner.length !== 1 || inner[0].tag !== TAG.SEQUENCE) throw new CertificateError('malformed extensions');
    extensionsNode = inner[0];
  }
  if (extensionsWrapper && version !== 3) throw new CertificateError('extensions in a certificate that is not version 3');

  const certificate: Certificate = {
    der,
    tbs: bytesOf(der, tbsNode),
    tbsNode,
    extensionsWrapper,
    extensionsNode,
    version,
    serialNumber: contentOf(der, serialNode),
    signatureDigest: SIGNATURE_DIGESTS[algOid],
    signature: readBitStringBytes(der, signatureNode),
    issuer: bytesOf(der, issuerNode),
    subject: bytesOf(der, subjectNode),
    notBefore,
    notAfter,
    spki: bytesOf(der, spkiNode),
    keyAlgorithm,
    keyCurve,
    extensions: [],
    subjectAltNames: { uris: [], emails: [], dnsNames: [], otherNames: [] },
    sigstore: new Map(),
    unknownCritical: [],
  };
  if (extensionsNode) readExtensions(der, extensionsNode, certificate);
  return certificate;
}

function readExtensions(der: Buffer, extensionsNode: DerNode, certificate: Certificate): void {
  const seen = new Set<string>();
  for (const node of childrenOf(der, extensionsNode)) {
    const fields = childrenOf(der, node);
    if (node.tag !== TAG.SEQUENCE || fields.length < 2 || fields.length > 3) throw new CertificateError('malformed extension');
    const oid = readOid(der, fields[0]);
    if (seen.has(oid)) throw new CertificateError(`duplicate extension ${oid}`);
    seen.add(oid);
    const critical = fields.length === 3 ? readBoolean(der, fields[1]) : false;
    const valueNode = fields[fields.length - 1];
    if (valueNode.tag !== TAG.OCTET_STRING) throw new CertificateError('extension value is not an OCTET STRING');
    const value = contentOf(der, valueNode);
    certificate.extensions.push({ oid, critical, value, node });
    if (critical && !UNDERSTOOD_CRITICAL.has(oid)) certificate.unknownCritical.push(oid);
    decodeExtension(oid, value, certificate);
  }
}

function decodeExtension(oid: string, value: Buffer, certificate: Certificate): void {
  switch (oid) {
    case OID.basicConstraints: {
      const seq = readWhole(value, TAG.SEQUENCE);
      const fields = childrenOf(value, seq);
      let ca = false;
      let pathLength: number | undefined;
      for (const field of fields) {
        if (field.tag === TAG.BOOLEAN) ca = readBoolean(value, field);
        else if (field.tag === TAG.INTEGER) pathLength = readSmallInteger(value, field);
        else throw new CertificateError('malformed basic constraints');
      }
      certificate.basicConstraints = { ca, pathLength };
      return;
    }
    case OID.keyUsage:
      certificate.keyUsage = readNamedBits(value, readWhole(value, TAG.BIT_STRING));
      return;
    case OID.extKeyUsage:
      certificate.extKeyUsage = childrenOf(value, readWhole(value, TAG.SEQUENCE)).map((node) => readOid(value, node));
      return;
    case OID.subjectKeyId:
      certificate.subjectKeyId = contentOf(value, readWhole(value, TAG.OCTET_STRING));
      return;
    case OID.authorityKeyId: {
      for (const field of childrenOf(value, readWhole(value, TAG.SEQUENCE))) {
        if (field.tag === 0x80) certificate.authorityKeyId = contentOf(value, field);
      }
      return;
    }
    case OID.subjectAltName:
      readSubjectAltNames(value, certificate.subjectAltNames);
      return;
    default:
      if (oid.startsWith(OID.sigstorePrefix)) {
        const arc = Number(oid.slice(OID.sigstorePrefix.length));
        if (Number.isInteger(arc)) certificate.sigstore.set(arc, decodeSigstoreClaim(arc, value));
      }
  }
}

/**
 * Fulcio's claims 1.1–1.6 are the raw UTF-8 bytes of the value (deprecated encoding); 1.8 and
 * later are DER UTF8Strings (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
 */
function decodeSigstoreClaim(arc: number, value: Buffer): string {
  if (arc >= 8) return readString(value, readWhole(value, TAG.UTF8_STRING));
  return value.toString('utf8');
}

function readSubjectAltNames(value: Buffer, names: SubjectAltNames): void {
  for (const name of childrenOf(value, readWhole(value, TAG.SEQUENCE))) {
    switch (name.tag) {
      case 0x81:
        names.emails.push(value.toString('latin1', name.contentStart, name.end));
        break;
      case 0x82:
        names.dnsNames.push(value.toString('latin1', name.contentStart, name.end));
        break;
      case 0x86:
        names.uris.push(value.toString('latin1', name.contentStart, name.end));
        break;
      case 0xa0: {
        const [typeNode, explicitValue] = childrenOf(value, name);
        if (!typeNode || !explicitValue || explicitValue.tag !== 0xa0) throw new CertificateError('malformed otherName');
        if (readOid(value, typeNode) === `${OID.sigstorePrefix}7`) {
          names.otherNames.push(readString(value, readNode(value, explicitValue.contentStart, explicitValue.end)));
        }
        break;
      }
      default:
        break;
    }
  }
}

export function findExtension(certificate: Certificate, oid: string): CertificateExtension | undefined {
  return certificate.extensions.find((extension) => extension.oid === oid);
}

/** Decodes PEM `CERTIFICATE` blocks (text around them is ignored). */
export function pemToDer(pem: string): Buffer[] {
  const blocks: Buffer[] = [];
  const pattern = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;
  for (const match of pem.matchAll(pattern)) blocks.push(Buffer.from(match[1].replace(/\s+/g, ''), 'base64'));
  return blocks;
}

/**
 * PEP 740 attestation and provenance objects: shape checks, and conversion to and from a Sigstore
 * bundle v0.3 (the way pypi-attestations' `to_bundle`/`from_bundle` convert).
 *
 * An attestation is `{version: 1, verification_material: {certificate, transparency_entries},
 * envelope: {statement, signature}}`; a transparency entry is a Sigstore TransparencyLogEntry in
 * protobuf JSON form. Nothing here is trusted yet: these functions only decode.
 *
 * `transparency_entries` holds one or more entries (PEP 740); as in pypi-attestations, the first
 * is the one verified and the others are not read.
 */
import { BUNDLE_V03_MEDIA_TYPE, SerializedBundle, assertBundleLatest, bundleFromJSON } from '@sigstore/bundle';
import { CheckFailure, CheckId, fail, within } from './checks';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Rekor v1's dsse/0.0.1 (what PyPI serves) and Rekor v2's dsse/0.0.2 (proposed for PEP 740). */
export const ENTRY_VERSIONS = { rekorV1: '0.0.1', rekorV2: '0.0.2' } as const;

export interface InclusionProof {
  logIndex: number;
  rootHash: Buffer;
  treeSize: number;
  hashes: Buffer[];
  /** The signed checkpoint note; undefined when absent. */
  checkpoint?: string;
}

/** A Rekor v1 or v2 entry as the attestation carries it, decoded but unverified. */
export interface TransparencyEntry {
  logIndex: number;
  logId: Buffer;
  kind: string;
  version: string;
  integratedTime: number;
  signedEntryTimestamp?: Buffer;
  inclusionProof?: InclusionProof;
  canonicalizedBody: Buffer;
}

export interface ParsedAttestation {
  certificate: Buffer;
  /** The base64 text as served: the cache key of the certificate's verification. */
  certificateBase64: string;
  entry: TransparencyEntry;
  statement: Buffer;
  signature: Buffer;
  /** RFC 3161 timestamp responses over the signature (`verification_material.timestamps`), DER. */
  timestamps: Buffer[];
}

export interface AttestationBundleJson {
  publisher: unknown;
  attestations: unknown[];
}

/** Checks the shape of an attestation object and decodes it (check `attestation-format`). */
export function parseAttestation(value: unknown): ParsedAttestation {
  if (!isObject(value)) fail('attestation-format', 'the attestation is not a JSON object');
  if (value.version !== 1) fail('attestation-format', `unsupported attestation version ${JSON.stringify(value.version) ?? 'undefined'} (expected 1)`);
  const material = value.verification_material;
  if (!isObject(material)) fail('attestation-format', 'verification_material is missing');
  const envelope = value.envelope;
  if (!isObject(envelope)) fail('attestation-format', 'envelope is missing');
  const entries = material.transparency_entries;
  if (!Array.isArray(entries)) fail('attestation-format', 'transparency_entries is missing');
  // PEP 740 allows one or more entries; pypi-attestations' `to_bundle` verifies with the first and
  // never reads the others, so neither does this: a broken first entry is not rescued by a later one.
  if (entries.length === 0) fail('attestation-format', 'the attestation has no transparency entry');
  if (typeof material.certificate !== 'string') fail('attestation-format', 'verification_material.certificate is missing');
  const timestamps = material.timestamps ?? [];
  if (!Array.isArray(timestamps)) fail('attestation-format', 'verification_material.timestamps is not a list');
  return {
    certificate: base64('attestation-format', material.certificate, 'verification_material.certificate'),
    certificateBase64: material.certificate,
    entry: parseTransparencyEntry(entries[0]),
    statement: base64('attestation-format', envelope.statement, 'envelope.statement'),
    signature: base64('attestation-format', envelope.signature, 'envelope.signature'),
    timestamps: timestamps.map((timestamp, index) => base64('attestation-format', timestamp, `verification_material.timestamps[${index}]`)),
  };
}

/**
 * Decodes a transparency entry. Presence of the SET, inclusion proof and checkpoint is left to
 * their own checks so that their absence is reported under their names.
 */
export function parseTransparencyEntry(value: unknown): TransparencyEntry {
  return within('attestation-format', () => {
    if (!isObject(value)) fail('attestation-format', 'the transparency entry is not an object');
    const kindVersion = value.kindVersion;
    if (!isObject(kindVersion) || typeof kindVersion.kind !== 'string' || typeof kindVersion.version !== 'string') {
      fail('attestation-format', 'the transparency entry has no kindVersion');
    }
    if (kindVersion.kind !== 'dsse' || (kindVersion.version !== ENTRY_VERSIONS.rekorV1 && kindVersion.version !== ENTRY_VERSIONS.rekorV2)) {
      fail('attestation-format', `unsupported transparency entry ${kindVersion.kind}/${kindVersion.version} (expected dsse/0.0.1 or dsse/0.0.2)`);
    }
    const logId = isObject(value.logId) ? value.logId.keyId : undefined;
    const promise = value.inclusionPromise;
    const proof = value.inclusionProof;
    return {
      logIndex: integer('attestation-format', value.logIndex, 'logIndex'),
      logId: base64('attestation-format', logId, 'logId.keyId'),
      kind: kindVersion.kind,
      version: kindVersion.version,
      integratedTime: integer('attestation-format', value.integratedTime, 'integratedTime'),
      signedEntryTimestamp: isObject(promise) ? base64('set', promise.signedEntryTimestamp, 'inclusionPromise.signedEntryTimestamp') : undefined,
      inclusionProof: isObject(proof) ? parseInclusionProof(proof) : undefined,
      canonicalizedBody: base64('attestation-format', value.canonicalizedBody, 'canonicalizedBody'),
    };
  });
}

function parseInclusionProof(proof: Record<string, unknown>): InclusionProof {
  if (!Array.isArray(proof.hashes)) fail('inclusion-proof', 'the inclusion proof has no hashes');
  const checkpoint = isObject(proof.checkpoint) ? proof.checkpoint.envelope : undefined;
  if (checkpoint !== undefined && typeof checkpoint !== 'string') fail('checkpoint', 'the checkpoint envelope is not a string');
  return {
    logIndex: integer('inclusion-proof', proof.logIndex, 'inclusionProof.logIndex'),
    rootHash: base64('inclusion-proof', proof.rootHash, 'inclusionProof.rootHash'),
    treeSize: integer('inclusion-proof', proof.treeSize, 'inclusionProof.treeSize'),
    hashes: proof.hashes.map((hash, index) => base64('inclusion-proof', hash, `inclusionProof.hashes[${index}]`)),
    checkpoint: checkpoint || undefined,
  };
}

/** The attestation bundles of a PEP 740 provenance object (check `attestation-format`). */
export function parseProvenance(value: unknown): AttestationBundleJson[] {
  if (!isObject(value)) fail('attestation-format', 'the provenance is not a JSON object');
  if (value.version !== 1) fail('attestation-format', `unsupported provenance version ${JSON.stringify(value.version) ?? 'undefined'} (expected 1)`);
  const bundles = value.attestation_bundles;
  if (!Array.isArray(bundles) || bundles.length === 0) fail('attestation-format', 'the provenance has no attestation bundles');
  return bundles.map((bundle, index) => {
    if (!isObject(bundle)) fail('attestation-format', `attestation bundle ${index + 1} is not an object`);
    if (!Array.isArray(bundle.attestations) || bundle.attestations.length === 0) fail('attestation-format', `attestation bundle ${index + 1} has no attestations`);
    return { publisher: bundle.publisher, attestations: bundle.attestations };
  });
}

/**
 * A PEP 740 attestation as a Sigstore bundle v0.3 (JSON): the certificate as
 * `verificationMaterial.certificate.rawBytes`, the statement as a DSSE envelope with payload type
 * `application/vnd.in-toto+json` and one signature with an empty key ID (PEP 740 has none), and
 * the first transparency entry (the one verified), and the RFC 3161 timestamps as the bundle's
 * timestamp verification data. Validated with @sigstore/bundle.
 */
export function attestationToBundle(value: unknown): SerializedBundle {
  parseAttestation(value);
  const attestation = value as { verification_material: { certificate: string; transparency_entries: unknown[]; timestamps?: string[] }; envelope: { statement: string; signature: string } };
  const timestamps = attestation.verification_material.timestamps ?? [];
  const bundle = {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: {
      certificate: { rawBytes: attestation.verification_material.certificate },
      tlogEntries: [attestation.verification_material.transparency_entries[0]],
      timestampVerificationData: timestamps.length > 0 ? { rfc3161Timestamps: timestamps.map((signedTimestamp) => ({ signedTimestamp })) } : undefined,
    },
    dsseEnvelope: {
      payload: attestation.envelope.statement,
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: attestation.envelope.signature, keyid: '' }],
    },
  } as unknown as SerializedBundle;
  within('bundle-format', () => assertBundleLatest(bundleFromJSON(bundle)));
  return bundle;
}

/**
 * A Sigstore bundle (JSON) as a PEP 740 attestation: requires the v0.3 media type, a single
 * `certificate`, a DSSE envelope whose payload type is exactly in-toto's with exactly one
 * signature, and exactly one dsse transparency entry (Rekor v1 dsse/0.0.1 or v2 dsse/0.0.2); its
 * RFC 3161 timestamps become `verification_material.timestamps` (check `bundle-format`).
 */
export function bundleToAttestation(value: unknown): Record<string, unknown> {
  if (!isObject(value)) fail('bundle-format', 'the bundle is not a JSON object');
  if (value.mediaType !== BUNDLE_V03_MEDIA_TYPE) fail('bundle-format', `unsupported bundle media type ${String(value.mediaType)} (expected ${BUNDLE_V03_MEDIA_TYPE})`);
  within('bundle-format', () => assertBundleLatest(bundleFromJSON(value)));
  const material = value.verificationMaterial as Record<string, unknown>;
  const certificate = isObject(material.certificate) ? material.certificate.rawBytes : undefined;
  if (typeof certificate !== 'string') fail('bundle-format', 'the bundle has no verificationMaterial.certificate.rawBytes');
  const envelope = value.dsseEnvelope;
  if (!isObject(envelope)) fail('bundle-format', 'the bundle has no DSSE envelope');
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) fail('bundle-format', `DSSE payload type ${String(envelope.payloadType)} is not ${IN_TOTO_PAYLOAD_TYPE}`);
  const signatures: unknown[] = Array.isArray(envelope.signatures) ? envelope.signatures : [];
  if (signatures.length !== 1 || !isObject(signatures[0])) fail('bundle-format', `expected exactly one DSSE signature, found ${signatures.length}`);
  const entries = Array.isArray(material.tlogEntries) ? material.tlogEntries : [];
  if (entries.length !== 1) fail('bundle-format', `expected exactly one transparency entry, found ${entries.length}`);
  try {
    parseTransparencyEntry(entries[0]);
  } catch (error) {
    fail('bundle-format', error instanceof CheckFailure ? error.detail : String(error));
  }
  const timestampData = isObject(material.timestampVerificationData) ? material.timestampVerificationData.rfc3161Timestamps : undefined;
  const timestamps = Array.isArray(timestampData) ? timestampData.map((timestamp) => (isObject(timestamp) ? timestamp.signedTimestamp : undefined)) : [];
  return {
    version: 1,
    verification_material: { certificate, transparency_entries: [entries[0]], ...(timestamps.length > 0 ? { timestamps } : {}) },
    envelope: { statement: envelope.payload, signature: (signatures[0] as Record<string, unknown>).sig },
  };
}

/** Standard base64 (line breaks allowed, as Python's decoder allows them), nothing else. */
// Line breaks after the padding only when there is padding: the two runs of line breaks never meet.
const BASE64 = /^[A-Za-z0-9+/\r\n]*(?:={1,2}[\r\n]*)?$/;

function base64(check: CheckId, value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value.length === 0) fail(check, `${field} is missing`);
  if (!BASE64.test(value)) fail(check, `${field} is not base64`);
  const compact = value.includes('\n') || value.includes('\r') ? value.replace(/[\r\n]/g, '') : value;
  if (compact.length % 4 !== 0) fail(check, `${field} is not base64`);
  return Buffer.from(compact, 'base64');
}

/** A protobuf JSON int64: a decimal string or a number, non-negative and exact in a double. */
function integer(check: CheckId, value: unknown, field: string): number {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0) fail(check, `${field} is not a non-negative integer`);
  return number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

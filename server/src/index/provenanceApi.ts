/**
 * PEP 740 provenance objects as the Integrity API serves them. Only the outer shape is checked
 * here (version 1, bundles with a publisher and attestations); the attestations themselves are
 * the verifier's business.
 */
import { IndexError } from './errors';
import { redactUrl } from './redact';
import { clip, mediaType } from './simpleApi';

export const INTEGRITY_JSON_V1 = 'application/vnd.pypi.integrity.v1+json';

export interface ProvenancePublisher {
  kind: string;
  [field: string]: unknown;
}

export interface AttestationBundle {
  publisher: ProvenancePublisher;
  /** Attestation objects, unchecked. */
  attestations: unknown[];
}

export interface ProvenanceObject {
  version: 1;
  attestation_bundles: AttestationBundle[];
}

/** Reads a provenance object; an answer of another shape is an IndexError. */
export function parseProvenance(body: Buffer | string, contentType: string | undefined, url: string): ProvenanceObject {
  const where = redactUrl(url);
  const type = mediaType(contentType);
  if (type !== INTEGRITY_JSON_V1 && type !== 'application/json') {
    throw new IndexError('bad-content-type', `${where} answered ${type === '' ? 'no content type' : type}, not ${INTEGRITY_JSON_V1}`);
  }
  let data: unknown;
  try {
    data = JSON.parse((typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, ''));
  } catch {
    throw new IndexError('bad-json', `${where} answered with a body that is not valid JSON`);
  }
  const fail = (problem: string): never => {
    throw new IndexError('bad-response', `${where} is not a PEP 740 provenance object: ${problem}`);
  };
  if (!isObject(data)) return fail('not a JSON object');
  if (data.version !== 1) return fail(`version is ${clip(JSON.stringify(data.version) ?? 'missing')}, not 1`);
  if (!Array.isArray(data.attestation_bundles)) return fail('attestation_bundles is not a list');
  data.attestation_bundles.forEach((bundle, i) => {
    if (!isObject(bundle)) return fail(`attestation_bundles[${i}] is not an object`);
    if (!isObject(bundle.publisher) || typeof bundle.publisher.kind !== 'string') return fail(`attestation_bundles[${i}].publisher has no kind`);
    if (!Array.isArray(bundle.attestations)) return fail(`attestation_bundles[${i}].attestations is not a list`);
    return undefined;
  });
  return data as unknown as ProvenanceObject;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

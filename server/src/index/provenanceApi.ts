/**
 * PEP 740 provenance objects as the Integrity API serves them. The outer shape is checked here
 * (version 1, bundles with a publisher and attestations), and so is everything the rest of the
 * server copies around: a publisher is a flat object of strings (the keys pypi-attestations
 * knows for its kind), and no part of the object nests deeper than real attestations do. A
 * hostile answer nested thousands of levels deep would otherwise overflow the stack later, in
 * structured cloning to the verification worker or in the JSON of an LSP answer, far from here.
 * The attestations themselves are the verifier's business.
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
  const tooDeep = deeperThan(data, MAX_DEPTH);
  if (tooDeep !== undefined) return fail(`${tooDeep} nests more than ${MAX_DEPTH} levels deep`);
  const bundles = data.attestation_bundles.map((bundle, i): AttestationBundle => {
    if (!isObject(bundle)) return fail(`attestation_bundles[${i}] is not an object`);
    if (!Array.isArray(bundle.attestations)) return fail(`attestation_bundles[${i}].attestations is not a list`);
    const publisher = readPublisher(bundle.publisher);
    if (typeof publisher === 'string') return fail(`attestation_bundles[${i}].publisher ${publisher}`);
    return { ...bundle, publisher, attestations: bundle.attestations };
  });
  return { ...data, version: 1, attestation_bundles: bundles };
}

/** Real provenance objects nest about 8 levels (bundle → attestation → envelope / verification material → tlog entry → …). */
const MAX_DEPTH = 32;
/** The longest publisher field kept: repository names, workflow paths and e-mails are short. */
const MAX_FIELD_LENGTH = 1024;
const MAX_CLAIMS = 64;

/** The fields of each publisher kind (pypi-attestations' GitHubPublisher, GitLabPublisher, GooglePublisher); other kinds keep string fields only. */
const PUBLISHER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  GitHub: ['repository', 'workflow', 'environment'],
  GitLab: ['repository', 'workflow_filepath', 'environment'],
  Google: ['email'],
};

/**
 * A publisher as the server keeps it: `kind`, the known fields of its kind (strings, or null
 * when absent), `claims` when it is a flat object of scalars; fields of no known meaning are
 * dropped. A string says what is wrong.
 */
export function readPublisher(value: unknown): ProvenancePublisher | string {
  if (!isObject(value)) return 'is not an object';
  const kind = value.kind;
  if (typeof kind !== 'string' || kind === '' || kind.length > MAX_FIELD_LENGTH) return 'has no kind';
  const publisher: ProvenancePublisher = { kind };
  const known = PUBLISHER_FIELDS[kind];
  for (const [key, field] of Object.entries(value)) {
    if (key === 'kind' || key === '__proto__') continue;
    if (key === 'claims') {
      if (field === null || field === undefined) continue;
      const claims = readClaims(field);
      if (claims === undefined) return `has claims that are not a small flat object`;
      publisher.claims = claims;
      continue;
    }
    if (known !== undefined && !known.includes(key)) continue;
    if (field === null) {
      publisher[key] = null;
      continue;
    }
    if (typeof field !== 'string') {
      if (known !== undefined) return `field ${clip(key)} is not a string`;
      continue;
    }
    if (field.length > MAX_FIELD_LENGTH) return `field ${clip(key)} is longer than ${MAX_FIELD_LENGTH} characters`;
    publisher[key] = field;
  }
  return publisher;
}

function readClaims(value: unknown): Record<string, string | number | boolean | null> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length > MAX_CLAIMS) return undefined;
  const claims: Record<string, string | number | boolean | null> = {};
  for (const [key, claim] of entries) {
    if (key === '__proto__') continue;
    if (claim !== null && typeof claim !== 'string' && typeof claim !== 'number' && typeof claim !== 'boolean') return undefined;
    if (typeof claim === 'string' && claim.length > MAX_FIELD_LENGTH) return undefined;
    claims[key] = claim;
  }
  return claims;
}

/** The path of the first value nested deeper than `limit` (without recursion: the input may be hostile), or undefined. */
function deeperThan(root: unknown, limit: number): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: root, depth: 0, path: 'the answer' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limit) return path;
    const children = Array.isArray(value) ? value.map((child, i) => [String(i), child] as const) : Object.entries(value);
    for (const [key, child] of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1, path: depth === 0 ? clip(key) : `${path}.${clip(key)}` });
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What identifies one verification of one attestation, for the persistent results: the trust it
 * was checked against, the file (name and sha256 — the subject checks depend on both), the signer
 * policy (the bundle's publisher as the index served it) and the attestation's exact JSON.
 * Everything the verifier's verdict depends on is in the key, and nothing else (the verifier uses
 * no clock), so a verdict stored under a key stays true forever.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Distribution } from '../verify/index';

/**
 * Bumped whenever what a stored verdict means changes (a check added to the verifier, say).
 * 2: a verdict carries the verified checkpoint (the split-view memory needs it), so the verdicts
 * stored without one are not reused: their attestations are verified once more.
 */
export const RESULT_FORMAT = 2;

/** The trust scope every public-good root shares (embedded or refreshed through TUF). */
export const PUBLIC_GOOD_SCOPE = 'sigstore-public-good';

/**
 * The trust scope of a trusted root. Public-good roots (the embedded one and its TUF refreshes)
 * share one scope so that a root rotation does not send every attestation through verification
 * again; a private root (the `trustedRoot` setting) is its own scope, by content.
 */
export function trustScope(source: 'file' | 'tuf' | 'embedded', trustedRoot: unknown): string {
  if (source !== 'file') return PUBLIC_GOOD_SCOPE;
  return `root-${createHash('sha256').update(stableJson(trustedRoot)).digest('hex')}`;
}

export function attestationKey(scope: string, distribution: Distribution, signer: unknown, attestation: unknown): string {
  // The scope and the file on their own, so that no signer or attestation can push them out.
  return createHash('sha256')
    .update(stableJson([RESULT_FORMAT, scope, distribution.filename, distribution.sha256.toLowerCase()]))
    .update('\n')
    .update(keyPart(signer ?? null))
    .update('\n')
    .update(keyPart(attestation))
    .digest('hex');
}

/**
 * A part of a key: its JSON, or — for a value JSON cannot write (nested too deep) — a part no
 * other key has, so that such a verdict is never reused for anything else.
 */
function keyPart(value: unknown): string {
  const json = stableJson(value);
  return json === UNSERIALIZABLE ? `${UNSERIALIZABLE}-${randomBytes(16).toString('hex')}` : json;
}

/** An attestation of a provenance object with its key, and the publisher its signer policy names. */
export interface KeyedAttestation {
  attestation: unknown;
  publisher: unknown;
  key: string;
}

/**
 * Every attestation in a provenance object with its key, under the signer policy the verifier
 * applies to each (`{ publisher: bundle.publisher }`); [] for anything that is not one.
 */
export function keyedAttestations(scope: string, provenance: unknown, distribution: Distribution): KeyedAttestation[] {
  const bundles = (provenance as { attestation_bundles?: unknown } | null)?.attestation_bundles;
  if (!Array.isArray(bundles)) return [];
  const keyed: KeyedAttestation[] = [];
  for (const bundle of bundles) {
    const attestations = (bundle as { attestations?: unknown } | null)?.attestations;
    if (!Array.isArray(attestations)) continue;
    const publisher = (bundle as { publisher?: unknown }).publisher;
    for (const attestation of attestations) keyed.push({ attestation, publisher, key: attestationKey(scope, distribution, { publisher }, attestation) });
  }
  return keyed;
}

/** The keys of every attestation in a provenance object (keyedAttestations' keys). */
export function provenanceKeys(scope: string, provenance: unknown, distribution: Distribution): string[] {
  return keyedAttestations(scope, provenance, distribution).map((entry) => entry.key);
}

/**
 * A digest of a well-formed provenance object (version 1, every bundle an object with attestations)
 * out of its attestations' keys: the same exactly when the verifier's answer is — the keys hold
 * each attestation's JSON and its bundle's publisher, in order, and the digest adds how many
 * attestations each bundle has — without serializing the whole object a second time. Undefined
 * for anything else (digest its JSON then).
 */
export function keyedProvenanceDigest(provenance: unknown, keyed: readonly KeyedAttestation[]): string | undefined {
  const object = provenance as { version?: unknown; attestation_bundles?: unknown } | null;
  if (typeof object !== 'object' || object === null || object.version !== 1 || !Array.isArray(object.attestation_bundles) || object.attestation_bundles.length === 0) return undefined;
  const counts: number[] = [];
  for (const bundle of object.attestation_bundles) {
    const attestations = (bundle as { attestations?: unknown } | null)?.attestations;
    if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle) || !Array.isArray(attestations) || attestations.length === 0) return undefined;
    counts.push(attestations.length);
  }
  if (counts.reduce((sum, count) => sum + count, 0) !== keyed.length) return undefined;
  return createHash('sha256').update(`keyed\n${counts.join(',')}\n${keyed.map((entry) => entry.key).join('\n')}`).digest('hex');
}

/** A digest of a provenance object (or its JSON text): whether the index still serves the same one. */
export function provenanceDigest(provenance: unknown): string {
  return createHash('sha256').update(typeof provenance === 'string' ? provenance : stableJson(provenance)).digest('hex');
}

const UNSERIALIZABLE = 'unserializable';

/** JSON.stringify that never throws (values parsed from JSON have no cycles or BigInts, but be sure). */
export function stableJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return UNSERIALIZABLE;
  }
}

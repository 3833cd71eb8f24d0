/**
 * Publisher identities: when a verified PEP 740 publisher is "the same" as another one, and when
 * it matches an identity recorded in a pylock.toml (`[[packages.attestation-identities]]`).
 *
 * Comparisons follow PyPI (warehouse/oidc/models/{github,gitlab,google}.py):
 * - GitHub: `repository` case-insensitive (GitHub slugs are), `workflow` exact (the file name
 *   PyPI matches), `environment` case-insensitive (PyPI stores it lower-cased);
 * - GitLab: `repository` (the project path) case-insensitive, `workflow_filepath` exact,
 *   `environment` exact (PyPI compares GitLab environments as written);
 * - Google: `email` exact;
 * - any other kind: every recorded field exactly.
 * A recorded identity without `environment` accepts any environment (a PyPI publisher without
 * one accepts tokens from any environment); one with an environment needs that environment.
 * Two publishers are the same only when all their identity fields agree, environment included:
 * a change of environment is a change of the Trusted Publisher's configuration.
 *
 * Note that the verifier checks repository and workflow against the signing certificate, but
 * the environment is what the index says (pypi-attestations does not check it either).
 */
import type { Finding } from '../core/finding';
import type { AttestationIdentity, Dependency } from '../core/model';
import type { Publisher, Status } from '../core/result';
import { identityMismatchLockedMessage, lockedWithoutProvenanceMessage } from './messages';

/** An identity as recorded in a lock (AttestationIdentity without its range), or to be recorded. */
export interface IdentityFields {
  kind: string;
  fields: Readonly<Record<string, string>>;
}

interface KindRules {
  /** Fields an identity of this kind must have to identify anything. */
  required: readonly string[];
  /** Fields that narrow the identity when present. */
  optional: readonly string[];
  caseInsensitive: ReadonlySet<string>;
}

const KIND_RULES: Readonly<Record<string, KindRules>> = {
  GitHub: { required: ['repository', 'workflow'], optional: ['environment'], caseInsensitive: new Set(['repository', 'environment']) },
  GitLab: { required: ['repository', 'workflow_filepath'], optional: ['environment'], caseInsensitive: new Set(['repository']) },
  Google: { required: ['email'], optional: [], caseInsensitive: new Set() },
};

/** The kinds whose fields this module knows. */
export const KNOWN_PUBLISHER_KINDS: readonly string[] = Object.keys(KIND_RULES);

function rulesOf(kind: string): KindRules | undefined {
  return Object.prototype.hasOwnProperty.call(KIND_RULES, kind) ? KIND_RULES[kind] : undefined;
}

/** Sets an own property, even one named `__proto__` (publisher JSON and TOML keys are data). */
export function setField(record: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}

/** A non-empty string field of a publisher; `null`, '' and non-strings are "absent". */
function field(publisher: Publisher, name: string): string | undefined {
  if (name === 'kind' || !Object.prototype.hasOwnProperty.call(publisher, name)) return undefined;
  const value = publisher[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function equalField(rules: KindRules | undefined, name: string, a: string, b: string): boolean {
  return rules?.caseInsensitive.has(name) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * The identity fields of a publisher, as a lock records them: the kind's fields (environment
 * only when it has one); for an unknown kind, every non-empty string field. Undefined when a
 * known kind lacks a required field (such a publisher never verifies anyway).
 */
export function identityOfPublisher(publisher: Publisher): IdentityFields | undefined {
  if (typeof publisher.kind !== 'string' || publisher.kind === '') return undefined;
  const rules = rulesOf(publisher.kind);
  const fields: Record<string, string> = {};
  if (rules) {
    for (const name of rules.required) {
      const value = field(publisher, name);
      if (value === undefined) return undefined;
      setField(fields, name, value);
    }
    for (const name of rules.optional) {
      const value = field(publisher, name);
      if (value !== undefined) setField(fields, name, value);
    }
  } else {
    for (const name of Object.keys(publisher).sort()) {
      const value = field(publisher, name);
      if (value !== undefined) setField(fields, name, value);
    }
  }
  return { kind: publisher.kind, fields };
}

/**
 * A string that is equal for two publishers exactly when they are the same publisher (see the
 * module comment): use it for sets and maps of publishers.
 */
export function publisherKey(publisher: Publisher): string {
  const kind = typeof publisher.kind === 'string' ? publisher.kind : '';
  const rules = rulesOf(kind);
  const names = rules ? [...rules.required, ...rules.optional] : Object.keys(publisher).filter((name) => field(publisher, name) !== undefined).sort();
  const parts = names.map((name) => {
    const value = field(publisher, name) ?? '';
    return [name, rules?.caseInsensitive.has(name) ? value.toLowerCase() : value];
  });
  return JSON.stringify([kind, parts]);
}

export function samePublisher(a: Publisher, b: Publisher): boolean {
  return publisherKey(a) === publisherKey(b);
}

/** The distinct publishers of a list, first occurrence kept. */
export function distinctPublishers(publishers: Iterable<Publisher | null | undefined>): Publisher[] {
  const seen = new Map<string, Publisher>();
  for (const publisher of publishers) {
    if (!publisher) continue;
    const key = publisherKey(publisher);
    if (!seen.has(key)) seen.set(key, publisher);
  }
  return [...seen.values()];
}

/** The required fields a recorded identity lacks (it can then match nothing). */
export function missingIdentityFields(identity: IdentityFields): string[] {
  const rules = rulesOf(identity.kind);
  if (!rules) return [];
  return rules.required.filter((name) => !identity.fields[name]);
}

/** Whether a verified publisher is the one a recorded identity names (see the module comment). */
export function identityMatches(identity: IdentityFields, publisher: Publisher): boolean {
  if (identity.kind !== publisher.kind) return false;
  const rules = rulesOf(identity.kind);
  if (!rules) {
    // Unknown kinds: every recorded field must be there, as recorded.
    return Object.entries(identity.fields).every(([name, value]) => field(publisher, name) === value);
  }
  for (const name of rules.required) {
    const recorded = identity.fields[name];
    const actual = field(publisher, name);
    if (!recorded || actual === undefined || !equalField(rules, name, recorded, actual)) return false;
  }
  for (const name of rules.optional) {
    const recorded = identity.fields[name];
    if (!recorded) continue;
    const actual = field(publisher, name);
    if (actual === undefined || !equalField(rules, name, recorded, actual)) return false;
  }
  return true;
}

/** Whether two identities (recorded or to be recorded) name the same publisher. */
export function sameIdentity(a: IdentityFields, b: IdentityFields): boolean {
  return publisherKey({ kind: a.kind, ...a.fields }) === publisherKey({ kind: b.kind, ...b.fields });
}

/** What checkLockedIdentities needs of a file's verification (FileReport fits; so does FileVerification plus a filename). */
export interface FileIdentityInput {
  filename: string;
  status: Status;
  /** The (first bundle's) publisher. */
  publisher: Publisher | null;
  /** Every attestation with its bundle's publisher, when known: all of them must match. */
  attestations?: readonly { publisher: Publisher | null }[];
  /** The transparency-log checkpoints the verifier verified in the file's attestations (split views). */
  checkpoints?: readonly { logId: string; origin: string; treeSize: number; rootHash: string }[];
}

export type LockedFileOutcome = 'matched' | 'mismatch' | 'no-provenance' | 'not-checked';

export interface LockedFileIdentity {
  filename: string;
  /**
   * `matched`: every verified publisher matches a recorded identity; `mismatch`: one does not;
   * `no-provenance`: the index has no attestations for the file; `not-checked`: not verified
   * (invalid attestations, index errors and pending files are other findings' business).
   */
  outcome: LockedFileOutcome;
  /** The file's verified publishers. */
  publishers: Publisher[];
  /** `mismatch`: the publishers no recorded identity matches. */
  unmatched: Publisher[];
}

export interface LockedIdentityCheck {
  findings: Finding[];
  files: LockedFileIdentity[];
}

export interface LockedIdentityOptions {
  /** Index of the dependency in ParsedDocument.dependencies, copied into the findings. */
  dependencyIndex?: number;
}

/**
 * pylock.toml: every locked file's verified publisher must match one recorded identity (two
 * identities recorded — a renamed repository — both accepted); recorded identities and a file
 * without provenance is a mismatch too. Findings are `identity-mismatch` at the package name:
 * one per publisher that matches nothing, one for the files without provenance.
 */
export function checkLockedIdentities(
  dependency: Pick<Dependency, 'name' | 'rawName' | 'pinnedVersion' | 'attestationIdentities' | 'ranges'>,
  files: readonly FileIdentityInput[],
  options: LockedIdentityOptions = {},
): LockedIdentityCheck {
  const identities: readonly AttestationIdentity[] = dependency.attestationIdentities ?? [];
  const result: LockedIdentityCheck = { findings: [], files: [] };
  if (identities.length === 0) return result;

  for (const file of files) {
    const publishers = distinctPublishers([file.publisher, ...(file.attestations ?? []).map((record) => record.publisher)]);
    if (file.status === 'unattested') {
      result.files.push({ filename: file.filename, outcome: 'no-provenance', publishers: [], unmatched: [] });
    } else if (file.status === 'verified' && publishers.length > 0) {
      const unmatched = publishers.filter((publisher) => !identities.some((identity) => identityMatches(identity, publisher)));
      result.files.push({ filename: file.filename, outcome: unmatched.length > 0 ? 'mismatch' : 'matched', publishers, unmatched });
    } else {
      result.files.push({ filename: file.filename, outcome: 'not-checked', publishers, unmatched: [] });
    }
  }

  const label = `${dependency.rawName || dependency.name}${dependency.pinnedVersion ? ` ${dependency.pinnedVersion}` : ''}`;
  const finding = (message: string): Finding => ({
    code: 'identity-mismatch',
    message,
    range: dependency.ranges.requirement,
    ...(options.dependencyIndex !== undefined ? { dependency: options.dependencyIndex } : {}),
  });

  const byPublisher = new Map<string, { publisher: Publisher; files: string[] }>();
  for (const file of result.files) {
    for (const publisher of file.unmatched) {
      const key = publisherKey(publisher);
      const group = byPublisher.get(key) ?? { publisher, files: [] };
      group.files.push(file.filename);
      byPublisher.set(key, group);
    }
  }
  const checked = result.files.filter((file) => file.outcome !== 'not-checked').length;
  for (const group of byPublisher.values()) {
    result.findings.push(finding(identityMismatchLockedMessage(label, group.publisher, identities, group.files, checked)));
  }
  const withoutProvenance = result.files.filter((file) => file.outcome === 'no-provenance').map((file) => file.filename);
  if (withoutProvenance.length > 0) {
    result.findings.push(finding(lockedWithoutProvenanceMessage(label, identities, withoutProvenance, checked)));
  }
  return result;
}

/**
 * The signed in-toto statement against the distribution file (PEP 740 "Attestation statement";
 * pypi-attestations' `Attestation.verify`): an in-toto v1 Statement with exactly one subject whose
 * name parses as a wheel or sdist file name denoting the same distribution as the file's name
 * (not a string compare), whose SHA-256 is the file's, and a predicate type PyPI knows.
 *
 * "The same distribution" is pypi-attestations' `_check_dist_filename` equality: for a wheel the
 * normalized name, the version, the build tag and the set of tags; for an sdist (`.tar.gz` or
 * `.zip`) the normalized name and the version only, so `x-1.0.zip` names the file
 * `x-1.0.tar.gz`. The bytes are pinned by the digest check, not by the archive extension.
 */
import { DistFilename, parseDistFilename, sameDistribution, versionsEqual } from '../core/distFilename';
import { fail } from './checks';

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPES = ['https://docs.pypi.org/attestations/publish/v1', 'https://slsa.dev/provenance/v1'] as const;

export interface Distribution {
  /** The file name as the index lists it. */
  filename: string;
  /** Lower-case hex SHA-256 of the file, as the index or a hash pin states it. */
  sha256: string;
}

export interface CheckedStatement {
  predicateType: string;
  subjectName: string;
}

export function checkStatement(statement: Buffer, distribution: Distribution): CheckedStatement {
  let parsed: unknown;
  try {
    parsed = JSON.parse(statement.toString('utf8'));
  } catch {
    fail('statement', 'the statement is not JSON');
  }
  if (!isObject(parsed)) fail('statement', 'the statement is not a JSON object');
  if (parsed._type !== STATEMENT_TYPE_V1) fail('statement', `statement type ${JSON.stringify(parsed._type) ?? 'undefined'} is not ${STATEMENT_TYPE_V1}`);
  const subjects = parsed.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1) fail('statement', `expected exactly one subject, found ${Array.isArray(subjects) ? subjects.length : 0}`);
  const subject = subjects[0];
  if (!isObject(subject)) fail('statement', 'the subject is not an object');

  const name = subject.name;
  if (typeof name !== 'string' || name.length === 0) fail('subject-name', 'the subject has no name');
  const subjectDist = parseIndexDistFilename(name);
  if (!subjectDist) fail('subject-name', `subject ${JSON.stringify(name)} is not a wheel or sdist file name`);
  const fileDist = parseIndexDistFilename(distribution.filename);
  if (!fileDist || !sameAttestedDistribution(subjectDist, fileDist)) {
    fail('subject-name', `subject ${JSON.stringify(name)} does not name the file ${JSON.stringify(distribution.filename)}`);
  }

  const digest = isObject(subject.digest) ? subject.digest.sha256 : undefined;
  // Lower-case hex only, as in-toto digests are and as pypi-attestations compares them.
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) fail('subject-digest', 'the subject has no lower-case hex SHA-256 digest');
  if (digest !== distribution.sha256.toLowerCase()) fail('subject-digest', 'the subject\'s SHA-256 is not the file\'s');

  const predicateType = parsed.predicateType;
  if (typeof predicateType !== 'string' || !(PREDICATE_TYPES as readonly string[]).includes(predicateType)) {
    fail('predicate-type', `unsupported predicate type ${JSON.stringify(predicateType) ?? 'undefined'}`);
  }
  return { predicateType, subjectName: name };
}

/** Wheels and the sdist forms PEP 740 subjects may take (`.tar.gz`, `.zip`, as packaging parses). */
function parseIndexDistFilename(filename: string): DistFilename | undefined {
  const parsed = parseDistFilename(filename);
  if (!parsed) return undefined;
  if (parsed.kind === 'wheel') return parsed;
  if (parsed.kind === 'sdist' && (parsed.extension === '.tar.gz' || parsed.extension === '.zip')) return parsed;
  return undefined;
}

/** pypi-attestations' comparison: sdists as (name, version), wheels as every parsed part. */
function sameAttestedDistribution(a: DistFilename, b: DistFilename): boolean {
  if (a.kind === 'sdist' && b.kind === 'sdist') return a.name === b.name && versionsEqual(a.version, b.version);
  return sameDistribution(a, b);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

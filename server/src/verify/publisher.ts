/**
 * The Trusted Publisher of a provenance bundle against the signing certificate's claims, as
 * pypi-attestations' GitHubPublisher / GitLabPublisher / GooglePublisher policies check it, and
 * the claims the hover shows.
 *
 * GitHub and GitLab: the OIDC issuer, the Source Repository URI, and the Build Config URI, which
 * must be the publisher's workflow at the certificate's own ref or commit (at least one of the
 * Source Repository Ref / Digest extensions must be present — a certificate may carry only the
 * digest). Google: the issuer and the service account e-mail in the SAN. Any other kind is
 * rejected by name: this verifier cannot tell what such a publisher means.
 */
import type { Certificate } from './certificate';
import { fail } from './checks';

/** Fulcio certificate extension arcs under 1.3.6.1.4.1.57264.1 (fulcio docs/oid-info.md). */
export const CLAIM = {
  issuerV1: 1,
  issuer: 8,
  buildSignerUri: 9,
  buildSignerDigest: 10,
  runnerEnvironment: 11,
  sourceRepositoryUri: 12,
  sourceRepositoryDigest: 13,
  sourceRepositoryRef: 14,
  sourceRepositoryIdentifier: 15,
  sourceRepositoryOwnerUri: 16,
  buildConfigUri: 18,
  buildConfigDigest: 19,
  buildTrigger: 20,
  runInvocationUri: 21,
  sourceRepositoryVisibility: 22,
} as const;

export const ISSUERS = {
  GitHub: 'https://token.actions.githubusercontent.com',
  GitLab: 'https://gitlab.com',
  Google: 'https://accounts.google.com',
} as const;

/** What the certificate says about who signed, for display (never used to decide). */
export interface SignerClaims {
  issuer?: string;
  /** The first SAN: a workflow URI, an e-mail, or a username identity. */
  subjectAlternativeName?: string;
  sourceRepositoryUri?: string;
  sourceRepositoryRef?: string;
  sourceRepositoryDigest?: string;
  buildConfigUri?: string;
  buildSignerUri?: string;
  buildTrigger?: string;
  runInvocationUri?: string;
  runnerEnvironment?: string;
  sourceRepositoryVisibility?: string;
}

/** An explicit signer policy, for attestations that come without a Trusted Publisher. */
export interface IdentityPolicy {
  /** Exact SAN value (URI, e-mail or username identity). */
  subjectAlternativeName: string;
  issuer: string;
}

/**
 * The certificate's OIDC issuer, read from the extension sigstore-python reads for the policy at
 * hand: `OIDCIssuerV2` (1.3.6.1.4.1.57264.1.8, a DER UTF8String) for GitHub and GitLab Trusted
 * Publishers, `OIDCIssuer` (…1.1, raw bytes, deprecated) for Google publishers and explicit
 * identities (pypi-attestations builds those as `Identity(identity, issuer)`). A certificate
 * without that extension fails even if it has the other one.
 *
 * One difference, on purpose: when a certificate carries both extensions and they disagree, it is
 * refused whatever the policy (sigstore-python looks at one only). Fulcio writes the same value
 * into both; a certificate that contradicts itself about who vouched for it is not trusted.
 */
export function certificateIssuer(certificate: Certificate, extension: 'v1' | 'v2'): string {
  const v2 = certificate.sigstore.get(CLAIM.issuer);
  const v1 = certificate.sigstore.get(CLAIM.issuerV1);
  if (v2 !== undefined && v1 !== undefined && v2 !== v1) fail('publisher', 'the certificate\'s two issuer extensions (1.3.6.1.4.1.57264.1.1 and 1.3.6.1.4.1.57264.1.8) disagree');
  const value = extension === 'v2' ? v2 : v1;
  if (value === undefined) fail('publisher', `the certificate has no OIDC issuer extension ${ISSUER_OIDS[extension]}`);
  return value;
}

const ISSUER_OIDS = { v1: '1.3.6.1.4.1.57264.1.1', v2: '1.3.6.1.4.1.57264.1.8' } as const;

/** The issuer to display: the v2 extension, else the deprecated v1 one (never used to decide). */
function displayedIssuer(certificate: Certificate): string | undefined {
  return certificate.sigstore.get(CLAIM.issuer) ?? certificate.sigstore.get(CLAIM.issuerV1);
}

export function signerClaims(certificate: Certificate): SignerClaims {
  const claims = certificate.sigstore;
  const names = certificate.subjectAltNames;
  return {
    issuer: displayedIssuer(certificate),
    subjectAlternativeName: names.uris[0] ?? names.emails[0] ?? names.otherNames[0],
    sourceRepositoryUri: claims.get(CLAIM.sourceRepositoryUri),
    sourceRepositoryRef: claims.get(CLAIM.sourceRepositoryRef),
    sourceRepositoryDigest: claims.get(CLAIM.sourceRepositoryDigest),
    buildConfigUri: claims.get(CLAIM.buildConfigUri),
    buildSignerUri: claims.get(CLAIM.buildSignerUri),
    buildTrigger: claims.get(CLAIM.buildTrigger),
    runInvocationUri: claims.get(CLAIM.runInvocationUri),
    runnerEnvironment: claims.get(CLAIM.runnerEnvironment),
    sourceRepositoryVisibility: claims.get(CLAIM.sourceRepositoryVisibility),
  };
}

/** Checks a PEP 740 publisher object against the certificate; throws CheckFailure('publisher'). */
export function checkPublisher(publisher: unknown, certificate: Certificate): void {
  if (!isObject(publisher) || typeof publisher.kind !== 'string') fail('publisher', 'the attestation bundle has no publisher kind');
  switch (publisher.kind) {
    case 'GitHub':
      return checkForge(certificate, ISSUERS.GitHub, 'https://github.com', stringField(publisher, 'repository'), `/.github/workflows/${stringField(publisher, 'workflow')}`);
    case 'GitLab':
      return checkForge(certificate, ISSUERS.GitLab, 'https://gitlab.com', stringField(publisher, 'repository'), `//${stringField(publisher, 'workflow_filepath')}`);
    case 'Google':
      return checkGoogle(certificate, stringField(publisher, 'email'));
    default:
      fail('publisher', `unsupported publisher kind ${JSON.stringify(publisher.kind)}`);
  }
}

/** Checks an explicit identity policy (sigstore's `Identity(identity, issuer)`). */
export function checkIdentity(policy: IdentityPolicy, certificate: Certificate): void {
  const issuer = certificateIssuer(certificate, 'v1');
  if (issuer !== policy.issuer) fail('publisher', `the certificate's issuer ${JSON.stringify(issuer)} is not ${policy.issuer}`);
  const names = certificate.subjectAltNames;
  if (![...names.uris, ...names.emails, ...names.otherNames].includes(policy.subjectAlternativeName)) {
    fail('publisher', `the certificate's identity is not ${policy.subjectAlternativeName}`);
  }
}

function checkForge(certificate: Certificate, expectedIssuer: string, host: string, repository: string, workflowPath: string): void {
  const issuer = certificateIssuer(certificate, 'v2');
  if (issuer !== expectedIssuer) fail('publisher', `the certificate's issuer ${JSON.stringify(issuer)} is not ${expectedIssuer}`);
  const repositoryUri = `${host}/${repository}`;
  const sourceRepository = certificate.sigstore.get(CLAIM.sourceRepositoryUri);
  if (sourceRepository !== repositoryUri) {
    fail('publisher', `the certificate's source repository ${JSON.stringify(sourceRepository) ?? 'none'} is not ${repositoryUri}`);
  }
  const buildConfig = certificate.sigstore.get(CLAIM.buildConfigUri);
  if (buildConfig === undefined) fail('publisher', 'the certificate has no Build Config URI');
  const suffixes = [certificate.sigstore.get(CLAIM.sourceRepositoryDigest), certificate.sigstore.get(CLAIM.sourceRepositoryRef)].filter(
    (suffix): suffix is string => suffix !== undefined,
  );
  if (suffixes.length === 0) fail('publisher', 'the certificate has neither a Source Repository Digest nor a Source Repository Ref');
  if (!suffixes.some((suffix) => buildConfig === `${repositoryUri}${workflowPath}@${suffix}`)) {
    fail('publisher', `the certificate's Build Config URI ${buildConfig} is not ${repositoryUri}${workflowPath} at the certificate's ref or commit`);
  }
}

function checkGoogle(certificate: Certificate, email: string): void {
  const issuer = certificateIssuer(certificate, 'v1');
  if (issuer !== ISSUERS.Google) fail('publisher', `the certificate's issuer ${JSON.stringify(issuer)} is not ${ISSUERS.Google}`);
  if (!certificate.subjectAltNames.emails.includes(email)) fail('publisher', `the certificate's e-mail is not ${email}`);
}

function stringField(publisher: Record<string, unknown>, field: string): string {
  const value = publisher[field];
  if (typeof value !== 'string' || value.length === 0) fail('publisher', `the ${String(publisher.kind)} publisher has no ${field}`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

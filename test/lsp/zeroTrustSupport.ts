/**
 * Shared by the zero-trust tests (LSP and CLI): projects on the test index whose files are signed
 * by the test Sigstore with chosen identities per release or per file, files without provenance,
 * files uploaded late, and a release signed by a reusable workflow (the certificate names the
 * reusable workflow as signer and the caller as build config); pylock.toml texts that pin them.
 */
import { uploadTimeOf, makeProject, type TestFile, type TestProject } from '../support/indexServer';
import type { KitIdentity, KitLeaf, LeafOptions } from '../support/sigstoreKit';
import type { SignedIndex } from './verificationSupport';

/** The codes of issue 6, and the memories of issue 11 that a clean release must not raise. */
export const ZERO_TRUST_CODES: readonly string[] = ['identity-mismatch', 'publisher-changed', 'provenance-lost', 'late-upload', 'log-inconsistent', 'owners-changed'];

const AT = { ref: 'refs/tags/v1', digest: '0123456789abcdef0123456789abcdef01234567' };
export const A: KitIdentity = { kind: 'GitHub', repository: 'a/b', workflow: 'release.yml', ...AT };
export const C: KitIdentity = { kind: 'GitHub', repository: 'c/d', workflow: 'release.yml', ...AT };
export const OLD_NAME: KitIdentity = { kind: 'GitHub', repository: 'old-org/zt-renamed', workflow: 'release.yml', ...AT };
export const NEW_NAME: KitIdentity = { kind: 'GitHub', repository: 'new-org/zt-renamed', workflow: 'release.yml', ...AT };

/** How one file is signed: by an identity (default the release's), with leaf options, under a publisher the index serves; or not at all. */
export interface FileSigning {
  identity?: KitIdentity;
  leaf?: LeafOptions;
  /** The publisher object the provenance names (default: the leaf identity's). */
  publisher?: Record<string, unknown>;
  none?: boolean;
}

export interface ZeroTrustRelease {
  version: string;
  /** `sdist`, `wheel` or file names (default both). */
  files?: string[];
  /** Signs every file (default A); null: no file has provenance. */
  identity?: KitIdentity | null;
  perFile?: (filename: string) => FileSigning | undefined;
  /** Days after the release's first file that a file was uploaded (default: a minute apart). */
  uploadedDaysLater?: (filename: string) => number | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Serves a project with releases a day apart (from 2024-01-01), signed as each release says. */
export function serveProject(signed: SignedIndex, name: string, releases: ZeroTrustRelease[]): TestProject {
  const leaves = new Map<string, KitLeaf>();
  const leafFor = (identity: KitIdentity, leaf?: LeafOptions): KitLeaf => {
    const key = JSON.stringify([identity, leaf ?? null]);
    let made = leaves.get(key);
    if (!made) {
      made = signed.kit.issueLeaf({ ...leaf, identity });
      leaves.set(key, made);
    }
    return made;
  };
  const project = makeProject(name, {
    releases: releases.map((release) => ({
      version: release.version,
      ...(release.files ? { files: release.files } : {}),
      provenance: (file: TestFile) => {
        const how = release.perFile?.(file.filename) ?? {};
        const identity = how.identity ?? release.identity;
        if (how.none || identity === null) return undefined;
        const made = signed.kit.attest({ filename: file.filename, content: file.content, certificate: leafFor(identity ?? A, how.leaf) });
        return { version: 1, attestation_bundles: [{ publisher: how.publisher ?? made.publisher, attestations: [made.attestation] }] };
      },
    })),
  });
  for (const release of releases) {
    const files = project.files.filter((file) => file.version === release.version);
    const first = Date.parse(files[0].uploadTime!);
    for (const file of files) {
      const days = release.uploadedDaysLater?.(file.filename);
      if (days !== undefined) file.uploadTime = uploadTimeOf(new Date(first + days * DAY_MS));
    }
  }
  for (const file of project.files) if (file.provenance === undefined) delete file.provenance;
  signed.index.setProject(project);
  return project;
}

/**
 * A release signed by a reusable workflow (`org/shared-workflows/.github/workflows/pypi-publish.yml`)
 * called by `release.yml` of `caller`: the SAN and Build Signer URI name the reusable workflow,
 * the Build Config URI and the rest of the run the caller; the publisher is the caller's, as PyPI records it.
 */
export function reusableWorkflowSigning(caller: { repository: string; ref: string; commit: string }): FileSigning {
  const callerWorkflow = `https://github.com/${caller.repository}/.github/workflows/release.yml@${caller.ref}`;
  return {
    identity: { kind: 'GitHub', repository: 'org/shared-workflows', workflow: 'pypi-publish.yml', ref: 'refs/heads/main', digest: 'fedcba9876543210fedcba9876543210fedcba98' },
    leaf: {
      claims: {
        12: `https://github.com/${caller.repository}`,
        13: caller.commit,
        14: caller.ref,
        18: callerWorkflow,
        19: caller.commit,
        21: `https://github.com/${caller.repository}/actions/runs/42/attempts/1`,
      },
    },
    publisher: { kind: 'GitHub', repository: caller.repository, workflow: 'release.yml', environment: null },
  };
}

export interface LockedPackage {
  name: string;
  version: string;
  project: TestProject;
  /** Recorded identities, as `[[packages.attestation-identities]]` tables. */
  identities?: Array<Record<string, string>>;
  /** Which files to lock (default every file of the version). */
  files?: (file: TestFile) => boolean;
}

/** A pylock.toml locking packages of the test index, with comments that must survive edits. */
export function pylockText(origin: string, packages: LockedPackage[]): string {
  const lines = ['# a lock written by hand for the tests', 'lock-version = "1.0"', 'created-by = "zero-trust tests"  # keep this comment', ''];
  for (const pkg of packages) {
    const files = pkg.project.files.filter((file) => file.version === pkg.version && (pkg.files?.(file) ?? true));
    lines.push('[[packages]]', `name = "${pkg.name}"`, `version = "${pkg.version}"`);
    const sdist = files.find((file) => file.filename.endsWith('.tar.gz'));
    if (sdist) lines.push(`sdist = { name = "${sdist.filename}", url = "${origin}/files/${sdist.filename}", hashes = { sha256 = "${sdist.sha256}" } }`);
    const wheels = files.filter((file) => file.filename.endsWith('.whl'));
    if (wheels.length > 0) {
      lines.push('wheels = [');
      for (const wheel of wheels) lines.push(`  { name = "${wheel.filename}", url = "${origin}/files/${wheel.filename}", hashes = { sha256 = "${wheel.sha256}" } },`);
      lines.push(']');
    }
    for (const identity of pkg.identities ?? []) {
      lines.push('', '[[packages.attestation-identities]]');
      for (const [key, value] of Object.entries(identity)) lines.push(`${key} = "${value}"`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The identity table of a kit identity, as a lock records it. */
export function recorded(identity: KitIdentity): Record<string, string> {
  if (identity.kind !== 'GitHub') throw new Error('only GitHub identities are recorded in these tests');
  return { kind: 'GitHub', repository: identity.repository, workflow: identity.workflow, ...(identity.environment ? { environment: identity.environment } : {}) };
}

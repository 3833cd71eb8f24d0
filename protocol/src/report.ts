/**
 * The one result model of resolution and verification (CONTRACT.md §5): what the server's report
 * request answers and the client reads. Types only (imported with `import type`, so nothing of
 * this project is needed at run time); the server's core/result.ts adds its diagnostic codes.
 */

/** An LSP position: zero-based line, UTF-16 character. */
export interface Position {
  line: number;
  character: number;
}

/** End exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

export type Status = 'verified' | 'unattested' | 'partial' | 'invalid' | 'unpinned' | 'not-found' | 'error' | 'pending';

/** The PEP 740 publisher object as the index served it (GitHub, GitLab, Google, …). */
export interface Publisher {
  kind: string;
  [field: string]: unknown;
}

export interface FileReport {
  filename: string;
  sha256: string;
  status: Status;
  publisher: Publisher | null;
  logIndex?: number;
  uploadTime?: string;
  message: string | null;
  /** What the verified attestations say (set only when `status` is `verified`); for the hover. */
  provenance?: ProvenanceDetails;
}

/**
 * The facts of a file's verified attestations, from the signing certificate and the log entry
 * (server/src/verify fills it). Links are built by the presentation layer from these.
 */
export interface ProvenanceDetails {
  /** Publisher kind of the provenance bundle: `GitHub`, `GitLab`, `Google`. */
  publisherKind: string;
  /** OIDC issuer of the certificate. */
  issuer: string;
  /** The certificate's identity (SAN): a workflow URI or an e-mail. */
  identity: string;
  /** `owner/name` (GitHub, GitLab). */
  repository?: string;
  /** The certificate's Source Repository URI, e.g. `https://github.com/pypa/sampleproject`. */
  repositoryUrl?: string;
  /** Workflow file name (GitHub `release.yml`) or path (GitLab `.gitlab-ci.yml`). */
  workflow?: string;
  /** The workflow's path inside the repository, e.g. `.github/workflows/release.yml`. */
  workflowPath?: string;
  /** Source Repository Ref, e.g. `refs/tags/v1.0`. */
  ref?: string;
  /** Source Repository Digest: the commit the workflow ran at. */
  commit?: string;
  /** Run Invocation URI: the CI run that signed. */
  runUrl?: string;
  /** The publisher's environment as the index served it. */
  environment?: string | null;
  /** Google service account. */
  email?: string;
  /** Rekor log index of the first verified attestation (global index). */
  logIndex: number;
  /** Rekor integrated time, seconds since the epoch. */
  integratedTime: number;
  /** Predicate types of all verified attestations (publish/v1, SLSA provenance v1). */
  predicateTypes: string[];
  /** How many attestations verified. */
  attestationCount: number;
}

/** `Code`: the diagnostic codes the server knows (server/src/core/codes.ts); a reader sees strings. */
export interface DependencyReport<Code extends string = string> {
  name: string;
  version: string | null;
  range: Range;
  status: Status;
  publisher: Publisher | null;
  files: FileReport[];
  diagnostics: Code[];
  /** A pyproject.toml requirement's lock file (its file name), when the version came from it. */
  lockedIn?: string;
  /** What this machine remembers of the dependency (zero-trust memories), when anything. */
  remembered?: RememberedFacts;
}

/** The trust memory of one dependency: what was seen at first use, and what contradicts it. */
export interface RememberedFacts {
  /** The pinned release's files when it was first seen on this machine. */
  release?: { firstSeen: string; files: { filename: string; sha256: string; uploadTime?: string }[] };
  /**
   * The project's owners when first seen (where the index's JSON API reports them, as PyPI's
   * `ownership`); with `accepted`, those the user accepted then after a change.
   */
  owners?: { firstSeen: string; accepted?: string; roles: { role: string; user: string }[]; organization: string | null };
  /** Verified transparency-log checkpoints of this release that contradict remembered ones (split views); roots in hex. */
  logConflicts?: { origin: string; treeSize: number; rootHash: string; rememberedRootHash: string; rememberedSince: string; filename: string }[];
}

export interface DocumentReport<Code extends string = string> {
  uri: string;
  dependencies: DependencyReport<Code>[];
}

/**
 * The zero-trust checks of one resolved dependency, composed in the order they depend on each
 * other (pure but for the trust store and the injected verifier of earlier releases):
 * 1. pylock.toml `attestation-identities` against the verified publishers of the locked files;
 * 2. the publisher trusted on first use (requirements.txt, pyproject.toml) is read;
 * 3. history against earlier releases (publisher-changed, provenance-lost), told of the trusted
 *    publisher so that it can say when the publisher changed;
 * 4. the trust store observes the verified publishers (records the first, flags a different one);
 * 5. late files of the release.
 * Late files need only the index page, so `checkLateUploads` is also offered on its own (the
 * stage shows them before verification is done).
 */
import type { Finding } from '../core/finding';
import type { Dependency, DocumentFormat } from '../core/model';
import type { Publisher } from '../core/result';
import type { Resolution } from '../index/resolve';
import { checkHistory, type HistoryResult, type VerifyReleaseFiles } from './history';
import { checkLockedIdentities, distinctPublishers, type FileIdentityInput, type LockedIdentityCheck } from './identities';
import { findLateUploads, lateUploadFinding, type LateUploadResult } from './lateUpload';
import { freshReleaseFinding } from './freshRelease';
import { projectStatusFindings } from './projectStatusCheck';
import { compareFileSets, fileSetFindings, type FileSetMemory, type RememberedRelease } from './fileSetMemory';
import { checkOwnership, type OwnershipCheck, type OwnershipState } from './ownershipMemory';
import { checkCheckpoints, logInconsistentFinding, type CheckpointConflict, type CheckpointMemory } from './checkpointMemory';
import { releaseFiles } from './releases';
import { checkTrustedPublishers, normalizeIndexUrl, type ObserveResult, type TrustStore, type TrustedPublisher } from './trustStore';

export interface ZeroTrustInput {
  dependency: Dependency;
  /** Its index in ParsedDocument.dependencies, copied into the findings. */
  dependencyIndex: number;
  format: DocumentFormat;
  /** A `resolved` resolution of the dependency. */
  resolution: Resolution;
  /** The verification of the files the dependency installs (settled; `pending` ones count as not checked). */
  pinnedFiles: readonly FileIdentityInput[];
  lateUploadDays: number;
  /** The trust-on-first-use store; only for the formats that cannot record identities. */
  store?: TrustStore;
  /** Verifies files of an earlier release through the same verifier and cache. */
  verifyRelease: VerifyReleaseFiles;
  /** `minReleaseAgeDays` and the clock, for `fresh-release`. */
  minReleaseAgeDays?: number;
  now?: number;
  /** The release file-set memory (every format). */
  fileSets?: FileSetMemory;
  /** The transparency-log checkpoint memory (every format). */
  checkpoints?: CheckpointMemory;
  /** The index's JSON API and the ownership memory (every format). */
  ownership?: OwnershipCheck;
}

/** What the file-set memory remembers of the pinned release, for the hover, report and JSON. */
export interface RememberedFileSet {
  /** True when this check recorded it. */
  firstUse: boolean;
  /** When the release was first seen, ISO 8601. */
  firstSeen: string;
  /** The files then: filename, sha256, upload time. */
  files: { filename: string; sha256: string; uploadTime?: string }[];
}

/** What the trust store said about the dependency's verified publishers. */
export interface TrustState {
  /** The index as the store keys it (no credentials). */
  index: string;
  /** PEP 503 normalized project name. */
  project: string;
  version: string;
  /** The trusted publisher before this check; undefined when this was the first use. */
  trusted?: TrustedPublisher;
  observed: { publisher: Publisher; result: ObserveResult }[];
  /** The verified publishers that differ from the trusted one (what `Trust the new publisher` trusts). */
  mismatches: { publisher: Publisher; trusted: TrustedPublisher }[];
}

export interface ZeroTrustOutcome {
  findings: Finding[];
  /** Distinct verified publishers of the pinned files (every attestation's), in file order. */
  publishers: Publisher[];
  /** pylock: the recorded identities against the locked files. */
  identities?: LockedIdentityCheck;
  trust?: TrustState;
  history?: HistoryResult;
  late: LateUploadResult;
  /** The release's files as first seen (file-set memory). */
  fileSet?: RememberedFileSet;
  /** Verified checkpoints of the pinned files that contradict remembered ones (split views). */
  logConflicts?: CheckpointConflict[];
  /** The project's owners as first seen (ownership memory), where the index reports them. */
  ownership?: OwnershipState;
  /** Why something could not be decided, for the hover. */
  notes: string[];
}

/** Late files of the release the dependency pins; `subjects` are the files it installs (the others still date the release). */
export function checkLateUploads(
  dependency: Dependency,
  dependencyIndex: number,
  resolution: Resolution,
  subjects: readonly string[],
  lateUploadDays: number,
): { late: LateUploadResult; finding?: Finding } {
  const version = resolution.version ?? dependency.pinnedVersion ?? '';
  const listed = releaseFiles(resolution.pages, resolution.name, version);
  const all = listed.length > 0 ? listed : resolution.files;
  const wanted = new Set(subjects);
  const late = findLateUploads(all, lateUploadDays, { subject: (filename) => wanted.has(filename) });
  const finding = lateUploadFinding(late, dependency.ranges.requirement, { dependencyIndex, indexUrl: resolution.index.indexUrl });
  return finding ? { late, finding } : { late };
}

/** Every zero-trust check of one dependency. Never throws (a failing store or verifier leaves a note). */
export async function checkZeroTrust(input: ZeroTrustInput): Promise<ZeroTrustOutcome> {
  const { dependency, dependencyIndex, resolution, pinnedFiles } = input;
  const version = resolution.version ?? dependency.pinnedVersion ?? '';
  const range = dependency.ranges.requirement;
  const verified = pinnedFiles.filter((file) => file.status === 'verified');
  const outcome: ZeroTrustOutcome = {
    findings: [],
    publishers: distinctPublishers(verified.flatMap((file) => [file.publisher, ...(file.attestations ?? []).map((record) => record.publisher)])),
    late: { late: [] },
    notes: [],
  };
  try {
    if ((dependency.attestationIdentities?.length ?? 0) > 0) {
      outcome.identities = checkLockedIdentities(dependency, pinnedFiles, { dependencyIndex });
      outcome.findings.push(...outcome.identities.findings);
    }

    const store = input.format === 'pylock' ? undefined : input.store;
    const index = normalizeIndexUrl(resolution.index.indexUrl);
    const trusted = store ? await store.get(index, resolution.name) : undefined;

    outcome.history = await checkHistory({
      project: resolution.name,
      pinnedVersion: version,
      pinnedFiles,
      pages: resolution.pages,
      verifyRelease: input.verifyRelease,
      ...(trusted ? { trusted: { version: trusted.version, publisher: trusted.publisher, also: (trusted.also ?? []).map((entry) => entry.publisher) } } : {}),
      range,
      dependencyIndex,
    });
    outcome.findings.push(...outcome.history.findings);
    outcome.notes.push(...outcome.history.notes);

    if (store) {
      const check = await checkTrustedPublishers(store, {
        index,
        dependency,
        version,
        files: pinnedFiles,
        dependencyIndex,
        ...(outcome.history.trustedChange ? { changedIn: outcome.history.trustedChange.changedIn } : {}),
      });
      outcome.findings.push(...check.findings);
      outcome.trust = {
        index,
        project: resolution.name,
        version,
        ...(trusted ? { trusted } : {}),
        observed: check.observed,
        mismatches: check.observed.flatMap(({ publisher, result }) => (typeof result === 'object' ? [{ publisher, trusted: result.mismatch }] : [])),
      };
    }
  } catch (error) {
    // Only a bug gets here: the checks made so far stand.
    outcome.notes.push(`the zero-trust checks stopped: ${error instanceof Error ? error.message : String(error)}`);
  }

  outcome.findings.push(...projectStatusFindings(dependency, dependencyIndex, resolution));
  const late = checkLateUploads(dependency, dependencyIndex, resolution, pinnedFiles.map((file) => file.filename), input.lateUploadDays);
  outcome.late = late.late;
  if (late.finding) outcome.findings.push(late.finding);

  const fresh = freshReleaseFinding({ project: dependency.rawName || dependency.name, version, firstUpload: outcome.late.first?.uploadTime }, input.minReleaseAgeDays ?? 0, input.now ?? Date.now(), range, dependencyIndex);
  if (fresh) outcome.findings.push(fresh);

  if (input.fileSets) {
    try {
      const listed = releaseFiles(resolution.pages, resolution.name, version);
      const current = listed.length > 0 ? listed : resolution.files;
      const seen = await input.fileSets.observe(normalizeIndexUrl(resolution.index.indexUrl), resolution.name, version, current);
      outcome.fileSet = rememberedFileSet(seen.firstUse, seen.remembered);
      if (!seen.firstUse) outcome.findings.push(...fileSetFindings(dependency.rawName || dependency.name, seen.remembered, compareFileSets(seen.remembered, current), range, dependencyIndex));
    } catch (error) {
      outcome.notes.push(`the release's files could not be compared with the remembered ones: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (input.checkpoints) {
    try {
      const carried = verified.map((file) => ({ filename: file.filename, checkpoints: file.checkpoints ?? [] }));
      const conflicts = await checkCheckpoints(input.checkpoints, `${dependency.rawName || dependency.name} ${version}`, carried);
      const finding = logInconsistentFinding(conflicts, range, dependencyIndex);
      if (finding) {
        outcome.logConflicts = conflicts;
        outcome.findings.push(finding);
      }
    } catch (error) {
      outcome.notes.push(`the transparency-log checkpoints could not be compared with the remembered ones: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (input.ownership) {
    const owners = await checkOwnership(input.ownership, { indexUrl: resolution.index.indexUrl, project: resolution.name, displayName: dependency.rawName || dependency.name, range, dependencyIndex });
    if (owners.state) outcome.ownership = owners.state;
    if (owners.finding) outcome.findings.push(owners.finding);
    if (owners.note) outcome.notes.push(owners.note);
  }
  return outcome;
}

function rememberedFileSet(firstUse: boolean, remembered: RememberedRelease): RememberedFileSet {
  return { firstUse, firstSeen: remembered.firstSeen, files: Object.entries(remembered.files).map(([filename, file]) => ({ filename, ...file })) };
}

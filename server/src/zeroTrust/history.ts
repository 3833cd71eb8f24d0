/**
 * History checks of a pinned release against earlier releases on the index, as PyPI's release
 * page does ("provenance changed / inconsistent / lost"):
 * - `publisher-changed` when files of the pinned release carry different verified publishers
 *   ("inconsistent"), or when the pinned release has a verified publisher the previous release
 *   has not ("changed");
 * - `provenance-lost` when no file of the pinned release has attestations and the previous
 *   release was attested — or, for a project whose publisher was trusted on first use at an
 *   earlier version, when that trusted release was (the message then names the nearest attested
 *   release between the trusted one and the pinned one, when there is one).
 *
 * "The previous release" is CONTRACT.md §4's: the nearest lower version (PEP 440) with at least
 * one file that is not yanked. Earlier releases are verified through an injected function (the
 * same verifier and cache as the pinned release) and only as far as the checks need: files
 * without a provenance URL are unattested without asking, and a release is verified from its
 * first uploaded attested file on, stopping as soon as the answer is known. Never throws.
 */
import type { Finding } from '../core/finding';
import type { Range } from '../core/model';
import type { Publisher, Status } from '../core/result';
import type { IndexFile, ProjectPage } from '../index/simpleApi';
import { distinctPublishers, publisherKey, samePublisher } from './identities';
import { inconsistentPublishersMessage, provenanceLostMessage, publisherChangedMessage, shown, type AttestedRelease } from './messages';
import { compareVersions, earlierReleases, projectReleases, type Release } from './releases';

/** A file's verification as the history needs it (FileReport fits). */
export interface ReleaseFileResult {
  filename: string;
  status: Status;
  publisher: Publisher | null;
}

/**
 * Verifies files of an earlier release (fetching their provenance objects through the cache).
 * Every file given has a provenance URL. May answer for fewer files; may throw (a note, then).
 */
export type VerifyReleaseFiles = (version: string, files: readonly IndexFile[]) => Promise<readonly ReleaseFileResult[]>;

export interface HistoryInput {
  /** The project name for messages (as written or normalized). */
  project: string;
  pinnedVersion: string;
  /** The verification results of the pinned release's files (settled: no `pending`). */
  pinnedFiles: readonly ReleaseFileResult[];
  /** The project page(s) the resolution read: every release and file. */
  pages: readonly ProjectPage[];
  verifyRelease: VerifyReleaseFiles;
  /** The publisher trusted on first use for this project and index (trust store), with the version it was first seen in. */
  trusted?: { version: string; publisher: Publisher; also?: readonly Publisher[] };
  /** Where the findings go (the dependency's requirement range). */
  range: Range;
  dependencyIndex?: number;
  /** How many releases between the trusted one and the previous one may be verified (default 5). */
  maxReleases?: number;
}

export interface ReleaseSummary {
  version: string;
  /** The files looked at, with their verification (files without a provenance URL are unattested). */
  files: ReleaseFileResult[];
  /** Distinct verified publishers among them. */
  publishers: Publisher[];
  /** At least one file verified. */
  attested: boolean;
  /** Every file of the release (not yanked) was looked at. */
  complete: boolean;
}

export interface HistoryResult {
  findings: Finding[];
  /** The previous release, as far as it was verified. */
  previous?: ReleaseSummary;
  /** Every earlier release looked at, newest first. */
  examined: ReleaseSummary[];
  /** Set when the pinned release's files have different publishers. */
  inconsistent?: { publisher: Publisher; files: string[] }[];
  /** Set when the pinned release has publishers the previous release has not. */
  changed?: { from: ReleaseSummary; newPublishers: Publisher[] };
  /** Set when provenance was lost: the last attested release and the releases after it without attestations (the pinned one excluded), newest first. */
  lost?: { attested: AttestedRelease; without: string[] };
  /**
   * When the pinned release is not published by the trusted publisher: the earliest release
   * known to be published otherwise (the trust store reports the mismatch itself).
   */
  trustedChange?: { changedIn: string; lastTrusted?: string };
  /** Why something could not be decided, for the hover. */
  notes: string[];
}

const DEFAULT_MAX_RELEASES = 5;

export async function checkHistory(input: HistoryInput): Promise<HistoryResult> {
  const result: HistoryResult = { findings: [], examined: [], notes: [] };
  try {
    await runChecks(input, result);
  } catch (error) {
    // Only a bug gets here; the checks already made stand.
    result.notes.push(`the history checks stopped: ${shown(error instanceof Error ? error.message : String(error))}`);
  }
  return result;
}

async function runChecks(input: HistoryInput, result: HistoryResult): Promise<void> {
  const finding = (code: Finding['code'], message: string): void => {
    result.findings.push({ code, message, range: input.range, ...(input.dependencyIndex !== undefined ? { dependency: input.dependencyIndex } : {}) });
  };
  const verified = input.pinnedFiles.filter((file) => file.status === 'verified' && file.publisher !== null);
  const pinnedPublishers = distinctPublishers(verified.map((file) => file.publisher));
  const pinnedUnattested = input.pinnedFiles.length > 0 && input.pinnedFiles.every((file) => file.status === 'unattested');

  if (pinnedPublishers.length > 1) {
    result.inconsistent = pinnedPublishers.map((publisher) => ({
      publisher,
      files: verified.filter((file) => samePublisher(file.publisher!, publisher)).map((file) => file.filename),
    }));
    finding('publisher-changed', inconsistentPublishersMessage(input.pinnedVersion, result.inconsistent));
  }
  // Nothing to compare: the pinned release is neither attested nor known to be unattested.
  if (pinnedPublishers.length === 0 && !pinnedUnattested) return;

  const { previous: previousRelease, between, capped, trusted } = releasesToExamine(input.pages, input.project, input.pinnedVersion, input.trusted, input.maxReleases);
  const summarize = (release: Release, enough: (summary: ReleaseSummary) => boolean) => summarizeRelease(release, enough, input.verifyRelease, result);
  const hasAll = (summary: ReleaseSummary, publishers: readonly Publisher[]) => publishers.every((p) => summary.publishers.some((q) => samePublisher(p, q)));

  if (previousRelease) {
    const previous = await summarize(previousRelease, pinnedUnattested ? (s) => s.attested : (s) => hasAll(s, pinnedPublishers));
    result.previous = previous;
    if (!pinnedUnattested && previous.attested) {
      const newPublishers = pinnedPublishers.filter((p) => !previous.publishers.some((q) => samePublisher(p, q)));
      if (newPublishers.length > 0 && previous.complete) {
        result.changed = { from: previous, newPublishers };
        finding('publisher-changed', publisherChangedMessage(previous, { version: input.pinnedVersion, publishers: newPublishers }));
      } else if (newPublishers.length > 0) {
        result.notes.push(`could not verify every file of ${shown(previous.version)}: whether the publisher changed is unknown`);
      }
    }
    if (pinnedUnattested && previous.attested) {
      result.lost = { attested: { version: previous.version, publisher: previous.publishers[0] }, without: [] };
    }
  }

  if (pinnedUnattested && result.lost === undefined && trusted) {
    // The trusted release was attested (only verified publishers are trusted): provenance was
    // lost since. Walk back towards it for the last attested release, to say when.
    const without = result.previous && result.previous.complete && !result.previous.attested ? [result.previous.version] : [];
    let attested: AttestedRelease = { version: trusted.version, publisher: trusted.publisher, trusted: true };
    for (const release of between) {
      const summary = await summarize(release, (s) => s.attested);
      if (summary.attested) {
        attested = { version: summary.version, publisher: summary.publishers[0] };
        break;
      }
      if (summary.complete) without.push(summary.version);
    }
    result.lost = { attested, without };
  }
  if (result.lost) finding('provenance-lost', provenanceLostMessage(result.lost.attested, input.pinnedVersion, result.lost.without));

  const trustedOnes = trusted ? [trusted.publisher, ...(input.trusted?.also ?? [])] : [];
  if (trusted && pinnedPublishers.length > 0 && !pinnedPublishers.some((p) => trustedOnes.some((t) => samePublisher(p, t)))) {
    // The trust store reports the mismatch; this says since when, for its message and the hover.
    const previousInChain = previousRelease && (compareVersions(previousRelease.version, trusted.version) ?? -1) >= 0 ? previousRelease : undefined;
    const chain = previousInChain ? [previousInChain, ...between] : between;
    result.trustedChange = await locateChange(trusted.publisher, input.pinnedVersion, chain, capped, result.previous, summarize);
  }
}

export interface ReleasesToExamine {
  /** CONTRACT §4's previous release (yanked files left out). */
  previous?: Release;
  /** Releases strictly between the trusted one and the previous one, newest first, at most `maxReleases`. */
  between: Release[];
  /** More releases lie between than `between` holds. */
  capped: boolean;
  /** The trusted release, when it is older than the pinned one (else it plays no part). */
  trusted?: { version: string; publisher: Publisher };
}

/** Which earlier releases the history checks may look at (the checks verify only what they need of them). */
export function releasesToExamine(
  pages: readonly ProjectPage[],
  project: string,
  pinnedVersion: string,
  trusted?: { version: string; publisher: Publisher },
  maxReleases = DEFAULT_MAX_RELEASES,
): ReleasesToExamine {
  const earlier = earlierReleases(projectReleases(pages, project), pinnedVersion);
  const order = trusted ? compareVersions(trusted.version, pinnedVersion) : undefined;
  const olderTrusted = order !== undefined && order < 0 ? trusted : undefined;
  const allBetween = olderTrusted ? earlier.slice(1).filter((release) => (compareVersions(release.version, olderTrusted.version) ?? 0) > 0) : [];
  const between = allBetween.slice(0, Math.max(0, maxReleases));
  return { previous: earlier[0], between, capped: allBetween.length > between.length, ...(olderTrusted ? { trusted: olderTrusted } : {}) };
}

/**
 * The release after the newest one still published by the trusted publisher (chain: newest
 * first, down to the trusted release). Undefined when that cannot be known.
 */
async function locateChange(
  trustedPublisher: Publisher,
  pinnedVersion: string,
  chain: readonly Release[],
  capped: boolean,
  known: ReleaseSummary | undefined,
  summarize: (release: Release, enough: (summary: ReleaseSummary) => boolean) => Promise<ReleaseSummary>,
): Promise<HistoryResult['trustedChange']> {
  const hasTrusted = (summary: ReleaseSummary) => summary.publishers.some((p) => samePublisher(p, trustedPublisher));
  let newer = pinnedVersion;
  let oldestOther: string | undefined;
  for (const release of chain) {
    const reuse = known !== undefined && known.version === release.version && (known.complete || hasTrusted(known));
    const summary = reuse ? known : await summarize(release, hasTrusted);
    if (hasTrusted(summary)) return { changedIn: newer, lastTrusted: summary.version };
    if (!summary.complete) return undefined;
    if (summary.attested) {
      oldestOther = summary.version;
      newer = summary.version;
    }
  }
  // Every release since the trusted one was looked at and none is published by it.
  return capped ? undefined : { changedIn: oldestOther ?? pinnedVersion };
}

/**
 * Verifies a release's files from the first uploaded attested one on, until `enough` says the
 * question is answered. Files without a provenance URL are unattested without asking.
 */
async function summarizeRelease(
  release: Release,
  enough: (summary: ReleaseSummary) => boolean,
  verifyRelease: VerifyReleaseFiles,
  result: HistoryResult,
): Promise<ReleaseSummary> {
  const summary: ReleaseSummary = { version: release.version, files: [], publishers: [], attested: false, complete: false };
  const already = result.examined.findIndex((other) => other.version === release.version);
  if (already >= 0) result.examined[already] = summary;
  else result.examined.push(summary);
  const withProvenance = release.files.filter((file) => file.provenanceUrl !== undefined).sort(byUploadTime);
  for (const file of release.files) {
    if (file.provenanceUrl === undefined) summary.files.push({ filename: file.filename, status: 'unattested', publisher: null });
  }
  const batches = withProvenance.length > 1 ? [withProvenance.slice(0, 1), withProvenance.slice(1)] : [withProvenance];
  let answered = 0;
  for (const batch of batches) {
    if (batch.length === 0) continue;
    if (answered > 0 && enough(summary)) return summary;
    let answers: readonly ReleaseFileResult[];
    try {
      answers = await verifyRelease(release.version, batch);
    } catch (error) {
      result.notes.push(`could not verify ${shown(release.version)}: ${shown(error instanceof Error ? error.message : String(error))}`);
      return summary;
    }
    const asked = new Set(batch.map((file) => file.filename));
    for (const answer of Array.isArray(answers) ? answers : []) {
      if (!answer || !asked.has(answer.filename)) continue;
      asked.delete(answer.filename);
      summary.files.push({ filename: answer.filename, status: answer.status, publisher: answer.publisher });
      if (answer.status === 'verified' && answer.publisher) {
        summary.attested = true;
        if (!summary.publishers.some((p) => publisherKey(p) === publisherKey(answer.publisher!))) summary.publishers.push(answer.publisher);
      }
      if (answer.status === 'verified' || answer.status === 'unattested' || answer.status === 'invalid') answered++;
    }
    // Files the verifier did not settle leave the release incomplete.
    if (asked.size > 0 || summary.files.some((file) => file.status === 'error' || file.status === 'pending')) return summary;
  }
  summary.complete = true;
  return summary;
}

function byUploadTime(a: IndexFile, b: IndexFile): number {
  const time = (file: IndexFile) => {
    const parsed = file.uploadTime !== undefined ? Date.parse(file.uploadTime) : NaN;
    return Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
  };
  const difference = time(a) - time(b);
  if (difference !== 0 && !Number.isNaN(difference)) return difference;
  return a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0;
}

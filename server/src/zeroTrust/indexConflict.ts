/**
 * Index conflicts (issue 11 item 5, CONTRACT §3 "Several indexes"): when the document names
 * several indexes — a trusted requirements file's `--index-url` and `--extra-index-url`, or lock
 * packages from different indexes — each pinned project is asked of every one of them,
 * concurrently, through the index client (its limiter, cache and credentials). A project served
 * by more than one is `index-conflict`: the classic dependency-confusion set-up, since pip merges
 * the candidates of every index. The message says which index serves which files of the pinned
 * release (file name, sha256 prefix) and, where a file was verified, its publisher.
 *
 * A 404 (or a page without files) means "not served there"; an index that cannot be asked is
 * "could not check", said as such and never counted as serving. An untrusted workspace names one
 * index only (index/whichIndex.ts ignores the file's), so nothing more is ever asked.
 */
import { VERDICTS } from '../core/verdicts';
import { parseDistFilename, versionsEqual } from '../core/distFilename';
import type { Finding } from '../core/finding';
import type { Dependency } from '../core/model';
import type { Publisher } from '../core/result';
import type { ProjectAnswer } from '../index/indexClient';
import { redactUrl } from '../index/redact';
import type { Resolution } from '../index/resolve';
import type { StageInput } from '../pipeline/contract/stages';
import type { ResolutionRequest } from '../resolution/resolutionService';
import { resolutionRequests } from '../resolution/resolutionStage';
import { distinctPublishers, type FileIdentityInput } from './identities';
import { describePublisher, shown } from './messages';

/** What the conflict check needs of the resolution service (ResolutionService has both). */
export interface IndexConflictSource {
  /** The indexes a document's requests are resolved against, in document order, deduplicated; may carry credentials. */
  indexesOf(requests: readonly ResolutionRequest[]): string[];
  getProject(indexUrl: string, name: string): Promise<ProjectAnswer>;
}

export interface ListedFile {
  filename: string;
  sha256?: string;
}

/** What one index answered for the project. */
export type IndexListing =
  | { index: string; state: 'served'; files: ListedFile[]; otherVersions: number }
  | { index: string; state: 'not-served' }
  | { index: string; state: 'error'; message: string };

const MAX_FILES_LISTED = 3;
const SHA_SHOWN = 12;

const documentIndexes = new WeakMap<object, WeakMap<object, string[]>>();

/** Every index the document names for its pinned dependencies (computed once per document and source). */
export function indexesNamedBy(source: IndexConflictSource, input: Pick<StageInput, 'parsed' | 'settings'>): string[] {
  let bySource = documentIndexes.get(source);
  if (!bySource) {
    bySource = new WeakMap();
    documentIndexes.set(source, bySource);
  }
  let named = bySource.get(input.parsed);
  if (!named) {
    named = source.indexesOf(resolutionRequests(input));
    bySource.set(input.parsed, named);
  }
  return named;
}

/** Asks every index for the project, all at once; undefined when the document names fewer than two. */
export async function askIndexes(source: IndexConflictSource, indexUrls: readonly string[], project: string, version: string): Promise<IndexListing[] | undefined> {
  if (indexUrls.length < 2) return undefined;
  return Promise.all(
    indexUrls.map(async (indexUrl): Promise<IndexListing> => {
      const index = redactUrl(indexUrl);
      let answer: ProjectAnswer;
      try {
        answer = await source.getProject(indexUrl, project);
      } catch (error) {
        return { index, state: 'error', message: error instanceof Error ? error.message : String(error) };
      }
      if (answer.kind === 'error') return { index, state: 'error', message: answer.error.message };
      if (answer.kind === 'not-found' || answer.page.files.length === 0) return { index, state: 'not-served' };
      const versions = new Set<string>();
      const files: ListedFile[] = [];
      for (const file of answer.page.files) {
        const dist = parseDistFilename(file.filename, project);
        if (dist && versionsEqual(dist.version, version)) files.push({ filename: file.filename, ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}) });
        else if (dist) versions.add(dist.version);
      }
      return { index, state: 'served', files, otherVersions: versions.size };
    }),
  );
}

export interface IndexConflictResult {
  findings: Finding[];
  notes: string[];
}

/**
 * `index-conflict` when two or more indexes serve the project; `index-error` for an index that
 * could not be asked and that the resolution did not ask (the resolution reports its own).
 */
export function indexConflictFindings(
  dependency: Dependency,
  dependencyIndex: number | undefined,
  resolution: Pick<Resolution, 'name' | 'version' | 'index' | 'files'>,
  listings: readonly IndexListing[],
  pinnedFiles: readonly FileIdentityInput[],
): IndexConflictResult {
  const result: IndexConflictResult = { findings: [], notes: [] };
  const project = shown(dependency.rawName || dependency.name || resolution.name);
  const version = resolution.version ?? dependency.pinnedVersion ?? '';
  const at = { range: dependency.ranges.requirement, ...(dependencyIndex !== undefined ? { dependency: dependencyIndex } : {}) };
  const askedByResolution = new Set([resolution.index.indexUrl, ...resolution.index.extraIndexUrls].map(redactUrl));
  const served = listings.filter((listing): listing is Extract<IndexListing, { state: 'served' }> => listing.state === 'served');
  const failed = listings.filter((listing): listing is Extract<IndexListing, { state: 'error' }> => listing.state === 'error');

  for (const failure of failed) {
    if (askedByResolution.has(failure.index)) continue;
    result.findings.push({
      code: 'index-error',
      message: `${project} could not be checked against ${failure.index}, another index this file names (is the project served there too?): ${failure.message}`,
      ...at,
    });
  }
  if (served.length < 2) {
    if (failed.length > 0) result.notes.push(`whether ${project} is also served by ${failed.map((f) => f.index).join(', ')} could not be checked`);
    return result;
  }

  const publishers = verifiedPublishers(resolution.files, pinnedFiles);
  const firstSha = new Map<string, string>();
  for (const listing of served) for (const file of listing.files) if (file.sha256 !== undefined && !firstSha.has(file.filename)) firstSha.set(file.filename, file.sha256);
  const parts = served.map((listing) => describeListing(listing, version, publishers, firstSha));
  const unchecked = failed.length > 0 ? ` Not checked: ${failed.map((f) => f.index).join(', ')} could not be asked.` : '';
  result.findings.push({
    code: 'index-conflict',
    message: `${VERDICTS['index-conflict']}: ${project} is served by ${served.length} of the indexes this file names (dependency confusion: an installer that merges indexes, as pip does with --extra-index-url, may take it from any of them): ${parts.join('; ')}.${unchecked}`,
    ...at,
  });
  return result;
}

function describeListing(listing: Extract<IndexListing, { state: 'served' }>, version: string, publishers: Map<string, Publisher[]>, firstSha: Map<string, string>): string {
  if (listing.files.length === 0) {
    const others = listing.otherVersions;
    return `${listing.index} serves no file of ${shown(version)} but ${others} other version${others === 1 ? '' : 's'}`;
  }
  const named = listing.files.slice(0, MAX_FILES_LISTED).map((file) => {
    const sha = file.sha256 !== undefined ? `sha256 ${file.sha256.slice(0, SHA_SHOWN)}` : 'no sha256';
    const other = file.sha256 !== undefined && firstSha.get(file.filename) !== file.sha256 ? ', another file under the same name' : '';
    return `${shown(file.filename)} (${sha}${other})`;
  });
  const more = listing.files.length > MAX_FILES_LISTED ? ` and ${listing.files.length - MAX_FILES_LISTED} more` : '';
  return `${listing.index} serves ${named.join(', ')}${more}${publishedBy(listing.files, publishers)}`;
}

/** Who published the listed files, where verification knows it (a file verified under that very sha256). */
function publishedBy(files: readonly ListedFile[], publishers: Map<string, Publisher[]>): string {
  const verified = files.filter((file) => publishers.has(fileKey(file)));
  if (verified.length === 0) return files.length === 1 ? ', not verified' : ', none of them verified';
  const names = distinctPublishers(verified.flatMap((file) => publishers.get(fileKey(file)) ?? [])).map((p) => describePublisher(p, 'workflow'));
  const by = names.length > 0 ? `published by ${names.join(' and ')}` : 'verified';
  if (verified.length === files.length) return `, ${by}`;
  return `, ${verified.length} of ${files.length} verified as ${by}`;
}

/** Verified publishers by file (name and sha256): only a file verified under that very hash has a known publisher. */
function verifiedPublishers(files: Resolution['files'], pinnedFiles: readonly FileIdentityInput[]): Map<string, Publisher[]> {
  const byFile = new Map<string, Publisher[]>();
  for (const pinned of pinnedFiles) {
    if (pinned.status !== 'verified') continue;
    const file = files.find((f) => f.filename === pinned.filename);
    if (!file || file.sha256 === undefined) continue;
    const all = [pinned.publisher, ...(pinned.attestations ?? []).map((a) => a.publisher)].filter((p): p is Publisher => p !== null);
    byFile.set(fileKey({ filename: file.filename, sha256: file.sha256 }), all);
  }
  return byFile;
}

function fileKey(file: ListedFile): string {
  return `${file.filename}\n${file.sha256 ?? ''}`;
}

/**
 * Starts asking the other indexes as soon as the dependency resolved (alongside verification);
 * answers undefined when the source cannot ask (a test double) or the document names one index.
 */
export function startIndexConflictCheck(
  source: Partial<IndexConflictSource>,
  input: Pick<StageInput, 'parsed' | 'settings'>,
  resolution: Pick<Resolution, 'status' | 'name' | 'version'>,
): Promise<IndexListing[] | undefined> {
  if (resolution.status !== 'resolved' || resolution.version === undefined || !source.indexesOf || !source.getProject) return Promise.resolve(undefined);
  const asking = source as IndexConflictSource;
  return askIndexes(asking, indexesNamedBy(asking, input), resolution.name, resolution.version).catch(() => undefined);
}

/** Adds the conflict check's findings and notes to an outcome; true when every index answered. */
export function addIndexConflicts(
  outcome: { findings: Finding[]; notes: string[] },
  listings: readonly IndexListing[] | undefined,
  dependency: Dependency,
  dependencyIndex: number | undefined,
  resolution: Pick<Resolution, 'name' | 'version' | 'index' | 'files'>,
  pinnedFiles: readonly FileIdentityInput[],
): boolean {
  if (!listings) return true;
  const checked = indexConflictFindings(dependency, dependencyIndex, resolution, listings, pinnedFiles);
  outcome.findings.push(...checked.findings);
  outcome.notes.push(...checked.notes);
  return listings.every((listing) => listing.state !== 'error');
}

/**
 * Resolution of one dependency against its index: the files of the pinned version (or, for a
 * pylock package, the files it locks) with their hashes, sizes, upload times, yanked state and
 * provenance URLs, and the findings that come from comparing the file with the index.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WILL_RETRY } from '../core/format';
import { compare as pep440Compare, valid as pep440Valid } from '@renovatebot/pep440';
import { parseDistFilename, sameDistribution, versionsEqual, type DistFilename } from '../core/distFilename';
import type { Finding } from '../core/finding';
import type { Dependency, DocumentOptions, HashPin, LockedFile } from '../core/model';
import { normalizeName } from '../core/names';
import type { IndexError } from './errors';
import type { AnswerSource, IndexClient } from './indexClient';
import { redactSecrets } from './redact';
import type { IndexFile, ProjectPage } from './simpleApi';
import { chooseIndex, type IndexChoice } from './whichIndex';

export interface ResolveContext {
  client: IndexClient;
  /** The `indexUrl` setting ('' or undefined when unset) and `workspaceTrusted`. */
  settings: { indexUrl?: string; workspaceTrusted: boolean };
  /** The document's global options (requirements.txt `--index-url`, `--extra-index-url`). */
  documentOptions?: DocumentOptions;
  /** Environment for PIP_INDEX_URL. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Index of the dependency in ParsedDocument.dependencies, copied into the findings. */
  dependencyIndex?: number;
  /**
   * chooseIndex of these inputs, when the caller already made it: every pin of a document makes
   * the same choice, and one shared object is lighter than 20,000 equal ones kept in the answers.
   */
  index?: IndexChoice;
}

export interface ResolvedFile extends IndexFile {
  /** The parsed file name (undefined for names that are not distribution file names). */
  dist?: DistFilename;
  /** A hash pinned in the document (`--hash`, pylock `hashes`) matches this file. */
  pinned: boolean;
  /** pylock: the locked file this index file is. */
  locked?: LockedFile;
}

export interface ReleaseFiles {
  version: string;
  files: ResolvedFile[];
}

/**
 * - `resolved`: the index answered and the version has files (findings may still say yanked or hash-not-on-index);
 * - `not-found`: project or version not on the index;
 * - `error`: the index could not be asked or answered badly — retry later, the dependency is not bad;
 * - `skipped`: nothing to resolve (not pinned to one version, a URL or editable requirement).
 */
export type ResolutionStatus = 'resolved' | 'not-found' | 'error' | 'skipped';

export interface Resolution {
  status: ResolutionStatus;
  /** Normalized project name. */
  name: string;
  version?: string;
  /** The index asked (its displayUrl is safe to show). */
  index: IndexChoice;
  /** Files of the pinned version; for a pylock package with files, the locked files the index serves. */
  files: ResolvedFile[];
  /** Every file of the pinned version is yanked. */
  yanked: boolean;
  /** The yank reasons the index gave, joined. */
  yankedReason?: string;
  /** The nearest lower version (PEP 440) with at least one file not yanked: for the history checks. */
  previousRelease?: ReleaseFiles;
  /** The project page(s) read, for further checks (upload times, other releases). */
  pages: ProjectPage[];
  findings: Finding[];
  /** True when resolving again later may give another answer (index errors, stale answers). */
  retryable: boolean;
  /** Set when the answer came from the cache because the index could not be asked (or offline). */
  stale?: { fetchedAt: number; reason: string; message: string };
  /** Human-readable remarks for hovers: ignored index URLs, page warnings, stale answers. */
  notes: string[];
}

/** Resolves one dependency. Never throws; problems are findings. */
export async function resolveDependency(dependency: Dependency, context: ResolveContext): Promise<Resolution> {
  try {
    return await resolveOrThrow(dependency, context);
  } catch (error) {
    // A bug must not take the language server down with it: report it like an index failure.
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'error',
      name: normalizeName(dependency.name),
      version: dependency.pinnedVersion,
      index: chooseIndex({ workspaceTrusted: false, settingIndexUrl: context.settings.indexUrl, env: context.env }),
      files: [],
      yanked: false,
      pages: [],
      findings: [
        {
          code: 'index-error',
          message: `${normalizeName(dependency.name)} could not be resolved: internal error (${redactSecrets(message)})${WILL_RETRY}`,
          range: dependency.ranges.requirement,
          ...(context.dependencyIndex !== undefined ? { dependency: context.dependencyIndex } : {}),
        },
      ],
      retryable: true,
      notes: [],
    };
  }
}

async function resolveOrThrow(dependency: Dependency, context: ResolveContext): Promise<Resolution> {
  const name = normalizeName(dependency.name);
  const version = dependency.pinnedVersion;
  const index = context.index ?? chooseIndex({
    settingIndexUrl: context.settings.indexUrl,
    workspaceTrusted: context.settings.workspaceTrusted,
    documentIndexUrl: context.documentOptions?.indexUrl,
    documentExtraIndexUrls: context.documentOptions?.extraIndexUrls,
    packageIndexUrl: dependency.indexUrl,
    env: context.env,
  });
  const result: Resolution = {
    status: 'skipped',
    name,
    version,
    index,
    files: [],
    yanked: false,
    pages: [],
    findings: [],
    retryable: false,
    notes: index.ignored.map((i) => `${i.reason} (${i.url})`),
  };
  if (version === undefined || dependency.url !== undefined || dependency.editable) return result;

  const finding = (code: Finding['code'], message: string, range = dependency.ranges.requirement): void => {
    result.findings.push({ code, message, range, ...(context.dependencyIndex !== undefined ? { dependency: context.dependencyIndex } : {}) });
  };
  const label = `${dependency.rawName || name} ${version}`;

  const urls = [index.indexUrl, ...index.extraIndexUrls];
  const answers = await Promise.all(urls.map((url) => context.client.getProject(url, name)));
  const errors: IndexError[] = [];
  for (const answer of answers) {
    if (answer.kind === 'error') errors.push(answer.error);
    else {
      noteSource(result, answer.source);
      if (answer.kind === 'found') {
        result.pages.push(answer.page);
        for (const warning of answer.page.warnings) result.notes.push(warning);
      }
    }
  }
  if (errors.length > 0) {
    result.retryable = true;
    for (const error of errors) {
      const when = error.reason === 'offline' ? '' : WILL_RETRY;
      finding('index-error', `Not checked: the index could not be asked about ${name}: ${error.message}${when}`);
    }
  }
  if (result.pages.length === 0) {
    if (errors.length > 0) {
      result.status = 'error';
    } else {
      result.status = 'not-found';
      finding('project-not-found', `Project not found: the index (${index.displayUrl}) has no project named ${name}`);
    }
    return result;
  }

  return resolveFiles(result, dependency, version, name, label, finding);
}

/** The files of the pinned version and what comparing them with the document finds. */
async function resolveFiles(result: Resolution, dependency: Dependency, version: string, name: string, label: string, finding: AddFinding): Promise<Resolution> {
  const allFiles = await mergeFiles(result.pages, name);
  const release = filesOfVersion(allFiles, version);
  if (allFiles.length > FILES_PER_TURN) await nextTurn();
  if (release.length === 0) {
    result.status = 'not-found';
    finding('version-not-found', versionNotFoundMessage(dependency.rawName || name, version, result.pages, allFiles));
    return result;
  }
  result.status = 'resolved';
  const listed = result.pages.flatMap((page) => page.versions ?? []);
  if (listed.length > 0 && !listed.some((v) => versionsEqual(v, version))) {
    result.notes.push(`the index lists files of ${version} but not ${version} among its versions`);
  }

  // Files a lock names by local path only are not the index's business.
  const locked = dependency.files?.filter((file) => file.path === undefined || file.url !== undefined) ?? [];
  if (locked.length > 0) {
    result.files = checkLockedFiles(locked, release, allFiles, label, finding);
  } else {
    result.files = release;
    checkHashPins(dependency.hashes, release, allFiles, label, finding, result.notes);
  }

  const yankedFiles = result.files.filter((file) => file.yanked);
  if (yankedFiles.length > 0) {
    const reasons = [...new Set(yankedFiles.map((file) => file.yankedReason).filter((r): r is string => r !== undefined))];
    if (yankedFiles.length === result.files.length) {
      result.yanked = true;
      result.yankedReason = reasons.length > 0 ? reasons.join('; ') : undefined;
    }
    finding('yanked', yankedMessage(label, yankedFiles.map((file) => file.filename), result.files.length, reasons));
  }

  result.previousRelease = await previousRelease(allFiles, version);
  // What comes next (the checks of this dependency) starts on a turn of its own.
  if (allFiles.length > FILES_PER_TURN) await nextTurn();
  return result;
}

function noteSource(result: Resolution, source: AnswerSource): void {
  if (!source.stale) return;
  result.retryable = true;
  result.stale = { fetchedAt: source.fetchedAt, reason: source.stale.reason, message: source.stale.message };
  result.notes.push(`stale: the index could not be asked (${source.stale.message}); using the answer cached on ${new Date(source.fetchedAt).toISOString()}`);
}

/** Files whose names are parsed between two turns of the event loop: a 30,000-file page is read in short steps, never in one long one. */
const FILES_PER_TURN = 2000;

/** Files of all pages, the first page winning when two list the same file name; names parsed against the project. */
async function mergeFiles(pages: ProjectPage[], name: string): Promise<ResolvedFile[]> {
  const seen = new Set<string>();
  const files: ResolvedFile[] = [];
  let sinceTurn = 0;
  for (const page of pages) {
    for (const file of page.files) {
      if (seen.has(file.filename)) continue;
      seen.add(file.filename);
      const dist = parseDistFilename(file.filename, name);
      // Not `{ ...file, dist, pinned }`: V8 gives every object spread and then extended a hidden
      // class of its own (about 400 bytes each: 17 MB for the 40,000 files of a 20,000-pin file).
      files.push(Object.assign({}, file, { dist: dist && dist.name === name ? dist : undefined, pinned: false }));
      if (++sinceTurn === FILES_PER_TURN) {
        sinceTurn = 0;
        await nextTurn();
      }
    }
  }
  return files;
}

/** The files of `version`; each distinct version string of the files is compared once (a large page has thousands of files, far fewer versions). */
function filesOfVersion(files: ResolvedFile[], version: string): ResolvedFile[] {
  const equal = new Map<string, boolean>();
  return files.filter((file) => {
    if (file.dist === undefined) return false;
    let same = equal.get(file.dist.version);
    if (same === undefined) equal.set(file.dist.version, (same = versionsEqual(file.dist.version, version)));
    return same;
  });
}

type AddFinding = (code: Finding['code'], message: string, range?: Finding['range']) => void;

/** requirements.txt / pyproject: each pinned hash must be the hash of a file of the pinned version. */
function checkHashPins(hashes: HashPin[], release: ResolvedFile[], allFiles: ResolvedFile[], label: string, finding: AddFinding, notes: string[]): void {
  for (const pin of hashes) {
    const algorithm = pin.algorithm.toLowerCase();
    const hex = pin.hex.toLowerCase();
    if (!release.some((file) => hashOf(file, algorithm) !== undefined)) {
      notes.push(`the index lists no ${algorithm} hashes for ${label}: ${algorithm}:${short(hex)} cannot be checked`);
      continue;
    }
    const matches = release.filter((file) => hashOf(file, algorithm) === hex);
    for (const file of matches) file.pinned = true;
    if (matches.length > 0) continue;
    finding('hash-not-on-index', `Hash not on the index: no file of ${label} on the index has ${algorithm}:${short(hex)}${elsewhere(allFiles, algorithm, hex)}`, pin.range);
  }
}

/** pylock: every locked file must be served by the index, with the recorded hashes. */
function checkLockedFiles(locked: LockedFile[], release: ResolvedFile[], allFiles: ResolvedFile[], label: string, finding: AddFinding): ResolvedFile[] {
  const found: ResolvedFile[] = [];
  for (const lockedFile of locked) {
    const filename = lockedFile.filename ?? lastSegment(lockedFile.url);
    if (filename === undefined) continue;
    const served = findServed(filename, release) ?? findServed(filename, allFiles);
    const where = lockedFile.hashes[0]?.range ?? lockedFile.range;
    if (!served) {
      finding('hash-not-on-index', `Hash not on the index: the index serves no file ${filename} for ${label}: the locked file and its hash are not what the index has`, where);
      continue;
    }
    let matched = false;
    for (const pin of lockedFile.hashes) {
      const algorithm = pin.algorithm.toLowerCase();
      const servedHex = hashOf(served, algorithm);
      if (servedHex === undefined) continue;
      if (servedHex === pin.hex.toLowerCase()) matched = true;
      else {
        finding(
          'hash-not-on-index',
          `Hash not on the index: the lock records ${algorithm}:${short(pin.hex.toLowerCase())} for ${filename} but the index serves ${algorithm}:${short(servedHex)}`,
          pin.range,
        );
      }
    }
    found.push({ ...served, pinned: matched, locked: lockedFile });
  }
  return found;
}

/** The file's hash by an algorithm the document names: its own entries only (`constructor` is no hash). */
function hashOf(file: Pick<ResolvedFile, 'hashes'>, algorithm: string): string | undefined {
  return Object.hasOwn(file.hashes, algorithm) ? file.hashes[algorithm] : undefined;
}

function findServed(filename: string, files: ResolvedFile[]): ResolvedFile | undefined {
  const exact = files.find((file) => file.filename === filename);
  if (exact) return exact;
  const decoded = safeDecode(filename);
  const byDecoded = files.find((file) => file.filename === decoded);
  if (byDecoded) return byDecoded;
  // The same wheel under a reordered tag set is the same file name for every tool that parses it.
  const parsed = parseDistFilename(decoded);
  if (!parsed) return undefined;
  return files.find((file) => file.dist !== undefined && sameDistribution(file.dist, parsed));
}

function lastSegment(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const segment = new URL(url).pathname.split('/').pop();
    return segment ? safeDecode(segment) : undefined;
  } catch {
    const segment = url.split(/[?#]/)[0].split('/').pop();
    return segment || undefined;
  }
}

function elsewhere(allFiles: ResolvedFile[], algorithm: string, hex: string): string {
  const other = allFiles.find((file) => hashOf(file, algorithm) === hex);
  if (!other) return '';
  return ` (that is the hash of ${other.filename}${other.dist ? `, version ${other.dist.version}` : ''})`;
}

function versionNotFoundMessage(project: string, version: string, pages: ProjectPage[], files: ResolvedFile[]): string {
  const listed = pages.flatMap((page) => page.versions ?? []);
  if (listed.some((v) => versionsEqual(v, version))) return `Version not found: the index has no files for ${project} ${version}`;
  const known = [...new Set([...listed, ...files.flatMap((file) => (file.dist ? [file.dist.version] : []))])];
  const latest = newest(known);
  return `Version not found: the index has no version ${version} of ${project}${latest ? ` (the latest is ${latest})` : ''}`;
}

function newest(versions: string[]): string | undefined {
  const valid = versions.filter((v) => pep440Valid(v) !== null);
  return valid.sort((a, b) => pep440Compare(b, a))[0];
}

/** Distinct versions compared between two turns of the event loop (a PEP 440 parse is tens of microseconds). */
const VERSIONS_PER_TURN = 250;

/**
 * The nearest lower version in PEP 440 order that has at least one file that is not yanked
 * (CONTRACT §4): its files in page order, its version as the first of them spells it. Versions
 * are parsed and compared once per distinct version string, not once per pair of files, a few
 * hundred between two turns of the event loop.
 */
async function previousRelease(files: ResolvedFile[], version: string): Promise<ReleaseFiles | undefined> {
  if (pep440Valid(version) === null) return undefined;
  /** Every version string once, and whether one of its files is not yanked. */
  const spellings = new Map<string, boolean>();
  for (const file of files) {
    const spelled = file.dist?.version;
    if (spelled !== undefined && spellings.get(spelled) !== true) spellings.set(spelled, !file.yanked);
  }
  let compared = 0;
  const step = async (): Promise<void> => {
    if (++compared % VERSIONS_PER_TURN === 0) await nextTurn();
  };
  let best: string | undefined;
  /** The spellings equal to `best` (`1.0` and `1.0.0` are one release), and the lower ones with every file yanked. */
  let same: string[] = [];
  const yankedOnly: string[] = [];
  for (const [spelled, available] of spellings) {
    await step();
    if (pep440Valid(spelled) === null || pep440Compare(spelled, version) >= 0) continue;
    if (!available) yankedOnly.push(spelled);
    else if (best === undefined || pep440Compare(spelled, best) > 0) [best, same] = [spelled, [spelled]];
    else if (pep440Compare(spelled, best) === 0) same.push(spelled);
  }
  if (best === undefined) return undefined;
  for (const spelled of yankedOnly) if (pep440Compare(spelled, best) === 0) same.push(spelled);
  const release = new Set(same);
  const group = files.filter((file) => file.dist !== undefined && release.has(file.dist.version));
  return { version: group[0].dist!.version, files: group };
}

function short(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 12)}…${hex.slice(-4)}` : hex;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * What yanked means (PEP 592), then the maintainers' reason, quoted and apart from our words: the
 * reason is theirs ("will not install" in a reason is not what pip does).
 *   Yanked: the maintainers withdrew colorama 0.4.2 from the index; pip still installs it when
 *   pinned with == (PEP 592), but no longer picks it for a range. Their reason: "Bad build"
 */
export function yankedMessage(label: string, yankedFiles: readonly string[], fileCount: number, reasons: readonly string[]): string {
  const what =
    yankedFiles.length === fileCount
      ? `the maintainers withdrew ${label} from the index; pip still installs it when pinned with == (PEP 592), but no longer picks it for a range`
      : `the maintainers withdrew ${yankedFiles.length} of ${fileCount} files of ${label} (${yankedFiles.join(', ')}); pip still installs ${yankedFiles.length === 1 ? 'it' : 'them'} when pinned with == (PEP 592)`;
  const why = reasons.length > 0 ? `Their reason: ${reasons.map((reason) => `"${oneLineReason(reason)}"`).join('; ')}` : 'They gave no reason';
  return `Yanked: ${what}. ${why}`;
}

/** A reason as one line (an index may send line breaks). */
function oneLineReason(reason: string): string {
  return reason.split(/[\r\n]+/).map((part) => part.trim()).filter((part) => part !== '').join(' ');
}

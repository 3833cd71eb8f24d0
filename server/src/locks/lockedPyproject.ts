/**
 * A pyproject.toml through the lock beside it: each requirement that is not pinned takes the
 * version, files and index that the lock records for it, so that every later stage sees a locked
 * requirement as a pinned one (one model). A requirement the lock cannot answer for keeps no
 * version and carries why (`lock.message`), which the `unpinned` check says instead of its own.
 * The lock's ranges point into another file: the files' and hashes' ranges are moved onto the
 * requirement, so a `hash-not-on-index` shows on the pyproject line that took it.
 */
import type { Dependency, LockUse, ParsedDocument } from '../core/model';
import { lockFileKind } from '../parsers/lockFiles';
import { parseDocument } from '../parsers/index';
import { chooseLock } from './lockChoice';
import { findLockedVersion } from './lockedVersion';

/** The lock files of the pyproject's folder, as the shell reads them. */
export interface LockSource {
  /** The names of the files in the pyproject's folder. */
  fileNames: readonly string[];
  /** A file's text; undefined when it cannot be read. */
  read(fileName: string): Promise<string | undefined>;
}

/** build-system.requires is not locked by uv, Poetry or PEP 751: its absence says nothing. */
const UNLOCKED_SECTIONS = new Set(['build-system.requires']);

export async function lockPyproject(parsed: ParsedDocument, source: LockSource): Promise<ParsedDocument> {
  if (parsed.format !== 'pyproject' || !parsed.dependencies.some(takesLock)) return parsed;
  const choice = chooseLock(source.fileNames);
  if (choice === undefined) return parsed;
  const format = lockFileKind(choice.chosen)!;
  const text = await source.read(choice.chosen);
  if (text === undefined) return parsed;
  const lock = parseLock(format, text);
  const dependencies = parsed.dependencies.map((dependency) => {
    if (!takesLock(dependency)) return dependency;
    const found = findLockedVersion(lock.dependencies, { name: dependency.name, specifier: dependency.specifier, marker: dependency.marker });
    const use = (locked: boolean, message?: string): LockUse => ({ file: choice.chosen, passedOver: choice.others, locked, ...(message ? { message } : {}) });
    const label = dependency.rawName;
    switch (found.kind) {
      case 'locked':
        return lockedDependency(dependency, found.dependency, use(true));
      case 'not-in-lock':
        return { ...dependency, lock: use(false, `${label} is not in ${choice.chosen}: ${relock(choice.chosen)}`) };
      case 'outside-specifier':
        return { ...dependency, lock: use(false, `${choice.chosen} records ${label} ${found.versions.join(', ')}, which ${dependency.specifier} excludes: the lock is stale; ${relock(choice.chosen)}`) };
      case 'ambiguous':
        return {
          ...dependency,
          lock: use(false, `${choice.chosen} records several versions of ${label} (${found.candidates.map((c) => c.pinnedVersion ?? c.url ?? '?').join(', ')}) for different environments, and its marker does not tell which one this is`),
        };
    }
  });
  return { ...parsed, dependencies };
}

/** A requirement that is not pinned, from the index (no URL), in a section a lock records. */
function takesLock(dependency: Dependency): boolean {
  return dependency.pinnedVersion === undefined && dependency.url === undefined && !UNLOCKED_SECTIONS.has(dependency.section);
}

function lockedDependency(requirement: Dependency, locked: Dependency, lock: LockUse): Dependency {
  const at = requirement.ranges.requirement;
  return {
    ...requirement,
    pinnedVersion: locked.pinnedVersion,
    // A package the lock takes from git or a path: not from an index, like a URL requirement.
    ...(locked.pinnedVersion === undefined ? { url: locked.url ?? locked.rawName, editable: locked.editable } : {}),
    indexUrl: locked.indexUrl,
    files: locked.files?.map((file) => ({ ...file, range: at, hashes: file.hashes.map((hash) => ({ ...hash, range: at })) })),
    hashes: [],
    lock,
  };
}

function relock(lockName: string): string {
  if (lockName === 'uv.lock') return 'run `uv lock`';
  if (lockName === 'poetry.lock') return 'run `poetry lock`';
  return `export ${lockName} again from its lock tool`;
}

/** The last lock parsed, by its text: a pyproject re-analysed on every keystroke does not parse a megabyte lock each time. */
let lastLock: { format: string; text: string; parsed: ParsedDocument } | undefined;

function parseLock(format: ReturnType<typeof lockFileKind> & string, text: string): ParsedDocument {
  if (lastLock && lastLock.format === format && lastLock.text === text) return lastLock.parsed;
  const parsed = parseDocument(format, text);
  lastLock = { format, text, parsed };
  return parsed;
}

/**
 * Which lock beside a pyproject.toml applies when the folder holds several: uv.lock, then
 * pylock.toml, then the named pylock.NAME.toml files (by name), then poetry.lock. uv reads its own
 * lock before any export of it, a plain pylock.toml is the default one PEP 751 names, and
 * poetry.lock is read by Poetry alone.
 */
import { lockFileKind } from '../parsers/lockFiles';

export interface LockChoice {
  /** The file name of the lock that applies. */
  chosen: string;
  /** The other lock files of the folder, in precedence order (a hover can say they were passed over). */
  others: string[];
}

/** The lock that applies among the file names of one folder; undefined when none is a lock. */
export function chooseLock(fileNames: readonly string[]): LockChoice | undefined {
  const locks = [...new Set(fileNames)]
    .map((name) => ({ name, rank: lockPrecedence(name) }))
    .filter((lock): lock is { name: string; rank: number } => lock.rank !== undefined)
    .sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (locks.length === 0) return undefined;
  return { chosen: locks[0].name, others: locks.slice(1).map((lock) => lock.name) };
}

/** Lower wins; undefined for a name that is no lock file. */
export function lockPrecedence(fileName: string): number | undefined {
  switch (lockFileKind(fileName)) {
    case 'uvlock':
      return 0;
    case 'pylock':
      return fileName === 'pylock.toml' ? 1 : 2;
    case 'poetrylock':
      return 3;
    default:
      return undefined;
  }
}

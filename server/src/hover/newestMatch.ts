/**
 * Without a lock, the release a range requirement would install today: the newest version on the
 * index that satisfies the specifier, pre-releases as pip treats them (left out unless the
 * specifier names one, or no final release matches). Shown in the hover only, marked "newest
 * match, not locked": nothing is pinned, so no diagnostic comes from it. Pure.
 */
import { explain, maxSatisfying, validRange } from '@renovatebot/pep440';
import { parseDistFilename } from '../core/distFilename';

/** What is read of an index file: its name and whether it is yanked (pip skips yanked files for a range). */
export interface ListedFile {
  filename: string;
  yanked: boolean;
}

export function newestMatch(files: readonly ListedFile[], project: string, specifier: string): string | undefined {
  const spec = specifier.trim();
  if (spec !== '' && !validRange(spec)) return undefined;
  const versions = [...new Set(files.filter((file) => !file.yanked).map((file) => parseDistFilename(file.filename, project)?.version).filter((v): v is string => v !== undefined && explain(v) !== null))];
  const range = spec === '' ? '>=0' : spec;
  const namesPre = spec.split(',').some((clause) => explain(clause.replace(/^\s*(===|==|~=|!=|<=|>=|<|>)\s*/, '').replace(/\.\*$/, ''))?.is_prerelease === true);
  if (namesPre) return maxSatisfying(versions, range, { prereleases: true }) ?? undefined;
  return maxSatisfying(versions, range) ?? maxSatisfying(versions, range, { prereleases: true }) ?? undefined;
}

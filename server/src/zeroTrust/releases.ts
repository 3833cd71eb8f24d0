/**
 * A project's releases from its index page(s): files grouped by the version in their names, in
 * PEP 440 order. Versions that are equal under PEP 440 (`1.0` and `1.0.0`) are one release.
 */
import { compare as pep440Compare, valid as pep440Valid } from '@renovatebot/pep440';
import { parseDistFilename } from '../core/distFilename';
import { normalizeName } from '../core/names';
import type { IndexFile, ProjectPage } from '../index/simpleApi';

export interface Release {
  /** The version as the first of its files spells it. */
  version: string;
  files: IndexFile[];
}

/** Every release of the project on the pages, newest first; the first page wins when two list one file name. */
export function projectReleases(pages: readonly ProjectPage[], project: string): Release[] {
  const name = normalizeName(project);
  const seen = new Set<string>();
  const versioned: { version: string; file: IndexFile }[] = [];
  for (const page of pages) {
    for (const file of page.files) {
      if (seen.has(file.filename)) continue;
      seen.add(file.filename);
      const dist = parseDistFilename(file.filename, name);
      if (dist === undefined || dist.name !== name || pep440Valid(dist.version) === null) continue;
      versioned.push({ version: dist.version, file });
    }
  }
  versioned.sort((a, b) => pep440Compare(b.version, a.version));
  const releases: Release[] = [];
  for (const { version, file } of versioned) {
    const last = releases[releases.length - 1];
    if (last !== undefined && pep440Compare(last.version, version) === 0) last.files.push(file);
    else releases.push({ version, files: [file] });
  }
  return releases;
}

/** The files of one version (all of them, yanked too), or [] when the pages have none. */
export function releaseFiles(pages: readonly ProjectPage[], project: string, version: string): IndexFile[] {
  if (pep440Valid(version) === null) return [];
  return projectReleases(pages, project).find((release) => pep440Compare(release.version, version) === 0)?.files ?? [];
}

/**
 * Releases lower than `version` that have at least one file not yanked, newest first; the first
 * is "the previous release" of CONTRACT.md §4. Yanked files are left out of each release.
 */
export function earlierReleases(releases: readonly Release[], version: string): Release[] {
  if (pep440Valid(version) === null) return [];
  const earlier: Release[] = [];
  for (const release of releases) {
    if (pep440Compare(release.version, version) >= 0) continue;
    const available = release.files.filter((file) => !file.yanked);
    if (available.length > 0) earlier.push({ version: release.version, files: available });
  }
  return earlier;
}

/** PEP 440 comparison that treats versions it cannot read as incomparable (undefined). */
export function compareVersions(a: string, b: string): number | undefined {
  if (pep440Valid(a) === null || pep440Valid(b) === null) return undefined;
  return pep440Compare(a, b);
}

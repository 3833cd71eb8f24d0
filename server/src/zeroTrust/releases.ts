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

/**
 * Releases by page list and project: a large page (30,000 files) costs seconds to group, and
 * several checks of one dependency ask for the same grouping. Pages are immutable once parsed.
 */
const releasesMemo = new WeakMap<readonly ProjectPage[], Map<string, readonly Release[]>>();

/** Every release of the project on the pages, newest first; the first page wins when two list one file name. */
export function projectReleases(pages: readonly ProjectPage[], project: string): Release[] {
  const name = normalizeName(project);
  let byProject = releasesMemo.get(pages);
  const memo = byProject?.get(name);
  if (memo !== undefined) return memo.map((release) => ({ version: release.version, files: [...release.files] }));
  const releases = groupReleases(pages, name);
  if (byProject === undefined) releasesMemo.set(pages, (byProject = new Map()));
  byProject.set(name, releases);
  return releases.map((release) => ({ version: release.version, files: [...release.files] }));
}

function groupReleases(pages: readonly ProjectPage[], name: string): Release[] {
  const seen = new Set<string>();
  // Files grouped by the version string of their names first: PEP 440 parsing and comparison then
  // run once per distinct version, not once per file pair in the sort.
  const byVersionString = new Map<string, IndexFile[]>();
  for (const page of pages) {
    for (const file of page.files) {
      if (seen.has(file.filename)) continue;
      seen.add(file.filename);
      const dist = parseDistFilename(file.filename, name);
      if (dist === undefined || dist.name !== name) continue;
      const files = byVersionString.get(dist.version);
      if (files !== undefined) files.push(file);
      else if (pep440Valid(dist.version) !== null) byVersionString.set(dist.version, [file]);
    }
  }
  const versions = [...byVersionString.keys()].sort((a, b) => pep440Compare(b, a));
  const releases: Release[] = [];
  for (const version of versions) {
    const files = byVersionString.get(version) as IndexFile[];
    const last = releases[releases.length - 1];
    if (last !== undefined && pep440Compare(last.version, version) === 0) last.files.push(...files);
    else releases.push({ version, files: [...files] });
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

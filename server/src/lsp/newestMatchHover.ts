/**
 * The hover of a range requirement with no lock behind it: the newest release on the index that
 * satisfies it (hover/newestMatch.ts) and whether its files carry provenance there, marked
 * "newest match, not locked". Looked up only when hovered, through the resolution service (its
 * page cache and HTTP cache, offline mode and index choice), and bounded in time: a slow index
 * leaves the line out rather than holding the hover. Nothing is pinned, so nothing is verified or
 * diagnosed from it.
 */
import type { Dependency } from '../core/model';
import { parseDistFilename, versionsEqual } from '../core/distFilename';
import { newestMatch } from '../hover/newestMatch';
import type { ResolutionServices } from '../resolution/resolutionServices';
import type { DocumentAnalysis } from './documentAnalyses';

const LOOKUP_BOUND_MS = 2_000;
/** Resolution asks for one version; the page comes with the answer whatever the version. A version no index has. */
const PAGE_ONLY_VERSION = '0.0.0.dev0+page';

export async function newestMatchLine(analysis: DocumentAnalysis, index: number, resolution: ResolutionServices): Promise<string | undefined> {
  const dependency = analysis.parsed.dependencies[index];
  if (!dependency || !isRange(dependency)) return undefined;
  const service = resolution.forSettings(analysis.settings);
  const lookup = service.resolve({ dependency: { ...dependency, pinnedVersion: PAGE_ONLY_VERSION }, settings: analysis.settings, documentOptions: analysis.parsed.options });
  const answer = await Promise.race([lookup, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), LOOKUP_BOUND_MS).unref?.())]);
  if (!answer) return undefined;
  const files = answer.pages.flatMap((page) => page.files);
  const version = newestMatch(files, dependency.name, dependency.specifier);
  if (version === undefined) return undefined;
  const release = files.filter((file) => !file.yanked && versionsEqual(parseDistFilename(file.filename, dependency.name)?.version ?? '', version));
  const attested = release.filter((file) => file.provenanceUrl !== undefined).length;
  const provenance = attested === 0 ? 'no file of it has provenance on the index' : `${attested} of ${release.length} files have provenance on the index`;
  return `Newest match, not locked: ${version} (${provenance}; pin or lock it to verify).`;
}

/** Not pinned, not locked, from an index. */
function isRange(dependency: Dependency): boolean {
  return dependency.pinnedVersion === undefined && dependency.url === undefined && !dependency.editable;
}

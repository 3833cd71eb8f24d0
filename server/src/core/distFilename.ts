/**
 * Distribution file names: wheels (binary distribution format spec), sdists (`.tar.gz`, `.zip`
 * and the legacy archive forms), eggs and bdist_wininst installers.
 *
 * Written by hand: the npm registry has no maintained parser of Python distribution file names
 * (packaging's `parse_wheel_filename`/`parse_sdist_filename` are Python). Versions are parsed
 * and compared with @renovatebot/pep440.
 */
import { eq as pep440Equal, valid as pep440Valid } from '@renovatebot/pep440';
import { normalizeName } from './names';

export type DistKind = 'wheel' | 'sdist' | 'egg' | 'wininst';

export interface DistFilename {
  kind: DistKind;
  /** PEP 503 normalized project name. */
  name: string;
  /** The name as it appears in the file name. */
  rawName: string;
  /** The version as it appears in the file name. */
  version: string;
  /** The archive extension, lower case: `.whl`, `.tar.gz`, `.zip`, `.egg`, `.exe`, … */
  extension: string;
  /** Wheel build tag: the leading number and the rest, which sort as a tuple. */
  build?: { number: number; suffix: string };
  /**
   * Wheel tags with the compressed sets expanded: every `python-abi-platform` triple, lower
   * case. Two wheels whose names list the same tags in another order have equal sets.
   */
  tags?: ReadonlySet<string>;
  /** Egg / wininst: the `pyX.Y` part, when present. */
  pythonTag?: string;
  /** Egg / wininst: the platform part, when present. */
  platform?: string;
}

/** Archive extensions pip accepts for source distributions (longest first so `.tar.gz` wins over `.gz`). */
const SDIST_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.lzma', '.tar.lz', '.tar.z', '.tar', '.tgz', '.tbz', '.txz', '.tlz', '.zip'];

const WHEEL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/;
// The lookahead keeps the number whole, so the digits are never traded with the suffix.
const BUILD_TAG = /^(\d+)(?!\d)(.*)$/;
const TAG_PART = /^[A-Za-z0-9_.+]+$/;

/** Whether versions are PEP 440, by version string: a large page spells each version in dozens of file names, and the parse is the costly part. */
const validVersions = new Map<string, boolean>();
const MAX_REMEMBERED_VERSIONS = 10_000;

function isPep440(version: string): boolean {
  let valid = validVersions.get(version);
  if (valid === undefined) {
    if (validVersions.size >= MAX_REMEMBERED_VERSIONS) validVersions.clear();
    valid = pep440Valid(version) !== null;
    validVersions.set(version, valid);
  }
  return valid;
}

/**
 * Parses a distribution file name. `projectName` (any spelling) helps split legacy sdist names
 * whose project part contains `-` (`python-dateutil-2.8.2.tar.gz`). Undefined when the name is
 * not a distribution file name this function knows, or its version is not a PEP 440 version
 * (wheels) — never throws.
 */
export function parseDistFilename(filename: string, projectName?: string): DistFilename | undefined {
  if (typeof filename !== 'string' || filename.length === 0 || filename.length > 1000 || /[\\/\0]/.test(filename)) return undefined;
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) return parseWheel(filename);
  if (lower.endsWith('.egg')) return parseEgg(filename, projectName);
  if (lower.endsWith('.exe') || lower.endsWith('.msi')) return parseWininst(filename, projectName);
  const extension = SDIST_EXTENSIONS.find((ext) => lower.endsWith(ext));
  if (extension === undefined) return undefined;
  const stem = filename.slice(0, filename.length - extension.length);
  const split = splitNameVersion(stem, projectName);
  if (!split) return undefined;
  return { kind: 'sdist', name: normalizeName(split.rawName), rawName: split.rawName, version: split.version, extension };
}

function parseWheel(filename: string): DistFilename | undefined {
  const parts = filename.slice(0, -'.whl'.length).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [rawName, version] = parts;
  if (!WHEEL_NAME.test(rawName) || !isPep440(version)) return undefined;
  let build: DistFilename['build'];
  if (parts.length === 6) {
    const match = BUILD_TAG.exec(parts[2]);
    if (!match) return undefined;
    build = { number: Number(match[1]), suffix: match[2] };
  }
  const [python, abi, platform] = parts.slice(-3).map((part) => part.toLowerCase().split('.'));
  const all = [...python, ...abi, ...platform];
  if (all.some((tag) => !TAG_PART.test(tag))) return undefined;
  const tags = new Set<string>();
  for (const p of python) for (const a of abi) for (const pl of platform) tags.add(`${p}-${a}-${pl}`);
  return { kind: 'wheel', name: normalizeName(rawName), rawName, version, extension: '.whl', build, tags };
}

/** `{name}-{version}(-py{X.Y}(-{platform})?)?.egg` (setuptools' egg naming). */
function parseEgg(filename: string, projectName?: string): DistFilename | undefined {
  const stem = filename.slice(0, -'.egg'.length);
  const match = /^(.*?)(?:-(py\d+(?:\.\d+)?)(?:-(.+))?)?$/.exec(stem);
  if (!match) return undefined;
  const split = splitNameVersion(match[1], projectName);
  if (!split) return undefined;
  return {
    kind: 'egg',
    name: normalizeName(split.rawName),
    rawName: split.rawName,
    version: split.version,
    extension: '.egg',
    pythonTag: match[2],
    platform: match[3],
  };
}

/** bdist_wininst / bdist_msi: `{name}-{version}.{platform}(-py{X.Y})?.exe`. */
function parseWininst(filename: string, projectName?: string): DistFilename | undefined {
  const extension = filename.slice(-4).toLowerCase();
  const stem = filename.slice(0, -4);
  const match = /^(.*)\.(win32|win-amd64|win-arm64|win_amd64)(?:-(py\d+(?:\.\d+)?))?$/i.exec(stem);
  if (!match) return undefined;
  const split = splitNameVersion(match[1], projectName);
  if (!split) return undefined;
  return {
    kind: 'wininst',
    name: normalizeName(split.rawName),
    rawName: split.rawName,
    version: split.version,
    extension,
    platform: match[2].toLowerCase(),
    pythonTag: match[3],
  };
}

/**
 * Splits `name-version`. With a project name, the prefix must normalize to it (as pip does for
 * legacy sdists); otherwise the leftmost `-` after which a valid PEP 440 version follows.
 */
function splitNameVersion(stem: string, projectName?: string): { rawName: string; version: string } | undefined {
  const dashes: number[] = [];
  for (let i = 1; i < stem.length - 1; i++) if (stem[i] === '-') dashes.push(i);
  if (projectName !== undefined) {
    const wanted = normalizeName(projectName);
    for (const i of dashes) {
      if (normalizeName(stem.slice(0, i)) === wanted) {
        const version = stem.slice(i + 1);
        if (version.length > 0) return { rawName: stem.slice(0, i), version };
      }
    }
  }
  for (const i of dashes) {
    const version = stem.slice(i + 1);
    if (isPep440(version) && !/^v/i.test(version)) return { rawName: stem.slice(0, i), version };
  }
  return undefined;
}

/**
 * PEP 440 equality of two versions (`1.0` == `1.0.0`, `1.0RC1` == `1.0rc1`); versions that are
 * not PEP 440 compare as case-insensitive strings, as `===` does.
 */
export function versionsEqual(a: string, b: string): boolean {
  const trimmedA = a.trim();
  const trimmedB = b.trim();
  if (pep440Valid(trimmedA) !== null && pep440Valid(trimmedB) !== null) {
    try {
      return pep440Equal(trimmedA, trimmedB);
    } catch {
      // fall through to the string comparison
    }
  }
  return trimmedA.toLowerCase() === trimmedB.toLowerCase();
}

/**
 * Whether two parsed names denote the same distribution file: same kind and archive extension,
 * normalized name, PEP 440-equal version, build tag and wheel tag set (not a string compare).
 */
export function sameDistribution(a: DistFilename, b: DistFilename): boolean {
  if (a.kind !== b.kind || a.extension !== b.extension || a.name !== b.name) return false;
  if (!versionsEqual(a.version, b.version)) return false;
  if ((a.build === undefined) !== (b.build === undefined)) return false;
  if (a.build && b.build && (a.build.number !== b.build.number || a.build.suffix !== b.build.suffix)) return false;
  if ((a.pythonTag ?? '').toLowerCase() !== (b.pythonTag ?? '').toLowerCase()) return false;
  if ((a.platform ?? '').toLowerCase() !== (b.platform ?? '').toLowerCase()) return false;
  const tagsA = a.tags ?? new Set<string>();
  const tagsB = b.tags ?? new Set<string>();
  if (tagsA.size !== tagsB.size) return false;
  for (const tag of tagsA) if (!tagsB.has(tag)) return false;
  return true;
}

/** Convenience: parses both names and compares them; false when either does not parse. */
export function sameDistributionName(a: string, b: string): boolean {
  const parsedA = parseDistFilename(a);
  const parsedB = parseDistFilename(b);
  return parsedA !== undefined && parsedB !== undefined && sameDistribution(parsedA, parsedB);
}

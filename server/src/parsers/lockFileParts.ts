/**
 * What the lock file readers (pylock.toml, uv.lock, poetry.lock) check the same way: package
 * names, hash digests, and the file name at the end of a URL or path.
 */
import { withoutQueryOrFragment } from '../core/format';
import { valid as validVersion } from '@renovatebot/pep440';
import type { Dependency, HashPin } from '../core/model';
import { normalizeName } from '../core/names';
import { isValidName } from './pep508';
import { shown, wholeStringSpan, type ElementWanted, type TomlArray, type TomlEntry, type TomlProblems, type TomlString, type TomlTable } from './toml';

/** Hex digest lengths of the algorithms pip and PyPI use; others are not length-checked. */
/** A Map: the algorithm names are the document's, and `constructor` must not find Object's. */
const DIGEST_LENGTH: ReadonlyMap<string, number> = new Map([['md5', 32], ['sha1', 40], ['sha224', 56], ['sha256', 64], ['sha384', 96], ['sha512', 128]]);

/**
 * A package table's required `name` as the start of its dependency (ranges on the name's
 * inside), with the label messages use for it; undefined when there is no usable name.
 */
export function readLockedPackageName(
  text: string,
  problems: TomlProblems,
  table: TomlTable,
  section: string,
): { dependency: Dependency; label: string } | undefined {
  const name = problems.string(problems.required(table, 'name', 'a package'), 'a package `name`');
  if (name === undefined) return undefined;
  const nameRange = problems.range(wholeStringSpan(text, name));
  if (!isValidName(name.value)) problems.add(`\`${shown(name.value)}\` is not a valid package name`, name);
  const dependency: Dependency = {
    name: normalizeName(name.value),
    rawName: name.value,
    extras: [],
    specifier: '',
    hashes: [],
    ranges: { requirement: nameRange, name: nameRange },
    section,
  };
  return { dependency, label: `package \`${shown(name.value)}\`` };
}

/**
 * A package's `version` (required or not, as `entry` was looked up): its range goes on the
 * dependency, and a value that is not a PEP 440 version is a problem. Pinning is the caller's
 * decision, which depends on where the package comes from.
 */
export function readLockedVersion(text: string, problems: TomlProblems, entry: TomlEntry | undefined, label: string, dependency: Dependency): TomlString | undefined {
  const version = problems.string(entry, `the \`version\` of ${label}`);
  if (version === undefined) return undefined;
  dependency.ranges.version = problems.range(wholeStringSpan(text, version));
  if (validVersion(version.value) === null) problems.add(`\`${shown(version.value)}\` is not a valid PEP 440 version`, version);
  return version;
}

/**
 * The tables of an array (`[[package]]`, `wheels = [{…}]`), in order; a problem at each item that
 * is not one, when the walk reaches it (so problems stay in document order).
 */
export function* tableItems(problems: TomlProblems, array: TomlArray | undefined, what: string): Generator<TomlTable> {
  for (const item of array?.items ?? []) {
    if (item.kind === 'table') yield item;
    else problems.wrongType(item, what, 'a table');
  }
}

/**
 * Every `[[package]]` table of a lock read into `into` (a package without a usable name is left
 * out; an item that is no table is a problem). Before each it yields which it wants, so a large
 * lock can be read in slices while it is scanned (readTomlDocumentInSteps).
 */
export function* readPackageTables(problems: TomlProblems, packages: TomlArray | undefined, what: string, read: (table: TomlTable) => Dependency | undefined, into: Dependency[]): Generator<ElementWanted, void> {
  if (packages === undefined) return;
  for (let index = 0; ; index++) {
    yield { array: packages, index };
    const item = packages.items[index];
    if (item === undefined) return;
    if (item.kind !== 'table') {
      problems.wrongType(item, what, 'a table');
      continue;
    }
    const dependency = read(item);
    if (dependency !== undefined) into.push(dependency);
  }
}

/** Several markers as one: the package applies where any of them holds. */
export function anyOfMarkers(markers: readonly string[]): string | undefined {
  if (markers.length <= 1) return markers[0];
  return markers.map((marker) => `(${marker})`).join(' or ');
}

/** A file's `size`: a non-negative integer, or a problem at the value. */
export function readFileSize(problems: TomlProblems, entry: TomlEntry | undefined, what: string): number | undefined {
  if (entry === undefined) return undefined;
  if (entry.value.kind === 'integer' && entry.value.value >= 0) return entry.value.value;
  problems.wrongType(entry.value, `the \`size\` of ${what}`, 'a non-negative integer');
  return undefined;
}

/** Why `hex` is not a digest of `algorithm`, or undefined when it can be one. */
export function digestProblem(algorithm: string, hex: string, what: string): string | undefined {
  if (!/^[0-9a-f]+$/i.test(hex)) return `${what} must be hexadecimal`;
  const expected = DIGEST_LENGTH.get(algorithm.toLowerCase());
  if (expected !== undefined && hex.length !== expected) return `${what} must be ${expected} hex digits, not ${hex.length}`;
  return undefined;
}

/**
 * A `hash = "sha256:…"` value (uv.lock, poetry.lock) as a pin whose range is the string's inside;
 * a problem at the value when it is not `algorithm:hex`.
 */
export function readPrefixedHash(text: string, problems: TomlProblems, value: TomlString, what: string): HashPin | undefined {
  const colon = value.value.indexOf(':');
  if (colon <= 0) {
    problems.add(`${what} must look like sha256:<hex digits>, not "${shown(value.value)}"`, value);
    return undefined;
  }
  const algorithm = value.value.slice(0, colon).toLowerCase();
  const hex = value.value.slice(colon + 1).toLowerCase();
  const problem = digestProblem(algorithm, hex, what);
  if (problem !== undefined) problems.add(problem, value);
  return { algorithm, hex, range: problems.range(wholeStringSpan(text, value)) };
}

/** The `hash` key of a uv.lock or poetry.lock file entry, as its list of pins (empty when absent or unusable). */
export function readHashKey(text: string, problems: TomlProblems, table: TomlTable, what: string): HashPin[] {
  const hash = problems.string(table.entries.get('hash'), `the \`hash\` of ${what}`);
  const pin = hash === undefined ? undefined : readPrefixedHash(text, problems, hash, `the \`hash\` of ${what}`);
  return pin === undefined ? [] : [pin];
}

export function lastPathSegment(path: string | undefined): string | undefined {
  return path?.split(/[\\/]/).pop() || undefined;
}

/** The URL's last path segment, percent-decoded when that is valid percent-encoding. */
export function lastUrlSegment(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const path = withoutQueryOrFragment(url);
  const segment = path.slice(path.lastIndexOf('/') + 1);
  if (!segment) return undefined;
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A lock's file is a wheel when its name says so; everything else an installer builds is an sdist. */
export function fileKindOf(filename: string | undefined): 'sdist' | 'wheel' {
  return filename?.toLowerCase().endsWith('.whl') ? 'wheel' : 'sdist';
}

/**
 * uv.lock → the dependency model: one Dependency per `[[package]]`, with the sdist and wheels
 * it locks and their hashes. A package whose `source` is a registry URL comes from that index
 * (`indexUrl`, used only in a trusted workspace, as pylock `index`) and is pinned to its
 * `version`; a package from git, a URL, a path, a directory, an editable or virtual project, or
 * a registry that is a local folder, is not from an index and is reported like a URL
 * requirement (`url`), never as an error.
 *
 * The format is uv's (version 1, revisions 1–3): `resolution-markers` of a package become its
 * `marker`; `[manifest]`, `[options]`, dependency lists and `metadata` are uv's resolution
 * inputs and are not read. Wrong types in what is read become `syntax` problems at the value.
 * Never throws.
 */
import type { Dependency, LockedFile, ParsedDocument } from '../core/model';
import { anyOfMarkers, lastPathSegment, lastUrlSegment, readFileSize, readHashKey, readLockedPackageName, readLockedVersion, readPackageTables, tableItems } from './lockFileParts';
import { readTomlDocument, type TomlEntry, type TomlProblems, type TomlString, type TomlTable, type ElementWanted, type TomlFormat } from './toml';

/** The lock `version` this reader understands; uv itself refuses to read another. */
const SUPPORTED_VERSION = 1;
/** The keys of `source` that say where a package comes from (exactly one is present). */
const SOURCE_KINDS = ['registry', 'git', 'url', 'path', 'directory', 'editable', 'virtual'] as const;
type SourceKind = (typeof SOURCE_KINDS)[number];

/** uv.lock: its reader, a package at a time (see readTomlDocumentInSteps). */
export const UV_LOCK: TomlFormat = {
  format: 'uvlock',
  fileName: 'uv.lock',
  read: (root, problems, document) => new UvLockReader(problems.text, problems, document).read(root),
  streamed: 'package',
  lock: true,
};

export function parseUvLock(text: string): ParsedDocument {
  return readTomlDocument(UV_LOCK, text);
}

interface PackageSource {
  kind: SourceKind;
  value: TomlString;
}

class UvLockReader {
  constructor(
    private readonly text: string,
    private readonly problems: TomlProblems,
    private readonly document: ParsedDocument,
  ) {}

  *read(root: TomlTable): Generator<ElementWanted, void> {
    const problems = this.problems;
    const lock: NonNullable<ParsedDocument['lock']> = (this.document.lock ??= {});
    const version = problems.required(root, 'version', 'the lock file');
    if (version !== undefined) {
      if (version.value.kind !== 'integer') {
        problems.wrongType(version.value, '`version`', 'an integer');
      } else {
        lock.lockVersion = String(version.value.value);
        if (version.value.value !== SUPPORTED_VERSION) {
          // uv refuses another version too: its packages may mean something else.
          problems.add(`\`version\` ${version.value.value} is not supported (this tool reads uv.lock version ${SUPPORTED_VERSION}); packages were not read`, version.value);
          return;
        }
      }
    }
    const revision = root.entries.get('revision');
    if (revision !== undefined) {
      if (revision.value.kind === 'integer' && revision.value.value >= 0) lock.revision = revision.value.value;
      else problems.wrongType(revision.value, '`revision`', 'a non-negative integer');
    }
    const requiresPython = problems.string(root.entries.get('requires-python'), '`requires-python`');
    if (requiresPython !== undefined) lock.requiresPython = requiresPython.value;
    this.markers(root.entries.get('resolution-markers'), 'the lock file');

    const packages = problems.array(root.entries.get('package'), '`package`');
    yield* readPackageTables(problems, packages, 'an entry of `package`', (table) => this.readPackage(table), this.document.dependencies);
  }

  private readPackage(table: TomlTable): Dependency | undefined {
    const problems = this.problems;
    const named = readLockedPackageName(this.text, problems, table, 'package');
    if (named === undefined) return undefined;
    const { dependency, label } = named;

    const version = readLockedVersion(this.text, problems, table.entries.get('version'), label, dependency);
    const marker = anyOfMarkers(this.markers(table.entries.get('resolution-markers'), label));
    if (marker !== undefined) dependency.marker = marker;

    const source = this.readSource(table, label);
    if (source?.kind === 'registry' && isIndexUrl(source.value.value)) {
      dependency.indexUrl = source.value.value;
      if (version !== undefined) dependency.pinnedVersion = version.value;
      else problems.add(`${label} comes from a registry, so it needs a \`version\``, table.header);
    } else if (source !== undefined) {
      // A registry that is a local folder of files (find-links) is no index either.
      dependency.url = source.kind === 'git' ? `git+${source.value.value}` : source.value.value;
      if (source.kind === 'editable') dependency.editable = true;
    }

    const files: LockedFile[] = [];
    const sdist = problems.table(table.entries.get('sdist'), `the \`sdist\` of ${label}`);
    const sourceUrl = source?.kind === 'url' ? source.value.value : undefined;
    if (sdist !== undefined) files.push(this.readFile(sdist, `the sdist of ${label}`, 'sdist', sourceUrl));
    const wheels = problems.array(table.entries.get('wheels'), `the \`wheels\` of ${label}`);
    for (const wheel of tableItems(problems, wheels, `an entry of the \`wheels\` of ${label}`)) {
      files.push(this.readFile(wheel, `a wheel of ${label}`, 'wheel', sourceUrl));
    }
    dependency.files = files;
    return dependency;
  }

  /** `source = { registry = "…" }` and its kin; undefined (with a problem) when it says nothing usable. */
  private readSource(table: TomlTable, label: string): PackageSource | undefined {
    const problems = this.problems;
    const what = `the \`source\` of ${label}`;
    const source = problems.table(problems.required(table, 'source', label), what);
    if (source === undefined) return undefined;
    const kinds = [...source.entries.values()].filter((entry) => (SOURCE_KINDS as readonly string[]).includes(entry.key));
    if (kinds.length === 0) {
      problems.add(`${what} must name one of ${SOURCE_KINDS.map((kind) => `\`${kind}\``).join(', ')}`, source.header);
      return undefined;
    }
    if (kinds.length > 1) {
      problems.add(`${what} names both \`${kinds[0].key}\` and \`${kinds[1].key}\`; it can only have one`, kinds[1].keySpan);
      return undefined;
    }
    const value = problems.string(kinds[0], `\`${kinds[0].key}\` in ${what}`);
    return value === undefined ? undefined : { kind: kinds[0].key as SourceKind, value };
  }

  /** An sdist or a wheel: `url` or `path` (or a wheel's `filename`), `hash`, `size`, `upload-time`. */
  private readFile(table: TomlTable, what: string, role: 'sdist' | 'wheel', sourceUrl: string | undefined): LockedFile {
    const problems = this.problems;
    const url = problems.string(table.entries.get('url'), `the \`url\` of ${what}`);
    const path = problems.string(table.entries.get('path'), `the \`path\` of ${what}`);
    const name = role === 'wheel' ? problems.string(table.entries.get('filename'), `the \`filename\` of ${what}`) : undefined;
    // A package from a direct URL records only the hash of the file that URL names.
    const filename = name?.value ?? lastPathSegment(path?.value) ?? lastUrlSegment(url?.value) ?? lastUrlSegment(sourceUrl);
    const file: LockedFile = { kind: role, hashes: readHashKey(this.text, problems, table, what), range: problems.range(table) };
    if (filename !== undefined) file.filename = filename;
    if (url !== undefined) file.url = url.value;
    if (path !== undefined) file.path = path.value;
    const size = readFileSize(problems, table.entries.get('size'), what);
    if (size !== undefined) file.size = size;
    const uploadTime = this.readUploadTime(table.entries.get('upload-time'), what);
    if (uploadTime !== undefined) file.uploadTime = uploadTime;
    return file;
  }

  /** uv writes `upload-time` as an RFC 3339 string; a TOML date-time with an offset is read too. */
  private readUploadTime(entry: TomlEntry | undefined, what: string): string | undefined {
    if (entry === undefined) return undefined;
    const value = entry.value;
    if (value.kind === 'datetime' && value.dateTimeKind === 'offset-date-time') return value.text;
    if (value.kind === 'string' && RFC3339.test(value.value)) return value.value;
    this.problems.wrongType(value, `the \`upload-time\` of ${what}`, 'a date and time in UTC (like "2025-01-01T00:00:00Z")');
    return undefined;
  }

  /** `resolution-markers`: an array of marker strings. */
  private markers(entry: TomlEntry | undefined, owner: string): string[] {
    const array = this.problems.array(entry, `the \`resolution-markers\` of ${owner}`);
    if (array === undefined) return [];
    return this.problems.strings(array, `the \`resolution-markers\` of ${owner}`).map((marker) => marker.value);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A registry given as a URL is an index; one given as a path is a local folder of files. */
function isIndexUrl(registry: string): boolean {
  return /^https?:\/\//i.test(registry);
}

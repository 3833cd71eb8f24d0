/**
 * pylock.toml (PEP 751) → the dependency model: one Dependency per `[[packages]]` entry, with
 * the sdist/wheel/archive files it locks and their hashes (what verification checks later),
 * and its recorded `attestation-identities`. Spec violations become `syntax` problems at the
 * offending key or value. Never throws.
 */
import { type AttestationIdentity, type Dependency, type HashPin, type LockedFile, type ParsedDocument } from '../core/model';
import { digestProblem, fileKindOf, lastPathSegment, lastUrlSegment, readFileSize, readLockedPackageName, readLockedVersion, readPackageTables, tableItems } from './lockFileParts';
import { readTomlDocument, wholeStringSpan, shown, TomlProblems, type TomlEntry, type TomlTable, type TomlValue, type ElementWanted, type TomlFormat } from './toml';

/** The lock-version major this reader understands (PEP 751: a tool MUST error on another major). */
const SUPPORTED_MAJOR = 1;
const SOURCE_KEYS = ['vcs', 'directory', 'archive', 'sdist', 'wheels'] as const;
/** Sources that describe the whole package on their own (no sdist/wheels next to them). */
const EXCLUSIVE_SOURCES = new Set(['vcs', 'directory', 'archive']);

/** pylock.toml: its reader, a package at a time (see readTomlDocumentInSteps). */
export const PYLOCK: TomlFormat = {
  format: 'pylock',
  fileName: 'pylock.toml',
  read: (root, problems, document) => new LockReader(problems.text, problems, document).read(root),
  streamed: 'packages',
  lock: true,
};

export function parsePylock(text: string): ParsedDocument {
  return readTomlDocument(PYLOCK, text);
}

class LockReader {
  constructor(
    private readonly text: string,
    private readonly problems: TomlProblems,
    private readonly document: ParsedDocument,
  ) {}

  *read(root: TomlTable): Generator<ElementWanted, void> {
    const problems = this.problems;
    const lock: NonNullable<ParsedDocument['lock']> = (this.document.lock ??= {});
    const version = problems.string(problems.required(root, 'lock-version', 'the lock file'), '`lock-version`');
    if (version !== undefined) {
      lock.lockVersion = version.value;
      const match = /^(\d+)\.(\d+)$/.exec(version.value);
      if (match === null) {
        problems.add(`\`lock-version\` must be a version like "1.0", not "${shown(version.value)}"`, version);
      } else if (Number(match[1]) !== SUPPORTED_MAJOR) {
        // Another major may mean anything: reading its packages as 1.x could mislead.
        problems.add(`\`lock-version\` ${version.value} is not supported (this tool reads ${SUPPORTED_MAJOR}.x); packages were not read`, version);
        return;
      }
    }
    const createdBy = problems.string(problems.required(root, 'created-by', 'the lock file'), '`created-by`');
    if (createdBy !== undefined) lock.createdBy = createdBy.value;

    const packages = problems.array(problems.required(root, 'packages', 'the lock file'), '`packages`');
    yield* readPackageTables(problems, packages, 'an entry of `packages`', (table) => this.readPackage(table), this.document.dependencies);
  }

  private readPackage(table: TomlTable): Dependency | undefined {
    const problems = this.problems;
    const named = readLockedPackageName(this.text, problems, table, 'packages');
    if (named === undefined) return undefined;
    const { dependency, label } = named;

    const sources = this.checkSources(table, label);
    const fromSourceTree = sources.has('vcs') || sources.has('directory');
    const version = readLockedVersion(this.text, problems, table.entries.get('version'), label, dependency);
    if (version !== undefined) {
      if (fromSourceTree) {
        problems.add(`${label} is built from a source tree, so it must not have a \`version\``, version);
      } else if (!sources.has('archive')) {
        // A version identifies index files only for sdists and wheels; an archive is a direct URL.
        dependency.pinnedVersion = version.value;
      }
    }
    const marker = problems.string(table.entries.get('marker'), `the \`marker\` of ${label}`);
    if (marker !== undefined) dependency.marker = marker.value;
    const index = problems.string(table.entries.get('index'), `the \`index\` of ${label}`);
    if (index !== undefined) dependency.indexUrl = index.value;

    const files: LockedFile[] = [];
    const sdist = problems.table(table.entries.get('sdist'), `the \`sdist\` of ${label}`);
    if (sdist !== undefined) files.push(this.readFile(sdist, 'sdist', `the sdist of ${label}`));
    const wheels = problems.array(table.entries.get('wheels'), `the \`wheels\` of ${label}`);
    for (const wheel of tableItems(problems, wheels, `an entry of the \`wheels\` of ${label}`)) files.push(this.readFile(wheel, 'wheel', `a wheel of ${label}`));
    const archive = problems.table(table.entries.get('archive'), `the \`archive\` of ${label}`);
    if (archive !== undefined) {
      const file = this.readFile(archive, 'archive', `the archive of ${label}`);
      files.push(file);
      dependency.url = file.url ?? file.path;
    }
    const vcs = problems.table(table.entries.get('vcs'), `the \`vcs\` of ${label}`);
    if (vcs !== undefined) dependency.url = this.readVcs(vcs, label);
    const directory = problems.table(table.entries.get('directory'), `the \`directory\` of ${label}`);
    if (directory !== undefined) dependency.url = this.readDirectory(directory, label);
    if (dependency.url === undefined) delete dependency.url;

    // The hashes stay with their files (Dependency.hashes is for requirement-level pins), so
    // nothing that reads both counts a pylock hash twice.
    dependency.files = files;
    const identities = this.readIdentities(table.entries.get('attestation-identities'), label);
    if (identities !== undefined) dependency.attestationIdentities = identities;
    return dependency;
  }

  /** The source keys present; a problem for a missing source or an exclusive one combined with another. */
  private checkSources(table: TomlTable, label: string): Set<string> {
    const present = [...table.entries.values()].filter((entry) => (SOURCE_KEYS as readonly string[]).includes(entry.key));
    for (let i = 1; i < present.length; i++) {
      const clash = present.slice(0, i).find((before) => EXCLUSIVE_SOURCES.has(before.key) || EXCLUSIVE_SOURCES.has(present[i].key));
      if (clash !== undefined) this.problems.add(`\`${present[i].key}\` cannot be combined with \`${clash.key}\` in ${label}`, present[i].keySpan);
    }
    if (present.length === 0) {
      this.problems.add(`${label} has no source: it needs \`sdist\`, \`wheels\`, \`archive\`, \`vcs\` or \`directory\``, table.header);
    }
    return new Set(present.map((entry) => entry.key));
  }

  /** An sdist, a wheel or an archive. */
  private readFile(table: TomlTable, role: 'sdist' | 'wheel' | 'archive', what: string): LockedFile {
    const problems = this.problems;
    const name = problems.string(table.entries.get('name'), `the \`name\` of ${what}`);
    const url = problems.string(table.entries.get('url'), `the \`url\` of ${what}`);
    const path = problems.string(table.entries.get('path'), `the \`path\` of ${what}`);
    if (!table.entries.has('url') && !table.entries.has('path')) {
      problems.add(`${what} needs a \`url\` or a \`path\``, table.header);
    }
    // PEP 751: `name` wins, then the file name in `path`, then the one in `url`.
    const filename = name?.value ?? lastPathSegment(path?.value) ?? lastUrlSegment(url?.value);
    const hashes = this.readHashes(table, what);
    const file: LockedFile = {
      kind: role === 'archive' ? fileKindOf(filename) : role,
      hashes,
      range: problems.range(table),
    };
    if (filename !== undefined) file.filename = filename;
    if (url !== undefined) file.url = url.value;
    if (path !== undefined) file.path = path.value;
    if (role === 'wheel' && filename !== undefined && !filename.toLowerCase().endsWith('.whl')) {
      const source = name ?? path ?? url;
      if (source !== undefined) problems.add(`wheel file name \`${shown(filename)}\` does not end in .whl`, source);
    }
    const uploadTime = this.readUploadTime(table.entries.get('upload-time'), what);
    if (uploadTime !== undefined) file.uploadTime = uploadTime;
    const size = readFileSize(problems, table.entries.get('size'), what);
    if (size !== undefined) file.size = size;
    return file;
  }

  private readUploadTime(entry: TomlEntry | undefined, what: string): string | undefined {
    if (entry === undefined) return undefined;
    const value = entry.value;
    if (value.kind === 'datetime' && value.dateTimeKind === 'offset-date-time') return value.text;
    // PEP 751: "The date and time MUST be recorded in UTC", as a TOML date-time, not a string.
    this.problems.wrongType(value, `the \`upload-time\` of ${what}`, 'a date-time with a UTC offset (like 2025-01-01T00:00:00Z)');
    return undefined;
  }

  private readHashes(table: TomlTable, what: string): HashPin[] {
    const problems = this.problems;
    const hashes = problems.table(problems.required(table, 'hashes', what), `the \`hashes\` of ${what}`);
    if (hashes === undefined) return [];
    if (hashes.entries.size === 0) {
      problems.add(`the \`hashes\` of ${what} must list at least one hash`, hashes);
      return [];
    }
    const pins: HashPin[] = [];
    for (const [algorithm, entry] of hashes.entries) {
      const value = problems.string(entry, `the ${algorithm} hash of ${what}`);
      if (value === undefined) continue;
      const hex = value.value.toLowerCase();
      const problem = digestProblem(algorithm, hex, `the ${algorithm} hash of ${what}`);
      if (problem !== undefined) problems.add(problem, value);
      pins.push({ algorithm: algorithm.toLowerCase(), hex, range: problems.range(wholeStringSpan(this.text, value)) });
    }
    return pins;
  }

  private readVcs(table: TomlTable, label: string): string | undefined {
    const problems = this.problems;
    const what = `the \`vcs\` of ${label}`;
    problems.string(problems.required(table, 'type', what), `the \`type\` of ${what}`);
    problems.string(problems.required(table, 'commit-id', what), `the \`commit-id\` of ${what}`);
    const url = problems.string(table.entries.get('url'), `the \`url\` of ${what}`);
    const path = problems.string(table.entries.get('path'), `the \`path\` of ${what}`);
    if (!table.entries.has('url') && !table.entries.has('path')) problems.add(`${what} needs a \`url\` or a \`path\``, table.header);
    return url?.value ?? path?.value;
  }

  private readDirectory(table: TomlTable, label: string): string | undefined {
    const problems = this.problems;
    const what = `the \`directory\` of ${label}`;
    const path = problems.string(problems.required(table, 'path', what), `the \`path\` of ${what}`);
    const editable = table.entries.get('editable');
    if (editable !== undefined && editable.value.kind !== 'boolean') problems.wrongType(editable.value, `\`editable\` in ${what}`, 'a boolean');
    return path?.value;
  }

  private readIdentities(entry: TomlEntry | undefined, label: string): AttestationIdentity[] | undefined {
    const problems = this.problems;
    const array = problems.array(entry, `the \`attestation-identities\` of ${label}`);
    if (array === undefined) return undefined;
    const identities: AttestationIdentity[] = [];
    for (const item of array.items) {
      if (item.kind !== 'table') {
        problems.wrongType(item, `an attestation identity of ${label}`, 'a table');
        continue;
      }
      const what = `an attestation identity of ${label}`;
      const kind = problems.string(problems.required(item, 'kind', what), `the \`kind\` of ${what}`);
      if (kind === undefined) continue;
      const fields: Record<string, string> = {};
      for (const [key, field] of item.entries) {
        if (key === 'kind') continue;
        const text = scalarText(field.value);
        if (text === undefined) problems.wrongType(field.value, `\`${shown(key)}\` of ${what}`, 'a string');
        else Object.defineProperty(fields, key, { value: text, enumerable: true, writable: true, configurable: true }); // a key named __proto__ must not vanish
      }
      identities.push({ kind: kind.value, fields, range: problems.range(item) });
    }
    return identities;
  }
}

/** Publisher fields are strings in PEP 740; a scalar of another type is kept as its text. */
function scalarText(value: TomlValue): string | undefined {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'integer':
    case 'float':
    case 'boolean':
      return String(value.value);
    case 'datetime':
      return value.text;
    default:
      return undefined;
  }
}

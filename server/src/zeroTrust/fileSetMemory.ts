/**
 * File-set memory (issue 11 item 1): per (index, project, version) the files of the release when
 * first seen (filename → sha256, upload time). Later answers are compared with it: a file that
 * appeared or disappeared is `release-changed`, a filename now served with another sha256 is
 * `file-replaced`. "Files don't change, but releases can" — as Go's sumdb remembers module hashes.
 *
 * Trust state, not cache: it lives in its own subdirectory of `cacheDirectory`
 * (FILE_SET_SUBDIRECTORY), which Clear Cache keeps, as signed entries: lines of one journal that
 * every process appends to (signedJournal.ts: of two racing writers one records and the other
 * reads the winner; a line is believed only with this user's MAC); a corrupt or forged line is
 * skipped and the release is seen afresh. Entry files of earlier versions are still read.
 */
import type { CacheKeySource } from '../core/cacheKey';
import type { Finding } from '../core/finding';
import type { Range } from '../core/model';
import { normalizeName } from '../core/names';
import { redactUrl } from '../index/redact';
import { shown } from './messages';
import { isObject, messageOf, type EntryCodec } from './signedEntries';
import { createSignedJournal } from './signedJournal';
import { normalizeIndexUrl } from './trustStore';

export const FILE_SET_SUBDIRECTORY = 'release-files-v1';

export interface RememberedFile {
  sha256: string;
  uploadTime?: string;
}

export interface RememberedRelease {
  index: string;
  project: string;
  version: string;
  /** When the release was first seen, ISO 8601 (this machine's clock). */
  firstSeen: string;
  files: Record<string, RememberedFile>;
}

export interface FileSetObservation {
  /** True when this call recorded the release (nothing was remembered). */
  firstUse: boolean;
  remembered: RememberedRelease;
}

export interface FileSetMemory {
  /** Records the release's files unless remembered; returns what is remembered. Never throws. */
  observe(index: string, project: string, version: string, files: readonly { filename: string; sha256?: string; uploadTime?: string }[]): Promise<FileSetObservation>;
  /** How many releases are remembered (on disk and in memory). Never throws. */
  count(): Promise<number>;
  /** Forgets every remembered release, on disk and in memory; answers how many there were. Never throws. */
  forget(): Promise<number>;
}

export interface FileSetMemoryOptions {
  cacheDirectory?: string;
  key?: CacheKeySource;
  log?: (message: string) => void;
  now?: () => number;
}

export function createFileSetMemory(options: FileSetMemoryOptions = {}): FileSetMemory {
  const now = options.now ?? Date.now;
  // A journal, not a file per entry: a release is added for every dependency first seen, and never replaced.
  const disk = createSignedJournal(
    { cacheDirectory: options.cacheDirectory, subdirectory: FILE_SET_SUBDIRECTORY, maxBytes: 4 * 1024 * 1024, key: options.key, log: options.log, kept: 'release file sets', entryWords: 'a release file-set entry' },
    FILE_SET_CODEC,
  );
  const memory = new Map<string, RememberedRelease>();
  const entryKey = FILE_SET_CODEC.nameOf;

  return {
    count: () => disk.count(memory.keys()),

    async forget() {
      const counted = await disk.count(memory.keys());
      memory.clear();
      await disk.forget();
      return counted;
    },

    async observe(rawIndex, rawProject, version, files) {
      const entry: RememberedRelease = {
        index: normalizeIndexUrl(rawIndex),
        project: normalizeName(rawProject),
        version,
        firstSeen: new Date(now()).toISOString(),
        files: fileMap(files),
      };
      const key = entryKey(entry);
      const held = memory.get(key);
      if (held) return { firstUse: false, remembered: held };
      try {
        const first = await disk.recordFirst(entry);
        if (first?.existing) return { firstUse: false, remembered: first.existing };
        if (first?.recorded) return { firstUse: true, remembered: entry };
      } catch (error) {
        disk.unusable(`the release file-set journal cannot be used (${messageOf(error)})`);
      }
      memory.set(key, entry);
      return { firstUse: true, remembered: entry };
    },
  };
}

/** Files with a sha256 only (a file without one cannot be compared); no prototype. */
function fileMap(files: readonly { filename: string; sha256?: string; uploadTime?: string }[]): Record<string, RememberedFile> {
  const map: Record<string, RememberedFile> = Object.create(null) as Record<string, RememberedFile>;
  for (const file of [...files].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0))) {
    if (typeof file.sha256 !== 'string' || file.sha256 === '') continue;
    map[file.filename] = { sha256: file.sha256.toLowerCase(), ...(file.uploadTime !== undefined ? { uploadTime: file.uploadTime } : {}) };
  }
  return map;
}

/** v1 entries: `{ v: 1, index, project, version, firstSeen, files, mac }`. */
const FILE_SET_CODEC: EntryCodec<RememberedRelease> = {
  nameOf: (entry) => `${entry.index}\n${entry.project}\n${entry.version}`,
  fields: (entry) => ({ v: 1, ...entry, files: { ...entry.files } }),
  content: (entry) => JSON.stringify([entry.firstSeen, Object.entries(entry.files).map(([name, file]) => [name, file.sha256, file.uploadTime ?? null])]),
  parse(data) {
    if (data.v !== 1 || typeof data.index !== 'string' || typeof data.project !== 'string' || typeof data.version !== 'string') return undefined;
    if (typeof data.firstSeen !== 'string' || !isObject(data.files)) return undefined;
    const files: Record<string, RememberedFile> = Object.create(null) as Record<string, RememberedFile>;
    for (const [name, file] of Object.entries(data.files)) {
      if (!isObject(file) || typeof file.sha256 !== 'string') return undefined;
      if (file.uploadTime !== undefined && typeof file.uploadTime !== 'string') return undefined;
      files[name] = { sha256: file.sha256, ...(typeof file.uploadTime === 'string' ? { uploadTime: file.uploadTime } : {}) };
    }
    return { index: data.index, project: data.project, version: data.version, firstSeen: data.firstSeen, files };
  },
  discarded(name) {
    const [index, project, version] = name.split('\n');
    return `discarding the remembered files of ${shown(`${project} ${version}`)} on ${shown(redactUrl(index))}: the entry is corrupt or not authenticated by this user's key`;
  },
};

export interface FileSetChange {
  added: { filename: string; uploadTime?: string }[];
  removed: { filename: string; uploadTime?: string }[];
  replaced: { filename: string; was: string; now: string; uploadTime?: string }[];
}

/** How the files served now differ from the remembered ones. */
export function compareFileSets(remembered: RememberedRelease, current: readonly { filename: string; sha256?: string; uploadTime?: string }[]): FileSetChange {
  const now = fileMap(current);
  const change: FileSetChange = { added: [], removed: [], replaced: [] };
  for (const [filename, file] of Object.entries(now)) {
    const then = remembered.files[filename];
    if (then === undefined) change.added.push({ filename, ...(file.uploadTime ? { uploadTime: file.uploadTime } : {}) });
    else if (then.sha256 !== file.sha256) change.replaced.push({ filename, was: then.sha256, now: file.sha256, ...(file.uploadTime ? { uploadTime: file.uploadTime } : {}) });
  }
  for (const [filename, file] of Object.entries(remembered.files)) {
    if (now[filename] === undefined) change.removed.push({ filename, ...(file.uploadTime ? { uploadTime: file.uploadTime } : {}) });
  }
  return change;
}

/** `file-replaced` (error) and `release-changed` (warning) findings for a change. */
export function fileSetFindings(project: string, remembered: RememberedRelease, change: FileSetChange, range: Range, dependencyIndex?: number): Finding[] {
  const findings: Finding[] = [];
  const at = (file: { uploadTime?: string }) => (file.uploadTime ? ` (uploaded ${file.uploadTime})` : '');
  const base = { range, ...(dependencyIndex !== undefined ? { dependency: dependencyIndex } : {}) };
  const release = shown(`${project} ${remembered.version}`);
  const since = `first seen on ${remembered.firstSeen.slice(0, 10)}`;
  if (change.replaced.length > 0) {
    const list = change.replaced.map((file) => `${shown(file.filename)} had sha256 ${file.was.slice(0, 16)}… and now has ${file.now.slice(0, 16)}…${at(file)}`).join('; ');
    findings.push({ code: 'file-replaced', message: `File replaced: the index now serves different content under a file name of ${release} (${since}): ${list}. Files on an index never change; this is a replaced file.`, ...base });
  }
  if (change.added.length > 0 || change.removed.length > 0) {
    const parts: string[] = [];
    if (change.added.length > 0) parts.push(`new: ${change.added.map((file) => `${shown(file.filename)}${at(file)}`).join(', ')}`);
    if (change.removed.length > 0) parts.push(`gone: ${change.removed.map((file) => `${shown(file.filename)}${at(file)}`).join(', ')}`);
    findings.push({ code: 'release-changed', message: `Release changed: the files of ${release} changed since it was ${since} (${Object.keys(remembered.files).length} files then): ${parts.join('; ')}. A new file can change what gets installed.`, ...base });
  }
  return findings;
}

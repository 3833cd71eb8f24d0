/**
 * File-set memory (issue 11 item 1): per (index, project, version) the files of the release when
 * first seen (filename → sha256, upload time). Later answers are compared with it: a file that
 * appeared or disappeared is `release-changed`, a filename now served with another sha256 is
 * `file-replaced`. "Files don't change, but releases can" — as Go's sumdb remembers module hashes.
 *
 * Trust state, not cache: it lives in its own subdirectory of `cacheDirectory`
 * (FILE_SET_SUBDIRECTORY), which Clear Cache keeps. Same discipline as the trust store
 * (trustStore.ts): one file per entry named by a hash (no index URL, no secret in a name), created
 * by hard-linking a temp file (exactly one of two racing writers records; the other reads the
 * winner), read through the regular-file reader, and believed only with this user's MAC
 * (core/cacheKey.ts); a corrupt or forged entry is discarded and the release is seen afresh.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
import type { CacheKey, CacheKeySource } from '../core/cacheKey';
import type { Finding } from '../core/finding';
import type { Range } from '../core/model';
import { normalizeName } from '../core/names';
import { withRegularReads } from '../core/regularFile';
import { redactSecrets, redactUrl } from '../index/redact';
import { shown } from './messages';
import { normalizeIndexUrl, type TrustStoreFs } from './trustStore';

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
  fs?: TrustStoreFs;
  key?: CacheKeySource;
  log?: (message: string) => void;
  now?: () => number;
}

export function createFileSetMemory(options: FileSetMemoryOptions = {}): FileSetMemory {
  const fs: TrustStoreFs = options.fs ?? withRegularReads(nodeFs as unknown as TrustStoreFs, 4 * 1024 * 1024);
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const directory = options.cacheDirectory ? join(options.cacheDirectory, FILE_SET_SUBDIRECTORY) : undefined;
  const memory = new Map<string, RememberedRelease>();
  let ready: Promise<CacheKey | undefined> | undefined;
  let warned = false;

  const entryKey = (r: Pick<RememberedRelease, 'index' | 'project' | 'version'>) => `${r.index}\n${r.project}\n${r.version}`;
  const fileOf = (key: string) => join(directory!, `${createHash('sha256').update(key).digest('hex')}.json`);

  function unusable(reason: string): void {
    if (warned) return;
    warned = true;
    log(`release file sets are kept in memory only: ${shown(redactSecrets(reason))}`);
  }

  function prepare(): Promise<CacheKey | undefined> {
    ready ??= (async () => {
      if (directory === undefined) return undefined;
      const cacheKey = await options.key?.();
      if (cacheKey === undefined) {
        if (options.key === undefined) unusable('there is no key to authenticate them on disk');
        else warned = true;
        return undefined;
      }
      try {
        await fs.mkdir(directory, { recursive: true });
        return cacheKey;
      } catch (error) {
        unusable(`the cache directory cannot be used (${messageOf(error)})`);
        return undefined;
      }
    })();
    return ready;
  }

  async function read(cacheKey: CacheKey, wanted: RememberedRelease): Promise<RememberedRelease | undefined> {
    const path = fileOf(entryKey(wanted));
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') unusable(`a release file-set entry cannot be read (${messageOf(error)})`);
      return undefined;
    }
    const entry = parse(text, wanted, cacheKey);
    if (entry === undefined) {
      log(`discarding the remembered files of ${shown(`${wanted.project} ${wanted.version}`)} on ${shown(redactUrl(wanted.index))}: the entry is corrupt or not authenticated by this user's key`);
      await fs.rm(path, { force: true }).catch(() => undefined);
    }
    return entry;
  }

  async function create(cacheKey: CacheKey, entry: RememberedRelease): Promise<boolean> {
    const path = fileOf(entryKey(entry));
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    let placed = false;
    try {
      await fs.writeFile(temp, serialize(entry, cacheKey));
      try {
        await fs.link(temp, path);
        return true;
      } catch (error) {
        const code = codeOf(error);
        if (code === 'EEXIST') return false;
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'].includes(code ?? '')) throw error;
        if ((await read(cacheKey, entry)) !== undefined) return false;
        await fs.rename(temp, path);
        placed = true;
        return true;
      }
    } finally {
      if (!placed) await fs.rm(temp, { force: true }).catch(() => undefined);
    }
  }

  async function count(): Promise<number> {
    let onDisk: string[] = [];
    if (directory !== undefined && fs.readdir !== undefined) {
      try {
        onDisk = (await fs.readdir(directory)).filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
      } catch {
        onDisk = [];
      }
    }
    return onDisk.length + [...memory.keys()].filter((key) => !onDisk.includes(`${createHash('sha256').update(key).digest('hex')}.json`)).length;
  }

  return {
    count,

    async forget() {
      const counted = await count();
      memory.clear();
      if (directory !== undefined) {
        try {
          await fs.rm(directory, { recursive: true, force: true });
        } catch (error) {
          log(`the remembered release file sets could not all be removed: ${shown(redactSecrets(messageOf(error)))}`);
        }
      }
      // The directory is made again at the next write.
      ready = undefined;
      warned = false;
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
        const cacheKey = await prepare();
        if (cacheKey === undefined) {
          memory.set(key, entry);
          return { firstUse: true, remembered: entry };
        }
        const existing = await read(cacheKey, entry);
        if (existing) return { firstUse: false, remembered: existing };
        if (await create(cacheKey, entry)) return { firstUse: true, remembered: entry };
        const winner = await read(cacheKey, entry);
        if (winner) return { firstUse: false, remembered: winner };
      } catch (error) {
        unusable(`a release file-set entry cannot be written (${messageOf(error)})`);
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

function macInput(entry: RememberedRelease): [string, string] {
  return [`${entry.index}\n${entry.project}\n${entry.version}`, JSON.stringify([entry.firstSeen, Object.entries(entry.files).map(([name, file]) => [name, file.sha256, file.uploadTime ?? null])])];
}

function serialize(entry: RememberedRelease, cacheKey: CacheKey): string {
  return `${JSON.stringify({ v: 1, ...entry, files: { ...entry.files }, mac: cacheKey.mac(FILE_SET_SUBDIRECTORY, ...macInput(entry)) }, null, 2)}\n`;
}

function parse(text: string, wanted: RememberedRelease, cacheKey: CacheKey): RememberedRelease | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(data) || data.v !== 1 || data.index !== wanted.index || data.project !== wanted.project || data.version !== wanted.version) return undefined;
  if (typeof data.firstSeen !== 'string' || !isObject(data.files)) return undefined;
  const files: Record<string, RememberedFile> = Object.create(null) as Record<string, RememberedFile>;
  for (const [name, file] of Object.entries(data.files)) {
    if (!isObject(file) || typeof file.sha256 !== 'string') return undefined;
    if (file.uploadTime !== undefined && typeof file.uploadTime !== 'string') return undefined;
    files[name] = { sha256: file.sha256, ...(typeof file.uploadTime === 'string' ? { uploadTime: file.uploadTime } : {}) };
  }
  const entry: RememberedRelease = { index: wanted.index, project: wanted.project, version: wanted.version, firstSeen: data.firstSeen, files };
  return cacheKey.authentic(FILE_SET_SUBDIRECTORY, ...macInput(entry), data.mac) ? entry : undefined;
}

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Index answers kept on disk (in `cacheDirectory`) and in memory, with what HTTP caching needs:
 * ETag, freshness lifetime from Cache-Control, fetch time. A small answer is a line of this
 * instance's pack (responsePacks.ts: appended, read back by its key); a large one is a file of its
 * own, written atomically (temp file + rename), so a killed process never leaves a torn entry; an
 * unreadable entry is deleted (a pack's line is forgotten) and treated as absent.
 *
 * No secret goes to disk. A file is named by a hash of the request (Accept, the URL without
 * userinfo, the Authorization sent with it): two different tokens for the same path never share
 * an entry, so one account's private answers are never served to another. The entry stores the
 * URL redacted; the answer's own URL is stored only when it differs from the request's; and an
 * entry whose text would still contain a secret of the URL (a private index that writes its token
 * into its file links, say) is kept in memory only.
 *
 * A large body (LARGE_BODY_BYTES and up: a big project page) is never made a string: its entry
 * file is the entry's JSON without the body, a newline, then the body's raw bytes, in the same
 * one file (so the one rename keeps it whole). The JSON line gives the body's length and SHA-256;
 * a file whose body is not exactly that is discarded. The memory layer keeps such an entry
 * without its body (what is reused is the parsed page, which the index client keeps with the
 * entry): `readBody` reads it back from disk when it is needed again.
 */
import { createHash } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readRegularFile, readRegularFileHead, withRegularReads } from '../core/regularFile';
import { tempPathFor, withSmallSyncWrites } from '../core/smallWrites';
import { redactUrl, secretsOf } from './redact';
import { createResponsePacks } from './responsePacks';
import { createWriteBehind, type WriteBehindOptions } from './writeBehind';

export interface CachedResponse {
  /** Format version of the entry. */
  v: 1;
  /** The request URL without userinfo (redacted on disk). */
  url: string;
  accept: string;
  /** 200, or 404/410 for "no such project" / "no provenance". */
  status: number;
  /** Where the answer came from after redirects, without credentials (relative URLs resolve against it). */
  finalUrl: string;
  contentType?: string;
  etag?: string;
  /** When the answer was fetched or last revalidated (ms since the epoch). */
  fetchedAt: number;
  /** Freshness lifetime from then on. */
  maxAgeSeconds: number;
  /** The body as text, or its bytes as they came; '' in an entry whose body is `large`. */
  body: string | Buffer;
  /** Set when the body is large: it is kept beside the entry on disk only (readBody). */
  large?: LargeBody;
}

/** A body of LARGE_BODY_BYTES or more, stored as raw bytes. */
export interface LargeBody {
  bytes: number;
  /** Hex SHA-256 of the bytes: the body read back must be this one (not a torn or foreign file, not another answer's). */
  sha256: string;
}

/** Bodies this long or longer are stored as raw bytes and not kept in memory (the page parser's off-thread size). */
export const LARGE_BODY_BYTES = 1024 * 1024;

/** The file operations the cache uses (node:fs/promises by default; tests inject failures). */
export interface CacheFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  /** A string, or chunks written one after another (a large body is never joined to its header). */
  writeFile(path: string, data: string | readonly Uint8Array[]): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<{ mtimeMs: number }>;
  /** The first `bytes` of a regular file and its size (default: readRegularFileHead, bounded). */
  readHead?(path: string, bytes: number): Promise<{ head: Buffer; size: number }>;
  /** A regular file's bytes (default: readRegularFile, bounded). */
  readBytes?(path: string): Promise<Buffer>;
}

export interface ResponseCacheOptions {
  /** Where entries persist; memory only when undefined. */
  directory?: string;
  fs?: CacheFs;
  log?: (message: string) => void;
  /**
   * Memory layer budget in body characters, for small bodies and for large entries each (default
   * 64 M; with a directory 256 K of small bodies and 8 M of large entries).
   */
  memoryBudget?: number;
  /** Small entries are written behind `write` (writeBehind.ts) rather than before it returns (the default). */
  writeBehind?: WriteBehindOptions | boolean;
  now?: () => number;
}

export interface ResponseCache {
  /**
   * `authorization` is the header sent with the request, if any: entries of other credentials
   * are not seen. An entry with a `large` body comes without it (readBody).
   */
  read(url: string, accept: string, authorization?: string): Promise<CachedResponse | undefined>;
  /**
   * Remembers the entry and writes it out. A body given as bytes of LARGE_BODY_BYTES or more is
   * stored raw; an entry that is `large` without its bytes (a revalidated one) keeps the body
   * already on disk. Returns the entry as the memory layer keeps it (a large body left out).
   */
  write(entry: CachedResponse, authorization?: string): Promise<CachedResponse>;
  /** The bytes of a `large` entry's body, from disk; undefined when they are gone, changed or corrupt (the entry is then as good as absent). */
  readBody(entry: CachedResponse, authorization?: string): Promise<Buffer | undefined>;
  /** The entry's file name (for tests and diagnostics): a hash, never the URL. */
  fileNameOf(url: string, accept: string, authorization?: string): string;
  /**
   * Small entries are written behind (writeBehind.ts): `write` returns before their file is
   * on disk. This writes every one still waiting; resolves once they are all written.
   */
  flush(): Promise<void>;
  /** Forgets the entries still waiting to be written (their files were just removed: Clear Cache). */
  drop(): void;
}

export const RESPONSE_CACHE_SUBDIRECTORY = 'index-http-v1';
const SUBDIRECTORY = RESPONSE_CACHE_SUBDIRECTORY;
/** Temp files this old are leftovers of a killed process. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;
/** Entries hold at most a 20 MB page (JSON-escaped); a larger file is not ours. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** The part of an entry file read first: all of a small entry, the JSON line of a large one (URLs, ETag: far less). */
const HEAD_BYTES = 256 * 1024;
/** Bytes hashed between two turns of the event loop (about a millisecond each). */
const HASH_SLICE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const ENTRY_FILE = /^[0-9a-f]{64}\.json$/;
/** A pack line saying the key's answer is in its entry file (written after the line). */
const TOMBSTONE = 'null';

export function cacheKey(url: string, accept: string, authorization?: string): string {
  return createHash('sha256').update(`${accept}\n${url}\n${authorization ?? ''}`).digest('hex');
}

/** node:fs, reading only regular files of a bounded size (a FIFO or /dev/zero in the directory must not hang or fill the server), small entries written synchronously. */
const NODE_CACHE_FS: CacheFs = withRegularReads(withSmallSyncWrites(nodeFs as unknown as CacheFs), MAX_ENTRY_BYTES);

/**
 * The entry as the disk keeps it: its JSON text (with a small body), or the JSON line and the raw
 * bytes of a large one; undefined when it would carry a secret.
 */
function diskData(entry: CachedResponse, authorization: string | undefined, bytes?: Buffer): string | Buffer[] | undefined {
  const { finalUrl, body, ...rest } = entry;
  const stored: StoredResponse = {
    ...rest,
    url: redactUrl(entry.url),
    ...(finalUrl !== entry.url ? { finalUrl } : {}),
    ...(bytes === undefined ? { body: typeof body === 'string' ? body : body.toString('utf8') } : {}),
  };
  const text = JSON.stringify(stored);
  const secrets = [...secretsOf(entry.url), ...secretsOf(finalUrl), ...credentialsOf(authorization)];
  if (secrets.some((secret) => text.includes(secret) || (bytes !== undefined && bytes.includes(secret)))) return undefined;
  return bytes === undefined ? text : [Buffer.from(`${text}\n`, 'utf8'), bytes];
}

/** Hex SHA-256, a slice per turn of the event loop: an 18 MB page never holds it up for long. */
async function sha256Of(bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length; at += HASH_SLICE_BYTES) {
    if (at > 0) await nextTurn();
    hash.update(bytes.subarray(at, at + HASH_SLICE_BYTES));
  }
  return hash.digest('hex');
}

/** The header and, for Basic, the user name and password it carries. */
function credentialsOf(authorization: string | undefined): string[] {
  if (authorization === undefined) return [];
  const basic = /^Basic (.+)$/i.exec(authorization);
  if (!basic) return [authorization];
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const parts = colon < 0 ? [decoded] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return [authorization, ...parts.filter((part) => part.length >= 3)];
}

/** The on-disk entry: the URL redacted, `finalUrl` only when it differs from the request URL; a large body after the JSON, not in it. */
type StoredResponse = Omit<CachedResponse, 'finalUrl' | 'body'> & { finalUrl?: string; body?: string };

export function createResponseCache(options: ResponseCacheOptions = {}): ResponseCache {
  const fs: CacheFs = options.fs ?? NODE_CACHE_FS;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const directory = options.directory === undefined || options.directory === '' ? undefined : join(options.directory, SUBDIRECTORY);
  // With a directory, small bodies are read back from disk in microseconds: memory keeps few of
  // them (400 provenance bodies, 5.7 MB, were most of an idle server's strings). A large entry's
  // parsed page (kept with the entry by the index client) takes far longer to make again.
  const MB = 1024 * 1024;
  const budgets = { small: options.memoryBudget ?? (directory ? MB / 4 : 64 * MB), large: options.memoryBudget ?? (directory ? 8 : 64) * MB };
  const memory = new Map<string, CachedResponse>();
  const used = { small: 0, large: 0 };
  let prepared: Promise<boolean> | undefined;
  // Small answers go to a pack (responsePacks.ts), not a file each; not with injected file operations (tests of failures).
  const packs = directory !== undefined && options.fs === undefined ? createResponsePacks(directory, { now, log }) : undefined;
  /** Keys with an entry file when the directory was first listed (a large body, or an earlier version's entry). */
  const entryFiles = new Set<string>();

  const kindOf = (entry: CachedResponse): 'small' | 'large' => (entry.large ? 'large' : 'small');
  /** What an entry costs the memory layer: its body, or for a large one the parsed value kept with it, about as big. */
  const sizeOf = (entry: CachedResponse): number => entry.large?.bytes ?? entry.body.length;

  function remember(key: string, entry: CachedResponse): void {
    const previous = memory.get(key);
    if (previous) {
      used[kindOf(previous)] -= sizeOf(previous);
      memory.delete(key);
    }
    memory.set(key, entry);
    const kind = kindOf(entry);
    used[kind] += sizeOf(entry);
    // Map order is insertion order: the first keys of a kind are its least recently used.
    for (const [oldKey, old] of memory) {
      if (used[kind] <= budgets[kind] || oldKey === key) break;
      if (kindOf(old) !== kind) continue;
      memory.delete(oldKey);
      used[kind] -= sizeOf(old);
    }
  }

  function prepare(): Promise<boolean> {
    prepared ??= (async () => {
      if (directory === undefined) return false;
      try {
        await fs.mkdir(directory, { recursive: true });
      } catch (error) {
        log(`cache directory unusable, keeping answers in memory only: ${(error as Error).message}`);
        return false;
      }
      await removeOrphans(directory);
      packs?.load();
      return true;
    })();
    return prepared;
  }

  async function removeOrphans(dir: string): Promise<void> {
    try {
      for (const name of await fs.readdir(dir)) {
        if (ENTRY_FILE.test(name)) entryFiles.add(name.slice(0, -'.json'.length));
        if (!name.endsWith('.tmp')) continue;
        const path = join(dir, name);
        const { mtimeMs } = await fs.stat(path);
        if (now() - mtimeMs > ORPHAN_AGE_MS) await fs.rm(path, { force: true });
      }
    } catch {
      // Leftover temp files are harmless; never fail over them.
    }
  }

  async function discard(key: string, path: string): Promise<undefined> {
    log(`discarding an unreadable cache entry ${key}.json`);
    await fs.rm(path, { force: true }).catch(() => undefined);
    return undefined;
  }

  /** The entry file of a large body, read whole: its JSON line and the body, or undefined (unreadable: discarded). */
  async function readLarge(key: string, path: string, url: string, accept: string): Promise<{ stored: StoredResponse & { large: LargeBody }; body: Buffer } | undefined> {
    let bytes: Buffer;
    try {
      bytes = await (fs.readBytes ? fs.readBytes(path) : readEntryBytes(path));
    } catch {
      return undefined;
    }
    const newline = bytes.subarray(0, HEAD_BYTES).indexOf(NEWLINE);
    const stored = newline < 0 ? undefined : parseEntry(bytes.toString('utf8', 0, newline), 'large');
    if (!stored?.large || stored.url !== redactUrl(url) || stored.accept !== accept) return discard(key, path);
    const body = bytes.subarray(newline + 1);
    if (body.length !== stored.large.bytes || (await sha256Of(body)) !== stored.large.sha256) return discard(key, path);
    return { stored: stored as StoredResponse & { large: LargeBody }, body };
  }

  async function writeOut(key: string, entry: CachedResponse, authorization: string | undefined, bytes?: Buffer): Promise<void> {
    if (!(await prepare()) || directory === undefined) return;
    const data = diskData(entry, authorization, bytes);
    if (data === undefined) {
      if (!warnedSecret) log(`answers of ${redactUrl(entry.url)} carry the index credentials: they are kept in memory only, never written to the cache directory`);
      warnedSecret = true;
      return;
    }
    try {
      if (packs !== undefined && typeof data === 'string') {
        packs.append(key, data);
        // An entry file of the key would now only be read to be outdone by the pack.
        if (entryFiles.delete(key)) await fs.rm(join(directory, `${key}.json`), { force: true });
        return;
      }
      await writeFileAtomic(join(directory, `${key}.json`), data, fs);
      entryFiles.add(key);
      // The pack's line of the key is older than this file: a tombstone sends readers to the file.
      if (packs?.has(key)) packs.append(key, TOMBSTONE);
    } catch (error) {
      log(`could not write cache entry ${key}: ${(error as Error).message}`);
    }
  }

  let warnedSecret = false;
  const behindOptions = options.writeBehind === true ? {} : options.writeBehind || undefined;
  const behind = createWriteBehind<{ entry: CachedResponse; authorization: string | undefined }>((key, { entry, authorization }) => writeOut(key, entry, authorization), behindOptions);

  const cache: ResponseCache = {
    fileNameOf(url, accept, authorization) {
      return `${cacheKey(url, accept, authorization)}.json`;
    },

    async read(url, accept, authorization) {
      const key = cacheKey(url, accept, authorization);
      const inMemory = memory.get(key) ?? behind.pending(key)?.entry;
      if (inMemory) {
        remember(key, inMemory);
        return inMemory;
      }
      if (!(await prepare()) || directory === undefined) return undefined;
      const packed = packs?.read(key);
      if (packed !== undefined && packed !== TOMBSTONE) {
        const entry = entryOf(parseEntry(packed, 'small'), url, accept);
        if (entry) {
          remember(key, entry);
          return entry;
        }
        log(`discarding an unreadable cache entry ${key} (in a pack)`);
        packs!.forget(key);
      }
      const path = join(directory, `${key}.json`);
      let stored: StoredResponse | undefined;
      try {
        // Small entries (nearly all) are read whole here; a large one is only its JSON line.
        const { head, size } = fs.readHead ? await fs.readHead(path, HEAD_BYTES) : readRegularFileHead(path, MAX_ENTRY_BYTES, HEAD_BYTES);
        const newline = head.indexOf(NEWLINE);
        if (newline >= 0) {
          stored = parseEntry(head.toString('utf8', 0, newline), 'large');
          if (stored?.large && size !== newline + 1 + stored.large.bytes) stored = undefined;
        } else stored = parseEntry(size <= head.length ? head.toString('utf8') : await fs.readFile(path, 'utf8'), 'small');
      } catch {
        return undefined;
      }
      const entry = entryOf(stored, url, accept);
      if (!entry) return discard(key, path);
      remember(key, entry);
      return entry;
    },

    async readBody(entry, authorization) {
      if (entry.large === undefined) return Buffer.from(entry.body);
      if (!(await prepare()) || directory === undefined) return undefined;
      const key = cacheKey(entry.url, entry.accept, authorization);
      const read = await readLarge(key, join(directory, `${key}.json`), entry.url, entry.accept);
      // Another process may have written a newer answer since: its body is not this entry's.
      return read !== undefined && read.stored.large.sha256 === entry.large.sha256 ? read.body : undefined;
    },

    async write(entry, authorization) {
      const key = cacheKey(entry.url, entry.accept, authorization);
      const { body } = entry;
      if (typeof body !== 'string' && body.length >= LARGE_BODY_BYTES) {
        const kept: CachedResponse = { ...entry, body: '', large: { bytes: body.length, sha256: await sha256Of(body) } };
        remember(key, kept);
        // Written now, not behind: the bytes are not held in memory (and a small entry of the key still waiting must not land after them).
        await behind.settle(key);
        await writeOut(key, kept, authorization, body);
        return kept;
      }
      if (entry.large !== undefined) {
        // Revalidated: the body on disk stays, under the new header (written again, whole).
        const bytes = await cache.readBody(entry, authorization);
        remember(key, entry);
        await behind.settle(key);
        if (bytes !== undefined) await writeOut(key, entry, authorization, bytes);
        return entry;
      }
      const kept: CachedResponse = typeof body === 'string' ? entry : { ...entry, body: body.toString('utf8') };
      remember(key, kept);
      if (behindOptions === undefined) await writeOut(key, kept, authorization);
      else behind.enqueue(key, { entry: kept, authorization }, kept.body.length);
      return kept;
    },

    flush: () => behind.flush(),
    drop: () => behind.drop(),
  };
  return cache;
}

/** The bytes of an entry file: a regular file, bounded. */
function readEntryBytes(path: string): Promise<Buffer> {
  return readRegularFile(path, MAX_ENTRY_BYTES);
}

/** Writes a temp file next to the target and renames it over the target: readers see the old or the new file, never half of one. */
export async function writeFileAtomic(path: string, data: string | readonly Uint8Array[], fs: CacheFs): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await fs.writeFile(temp, data);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The entry a stored one is when it answers this request (its URL and Accept); undefined otherwise. */
function entryOf(stored: StoredResponse | undefined, url: string, accept: string): CachedResponse | undefined {
  if (!stored || stored.url !== redactUrl(url) || stored.accept !== accept) return undefined;
  return { ...stored, url, finalUrl: stored.finalUrl ?? url, body: stored.body ?? '' };
}

/** A stored entry: `small` has its body in the JSON, `large` (the JSON line before raw bytes) has none but says how long and which it is. */
function parseEntry(text: string, form: 'small' | 'large'): StoredResponse | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const e = data as Record<string, unknown>;
  const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
  const large = e.large as Record<string, unknown> | undefined;
  const bodyOk =
    form === 'small'
      ? typeof e.body === 'string' && large === undefined
      : e.body === undefined &&
        typeof large === 'object' &&
        large !== null &&
        Number.isSafeInteger(large.bytes) &&
        (large.bytes as number) >= 0 &&
        typeof large.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(large.sha256);
  const ok =
    e.v === 1 &&
    typeof e.url === 'string' &&
    typeof e.accept === 'string' &&
    typeof e.status === 'number' &&
    optionalString(e.finalUrl) &&
    typeof e.fetchedAt === 'number' &&
    Number.isFinite(e.fetchedAt) &&
    typeof e.maxAgeSeconds === 'number' &&
    Number.isFinite(e.maxAgeSeconds) &&
    bodyOk &&
    optionalString(e.etag) &&
    optionalString(e.contentType);
  return ok ? (e as unknown as StoredResponse) : undefined;
}

export interface CacheDirectives {
  maxAgeSeconds?: number;
  noCache: boolean;
  noStore: boolean;
}

/** The Cache-Control directives that matter to a private client cache. */
export function parseCacheControl(header: string | undefined): CacheDirectives {
  const directives: CacheDirectives = { noCache: false, noStore: false };
  for (const part of (header ?? '').split(',')) {
    const [rawName, rawValue] = part.split('=', 2);
    const name = rawName.trim().toLowerCase();
    const value = rawValue?.trim().replace(/^"|"$/g, '');
    if (name === 'no-cache') directives.noCache = true;
    else if (name === 'no-store') directives.noStore = true;
    else if (name === 'max-age' && value !== undefined && /^\d+$/.test(value)) directives.maxAgeSeconds = Number(value);
  }
  return directives;
}

/**
 * How long an answer stays fresh: max-age minus Age; zero under no-cache; the default when the
 * index says nothing (heuristic freshness, RFC 9111 §4.2.2).
 */
export function freshnessSeconds(headers: Readonly<Record<string, string>>, defaultSeconds: number): number {
  const directives = parseCacheControl(headers['cache-control']);
  if (directives.noCache || directives.noStore) return 0;
  if (directives.maxAgeSeconds === undefined) return defaultSeconds;
  const age = Number(headers.age);
  return Math.max(0, directives.maxAgeSeconds - (Number.isFinite(age) && age > 0 ? age : 0));
}

export function isFresh(entry: CachedResponse, nowMs: number): boolean {
  const age = nowMs - entry.fetchedAt;
  return age >= 0 && age < entry.maxAgeSeconds * 1000;
}

/**
 * Index answers kept on disk (in `cacheDirectory`) and in memory, with what HTTP caching needs:
 * ETag, freshness lifetime from Cache-Control, fetch time. Files are written atomically (temp
 * file + rename) so a killed process never leaves a torn entry; an unreadable entry is deleted
 * and treated as absent.
 *
 * No secret goes to disk. A file is named by a hash of the request (Accept, the URL without
 * userinfo, the Authorization sent with it): two different tokens for the same path never share
 * an entry, so one account's private answers are never served to another. The entry stores the
 * URL redacted; the answer's own URL is stored only when it differs from the request's; and an
 * entry whose text would still contain a secret of the URL (a private index that writes its token
 * into its file links, say) is kept in memory only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
import { withRegularReads } from '../core/regularFile';
import { redactUrl, secretsOf } from './redact';

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
  body: string;
}

/** The file operations the cache uses (node:fs/promises by default; tests inject failures). */
export interface CacheFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<{ mtimeMs: number }>;
}

export interface ResponseCacheOptions {
  /** Where entries persist; memory only when undefined. */
  directory?: string;
  fs?: CacheFs;
  log?: (message: string) => void;
  /** Memory layer budget in body characters (default 64 M). */
  memoryBudget?: number;
  now?: () => number;
}

export interface ResponseCache {
  /** `authorization` is the header sent with the request, if any: entries of other credentials are not seen. */
  read(url: string, accept: string, authorization?: string): Promise<CachedResponse | undefined>;
  write(entry: CachedResponse, authorization?: string): Promise<void>;
  /** The entry's file name (for tests and diagnostics): a hash, never the URL. */
  fileNameOf(url: string, accept: string, authorization?: string): string;
}

export const RESPONSE_CACHE_SUBDIRECTORY = 'index-http-v1';
const SUBDIRECTORY = RESPONSE_CACHE_SUBDIRECTORY;
/** Temp files this old are leftovers of a killed process. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;
/** Entries hold at most a 20 MB page (JSON-escaped); a larger file is not ours. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export function cacheKey(url: string, accept: string, authorization?: string): string {
  return createHash('sha256').update(`${accept}\n${url}\n${authorization ?? ''}`).digest('hex');
}

/** node:fs, reading only regular files of a bounded size (a FIFO or /dev/zero in the directory must not hang or fill the server). */
const NODE_CACHE_FS: CacheFs = withRegularReads(nodeFs as unknown as CacheFs, MAX_ENTRY_BYTES);

/** The entry's text as the disk keeps it, or undefined when it would carry a secret. */
function diskText(entry: CachedResponse, authorization: string | undefined): string | undefined {
  const { finalUrl, ...rest } = entry;
  const stored: StoredResponse = { ...rest, url: redactUrl(entry.url), ...(finalUrl !== entry.url ? { finalUrl } : {}) };
  const text = JSON.stringify(stored);
  const secrets = [...secretsOf(entry.url), ...secretsOf(finalUrl), ...credentialsOf(authorization)];
  return secrets.some((secret) => text.includes(secret)) ? undefined : text;
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

/** The on-disk entry: the URL redacted, `finalUrl` only when it differs from the request URL. */
type StoredResponse = Omit<CachedResponse, 'finalUrl'> & { finalUrl?: string };

export function createResponseCache(options: ResponseCacheOptions = {}): ResponseCache {
  const fs: CacheFs = options.fs ?? NODE_CACHE_FS;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const budget = options.memoryBudget ?? 64 * 1024 * 1024;
  const directory = options.directory === undefined || options.directory === '' ? undefined : join(options.directory, SUBDIRECTORY);
  const memory = new Map<string, CachedResponse>();
  let memorySize = 0;
  let prepared: Promise<boolean> | undefined;

  function remember(key: string, entry: CachedResponse): void {
    const previous = memory.get(key);
    if (previous) {
      memorySize -= previous.body.length;
      memory.delete(key);
    }
    memory.set(key, entry);
    memorySize += entry.body.length;
    // Map order is insertion order: the first keys are the least recently used.
    for (const [oldKey, old] of memory) {
      if (memorySize <= budget || oldKey === key) break;
      memory.delete(oldKey);
      memorySize -= old.body.length;
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
      return true;
    })();
    return prepared;
  }

  async function removeOrphans(dir: string): Promise<void> {
    try {
      for (const name of await fs.readdir(dir)) {
        if (!name.endsWith('.tmp')) continue;
        const path = join(dir, name);
        const { mtimeMs } = await fs.stat(path);
        if (now() - mtimeMs > ORPHAN_AGE_MS) await fs.rm(path, { force: true });
      }
    } catch {
      // Leftover temp files are harmless; never fail over them.
    }
  }

  let warnedSecret = false;

  return {
    fileNameOf(url, accept, authorization) {
      return `${cacheKey(url, accept, authorization)}.json`;
    },

    async read(url, accept, authorization) {
      const key = cacheKey(url, accept, authorization);
      const inMemory = memory.get(key);
      if (inMemory) {
        remember(key, inMemory);
        return inMemory;
      }
      if (!(await prepare()) || directory === undefined) return undefined;
      const path = join(directory, `${key}.json`);
      let text: string;
      try {
        text = await fs.readFile(path, 'utf8');
      } catch {
        return undefined;
      }
      const stored = parseEntry(text);
      if (!stored || stored.url !== redactUrl(url) || stored.accept !== accept) {
        log(`discarding an unreadable cache entry ${key}.json`);
        await fs.rm(path, { force: true }).catch(() => undefined);
        return undefined;
      }
      const entry: CachedResponse = { ...stored, url, finalUrl: stored.finalUrl ?? url };
      remember(key, entry);
      return entry;
    },

    async write(entry, authorization) {
      const key = cacheKey(entry.url, entry.accept, authorization);
      remember(key, entry);
      if (!(await prepare()) || directory === undefined) return;
      const text = diskText(entry, authorization);
      if (text === undefined) {
        if (!warnedSecret) log(`answers of ${redactUrl(entry.url)} carry the index credentials: they are kept in memory only, never written to the cache directory`);
        warnedSecret = true;
        return;
      }
      try {
        await writeFileAtomic(join(directory, `${key}.json`), text, fs);
      } catch (error) {
        log(`could not write cache entry ${key}.json: ${(error as Error).message}`);
      }
    },
  };
}

/** Writes a temp file next to the target and renames it over the target: readers see the old or the new file, never half of one. */
export async function writeFileAtomic(path: string, data: string, fs: CacheFs): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, data);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

function parseEntry(text: string): StoredResponse | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const e = data as Record<string, unknown>;
  const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
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
    typeof e.body === 'string' &&
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

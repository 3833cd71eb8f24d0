/**
 * What the server asks of an index (CONTRACT §3): PEP 691 project pages and PEP 740 provenance
 * objects, through the HTTP client and the response cache. Never throws: every answer is
 * `found`, `not-found`/`none`, or `error` with an IndexError that says how.
 */
import { normalizeName } from '../core/names';
import { IndexError, type IndexErrorReason } from './errors';
import { createHttpClient, type HttpClient, type HttpClientOptions, type HttpResponse } from './httpClient';
import { jsonApiUrl, parseOwnership, type ProjectOwnership } from './ownershipApi';
import type { WriteBehindOptions } from './writeBehind';
import { INTEGRITY_JSON_V1, parseProvenance, type ProvenanceObject } from './provenanceApi';
import { redactUrl, splitCredentials } from './redact';
import { createPageParser, type PageParser, type PageParserOptions } from './pageParser';
import { createResponseCache, freshnessSeconds, isFresh, parseCacheControl, type CacheFs, type CachedResponse, type ResponseCache } from './responseCache';
import { SIMPLE_JSON_V1, type ProjectPage } from './simpleApi';

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';
export const DEFAULT_MAX_PAGE_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_PROVENANCE_BYTES = 5 * 1024 * 1024;

export interface IndexClientOptions {
  /** Where answers persist (the `cacheDirectory` setting); memory only when unset. */
  cacheDirectory?: string;
  /** The `offline` setting: answer from the cache only; no socket is ever opened. */
  offline?: boolean;
  /** An HTTP client to use, or options for the one this client creates on first need. */
  http?: HttpClient | HttpClientOptions;
  /** Freshness when the index sends no Cache-Control (default 60 s). */
  defaultMaxAgeSeconds?: number;
  maxPageBytes?: number;
  maxProvenanceBytes?: number;
  now?: () => number;
  log?: (message: string) => void;
  /** What the user should see once (a plain-http index); `log` when not given. */
  warn?: (message: string) => void;
  /** File operations of the cache (tests inject failures). */
  fs?: CacheFs;
  /**
   * Small cache files written behind the answers (writeBehind.ts), not before an answer is used:
   * what a server and a CLI run want (flush() or close() writes what waits). Default: each file
   * is written before its answer is given.
   */
  writeBehind?: WriteBehindOptions | boolean;
  /** Where large pages are read (default: a worker thread of pageWorker.js when it is built, for pages over 1 MB). */
  pages?: PageParser | PageParserOptions;
}

/** Where an answer came from. */
export interface AnswerSource {
  from: 'network' | 'revalidated' | 'cache';
  /** When the answer was fetched or last confirmed by the index (ms since the epoch). */
  fetchedAt: number;
  /** Set when the answer is older than its freshness and the index could not be asked (or offline). */
  stale?: { reason: IndexErrorReason; message: string };
}

export type ProjectAnswer =
  | { kind: 'found'; page: ProjectPage; source: AnswerSource }
  | { kind: 'not-found'; url: string; source: AnswerSource }
  | { kind: 'error'; error: IndexError };

export type ProvenanceAnswer =
  | { kind: 'found'; provenance: ProvenanceObject; source: AnswerSource }
  /** The index has no provenance for the file (404). */
  | { kind: 'none'; source: AnswerSource }
  | { kind: 'error'; error: IndexError };

export type OwnershipAnswer =
  | { kind: 'found'; ownership: ProjectOwnership; source: AnswerSource }
  /** The index has no JSON API with an `ownership` object (404, no such key, or not a `…/simple/` index). */
  | { kind: 'none' }
  | { kind: 'error'; error: IndexError };

export interface IndexClientStats {
  /** Answers served from cache without asking the index. */
  cacheHits: number;
  /** Conditional requests answered 304. */
  revalidated: number;
  /** Answers served stale because the index failed (or offline). */
  stale: number;
  /** Requests on the wire (attempts, redirects and retries each count). */
  sent: number;
  /** Calls answered by an identical call already in flight. */
  deduplicated: number;
}

export interface IndexClient {
  /** `GET {indexUrl}{normalized-name}/` as PEP 691 JSON. `indexUrl` may carry credentials. */
  getProject(indexUrl: string, name: string): Promise<ProjectAnswer>;
  /** `GET` a provenance URL from a project page (PEP 740 Integrity API). */
  getProvenance(url: string): Promise<ProvenanceAnswer>;
  /** `GET {index root}/pypi/{normalized-name}/json` for its `ownership` object (CONTRACT §3). */
  getOwnership(indexUrl: string, name: string): Promise<OwnershipAnswer>;
  readonly stats: Readonly<IndexClientStats>;
  /** Writes the cache files still waiting (written behind the answers: responseCache.ts); resolves once they are on disk. */
  flush(): Promise<void>;
  /**
   * Closes the connections once the cache files still waiting to be written are written (they are
   * written behind the answers: responseCache.ts); `discardWrites` forgets them instead (the
   * cache directory was just cleared).
   */
  close(options?: { discardWrites?: boolean }): Promise<void>;
}

/** `{indexUrl}{normalized-name}/`, the index URL given a trailing slash first. */
export function projectPageUrl(indexUrl: string, name: string): string {
  const base = indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`;
  return `${base}${encodeURIComponent(normalizeName(name))}/`;
}

interface Interpreted<T> {
  value: T;
}

/**
 * What an entry's body reads as, and the body back: a page parser may move a large page's bytes
 * to its worker thread and back rather than copy them, and the cache stores the ones returned.
 */
interface Interpretation<T> {
  value: T;
  body: string | Buffer;
}

type Interpret<T> = (entry: CachedResponse, body: string | Buffer) => Interpretation<T> | Promise<Interpretation<T>>;

export function createIndexClient(options: IndexClientOptions = {}): IndexClient {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const defaultMaxAge = options.defaultMaxAgeSeconds ?? 60;
  const maxPageBytes = options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES;
  const maxProvenanceBytes = options.maxProvenanceBytes ?? DEFAULT_MAX_PROVENANCE_BYTES;
  const cache: ResponseCache = createResponseCache({ directory: options.cacheDirectory, fs: options.fs, log, now, writeBehind: options.writeBehind });
  const given = options.http;
  const injected = given !== undefined && 'get' in given ? given : undefined;
  let http: HttpClient | undefined = injected;
  const httpOptions: HttpClientOptions = { now, log, ...(injected ? {} : (given as HttpClientOptions | undefined)) };
  /** Credentials learned from index URLs, by origin: provenance URLs on that origin get them too. */
  const authorizationByOrigin = new Map<string, string>();
  const inFlight = new Map<string, Promise<unknown>>();
  /** Parsed pages by the entry they came from, so a memory hit does not parse again. */
  const parsed = new WeakMap<CachedResponse, unknown>();
  const counts = { cacheHits: 0, revalidated: 0, stale: 0 };
  /** Origins of the indexes asked and of the pages they served (after redirects): the only hosts provenance is fetched from. */
  const indexOrigins = new Set<string>();
  const warn = options.warn ?? log;
  const warnedPlain = new Set<string>();

  const givenPages = options.pages;
  const injectedPages = givenPages !== undefined && 'parse' in givenPages ? givenPages : undefined;
  const pages: PageParser = injectedPages ?? createPageParser(givenPages as PageParserOptions | undefined);

  // Opened lazily so that an offline client never even creates a connection pool.
  const network = (): HttpClient => (http ??= createHttpClient(httpOptions));

  function once<T>(key: string, run: () => Promise<T>): Promise<T> {
    const running = inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const started = run().finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  /**
   * The cache-aware fetch: fresh entry → no request; stale entry → conditional request, 304
   * reuses it; failure → the old entry marked stale, or the error. A large body is never kept
   * in memory: the value read from it is (with the entry), and the bytes are read back from the
   * disk cache only when that value is not at hand.
   */
  async function fetchCached<T>(
    url: string,
    accept: string,
    maxBytes: number,
    interpret: Interpret<T>,
    redirectOrigins?: ReadonlySet<string>,
  ): Promise<{ value: T; source: AnswerSource } | { error: IndexError }> {
    const authorization = authorizationByOrigin.get(new URL(url).origin);
    let cached = await cache.read(url, accept, authorization);
    /** The entry's value: remembered, or read from its body; undefined when a large body is no longer on disk. */
    const valueOf = async (entry: CachedResponse): Promise<Interpreted<T> | undefined> => {
      const memo = parsed.get(entry) as Interpreted<T> | undefined;
      if (memo) return memo;
      const body = entry.large !== undefined ? await cache.readBody(entry, authorization) : entry.body;
      if (body === undefined) return undefined;
      const interpreted = { value: (await interpret(entry, body)).value };
      parsed.set(entry, interpreted);
      return interpreted;
    };
    /** `gone` is the answer when the entry's large body has gone from the disk (the failure itself by default). */
    const serveStale = async (entry: CachedResponse, error: IndexError, gone = error): Promise<{ value: T; source: AnswerSource } | { error: IndexError }> => {
      const interpreted = await valueOf(entry);
      if (interpreted === undefined) return { error: gone };
      counts.stale++;
      log(`serving a cached answer for ${redactUrl(url)}: ${error.message}`);
      return { value: interpreted.value, source: { from: 'cache', fetchedAt: entry.fetchedAt, stale: { reason: error.reason, message: error.message } } };
    };

    if (cached && isFresh(cached, now())) {
      const fresh = cached;
      const hit = await safely(async () => {
        const interpreted = await valueOf(fresh);
        if (interpreted === undefined) throw new IndexError('offline', 'the cached body is gone');
        return { value: interpreted.value, source: { from: 'cache' as const, fetchedAt: fresh.fetchedAt } };
      });
      if (!('error' in hit)) {
        counts.cacheHits++;
        return hit;
      }
      // An entry that no longer reads as a valid answer is as good as absent.
      cached = undefined;
    }
    if (options.offline) {
      const old = cached;
      const missing = new IndexError('offline', `offline: ${redactUrl(url)} is not in the cache`);
      if (!old) return { error: missing };
      return safely(() => serveStale(old, new IndexError('offline', `offline: using the answer cached on ${new Date(old.fetchedAt).toISOString()}`), missing));
    }

    // A 304 for an entry whose large body has meanwhile gone from the disk is asked again, unconditionally.
    for (let conditional = cached?.etag !== undefined; ; conditional = false) {
      let response: HttpResponse;
      try {
        response = await network().get({
          url,
          accept,
          maxBytes,
          authorization,
          headers: conditional && cached?.etag !== undefined ? { 'if-none-match': cached.etag } : undefined,
          redirectOrigins,
        });
      } catch (error) {
        const failure = error instanceof IndexError ? error : new IndexError('unreachable', `${redactUrl(url)}: ${String(error)}`);
        const old = cached;
        if (old) return safely(() => serveStale(old, failure));
        return { error: failure };
      }
      // The body counts against the byte budget until it has been read and cached.
      let result: { value: T; source: AnswerSource } | { error: IndexError } | 'ask-again';
      try {
        result = await useResponse(response);
      } finally {
        response.release();
      }
      if (result !== 'ask-again') return result;
      if (!conditional) return { error: new IndexError('bad-response', `${redactUrl(url)} answered 304 Not Modified to an unconditional request`) };
    }

    async function useResponse(response: HttpResponse): Promise<{ value: T; source: AnswerSource } | { error: IndexError } | 'ask-again'> {
      const old = cached;
      if (response.status === 304 && old) {
        counts.revalidated++;
        const refreshed: CachedResponse = {
          ...old,
          fetchedAt: now(),
          maxAgeSeconds: freshnessSeconds(response.headers, defaultMaxAge),
          etag: response.headers.etag ?? old.etag,
        };
        const memo = parsed.get(old);
        if (memo) parsed.set(refreshed, memo);
        const interpreted = await safely(async () => {
          const value = await valueOf(refreshed);
          return value === undefined ? undefined : { value: value.value, source: { from: 'revalidated' as const, fetchedAt: refreshed.fetchedAt } };
        });
        if (interpreted === undefined) return 'ask-again';
        if (!('error' in interpreted) && !parseCacheControl(response.headers['cache-control']).noStore) remembered(refreshed, await cache.write(refreshed, authorization));
        return interpreted;
      }

      if (response.status === 200 || response.status === 404 || response.status === 410) {
        const entry: CachedResponse = {
          v: 1,
          url,
          accept,
          status: response.status,
          finalUrl: response.url,
          contentType: response.headers['content-type'],
          etag: response.headers.etag,
          fetchedAt: now(),
          maxAgeSeconds: freshnessSeconds(response.headers, defaultMaxAge),
          body: response.status === 200 ? response.body : '',
        };
        let read: Interpretation<T>;
        try {
          read = await interpret(entry, entry.body);
        } catch (error) {
          if (!(error instanceof IndexError)) throw error;
          // A bad answer is never cached; an older good one is better than none.
          if (old) return safely(() => serveStale(old, error));
          return { error };
        }
        const answer = { value: read.value, source: { from: 'network' as const, fetchedAt: entry.fetchedAt } };
        const written: CachedResponse = { ...entry, body: read.body };
        parsed.set(written, { value: read.value });
        if (!parseCacheControl(response.headers['cache-control']).noStore) remembered(written, await cache.write(written, authorization));
        return answer;
      }

      const failure = statusError(response, url);
      if (old) return safely(() => serveStale(old, failure));
      return { error: failure };
    }
  }

  /** The value read from `entry` goes with the entry the cache kept for it (without a large body). */
  function remembered(entry: CachedResponse, kept: CachedResponse): void {
    const memo = parsed.get(entry);
    if (memo && kept !== entry) parsed.set(kept, memo);
  }

  /** The run's result, or the IndexError it threw. */
  async function safely<R>(run: () => Promise<R>): Promise<R | { error: IndexError }> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof IndexError) return { error };
      throw error;
    }
  }

  return {
    getProject(indexUrl, name) {
      let pageUrl: string;
      try {
        const split = splitCredentials(projectPageUrl(indexUrl, name));
        pageUrl = split.url;
        if (split.authorization !== undefined) authorizationByOrigin.set(new URL(pageUrl).origin, split.authorization);
      } catch {
        return Promise.resolve({ kind: 'error', error: new IndexError('bad-url', `the index URL ${redactUrl(indexUrl)} is not a valid URL`) });
      }
      const origin = new URL(pageUrl).origin;
      indexOrigins.add(origin);
      const plain = plainHttpWarning(pageUrl);
      if (plain !== undefined && !warnedPlain.has(origin)) {
        warnedPlain.add(origin);
        warn(plain);
      }
      return once(`project ${pageUrl}`, async (): Promise<ProjectAnswer> => {
        const result = await fetchCached<ProjectPage | undefined>(pageUrl, SIMPLE_JSON_V1, maxPageBytes, async (entry, body) => {
          if (entry.status !== 200) return { value: undefined, body };
          indexOrigins.add(new URL(entry.finalUrl).origin);
          if (typeof body === 'string') return { value: await pages.parse(body, entry.contentType, entry.finalUrl, name), body };
          const read = await pages.parseLent(body, entry.contentType, entry.finalUrl, name);
          if ('error' in read) throw read.error;
          return { value: read.page, body: read.bytes };
        });
        if ('error' in result) return { kind: 'error', error: result.error };
        if (result.value === undefined) return { kind: 'not-found', url: redactUrl(pageUrl), source: result.source };
        return { kind: 'found', page: result.value, source: result.source };
      });
    },

    getProvenance(url) {
      let clean: string;
      try {
        const split = splitCredentials(url);
        clean = split.url;
        if (split.authorization !== undefined) authorizationByOrigin.set(new URL(clean).origin, split.authorization);
      } catch {
        return Promise.resolve({ kind: 'error', error: new IndexError('bad-url', `the provenance URL ${redactUrl(url)} is not a valid URL`) });
      }
      // The index chose this URL: followed anywhere, it would make the server ask any host
      // (a cloud metadata address, an intranet service) whatever the index likes.
      const provenanceUrl = new URL(clean);
      if (!indexOrigins.has(provenanceUrl.origin)) {
        return Promise.resolve({
          kind: 'error',
          error: new IndexError('redirect-refused', `the index gave a provenance URL on another host (${provenanceUrl.host}); provenance is only fetched from the index's own host`),
        });
      }
      return once(`provenance ${clean}`, async (): Promise<ProvenanceAnswer> => {
        const result = await fetchCached(
          clean,
          INTEGRITY_JSON_V1,
          maxProvenanceBytes,
          (entry, body) => ({ value: entry.status === 200 ? parseProvenance(body, entry.contentType, entry.finalUrl) : undefined, body }),
          indexOrigins,
        );
        if ('error' in result) return { kind: 'error', error: result.error };
        if (result.value === undefined) return { kind: 'none', source: result.source };
        return { kind: 'found', provenance: result.value, source: result.source };
      });
    },

    getOwnership(indexUrl, name) {
      let clean: string;
      try {
        const split = splitCredentials(indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`);
        const url = jsonApiUrl(split.url, normalizeName(name));
        if (url === undefined) return Promise.resolve({ kind: 'none' });
        clean = url;
        if (split.authorization !== undefined) authorizationByOrigin.set(new URL(clean).origin, split.authorization);
      } catch {
        return Promise.resolve({ kind: 'error', error: new IndexError('bad-url', `the index URL ${redactUrl(indexUrl)} is not a valid URL`) });
      }
      return once(`ownership ${clean}`, async (): Promise<OwnershipAnswer> => {
        // Redirects stay on the index's own hosts, as for provenance.
        const result = await fetchCached(
          clean,
          'application/json',
          maxPageBytes,
          (entry, body) => ({ value: entry.status === 200 ? parseOwnership(body, entry.contentType, entry.finalUrl) : undefined, body }),
          indexOrigins,
        );
        if ('error' in result) return { kind: 'error', error: result.error };
        if (result.value === undefined) return { kind: 'none' };
        return { kind: 'found', ownership: result.value, source: result.source };
      });
    },

    get stats() {
      return { ...counts, sent: http?.stats.sent ?? 0, deduplicated: http?.stats.deduplicated ?? 0 };
    },

    flush: () => cache.flush(),

    async close(closeOptions) {
      if (closeOptions?.discardWrites) cache.drop();
      await cache.flush();
      if (!injectedPages) await pages.close();
      if (http && !injected) await http.close();
    },
  };
}

/** The one-time warning for an index on plain http (answers can be read and changed on the way), or undefined; loopback is exempt (a local index). */
export function plainHttpWarning(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' || isLoopback(parsed.hostname)) return undefined;
  return `the index ${parsed.origin} is reached over plain http: anyone on the network can read and change its answers (and see any credentials); use https`;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function statusError(response: HttpResponse, url: string): IndexError {
  const where = redactUrl(url);
  const status = response.status;
  if (status === 401 || status === 403) {
    return new IndexError('http-status', `${where} answered HTTP ${status}: access denied (check the index credentials)`, status);
  }
  if (status === 406) {
    return new IndexError('bad-content-type', `${where} answered HTTP 406: the index does not serve PEP 691 JSON`, status);
  }
  if (status === 429) {
    const after = response.headers['retry-after'];
    return new IndexError('http-status', `${where} answered HTTP 429: rate limited${after ? ` (Retry-After: ${after.slice(0, 40)})` : ''}`, status);
  }
  return new IndexError('http-status', `${where} answered HTTP ${status}`, status);
}

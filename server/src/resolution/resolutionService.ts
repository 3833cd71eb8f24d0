/**
 * Resolutions of pinned dependencies against the index, shared: one per (index, name, version,
 * pinned hashes, locked files), however many documents — or lines — pin the same thing, with
 * one resolution in flight per key. One service exists per effective `cacheDirectory`, `offline`
 * and `indexUrl` (see ResolutionServices); it owns the index client and its connection pool.
 *
 * A settled answer is reused for FRESH_MS, after which the index client's own HTTP cache decides
 * whether the index is asked again (it is not while the page is fresh by its Cache-Control). An
 * answer the index could not give (index-error, or a stale cached page) is not a verdict: it is
 * kept only until its retry time, which backs off from `retryDelay.first` to `retryDelay.max`.
 */
import type { Dependency, DocumentOptions } from '../core/model';
import { normalizeName } from '../core/names';
import type { HttpClientOptions } from '../index/httpClient';
import { createIndexClient, DEFAULT_INDEX_URL, type IndexClient, type IndexClientStats, type OwnershipAnswer, type ProjectAnswer, type ProvenanceAnswer } from '../index/indexClient';
import { resolveDependency, type Resolution } from '../index/resolve';
import { Limiter } from '../index/limiter';
import { chooseIndex, type IndexChoice, type IndexChoiceInput } from '../index/whichIndex';
import type { Settings } from '../pipeline/contract/settings';
import { relocateResolution } from './relocate';
import { DEFAULT_RETRY_DELAY_MS } from './tuning';

/** How long a settled answer is reused without consulting the index client (the client's default freshness). */
export const FRESH_MS = 60_000;
/** Settled answers kept at most; the least recently used go first. */
export const MAX_ENTRIES = 20_000;
/**
 * Resolutions under way at once; the rest wait their turn (cheaply: a closure each). Above what
 * the HTTP client sends to an index at once (100 HTTP/2 streams an origin), so the network stays
 * busy, but far below a document's 20,000 pins: each resolution under way holds a cache read,
 * a request and their promises, and 20,000 of them at once cost hundreds of megabytes.
 */
export const MAX_RESOLUTIONS_UNDER_WAY = 256;
/** Index choices remembered (one per distinct document options, settings and lock `index`). */
const MAX_INDEX_CHOICES = 256;

export interface ResolutionRequest {
  dependency: Dependency;
  /** Its index in ParsedDocument.dependencies, copied into the findings. */
  dependencyIndex?: number;
  /** The document's global options (`--index-url`, `--extra-index-url`). */
  documentOptions?: DocumentOptions;
  settings: Pick<Settings, 'indexUrl' | 'workspaceTrusted'>;
}

export interface ResolutionServiceOptions {
  /** Where index answers persist; memory only when undefined. */
  cacheDirectory?: string;
  offline: boolean;
  /** The process environment (PIP_INDEX_URL). */
  env: Readonly<Record<string, string | undefined>>;
  /** Lines for the log; URLs in them are redacted by the index client. */
  log?: (message: string) => void;
  /** What the user should see once (a plain-http index). */
  warn?: (message: string) => void;
  http?: HttpClientOptions;
  /** An index client to use instead of creating one (tests). */
  client?: IndexClient;
  retryDelay?: { first: number; max: number };
  freshMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export interface ResolutionServiceStats {
  /** Resolutions started (each may make requests, or be answered by the HTTP cache). */
  started: number;
  /** Requests answered by a resolution already settled or in flight. */
  shared: number;
  client: Readonly<IndexClientStats>;
}

interface Entry {
  origin: Dependency;
  originIndex?: number;
  promise: Promise<Resolution>;
  settled?: Resolution;
  /** Until when the settled answer is reused; +∞ while in flight. */
  expiresAt: number;
  /** Retryable answers in a row: the retry delay doubles with each. */
  failures: number;
  /** When a retryable answer may be asked again. */
  retryAt?: number;
}

/** Whether the index is asked about a dependency at all: pinned to one version, not a URL or an editable. */
export function isResolvable(dependency: Dependency): boolean {
  return dependency.pinnedVersion !== undefined && dependency.url === undefined && !dependency.editable;
}

/**
 * The `indexUrl` setting as the index choice sees it. The setting always has a value (its
 * default is PyPI), so the default counts as "not set": PIP_INDEX_URL from the environment then
 * wins over it, as it does for pip.
 */
export function settingIndexUrl(settings: Pick<Settings, 'indexUrl'>): string | undefined {
  return settings.indexUrl === DEFAULT_INDEX_URL || settings.indexUrl.trim() === '' ? undefined : settings.indexUrl;
}

export class ResolutionService {
  readonly offline: boolean;
  private readonly client: IndexClient;
  private readonly ownsClient: boolean;
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new WeakMap<Dependency, { settings: ResolutionRequest['settings']; documentOptions?: DocumentOptions; key: string | undefined }>();
  private readonly now: () => number;
  private readonly retryDelay: { first: number; max: number };
  private readonly freshMs: number;
  private readonly maxEntries: number;
  /** Size below which evict() does not walk again (see evict). */
  private evictAt = 0;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly underWay = new Limiter(MAX_RESOLUTIONS_UNDER_WAY);
  private readonly indexChoices = new Map<string, IndexChoice>();
  private counts = { started: 0, shared: 0 };
  private closed = false;

  constructor(options: ResolutionServiceOptions) {
    this.offline = options.offline;
    this.env = options.env;
    this.now = options.now ?? Date.now;
    this.retryDelay = options.retryDelay ?? { ...DEFAULT_RETRY_DELAY_MS };
    this.freshMs = options.freshMs ?? FRESH_MS;
    this.maxEntries = options.maxEntries ?? MAX_ENTRIES;
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      // Cache files written behind the answers: a page's provenance requests start as soon as it is read (issue 14).
      createIndexClient({ cacheDirectory: options.cacheDirectory, offline: options.offline, http: options.http, log: options.log, warn: options.warn, now: options.now, writeBehind: true });
  }

  /**
   * The sharing key; undefined for a dependency the index is not asked about. Remembered per
   * dependency (for the same settings and document options): three stages peek, then resolve,
   * the dependencies of one parse, and a lock has thousands. Parsed dependencies are never changed.
   */
  keyOf(request: ResolutionRequest): string | undefined {
    const known = this.keys.get(request.dependency);
    if (known !== undefined && known.settings === request.settings && known.documentOptions === request.documentOptions) return known.key;
    const key = this.computeKey(request);
    this.keys.set(request.dependency, { settings: request.settings, documentOptions: request.documentOptions, key });
    return key;
  }

  private computeKey(request: ResolutionRequest): string | undefined {
    const dependency = request.dependency;
    if (!isResolvable(dependency)) return undefined;
    const index = this.indexFor(request);
    // Everything resolveDependency reads of the dependency, ranges aside (relocateResolution moves those).
    return JSON.stringify([
      index.indexUrl,
      index.extraIndexUrls,
      index.ignored.map((i) => i.url),
      normalizeName(dependency.name),
      dependency.rawName,
      dependency.pinnedVersion,
      dependency.hashes.map((pin) => `${pin.algorithm}:${pin.hex}`),
      (dependency.files ?? []).map((file) => [file.filename ?? '', file.url ?? '', file.path ?? '', file.hashes.map((pin) => `${pin.algorithm}:${pin.hex}`)]),
    ]);
  }

  /**
   * chooseIndex for the request, remembered: every pin of a document makes the same choice (it
   * depends on the document's options, the settings and a lock package's `index`), and a
   * 20,000-pin document asks for it several times a pin.
   */
  private indexFor(request: ResolutionRequest): IndexChoice {
    const input: IndexChoiceInput = {
      settingIndexUrl: settingIndexUrl(request.settings),
      workspaceTrusted: request.settings.workspaceTrusted,
      documentIndexUrl: request.documentOptions?.indexUrl,
      documentExtraIndexUrls: request.documentOptions?.extraIndexUrls,
      packageIndexUrl: request.dependency.indexUrl,
      env: this.env,
    };
    const key = JSON.stringify([input.settingIndexUrl, input.workspaceTrusted, input.documentIndexUrl, input.documentExtraIndexUrls, input.packageIndexUrl]);
    let choice = this.indexChoices.get(key);
    if (choice === undefined) {
      if (this.indexChoices.size >= MAX_INDEX_CHOICES) this.indexChoices.clear();
      choice = chooseIndex(input);
      this.indexChoices.set(key, choice);
    }
    return choice;
  }

  /** The resolution, from a settled answer, the one in flight, or a new one. Never rejects. */
  resolve(request: ResolutionRequest): Promise<Resolution> {
    const key = this.keyOf(request);
    if (key === undefined) return resolveDependency(request.dependency, this.context(request));
    const existing = this.entries.get(key);
    if (existing && this.usable(existing)) {
      this.counts.shared++;
      this.touch(key, existing);
      return existing.promise.then((resolution) => this.relocate(resolution, existing, request));
    }
    return this.start(key, request, existing?.failures ?? 0).promise;
  }

  /** A settled, still usable answer, without asking anything; undefined when none. */
  peek(request: ResolutionRequest): Resolution | undefined {
    const key = this.keyOf(request);
    if (key === undefined) return undefined;
    const entry = this.entries.get(key);
    if (!entry?.settled || !this.usable(entry)) return undefined;
    this.touch(key, entry);
    return this.relocate(entry.settled, entry, request);
  }

  /** When the answer for this dependency should be asked for again (the index failed on it); undefined if it needs no retry. */
  retryAt(request: ResolutionRequest): number | undefined {
    const key = this.keyOf(request);
    return key === undefined ? undefined : this.entries.get(key)?.retryAt;
  }

  /**
   * A file's PEP 740 provenance object through this service's index client: the same HTTP cache
   * (revalidated with the ETag), offline mode and index credentials as the pages (verification).
   */
  getProvenance(url: string): Promise<ProvenanceAnswer> {
    return this.client.getProvenance(url);
  }

  /**
   * A project page through this service's index client (its limiter, cache, offline mode and
   * credentials): for the index-conflict check, which asks every index a document names.
   */
  getProject(indexUrl: string, name: string): Promise<ProjectAnswer> {
    return this.client.getProject(indexUrl, name);
  }

  /**
   * The indexes these requests resolve against, in order, each once: with a trusted workspace the
   * file's `--index-url`, `--extra-index-url`s and lock package indexes; otherwise the setting alone.
   */
  indexesOf(requests: readonly ResolutionRequest[]): string[] {
    const byKey = new Map<string, string>();
    for (const request of requests) {
      if (!isResolvable(request.dependency)) continue;
      const index = this.indexFor(request);
      for (const url of [index.indexUrl, ...index.extraIndexUrls]) {
        const key = url.endsWith('/') ? url : `${url}/`;
        if (!byKey.has(key)) byKey.set(key, url);
      }
    }
    return [...byKey.values()];
  }

  /** A project's `ownership` from the index's JSON API, through the same client (limits, cache, offline, credentials). */
  getOwnership(indexUrl: string, name: string): Promise<OwnershipAnswer> {
    return this.client.getOwnership(indexUrl, name);
  }

  get stats(): ResolutionServiceStats {
    return { ...this.counts, client: this.client.stats };
  }

  /** Writes the cache files still waiting (IndexClient.flush). */
  flushWrites(): Promise<void> {
    return this.client.flush();
  }

  /** `discardWrites`: the cache directory was cleared, the answers still to be written are not written (IndexClient.close). */
  async close(options?: { discardWrites?: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.client.close(options);
  }

  private usable(entry: Entry): boolean {
    if (entry.settled === undefined) return true;
    return this.now() < entry.expiresAt;
  }

  private touch(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private start(key: string, request: ResolutionRequest, failures: number): Entry {
    this.counts.started++;
    const entry: Entry = {
      origin: request.dependency,
      originIndex: request.dependencyIndex,
      expiresAt: Number.POSITIVE_INFINITY,
      failures,
      promise: this.underWay.run(() => resolveDependency(request.dependency, this.context(request))),
    };
    entry.promise = entry.promise.then((resolution) => {
      this.settle(entry, resolution);
      return resolution;
    });
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict();
    return entry;
  }

  private settle(entry: Entry, resolution: Resolution): void {
    entry.settled = resolution;
    const now = this.now();
    // Offline, asking again gives the same answer until the setting changes (which makes a new service).
    if (resolution.retryable && !this.offline) {
      entry.failures++;
      const delay = Math.min(this.retryDelay.first * 2 ** (entry.failures - 1), this.retryDelay.max);
      entry.retryAt = now + delay;
      entry.expiresAt = entry.retryAt;
    } else {
      entry.failures = 0;
      entry.retryAt = undefined;
      entry.expiresAt = now + this.freshMs;
    }
  }

  private evict(): void {
    if (this.entries.size <= Math.max(this.maxEntries, this.evictAt)) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (entry.settled !== undefined) this.entries.delete(key);
    }
    // Entries still in flight cannot go; walking again on the next insertion would only find the
    // same ones (quadratic on a 100k-pin file), so wait for a quarter more entries first.
    this.evictAt = this.entries.size + Math.ceil(this.maxEntries / 4);
  }

  private relocate(resolution: Resolution, entry: Entry, request: ResolutionRequest): Resolution {
    return relocateResolution(resolution, entry.origin, entry.originIndex, request.dependency, request.dependencyIndex);
  }

  private context(request: ResolutionRequest) {
    return {
      client: this.client,
      settings: { indexUrl: settingIndexUrl(request.settings), workspaceTrusted: request.settings.workspaceTrusted },
      documentOptions: request.documentOptions,
      env: this.env,
      dependencyIndex: request.dependencyIndex,
      index: this.indexFor(request),
    };
  }
}

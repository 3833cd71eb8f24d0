/**
 * Trust on first use for files that cannot record identities (requirements.txt, pyproject.toml):
 * the publisher first verified for each project on each index is kept in `cacheDirectory`; a
 * later verified publisher that differs is an `identity-mismatch`, and only an explicit
 * `trust()` (the `Trust the new publisher` code action) replaces the trusted one.
 *
 * One line per (index, project) in a journal every process appends to (signedJournal.ts), read
 * back by each: of two writers racing on one project (the editor and the CLI), exactly one
 * records its publisher and the other reads it and compares — nothing is silently replaced.
 * `trust()` appends a line that replaces the entry. A line still being written is never read.
 * Entry files of earlier versions (one per project) are still read.
 * `trust()` takes the user's choice (issue 10 item 3): `replace` makes the new publisher the only
 * trusted one; `keep-both` keeps the trusted ones and adds it (`also`), for a project published
 * from two places on purpose. `forget()` removes the whole store (the user's "Forget Trusted
 * Publishers"): the next verified publisher of each project is a first use again.
 * A corrupt entry is discarded with a warning. Without a usable directory the store keeps its
 * entries in memory (and says so once).
 *
 * The cache directory may be shared or writable by others, so an entry is only believed when it
 * carries this user's MAC (core/cacheKey.ts) over the store, the (index, project) and the entry:
 * a forged or foreign entry is discarded like a corrupt one, and the next verified publisher is a
 * first use. Without the key nothing is read from or written to disk.
 */
import type { CacheKeySource } from '../core/cacheKey';
import type { Finding } from '../core/finding';
import type { Dependency } from '../core/model';
import { normalizeName } from '../core/names';
import type { Publisher } from '../core/result';
import { redactSecrets, redactUrl } from '../index/redact';
import { distinctPublishers, samePublisher } from './identities';
import { shown, trustedIdentityMismatchMessage } from './messages';
import { isObject, messageOf, type EntryCodec } from './signedEntries';
import { createSignedJournal } from './signedJournal';

export interface TrustedPublisher {
  /** The index URL without credentials, query or fragment (normalizeIndexUrl). */
  index: string;
  /** PEP 503 normalized project name. */
  project: string;
  publisher: Publisher;
  /** The version the publisher was first verified (or explicitly trusted) in. */
  version: string;
  /** When it was recorded, ISO 8601. */
  since: string;
  /** Publishers the user also accepted beside `publisher` (`keep-both`), each as trusted as it. */
  also?: AlsoTrusted[];
}

/** A publisher kept beside the first one. */
export interface AlsoTrusted {
  publisher: Publisher;
  version: string;
  since: string;
}

/** How an accepted publisher joins the trusted ones: instead of them, or beside them. */
export type TrustMode = 'replace' | 'keep-both';

/** Every publisher an entry trusts, the first one first. */
export function trustedPublishersOf(entry: Pick<TrustedPublisher, 'publisher' | 'version' | 'since' | 'also'>): AlsoTrusted[] {
  return [{ publisher: entry.publisher, version: entry.version, since: entry.since }, ...(entry.also ?? [])];
}

/** `first-use`: nothing was trusted, this publisher now is; `same`: it is the trusted one; else the trusted one that differs. */
export type ObserveResult = 'first-use' | 'same' | { mismatch: TrustedPublisher };

export interface TrustStoreOptions {
  /** The `cacheDirectory`; memory only when undefined or ''. */
  cacheDirectory?: string;
  /** The key entries are authenticated with; without one (or when it is unavailable) memory only. */
  key?: CacheKeySource;
  /** Warnings (corrupt entries, an unusable directory). */
  log?: (message: string) => void;
  now?: () => number;
}

export interface TrustStore {
  /** Compares a verified publisher with the trusted one, recording it when there is none. Never throws. */
  observe(index: string, project: string, publisher: Publisher, version: string): Promise<ObserveResult>;
  /**
   * Trusts `publisher` (the user said so): `replace` makes it the only trusted one, `keep-both`
   * adds it beside those trusted already. Never throws.
   */
  trust(index: string, project: string, publisher: Publisher, version: string, mode: TrustMode): Promise<void>;
  /** The trusted publisher, if any. Never throws. */
  get(index: string, project: string): Promise<TrustedPublisher | undefined>;
  /** How many projects have a trusted publisher (on disk and in memory). Never throws. */
  count(): Promise<number>;
  /** Forgets every trusted publisher, on disk and in memory; answers how many projects had one. Never throws. */
  forget(): Promise<number>;
}

/** v2: entries carry a MAC; the unauthenticated v1 entries are never read. */
export const TRUST_STORE_SUBDIRECTORY = 'trusted-publishers-v2';

/** The index URL as the store keys it: no credentials, query or fragment; the path ends in `/`. */
export function normalizeIndexUrl(url: string): string {
  const known = normalizedIndexUrls.get(url);
  if (known !== undefined) return known;
  const result = normalizeIndexUrlOnce(url);
  // A process sees a handful of indexes; bounded all the same.
  if (normalizedIndexUrls.size >= 256) normalizedIndexUrls.clear();
  normalizedIndexUrls.set(url, result);
  return result;
}

/** normalizeIndexUrl's answers (a pure function, asked for every dependency's checks). */
const normalizedIndexUrls = new Map<string, string>();

function normalizeIndexUrlOnce(url: string): string {
  try {
    const parsed = new URL(url.trim());
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
    // A token in the path (https://host/TOKEN/simple/) must not reach the store's files.
    return redactUrl(parsed.href);
  } catch {
    return redactSecrets(url.trim());
  }
}

/** v2 entries: `{ v: 2, index, project, publisher, version, since, mac }`, the MAC over the store, `index\nproject` and the entry. */
const TRUSTED_PUBLISHER_CODEC: EntryCodec<TrustedPublisher> = {
  nameOf: ({ index, project }) => `${index}\n${project}`,
  fields: (entry) => ({ v: 2, ...entry }),
  // JSON.stringify of parsed JSON gives back the writer's text, so reader and writer agree.
  // Entries without `also` keep the MAC they were written with before `keep-both` existed.
  content: ({ publisher, version, since, also }) =>
    JSON.stringify(also && also.length > 0 ? [publisher, version, since, also.map((entry) => [entry.publisher, entry.version, entry.since])] : [publisher, version, since]),
  parse(data) {
    if (data.v !== 2 || typeof data.index !== 'string' || typeof data.project !== 'string') return undefined;
    const { publisher, version, since } = data;
    if (!isObject(publisher) || typeof publisher.kind !== 'string' || publisher.kind === '') return undefined;
    if (typeof version !== 'string' || typeof since !== 'string') return undefined;
    const also = data.also === undefined ? [] : parseAlso(data.also);
    if (also === undefined) return undefined;
    return { index: data.index, project: data.project, publisher: publisher as Publisher, version, since, ...(also.length > 0 ? { also } : {}) };
  },
  discarded(name) {
    const [index, project] = name.split('\n');
    return `discarding a trusted-publisher entry for ${shown(project)} on ${shown(redactUrl(index))} that is corrupt or not authenticated by this user's key`;
  },
};

export function createTrustStore(options: TrustStoreOptions = {}): TrustStore {
  const now = options.now ?? Date.now;
  const disk = createSignedJournal(
    { cacheDirectory: options.cacheDirectory, subdirectory: TRUST_STORE_SUBDIRECTORY, maxBytes: 1024 * 1024, key: options.key, log: options.log, kept: 'trusted publishers', entryWords: 'a trusted-publisher entry' },
    TRUSTED_PUBLISHER_CODEC,
  );
  /** Entries held in memory: all of them without a directory, else those that could not be written. */
  const memory = new Map<string, TrustedPublisher>();

  const keyOf = (index: string, project: string) => ({ index: normalizeIndexUrl(index), project: normalizeName(project) });
  const memoryKey = (index: string, project: string) => `${index}\n${project}`;
  const unusable = disk.unusable;

  async function current(index: string, project: string): Promise<TrustedPublisher | undefined> {
    const held = memory.get(memoryKey(index, project));
    if (held !== undefined) return held;
    const cacheKey = await disk.prepare();
    if (cacheKey === undefined) return undefined;
    return disk.read(cacheKey, memoryKey(index, project));
  }

  const count = () => disk.count(memory.keys());

  function compare(trusted: TrustedPublisher, publisher: Publisher): ObserveResult {
    return trustedPublishersOf(trusted).some((entry) => samePublisher(entry.publisher, publisher)) ? 'same' : { mismatch: trusted };
  }

  function entryFor(index: string, project: string, publisher: Publisher, version: string): TrustedPublisher {
    return { index, project, publisher: plainPublisher(publisher), version, since: new Date(now()).toISOString() };
  }

  return {
    async observe(rawIndex, rawProject, publisher, version) {
      const { index, project } = keyOf(rawIndex, rawProject);
      try {
        const trusted = await current(index, project);
        if (trusted !== undefined) return compare(trusted, publisher);
        const entry = entryFor(index, project, publisher, version);
        const cacheKey = await disk.prepare();
        if (cacheKey === undefined) {
          memory.set(memoryKey(index, project), entry);
          return 'first-use';
        }
        if (await disk.create(cacheKey, entry)) return 'first-use';
        // Another writer recorded one in the meantime: that one is the first use.
        const winner = await disk.read(cacheKey, memoryKey(index, project));
        if (winner !== undefined) return compare(winner, publisher);
        memory.set(memoryKey(index, project), entry);
        return 'first-use';
      } catch (error) {
        unusable(`a trusted-publisher entry cannot be written (${messageOf(error)})`);
        const held = memory.get(memoryKey(index, project));
        if (held !== undefined) return compare(held, publisher);
        memory.set(memoryKey(index, project), entryFor(index, project, publisher, version));
        return 'first-use';
      }
    },

    async trust(rawIndex, rawProject, publisher, version, mode) {
      const { index, project } = keyOf(rawIndex, rawProject);
      const added = entryFor(index, project, publisher, version);
      // keep-both: read, add, write. Two processes accepting at the same moment may lose one
      // addition (the later rename wins); the lost publisher is then flagged again, never trusted silently.
      const kept = mode === 'keep-both' ? await current(index, project).catch(() => undefined) : undefined;
      await disk.replaceOrHold(kept ? withAlso(kept, added) : added, memory);
    },

    count,

    async forget() {
      const counted = await count();
      memory.clear();
      await disk.forget();
      return counted;
    },

    async get(rawIndex, rawProject) {
      const { index, project } = keyOf(rawIndex, rawProject);
      try {
        return await current(index, project);
      } catch {
        return undefined;
      }
    },
  };
}

export interface TrustedPublisherCheck {
  findings: Finding[];
  /** What the store said for each distinct verified publisher, in file order. */
  observed: { publisher: Publisher; result: ObserveResult }[];
}

/**
 * Observes every distinct verified publisher of the pinned release's files (the first one is
 * recorded on first use) and makes an `identity-mismatch` for each that is not the trusted one.
 * `changedIn`: the release the publisher changed in (checkHistory's `trustedChange`), for the message.
 */
export async function checkTrustedPublishers(
  store: TrustStore,
  input: {
    index: string;
    dependency: Pick<Dependency, 'name' | 'rawName' | 'ranges'>;
    version: string;
    files: readonly { status: string; publisher: Publisher | null }[];
    dependencyIndex?: number;
    changedIn?: string;
  },
): Promise<TrustedPublisherCheck> {
  const check: TrustedPublisherCheck = { findings: [], observed: [] };
  const publishers = distinctPublishers(input.files.filter((file) => file.status === 'verified').map((file) => file.publisher));
  // Files of one release with different publishers and nothing trusted yet: trusting either would be
  // a guess, and calling the other a mismatch would accuse it of changing from nothing. The
  // inconsistency is publisher-changed's to report; the store waits for an unambiguous release.
  if (publishers.length > 1 && (await store.get(input.index, input.dependency.name)) === undefined) return check;
  for (const publisher of publishers) {
    const result = await store.observe(input.index, input.dependency.name, publisher, input.version);
    check.observed.push({ publisher, result });
    if (typeof result === 'object') {
      check.findings.push(trustMismatchFinding(input.dependency, result.mismatch, { publisher, version: input.version }, { dependencyIndex: input.dependencyIndex, changedIn: input.changedIn }));
    }
  }
  return check;
}

/** `identity-mismatch` for a publisher that differs from the trusted one, both named in the message. */
export function trustMismatchFinding(
  dependency: Pick<Dependency, 'name' | 'rawName' | 'ranges'>,
  trusted: TrustedPublisher,
  observed: { publisher: Publisher; version: string },
  options: { dependencyIndex?: number; changedIn?: string | undefined } = {},
): Finding {
  const since = options.changedIn !== undefined ? `; it changed in ${shown(options.changedIn)}` : '';
  return {
    code: 'identity-mismatch',
    message: `${trustedIdentityMismatchMessage(dependency.rawName || dependency.name, trusted, observed)}${since}`,
    range: dependency.ranges.requirement,
    ...(options.dependencyIndex !== undefined ? { dependency: options.dependencyIndex } : {}),
  };
}

/** `current` with `added` trusted beside it (nothing added when it is trusted already). */
function withAlso(current: TrustedPublisher, added: TrustedPublisher): TrustedPublisher {
  if (trustedPublishersOf(current).some((entry) => samePublisher(entry.publisher, added.publisher))) return current;
  return { ...current, also: [...(current.also ?? []), { publisher: added.publisher, version: added.version, since: added.since }] };
}

function parseAlso(value: unknown): AlsoTrusted[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const also: AlsoTrusted[] = [];
  for (const item of value) {
    if (!isObject(item) || !isObject(item.publisher) || typeof item.publisher.kind !== 'string' || item.publisher.kind === '') return undefined;
    if (typeof item.version !== 'string' || typeof item.since !== 'string') return undefined;
    also.push({ publisher: item.publisher as Publisher, version: item.version, since: item.since });
  }
  return also;
}

/** The publisher's own JSON fields only (no prototype tricks, no functions). */
function plainPublisher(publisher: Publisher): Publisher {
  return JSON.parse(JSON.stringify(publisher)) as Publisher;
}

/**
 * What every trust memory's store shares (trusted publishers, release file sets, log checkpoints,
 * project owners): the entry codec, the store's API (`SignedEntries`, which signedJournal.ts
 * implements), and the entry files of earlier versions, one per entry, which are still read.
 *
 * - An entry file is named by the SHA-256 of the entry's name, so that no index URL or secret
 *   reaches a file name. It is read through the regular-file reader (no FIFO, no endless file)
 *   and believed only when it carries this user's MAC over the store, its name and its content; a
 *   corrupt, forged or foreign file is removed with a warning and counts as absent.
 * - Without a directory, without the key, or when the directory cannot be used, `prepare`
 *   answers undefined and the caller keeps its entries in memory (said once).
 * Nothing writes entry files any more: the stores append to their journal.
 */
import { createHash } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
import type { CacheKey, CacheKeySource } from '../core/cacheKey';
import { withRegularReads } from '../core/regularFile';
import { redactSecrets } from '../index/redact';
import { shown, shownUpTo } from './messages';

/** The file operations the entry files of earlier versions are read and removed with (node:fs/promises, regular files only). */
interface SignedEntriesFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  rm(path: string, options: { force: boolean; recursive?: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
}

/** How one kind of entry is written and read back. */
export interface EntryCodec<T> {
  /** The entry's name: hashed into its file name and covered by its MAC. */
  nameOf(entry: T): string;
  /** The file's JSON fields besides `mac` (with the format's version). */
  fields(entry: T): Record<string, unknown>;
  /** What the MAC covers besides the store and the name (JSON.stringify of parsed JSON gives the writer's text back). */
  content(entry: T): string;
  /** The entry a file's JSON holds when it is well formed; undefined otherwise. Its name and MAC are checked after. */
  parse(data: Record<string, unknown>): T | undefined;
  /** The warning for a discarded entry of this name. */
  discarded(name: string): string;
}

export interface SignedEntriesOptions {
  /** The `cacheDirectory`; memory only when undefined or ''. */
  cacheDirectory?: string;
  /** The subdirectory (with its format version); also the store name the MACs cover. */
  subdirectory: string;
  /** Largest entry file read (bigger is unreadable). */
  maxBytes: number;
  key?: CacheKeySource;
  log?: (message: string) => void;
  /** What the one "kept in memory only" warning names, e.g. `trusted publishers`. */
  kept: string;
  /** One entry in the warnings, e.g. `a trusted-publisher entry`. */
  entryWords: string;
}

export interface SignedEntries<T> {
  /** The key when entries live on disk; undefined: memory only (said once, unless the key source said why). */
  prepare(): Promise<CacheKey | undefined>;
  /** The entry on disk; undefined when absent, unreadable, or corrupt or unauthenticated (then removed). */
  read(cacheKey: CacheKey, name: string): Promise<T | undefined>;
  /** Records the entry unless one exists: true when this call recorded it. Throws when it cannot be written. */
  create(cacheKey: CacheKey, entry: T): Promise<boolean>;
  /** Writes the entry over any other. Throws when it cannot be written. */
  replace(cacheKey: CacheKey, entry: T): Promise<void>;
  /**
   * The user's choice, over any other entry: on disk when there is one (and then out of `held`),
   * otherwise — no disk, or the write failed (warned once) — in `held`, by the entry's name. Never throws.
   */
  replaceOrHold(entry: T, held: Map<string, T>): Promise<void>;
  /**
   * First use: the entry of the same name already on disk (`existing`, also when another writer
   * won the race), or `recorded` when this call wrote it. Undefined without a disk (memory only).
   * Throws when it cannot be written.
   */
  recordFirst(entry: T): Promise<{ existing?: T; recorded: boolean } | undefined>;
  /** Warns once that the entries are kept in memory only, and why. */
  unusable(reason: string): void;
  /** How many entries are on disk, plus those of `heldNames` (entries in memory) not on disk. Never throws. */
  count(heldNames?: Iterable<string>): Promise<number>;
  /** Removes every entry on disk (the directory is made again at the next write). Never throws. */
  forget(): Promise<void>;
}

/** Characters of a reason the "kept in memory only" warning shows. */
const MAX_REASON_SHOWN = 300;

/** A store's directory as its journal uses it: the key, the directory made, the warning said once, and the entry files of earlier versions. */
export interface EntryFiles<T> {
  /** The key when entries live on disk; undefined: memory only (said once, unless the key source said why). */
  prepare(): Promise<CacheKey | undefined>;
  /** The entry file of `name`; undefined when absent, unreadable, or corrupt or unauthenticated (then removed). */
  read(cacheKey: CacheKey, name: string): Promise<T | undefined>;
  /** Warns once that the entries are kept in memory only, and why. */
  unusable(reason: string): void;
  /** Removes the whole directory, entry files and journal (made again at the next write). Never throws. */
  forget(): Promise<void>;
}

export function createEntryFiles<T>(options: SignedEntriesOptions, codec: EntryCodec<T>): EntryFiles<T> {
  const fs: SignedEntriesFs = withRegularReads(nodeFs as unknown as SignedEntriesFs, options.maxBytes);
  const log = options.log ?? (() => undefined);
  const directory = options.cacheDirectory ? join(options.cacheDirectory, options.subdirectory) : undefined;
  let ready: Promise<CacheKey | undefined> | undefined;
  let warned = false;

  function unusable(reason: string): void {
    if (warned) return;
    warned = true;
    // Longer than a name from the index: the reason is ours, and its path is what the user must act on.
    log(`${options.kept} are kept in memory only: ${shownUpTo(redactSecrets(reason), MAX_REASON_SHOWN)}`);
  }

  function parse(text: string, name: string, cacheKey: CacheKey): T | undefined {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return undefined;
    }
    const entry = openSealed(codec, options.subdirectory, cacheKey, data);
    return entry !== undefined && codec.nameOf(entry) === name ? entry : undefined;
  }

  return {
    prepare() {
      ready ??= (async () => {
        if (directory === undefined) return undefined;
        const cacheKey = await options.key?.();
        if (cacheKey === undefined) {
          // The key source says why (once); without a source there is nothing to say but this.
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
    },

    async read(cacheKey, name) {
      const path = join(directory!, entryFileName(name));
      let text: string;
      try {
        text = await fs.readFile(path, 'utf8');
      } catch (error) {
        if (codeOf(error) !== 'ENOENT') unusable(`${options.entryWords} cannot be read (${messageOf(error)})`);
        return undefined;
      }
      const entry = parse(text, name, cacheKey);
      if (entry === undefined) {
        log(codec.discarded(name));
        await fs.rm(path, { force: true }).catch(() => undefined);
      }
      return entry;
    },

    unusable,

    async forget() {
      if (directory !== undefined) {
        try {
          await fs.rm(directory, { recursive: true, force: true });
        } catch (error) {
          log(`${options.kept} could not all be removed: ${shown(redactSecrets(messageOf(error)))}`);
        }
      }
      ready = undefined;
      warned = false;
    },
  };
}

/** The file of the entry named `name`: the SHA-256 of the name, so that no index URL or secret reaches a file name. */
export function entryFileName(name: string): string {
  return `${createHash('sha256').update(name).digest('hex')}.json`;
}

/** Whether a directory entry's name is that of an entry file. */
export function isEntryFileName(file: string): boolean {
  return /^[0-9a-f]{64}\.json$/.test(file);
}

/**
 * The entry stored JSON holds when it is well formed and carries this user's MAC for `store` over
 * its name and `macContent` (the codec's content, unless the layout adds to it); undefined otherwise.
 */
export function openSealed<T>(codec: EntryCodec<T>, store: string, cacheKey: CacheKey, data: unknown, macContent: (entry: T) => string = codec.content): T | undefined {
  if (!isObject(data)) return undefined;
  const entry = codec.parse(data);
  if (entry === undefined) return undefined;
  return cacheKey.authentic(store, codec.nameOf(entry), macContent(entry), data.mac) ? entry : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

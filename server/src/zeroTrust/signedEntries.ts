/**
 * A directory of small JSON entries authenticated with this user's key (core/cacheKey.ts): the
 * discipline every trust memory shares (trusted publishers, release file sets, log checkpoints,
 * project owners).
 *
 * - One file per entry, named by the SHA-256 of the entry's name, so that no index URL or secret
 *   reaches a file name and writers of different entries never touch the same file.
 * - `create` writes a temp file and hard-links it to the entry's name, which fails when the entry
 *   exists: of two processes racing on one entry (the editor and the CLI), exactly one records
 *   and the other reads the winner's. Where hard links are not supported, it checks, then renames
 *   (a narrow race remains there). `replace` writes a temp file and renames it over the entry.
 *   Readers never see half a file.
 * - An entry is read through the regular-file reader (no FIFO, no endless file) and believed only
 *   when it carries this user's MAC over the store, its name and its content; a corrupt, forged or
 *   foreign entry is removed with a warning and counts as absent.
 * - Without a directory, without the key, or when the directory cannot be used, `prepare`
 *   answers undefined and the caller keeps its entries in memory (said once).
 */
import { createHash } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
import type { CacheKey, CacheKeySource } from '../core/cacheKey';
import { withRegularReads } from '../core/regularFile';
import { tempPathFor, withSmallSyncWrites } from '../core/smallWrites';
import { redactSecrets } from '../index/redact';
import { shown, shownUpTo } from './messages';

/** The file operations the entries use (node:fs/promises by default). */
export interface SignedEntriesFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existingPath: string, newPath: string): Promise<void>;
  rm(path: string, options: { force: boolean; recursive?: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  /** For count(); without it only the names given to count() are counted. */
  readdir?(path: string): Promise<string[]>;
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
  fs?: SignedEntriesFs;
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
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV']);

export function createSignedEntries<T>(options: SignedEntriesOptions, codec: EntryCodec<T>): SignedEntries<T> {
  const fs: SignedEntriesFs = options.fs ?? withRegularReads(withSmallSyncWrites(nodeFs as unknown as SignedEntriesFs), options.maxBytes);
  const log = options.log ?? (() => undefined);
  const directory = options.cacheDirectory ? join(options.cacheDirectory, options.subdirectory) : undefined;
  let ready: Promise<CacheKey | undefined> | undefined;
  let warned = false;

  const fileOf = (name: string) => join(directory!, entryFileName(name));
  const tempOf = tempPathFor;

  function unusable(reason: string): void {
    if (warned) return;
    warned = true;
    // Longer than a name from the index: the reason is ours, and its path is what the user must act on.
    log(`${options.kept} are kept in memory only: ${shownUpTo(redactSecrets(reason), MAX_REASON_SHOWN)}`);
  }

  const serialize = (entry: T, cacheKey: CacheKey): string => `${JSON.stringify(sealedFields(codec, options.subdirectory, cacheKey, entry), null, 2)}\n`;

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

  async function read(cacheKey: CacheKey, name: string): Promise<T | undefined> {
    const path = fileOf(name);
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

    read,

    async create(cacheKey, entry) {
      const name = codec.nameOf(entry);
      const path = fileOf(name);
      const temp = tempOf(path);
      let placed = false;
      try {
        await fs.writeFile(temp, serialize(entry, cacheKey));
        try {
          await fs.link(temp, path);
          return true;
        } catch (error) {
          const code = codeOf(error);
          if (code === 'EEXIST') return false;
          if (!NO_HARD_LINKS.has(code ?? '')) throw error;
          // A file system without hard links: check, then rename (a narrow race remains there).
          if ((await read(cacheKey, name)) !== undefined) return false;
          await fs.rename(temp, path);
          placed = true;
          return true;
        }
      } finally {
        if (!placed) await fs.rm(temp, { force: true }).catch(() => undefined);
      }
    },

    async recordFirst(entry) {
      const cacheKey = await this.prepare();
      if (cacheKey === undefined) return undefined;
      const name = codec.nameOf(entry);
      const existing = await read(cacheKey, name);
      if (existing !== undefined) return { existing, recorded: false };
      if (await this.create(cacheKey, entry)) return { recorded: true };
      const winner = await read(cacheKey, name);
      return winner !== undefined ? { existing: winner, recorded: false } : { recorded: false };
    },

    async replace(cacheKey, entry) {
      const path = fileOf(codec.nameOf(entry));
      const temp = tempOf(path);
      try {
        await fs.writeFile(temp, serialize(entry, cacheKey));
        await fs.rename(temp, path);
      } catch (error) {
        await fs.rm(temp, { force: true }).catch(() => undefined);
        throw error;
      }
    },

    async replaceOrHold(entry, held) {
      const name = codec.nameOf(entry);
      const cacheKey = await this.prepare();
      if (cacheKey !== undefined) {
        try {
          await this.replace(cacheKey, entry);
          held.delete(name);
          return;
        } catch (error) {
          unusable(`${options.entryWords} cannot be written (${messageOf(error)})`);
        }
      }
      held.set(name, entry);
    },

    unusable,

    async count(heldNames = []) {
      let onDisk = new Set<string>();
      if (directory !== undefined && fs.readdir !== undefined) {
        try {
          onDisk = new Set((await fs.readdir(directory)).filter(isEntryFileName));
        } catch {
          // No directory yet: nothing on disk.
        }
      }
      let held = 0;
      for (const name of heldNames) if (!onDisk.has(entryFileName(name))) held++;
      return onDisk.size + held;
    },

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

/** The JSON fields of an entry as stored: the codec's fields and this user's MAC over the store, the entry's name and its content. */
export function sealedFields<T>(codec: EntryCodec<T>, store: string, cacheKey: CacheKey, entry: T): Record<string, unknown> {
  return { ...codec.fields(entry), mac: cacheKey.mac(store, codec.nameOf(entry), codec.content(entry)) };
}

/** The entry stored JSON holds when it is well formed and carries this user's MAC for `store`; undefined otherwise. */
export function openSealed<T>(codec: EntryCodec<T>, store: string, cacheKey: CacheKey, data: unknown): T | undefined {
  if (!isObject(data)) return undefined;
  const entry = codec.parse(data);
  if (entry === undefined) return undefined;
  return cacheKey.authentic(store, codec.nameOf(entry), codec.content(entry), data.mac) ? entry : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

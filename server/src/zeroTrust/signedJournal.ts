/**
 * Signed entries kept as one journal per store that every process appends to, with the API of a
 * directory of entry files (signedEntries.ts): the layout of the trust memories that gain an entry
 * per dependency or per attestation (trusted publishers, release file sets, log checkpoints,
 * project owners). A file per entry (signedEntries.ts) cost about 0.4 ms of CPU an entry here — an
 * inode and a directory entry for the temp file, its link, its removal — more than verifying the
 * attestation; appending a line costs about 15 µs.
 *
 * - One file, JOURNAL_FILE_NAME, in the store's subdirectory. Each record is one write of
 *   `\n<JSON>\n` to a descriptor opened with O_APPEND, which the kernel places at the end of the
 *   file in one step: the lines of concurrent writers never interleave, and the file's order is
 *   the order of the records. The leading newline ends a line torn by a writer killed mid-write,
 *   so that the next record is never glued to it; a line is read only once its final newline is
 *   there (a record still being written is read next time).
 * - An entry is the first line of its name that carries this user's MAC over the store, the name
 *   and the content, as a file entry does, unless a later line replaces it: a line marked
 *   `replaces` (the user's choice, as `replace` writes it) is the entry from there on, and its MAC
 *   covers that mark too, so that no first-use line can be turned into one. Of two processes
 *   racing on a first use both append, both read the journal back and both hold the line that
 *   came first: exactly one records. A corrupt, forged or foreign line is skipped with a warning
 *   (it cannot be removed from a shared file); the name's next authentic line counts.
 * - The directory may be writable by others, so the journal is opened with O_NOFOLLOW and must be
 *   a regular file with one link: a symbolic or hard link planted there must not make this user
 *   append to, or read, another file. It is read up to a size (a huge file is not read at all).
 * - Each process reads the journal once, then only the bytes appended since (fstat, then a read
 *   of the new bytes). A journal replaced or removed by someone else is read again from its start.
 * - Entries that earlier versions wrote as one file each (signedEntries.ts) are still believed:
 *   when the journal has no line of a name and the directory holds that name's file.
 * - The directory removed by another process (Forget Trusted Publishers) is made again at the
 *   next record.
 * Without a directory or the key, `prepare` answers undefined (and `recordFirst` with it) and the
 * caller keeps its entries in memory (said once).
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheKey } from '../core/cacheKey';
import { O_NOFOLLOW, UnreadableFileError, readAt } from '../core/regularFile';
import { codeOf, createEntryFiles, entryFileName, isEntryFileName, isObject, messageOf, openSealed, type EntryCodec, type SignedEntries, type SignedEntriesOptions } from './signedEntries';

export const JOURNAL_FILE_NAME = 'entries.jsonl';
/** The largest journal read: about 150,000 checkpoint lines. */
const DEFAULT_MAX_JOURNAL_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * Skipped lines named in warnings, each process: a line cannot be removed from a shared journal,
 * so another key's hundreds of lines (a second key directory, another user) would be named again
 * at every start.
 */
const WARNED_LINES = 5;

export interface SignedJournalOptions extends SignedEntriesOptions {
  /** The largest journal read (DEFAULT_MAX_JOURNAL_BYTES); a larger one leaves the store in memory only. */
  maxJournalBytes?: number;
}

/** What a line does to its name's entry: `create` only when there is none (first use), `replace` always. */
type LineKind = 'create' | 'replace';

export function createSignedJournal<T>(options: SignedJournalOptions, codec: EntryCodec<T>): SignedEntries<T> {
  const log = options.log ?? (() => undefined);
  const maxJournalBytes = options.maxJournalBytes ?? DEFAULT_MAX_JOURNAL_BYTES;
  const directory = options.cacheDirectory ? join(options.cacheDirectory, options.subdirectory) : undefined;
  const journalPath = directory === undefined ? undefined : join(directory, JOURNAL_FILE_NAME);
  // The file layout: the key, the directory, the "kept in memory only" warning, and the entries of earlier versions.
  const files = createEntryFiles(options, codec);

  /** Each name's entry as the journal read so far has it. */
  const recorded = new Map<string, T>();
  /** Lines this process appended and has not read back yet (the text is what tells ours from another's). */
  const appended = new Set<string>();
  /** Of those, the first-use lines read back that made their name's entry. */
  const appliedOurs = new Set<string>();

  /** What the MAC of a line covers besides the store and the name: a replacing line says so. */
  const macContent = (entry: T, kind: LineKind) => (kind === 'replace' ? JSON.stringify(['replace', codec.content(entry)]) : codec.content(entry));

  function lineOf(entry: T, kind: LineKind, cacheKey: CacheKey): string {
    const mac = cacheKey.mac(options.subdirectory, codec.nameOf(entry), macContent(entry, kind));
    return JSON.stringify({ ...codec.fields(entry), ...(kind === 'replace' ? { replaces: true } : {}), mac });
  }

  const kindOf = (data: unknown): LineKind => (isObject(data) && data.replaces === true ? 'replace' : 'create');

  /** The entry of a line and what it does, when it is well formed and carries this user's MAC. */
  function opened(data: unknown, cacheKey: CacheKey): { entry: T; kind: LineKind } | undefined {
    const kind = kindOf(data);
    const entry = openSealed(codec, options.subdirectory, cacheKey, data, (sealed) => macContent(sealed, kind));
    return entry === undefined ? undefined : { entry, kind };
  }

  /** A line this process wrote, read back: its entry and what it does (it was sealed here). */
  function ownLine(data: unknown): { entry: T; kind: LineKind } | undefined {
    const entry = isObject(data) ? codec.parse(data) : undefined;
    return entry === undefined ? undefined : { entry, kind: kindOf(data) };
  }

  /** The journal read so far: its inode and the bytes up to the end of its last complete line. */
  let readInode: number | undefined;
  let readUpTo = 0;
  let corruptLines = 0;
  /** Entry files in the directory, listed again whenever the directory changes. */
  let entryFiles = new Set<string>();
  let listedAt: number | undefined;

  function forgetRead(inode: number | undefined): void {
    recorded.clear();
    readInode = inode;
    readUpTo = 0;
  }

  function consume(lines: string, cacheKey: CacheKey): void {
    for (const line of lines.split('\n')) {
      if (line === '') continue;
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        data = undefined;
      }
      // A line this process just wrote carries the MAC it just made: not computed a second time.
      const ours = appended.delete(line);
      const sealed = ours ? ownLine(data) : opened(data, cacheKey);
      if (sealed === undefined) {
        corruptLines++;
        if (corruptLines <= WARNED_LINES) {
          // Named when the line is well formed (its MAC is what fails): the codec's own warning.
          const named = isObject(data) ? codec.parse(data) : undefined;
          log(named !== undefined ? codec.discarded(codec.nameOf(named)) : `skipping a line of the ${options.kept} journal that is corrupt or not authenticated by this user's key (${corruptLines} so far)`);
        } else if (corruptLines === WARNED_LINES + 1) {
          log(`skipping more lines of the ${options.kept} journal that are corrupt or not authenticated by this user's key; no more are named`);
        }
        continue;
      }
      const { entry, kind } = sealed;
      const name = codec.nameOf(entry);
      if (kind === 'replace' || !recorded.has(name)) {
        recorded.set(name, entry);
        if (ours && kind === 'create') appliedOurs.add(line);
      }
    }
  }

  /** Reads what was appended to the journal since the last read. */
  function readNew(cacheKey: CacheKey): void {
    // Nothing appended since (the usual case between two records): one lstat, no open.
    const seen = lstatSync(journalPath!, { throwIfNoEntry: false });
    if (seen !== undefined && seen.isFile() && seen.ino === readInode && seen.size === readUpTo) return;
    let fd: number;
    try {
      fd = openJournal(constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
      if (readInode !== undefined) forgetRead(undefined);
      return;
    }
    try {
      const stat = fstatSync(fd);
      if (stat.size > maxJournalBytes) throw new UnreadableFileError('EFBIG', `${journalPath} is larger than ${maxJournalBytes} bytes`);
      if (stat.ino !== readInode || stat.size < readUpTo) forgetRead(stat.ino);
      if (stat.size === readUpTo) return;
      const bytes = Buffer.allocUnsafe(stat.size - readUpTo);
      const length = readAt(fd, bytes, readUpTo);
      const complete = bytes.lastIndexOf(NEWLINE, length - 1) + 1;
      if (complete === 0) return;
      readUpTo += complete;
      consume(bytes.toString('utf8', 0, complete), cacheKey);
    } finally {
      closeSync(fd);
    }
  }

  /** The journal opened with `flags`, never through a symbolic link, and only when it is a regular file with one link. */
  function openJournal(flags: number): number {
    let fd: number;
    try {
      fd = openSync(journalPath!, flags | O_NOFOLLOW, 0o600);
    } catch (error) {
      if (codeOf(error) === 'ELOOP') throw new UnreadableFileError('ENOTREG', `a symbolic link stands where the journal belongs (remove ${journalPath})`);
      throw error;
    }
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.nlink !== 1) {
      closeSync(fd);
      throw new UnreadableFileError('ENOTREG', `${stat.isFile() ? 'a file with other hard links' : 'something other than a regular file'} stands where the journal belongs (remove ${journalPath})`);
    }
    return fd;
  }

  function append(line: string): void {
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;
    let fd: number;
    try {
      fd = openJournal(flags);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
      // The directory went (another process forgot the store): made again, as a file entry's write would.
      mkdirSync(directory!, { recursive: true });
      fd = openJournal(flags);
    }
    try {
      const bytes = Buffer.from(`\n${line}\n`, 'utf8');
      // One write: a regular file takes all of it (a short write means the disk is full).
      const written = writeSync(fd, bytes, 0, bytes.length);
      if (written !== bytes.length) throw new Error(`only ${written} of ${bytes.length} bytes could be appended to ${journalPath}`);
    } finally {
      closeSync(fd);
    }
  }

  /** The entry files of earlier versions in the directory, listed again whenever it changed. */
  function earlierFiles(): Set<string> {
    let changedAt: number;
    try {
      changedAt = statSync(directory!).mtimeMs;
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
      // No directory (removed since): no file of an earlier version either.
      listedAt = undefined;
      return (entryFiles = new Set());
    }
    if (changedAt !== listedAt) {
      entryFiles = new Set(readdirSync(directory!).filter(isEntryFileName));
      listedAt = changedAt;
    }
    return entryFiles;
  }

  /** An entry file of an earlier version for `name`, when the directory holds one. */
  async function earlierFile(cacheKey: CacheKey, name: string): Promise<T | undefined> {
    return earlierFiles().has(entryFileName(name)) ? files.read(cacheKey, name) : undefined;
  }

  /** Appends `line` and reads the journal back: whether it is the line that made its name's entry. */
  function appendAndSee(line: string, cacheKey: CacheKey, name: string): boolean {
    appended.add(line);
    try {
      append(line);
      readNew(cacheKey);
    } finally {
      appended.delete(line);
    }
    // No entry of the name to be found: the journal was removed right after the write; ours was recorded.
    return appliedOurs.delete(line) || !recorded.has(name);
  }

  /** The entry on disk: the journal's, else an earlier version's file. Throws when the journal cannot be read. */
  async function known(cacheKey: CacheKey, name: string): Promise<T | undefined> {
    readNew(cacheKey);
    return recorded.get(name) ?? (await earlierFile(cacheKey, name));
  }

  async function create(cacheKey: CacheKey, entry: T): Promise<boolean> {
    const name = codec.nameOf(entry);
    if ((await known(cacheKey, name)) !== undefined) return false;
    return appendAndSee(lineOf(entry, 'create', cacheKey), cacheKey, name);
  }

  async function replace(cacheKey: CacheKey, entry: T): Promise<void> {
    append(lineOf(entry, 'replace', cacheKey));
  }

  return {
    prepare: () => files.prepare(),

    async read(cacheKey, name) {
      try {
        return await known(cacheKey, name);
      } catch (error) {
        files.unusable(`the ${options.kept} journal cannot be read (${messageOf(error)})`);
        return undefined;
      }
    },

    create,

    replace,

    async replaceOrHold(entry, held) {
      const name = codec.nameOf(entry);
      const cacheKey = await files.prepare();
      if (cacheKey !== undefined) {
        try {
          await replace(cacheKey, entry);
          held.delete(name);
          return;
        } catch (error) {
          files.unusable(`${options.entryWords} cannot be written (${messageOf(error)})`);
        }
      }
      held.set(name, entry);
    },

    async recordFirst(entry) {
      const cacheKey = await files.prepare();
      if (cacheKey === undefined) return undefined;
      const name = codec.nameOf(entry);
      const existing = await known(cacheKey, name);
      if (existing !== undefined) return { existing, recorded: false };
      if (appendAndSee(lineOf(entry, 'create', cacheKey), cacheKey, name)) return { recorded: true };
      return { existing: recorded.get(name), recorded: false };
    },

    unusable: files.unusable,

    async count(heldNames = []) {
      // Counted by file name, so that a name both in the journal and in an earlier file counts once.
      const onDisk = new Set<string>();
      const cacheKey = directory === undefined ? undefined : await files.prepare().catch(() => undefined);
      if (cacheKey !== undefined) {
        try {
          readNew(cacheKey);
          for (const name of recorded.keys()) onDisk.add(entryFileName(name));
          for (const file of earlierFiles()) onDisk.add(file);
        } catch {
          // Unreadable: what is in memory is all there is to count.
        }
      }
      let held = 0;
      for (const name of heldNames) if (!onDisk.has(entryFileName(name))) held++;
      return onDisk.size + held;
    },

    async forget() {
      await files.forget();
      forgetRead(undefined);
      listedAt = undefined;
    },
  };
}

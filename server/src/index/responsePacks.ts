/**
 * Small index answers packed into append-only files (issue 14): a cold check of 200 dependencies
 * with 2 files each wrote 600 answer files, and creating a file (its inode, its directory entry,
 * the temp file's rename) cost 0.4–1.2 ms of CPU each here, more than fetching the answer; an
 * append costs about 15 µs. A warm start then reads a few packs instead of opening 600 files.
 *
 * - Each cache instance appends to a pack of its own, `pack-<pid>-<random>.jsonl`: no two writers
 *   ever share a file. A line is `<key> <stored JSON>\n` (JSON text has no raw newline); the
 *   latest line of a key is its answer.
 * - `load` reads every pack of the directory once (oldest first, so a newer pack's line wins) and
 *   keeps where each key's latest line is; `read` then reads that line alone. A line is believed
 *   only when it is complete and still starts with its key (a pack removed or rewritten since
 *   reads as a miss): the caller checks the entry as it checks a file (URL, Accept, fields).
 * - Packs of other processes are read at `load` only: an answer another process packs later is
 *   one this one fetches itself (a cache; nothing is wrong, only repeated).
 * - Nothing grows without bound: an own pack past ROTATE_BYTES (or twice its size after the
 *   last rewrite) is rewritten with its current lines only; at `load`, once more than
 *   FOLD_AFTER_PACKS are there, packs untouched for STALE_MS (their writers are gone) are folded
 *   into this instance's pack and removed.
 * - Packs are opened with O_NOFOLLOW and read only as regular files, with bounded sizes: the
 *   directory may be writable by others.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { O_NOFOLLOW, readAt } from '../core/regularFile';

const PACK_NAME = /^pack-[0-9]+-[0-9a-f]+\.jsonl$/;
const KEY = /^[0-9a-f]{64}$/;
/** A key, then one space. */
const PREFIX_BYTES = 65;
const NEWLINE = 0x0a;
/** An own pack past this is rewritten with its current lines only. */
export const ROTATE_BYTES = 16 * 1024 * 1024;
/** The largest pack read; a larger one is not ours. */
const MAX_PACK_BYTES = 64 * 1024 * 1024;
/** Packs read at most at `load` (the newest), and more than this many are folded. */
const MAX_PACKS_READ = 64;
export const FOLD_AFTER_PACKS = 8;
/** A pack untouched this long has no writer any more. */
export const STALE_MS = 60 * 60 * 1000;

interface Location {
  file: string;
  /** Where the stored JSON starts, after the key and its space. */
  offset: number;
  length: number;
}

export interface ResponsePacks {
  /** Reads the packs of the directory (once per instance). Never throws. */
  load(): void;
  /** The stored JSON of `key`'s latest line; undefined when there is none or it cannot be read. */
  read(key: string): string | undefined;
  /** Appends `key`'s stored JSON to this instance's pack. Throws when it cannot be written. */
  append(key: string, storedJson: string): void;
  /** Forgets `key` (its answer is now a file of its own, or was found wrong). */
  forget(key: string): void;
  /** Whether `key` has a line. */
  has(key: string): boolean;
}

export interface ResponsePacksOptions {
  now?: () => number;
  log?: (message: string) => void;
  /** ROTATE_BYTES by default (tests rotate sooner). */
  rotateBytes?: number;
}

export function createResponsePacks(directory: string, options: ResponsePacksOptions = {}): ResponsePacks {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const where = new Map<string, Location>();
  let loaded = false;
  let own = newPackName();
  let ownBytes = 0;
  /** Past this the own pack is rewritten: twice what it held after the last rewrite, so that a pack of live lines is not rewritten at every append. */
  const rotateBytes = options.rotateBytes ?? ROTATE_BYTES;
  let rotateAt = rotateBytes;

  function newPackName(): string {
    return join(directory, `pack-${process.pid}-${randomBytes(6).toString('hex')}.jsonl`);
  }

  /** A pack's bytes: a regular file of at most MAX_PACK_BYTES, never through a link. */
  function readPack(file: string): Buffer | undefined {
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | O_NOFOLLOW);
    } catch {
      return undefined;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile() || stat.size > MAX_PACK_BYTES) return undefined;
      const bytes = Buffer.allocUnsafe(stat.size);
      return bytes.subarray(0, readAt(fd, bytes, 0));
    } finally {
      closeSync(fd);
    }
  }

  /** Keeps where each complete line of the pack is (a later line of a key replaces an earlier). */
  function index(file: string, bytes: Buffer): void {
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      if (end < 0) break;
      if (end - start > PREFIX_BYTES && bytes[start + PREFIX_BYTES - 1] === 0x20) {
        const key = bytes.toString('latin1', start, start + PREFIX_BYTES - 1);
        if (KEY.test(key)) where.set(key, { file, offset: start + PREFIX_BYTES, length: end - start - PREFIX_BYTES });
      }
      start = end + 1;
    }
  }

  /** The line at `location`, if it is still `key`'s (the pack may be gone or rewritten). */
  function lineAt(key: string, location: Location): string | undefined {
    let fd: number;
    try {
      fd = openSync(location.file, constants.O_RDONLY | constants.O_NONBLOCK | O_NOFOLLOW);
    } catch {
      return undefined;
    }
    try {
      if (!fstatSync(fd).isFile()) return undefined;
      const bytes = Buffer.allocUnsafe(location.length + PREFIX_BYTES + 1);
      const length = readAt(fd, bytes, location.offset - PREFIX_BYTES);
      if (length !== bytes.length || bytes[bytes.length - 1] !== NEWLINE || bytes.toString('latin1', 0, PREFIX_BYTES) !== `${key} `) return undefined;
      return bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + location.length);
    } finally {
      closeSync(fd);
    }
  }

  function appendLine(key: string, storedJson: string): void {
    const line = Buffer.from(`${key} ${storedJson}\n`, 'utf8');
    const fd = openSync(own, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new Error(`${own} is not a regular file`);
      // Only this instance writes its pack: its size now is where the line goes.
      const written = writeSync(fd, line, 0, line.length);
      if (written !== line.length) throw new Error(`only ${written} of ${line.length} bytes could be appended to ${own}`);
      where.set(key, { file: own, offset: stat.size + PREFIX_BYTES, length: line.length - PREFIX_BYTES - 1 });
      ownBytes = stat.size + line.length;
    } finally {
      closeSync(fd);
    }
  }

  /** Moves the current lines of `files` into this instance's pack, then removes them. */
  function foldInto(files: ReadonlySet<string>): void {
    for (const [key, location] of [...where]) {
      if (!files.has(location.file)) continue;
      const line = lineAt(key, location);
      if (line === undefined) where.delete(key);
      else appendLine(key, line);
    }
    for (const file of files) {
      try {
        unlinkSync(file);
      } catch {
        // Folded by another process at the same time: gone either way.
      }
    }
  }

  function rotate(): void {
    const old = own;
    own = newPackName();
    ownBytes = 0;
    foldInto(new Set([old]));
    rotateAt = Math.max(rotateBytes, 2 * ownBytes);
  }

  return {
    load() {
      if (loaded) return;
      loaded = true;
      let packs: Array<{ file: string; mtimeMs: number }>;
      try {
        packs = readdirSync(directory)
          .filter((name) => PACK_NAME.test(name))
          .flatMap((name) => {
            const file = join(directory, name);
            try {
              const stat = lstatSync(file);
              return stat.isFile() ? [{ file, mtimeMs: stat.mtimeMs }] : [];
            } catch {
              return [];
            }
          })
          .sort((a, b) => a.mtimeMs - b.mtimeMs);
      } catch {
        return;
      }
      for (const pack of packs.slice(-MAX_PACKS_READ)) {
        const bytes = readPack(pack.file);
        if (bytes !== undefined) index(pack.file, bytes);
      }
      if (packs.length <= FOLD_AFTER_PACKS) return;
      const stale = new Set(packs.filter((pack) => now() - pack.mtimeMs > STALE_MS).map((pack) => pack.file));
      if (stale.size === 0) return;
      try {
        foldInto(stale);
      } catch (error) {
        log(`could not fold old cache packs: ${(error as Error).message}`);
      }
    },

    read(key) {
      const location = where.get(key);
      if (location === undefined) return undefined;
      const line = lineAt(key, location);
      if (line === undefined) where.delete(key);
      return line;
    },

    append(key, storedJson) {
      if (ownBytes > rotateAt) rotate();
      appendLine(key, storedJson);
    },

    forget(key) {
      where.delete(key);
    },

    has(key) {
      return where.has(key);
    },
  };
}

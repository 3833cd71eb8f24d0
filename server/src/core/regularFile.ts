/**
 * The one way the server reads a file it did not write just now (a document from disk, a cache
 * entry): only a regular file, and only up to a size. A FIFO named requirements.txt would block
 * a plain read forever (and every read queued behind it on libuv's small thread pool); a link to
 * /dev/zero would fill the memory. The file is opened with O_NONBLOCK, so opening a FIFO returns
 * at once, and its type and size are checked on the open descriptor (fstat), so nothing can be
 * swapped in between the check and the read.
 */
import { closeSync, constants, fstatSync, openSync, promises as fs, readSync } from 'node:fs';

/** Why a file was not read: not a regular file, or larger than the limit. Other failures are the fs errors. */
export class UnreadableFileError extends Error {
  constructor(
    readonly code: 'ENOTREG' | 'EFBIG',
    message: string,
  ) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

/** The bytes of a regular file of at most `maxBytes`; rejects with UnreadableFileError or the fs error. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UnreadableFileError('ENOTREG', `${path} is not a regular file`);
    if (stat.size > maxBytes) throw new UnreadableFileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
    // Read one byte past the limit: a file that grows after fstat is still caught.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        if (length > maxBytes) throw new UnreadableFileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
        break;
      }
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * The first `headBytes` of a regular file of at most `maxBytes`, and its size, read
 * synchronously (a head of a few hundred KB from the page cache takes microseconds; see
 * SYNC_READ_MAX_BYTES): what a reader needs to decide from a file's header whether, and how, to
 * read the rest. O_NONBLOCK and fstat on the open descriptor, as in readRegularFile.
 */
export function readRegularFileHead(path: string, maxBytes: number, headBytes: number): { head: Buffer; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableFileError('ENOTREG', `${path} is not a regular file`);
    if (stat.size > maxBytes) throw new UnreadableFileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
    const head = Buffer.allocUnsafe(Math.min(stat.size, headBytes));
    const length = readAt(fd, head, 0);
    return { head: head.subarray(0, length), size: stat.size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Fills `bytes` from the open file `fd`, starting at `position`, with as many reads as it takes;
 * fewer bytes only at the end of the file. Returns how many were read.
 */
export function readAt(fd: number, bytes: Buffer, position: number): number {
  let length = 0;
  while (length < bytes.length) {
    const count = readSync(fd, bytes, length, bytes.length - length, position + length);
    if (count === 0) break;
    length += count;
  }
  return length;
}

/** O_NOFOLLOW where the platform has it (Windows has no such flag; a caller's type check stands alone there). */
export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** readRegularFile as UTF-8 text. */
export async function readRegularText(path: string, maxBytes: number): Promise<string> {
  return (await readRegularFile(path, maxBytes)).toString('utf8');
}

/**
 * The most the server reads of a dependency file from disk. Above every format's own size limit
 * (those say so in a diagnostic); this one only keeps a huge or endless file out of memory.
 */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/**
 * Cache entries at most this big are read in one synchronous open/fstat/read/close: a warm start
 * reads about a thousand small entries, and four hops each through libuv's thread pool cost more
 * CPU and latency than the read itself (page-cache reads of a few KB take microseconds).
 */
const SYNC_READ_MAX_BYTES = 256 * 1024;

/**
 * A small regular file's text, read synchronously; undefined when it is larger than
 * SYNC_READ_MAX_BYTES (read it asynchronously then). O_NONBLOCK and fstat on the open descriptor
 * as in readRegularFile, so a FIFO or device never blocks the thread.
 */
function readSmallRegularText(path: string, maxBytes: number): string | undefined {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableFileError('ENOTREG', `${path} is not a regular file`);
    if (stat.size > maxBytes) throw new UnreadableFileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
    if (stat.size > SYNC_READ_MAX_BYTES) return undefined;
    // One byte past the size: a file that grew since fstat is read asynchronously, with its limit.
    // A read of a regular file stops short only at its end, so one that ends at the size fstat gave
    // is the whole file (no second read to see the end: a warm start reads a thousand entries).
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) return undefined;
      if (length === stat.size) break;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** A file-operations object (node:fs/promises) whose `readFile(path, 'utf8')` is readRegularText: the cache stores read through it. */
export function withRegularReads<T extends object>(fs: T, maxBytes: number): T & { readFile(path: string, encoding: 'utf8'): Promise<string> } {
  return {
    ...fs,
    readFile: async (path: string) => {
      const small = readSmallRegularText(path, maxBytes);
      return small ?? readRegularText(path, maxBytes);
    },
  };
}

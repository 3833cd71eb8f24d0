/**
 * Writes of small cache files, done synchronously. Through node:fs/promises each cache file took
 * five trips through libuv's thread pool (open, write, close, rename, and rm's lstat and unlink of
 * the temp file) and a FileHandle, about 1.5 ms of main-thread CPU a file, several times what the
 * write costs. A write of a few KB to the page cache takes microseconds, so the stores' default
 * file operations write small data with the synchronous calls: the same files, the same temp-file
 * and rename steps, only without the hops. Larger data keeps the asynchronous calls. (Most small
 * entries are no longer a file each: index answers are packed, trust memories are journals.)
 *
 * Temp file names are `<target>.<pid>.<tag><n>.tmp`: the tag is random once per process (two
 * processes of one pid on different hosts or containers sharing a cache never collide) and n counts,
 * instead of random bytes drawn for every file.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

/** Strings up to this many UTF-16 units are written synchronously (at most three times as many bytes). */
const SYNC_WRITE_MAX_CHARS = 256 * 1024;
const PROCESS_TAG = randomBytes(6).toString('hex');
let written = 0;

/** A temp file name beside `path`, unique to this process and call; ends in `.tmp` (what orphan clean-up looks for). */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${PROCESS_TAG}${(written++).toString(36)}.tmp`;
}

interface WriteOps {
  writeFile(path: string, data: never): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean; recursive?: boolean }): Promise<void>;
  appendFile?(path: string, data: string): Promise<void>;
}

/**
 * `fs` (node:fs/promises) with writeFile and appendFile of a small string (the verdict journal
 * takes one append per file verified), rename and the removal of one file done
 * synchronously; everything else (a large or chunked write, a recursive removal) as `fs` does
 * it. Failures reject as `fs`'s would, with the same error codes.
 */
export function withSmallSyncWrites<T extends WriteOps>(fs: T): T {
  const original = fs;
  const ops: WriteOps = {
    async writeFile(path: string, data: unknown) {
      if (typeof data === 'string' && data.length <= SYNC_WRITE_MAX_CHARS) writeFileSync(path, data);
      else await original.writeFile(path, data as never);
    },
    async appendFile(path: string, data: string) {
      if (data.length <= SYNC_WRITE_MAX_CHARS) appendFileSync(path, data);
      else await original.appendFile!(path, data);
    },
    async rename(from: string, to: string) {
      renameSync(from, to);
    },
    async rm(path: string, options: { force: boolean; recursive?: boolean }) {
      if (options.recursive) return original.rm(path, options);
      try {
        unlinkSync(path);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ENOENT' && options.force) return;
        // A directory (EISDIR on Linux, EPERM elsewhere): rm says what it says about one.
        if (code === 'EISDIR' || code === 'EPERM') return original.rm(path, options);
        throw error;
      }
    },
  };
  // Only the operations `fs` has: a store that never appends gets no such method.
  if (fs.appendFile === undefined) delete ops.appendFile;
  return { ...fs, ...ops };
}

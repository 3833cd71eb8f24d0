/**
 * Verified attestations, remembered on this machine (in `cacheDirectory`) and in memory, so that
 * an attestation that passed every check is never verified again: the key (attestationKey.ts)
 * holds everything the verdict depends on. Only `verified` outcomes are kept; a failure is cheap
 * to reproduce and must be re-examined once the index serves something else.
 *
 * On disk: JSON lines, one verdict a line. Each process appends to a journal of its own (one
 * append per burst of verdicts: a file per verdict cost about 1.5 ms of CPU each here, more than
 * verifying); all journals and snapshots are read once, on first use. A line that does not read
 * back as a verified outcome under its key (a torn last line of a killed process, an edited file)
 * is discarded; a file holding such lines, or one of many old files, is folded into a fresh
 * snapshot (written to a temp file and renamed: atomic) and deleted. Losing a verdict only costs
 * verifying it again, so races between processes are resolved by that, never by locks.
 *
 * The cache directory may be shared or writable by others, so a line is only believed when it
 * carries this user's MAC (core/cacheKey.ts) over the store, its key and its verdict: a forged,
 * truncated or foreign line is discarded like a torn one, and its attestation verified again.
 * Without the key nothing is read from or written to disk.
 */
import { randomBytes } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { withRegularReads } from '../core/regularFile';
import { withSmallSyncWrites } from '../core/smallWrites';
import { join } from 'node:path';
import type { CacheKey, CacheKeySource } from '../core/cacheKey';
import { writeFileAtomic, type CacheFs } from '../index/responseCache';
import type { VerifiedAttestation } from '../verify/index';

/** v2: lines carry a MAC; the unauthenticated v1 lines are never read. */
export const RESULTS_SUBDIRECTORY = 'verified-attestations-v2';
/** Verdicts kept (memory and snapshots); the oldest go first. */
const MAX_ENTRIES = 50_000;
/** More files than this are folded into one snapshot. */
const COMPACT_AFTER_FILES = 8;
/** Another process's journal untouched this long is not being appended to any more. */
const STALE_MS = 60 * 60 * 1000;

export interface ResultStoreOptions {
  /** The cache directory; memory only when undefined or ''. */
  directory?: string;
  /** File operations (tests inject failures); node:fs/promises plus appendFile by default. */
  fs?: ResultStoreFs;
  /** The key lines are authenticated with; without one (or when it is unavailable) memory only. */
  key?: CacheKeySource;
  log?: (message: string) => void;
  maxEntries?: number;
  now?: () => number;
}

export interface ResultStoreFs extends CacheFs {
  appendFile(path: string, data: string): Promise<void>;
}

export interface ResultStoreStats {
  /** Keys answered from memory or disk. */
  hits: number;
  misses: number;
  /** Verdicts written to disk. */
  writes: number;
  /** Lines on disk that were unreadable or not authenticated, and dropped. */
  discarded: number;
}

export interface ResultStore {
  /** The verified outcomes known for these keys (absent keys are not in the map). */
  lookup(keys: readonly string[]): Promise<Map<string, VerifiedAttestation>>;
  /** Remembers verified outcomes (others are ignored). Never rejects. */
  save(entries: ReadonlyArray<{ key: string; outcome: VerifiedAttestation | { status: string } }>): Promise<void>;
  readonly stats: Readonly<ResultStoreStats>;
}

interface StoredLine {
  v: 2;
  key: string;
  outcome: VerifiedAttestation;
  /** HMAC-SHA256 (CacheKey.mac) of the store, the key and the outcome's JSON. */
  mac: string;
}

export function createResultStore(options: ResultStoreOptions = {}): ResultStore {
  const fs: ResultStoreFs = options.fs ?? withRegularReads(withSmallSyncWrites(nodeFs as unknown as ResultStoreFs), 64 * 1024 * 1024);
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const limit = options.maxEntries ?? MAX_ENTRIES;
  const directory = options.directory ? join(options.directory, RESULTS_SUBDIRECTORY) : undefined;
  const journal = directory !== undefined ? join(directory, `journal-${process.pid}-${randomBytes(6).toString('hex')}.jsonl`) : undefined;
  const memory = new Map<string, VerifiedAttestation>();
  const stats: ResultStoreStats = { hits: 0, misses: 0, writes: 0, discarded: 0 };
  /** The key when the directory is usable: undefined keeps everything in memory. */
  let loaded: Promise<CacheKey | undefined> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let usable = directory !== undefined;

  const remember = (key: string, outcome: VerifiedAttestation) => {
    memory.delete(key);
    memory.set(key, outcome);
    if (memory.size > limit) memory.delete(memory.keys().next().value as string);
  };

  /** Reads every journal and snapshot once; folds unreadable or too many files into a snapshot. */
  function load(): Promise<CacheKey | undefined> {
    loaded ??= (async () => {
      if (directory === undefined) return undefined;
      const cacheKey = await options.key?.();
      if (cacheKey === undefined) {
        // The key source says why (once); without a source there is nothing to say but this.
        if (options.key === undefined) log('verification results are kept in memory only: no key to authenticate them on disk');
        return undefined;
      }
      try {
        await fs.mkdir(directory, { recursive: true });
      } catch (error) {
        log(`verification results directory unusable, keeping results in memory only: ${(error as Error).message}`);
        return undefined;
      }
      let names: string[];
      try {
        names = (await fs.readdir(directory)).filter((name) => name.endsWith('.jsonl')).sort();
      } catch {
        return cacheKey;
      }
      const files = await Promise.all(names.map((name) => readFile(join(directory, name), name, cacheKey)));
      // Oldest first, so that later verdicts win and the newest are kept under the limit.
      files.sort((a, b) => a.mtimeMs - b.mtimeMs);
      for (const file of files) for (const [key, outcome] of file.entries) remember(key, outcome);
      const dirty = files.filter((file) => file.bad > 0);
      if (dirty.length > 0 || files.length > COMPACT_AFTER_FILES) await compact(directory, files, cacheKey);
      return cacheKey;
    })();
    return loaded;
  }

  async function readFile(path: string, name: string, cacheKey: CacheKey): Promise<{ path: string; name: string; entries: Array<[string, VerifiedAttestation]>; bad: number; mtimeMs: number }> {
    const result = { path, name, entries: [] as Array<[string, VerifiedAttestation]>, bad: 0, mtimeMs: 0 };
    try {
      const [text, stat] = await Promise.all([fs.readFile(path, 'utf8'), fs.stat(path)]);
      result.mtimeMs = stat.mtimeMs;
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const entry = parseLine(line, cacheKey);
        if (entry) result.entries.push(entry);
        else result.bad++;
      }
    } catch {
      // Vanished or unreadable: as good as absent.
    }
    stats.discarded += result.bad;
    if (result.bad > 0) log(`discarding ${result.bad} verification results in ${name} that are unreadable or not authenticated by this user's key; those attestations are verified again`);
    return result;
  }

  /**
   * One snapshot of every verdict in memory, then the files it replaces are deleted: the
   * unreadable ones, and the stale ones when there are too many. A journal another process may
   * still append to (recently written) is left alone unless it is unreadable.
   */
  async function compact(dir: string, files: Array<{ path: string; name: string; bad: number; mtimeMs: number }>, cacheKey: CacheKey): Promise<void> {
    const lines = [...memory].map(([key, outcome]) => lineOf(cacheKey, key, outcome)).join('');
    const snapshot = join(dir, `snapshot-${randomBytes(6).toString('hex')}.jsonl`);
    try {
      await writeFileAtomic(snapshot, lines, fs);
    } catch (error) {
      log(`could not write a verification results snapshot: ${(error as Error).message}`);
      return;
    }
    const tooMany = files.length > COMPACT_AFTER_FILES;
    await Promise.all(
      files
        .filter((file) => file.bad > 0 || (tooMany && now() - file.mtimeMs > STALE_MS) || (tooMany && file.name.startsWith('snapshot-')))
        .map((file) => fs.rm(file.path, { force: true }).catch(() => undefined)),
    );
  }

  return {
    stats,
    async lookup(keys) {
      await load();
      const found = new Map<string, VerifiedAttestation>();
      for (const key of new Set(keys)) {
        const outcome = memory.get(key);
        if (outcome) {
          stats.hits++;
          found.set(key, outcome);
        } else stats.misses++;
      }
      return found;
    },
    async save(entries) {
      const fresh = entries.filter(({ key, outcome }) => isVerified(outcome) && /^[0-9a-f]{64}$/.test(key) && !memory.has(key)) as Array<{ key: string; outcome: VerifiedAttestation }>;
      if (fresh.length === 0) return;
      for (const { key, outcome } of fresh) remember(key, outcome);
      const cacheKey = await load();
      if (cacheKey === undefined || journal === undefined || !usable) return;
      const lines = fresh.map(({ key, outcome }) => lineOf(cacheKey, key, outcome)).join('');
      // One append at a time, so lines never interleave within this process's journal.
      writing = writing.then(async () => {
        try {
          await fs.appendFile(journal, lines);
          stats.writes += fresh.length;
        } catch (error) {
          usable = false;
          log(`could not write verification results (keeping them in memory only): ${(error as Error).message}`);
        }
      });
      await writing;
    },
  };
}

function lineOf(cacheKey: CacheKey, key: string, outcome: VerifiedAttestation): string {
  const line: StoredLine = { v: 2, key, outcome, mac: cacheKey.mac(RESULTS_SUBDIRECTORY, key, JSON.stringify(outcome)) };
  return `${JSON.stringify(line)}\n`;
}

function parseLine(line: string, cacheKey: CacheKey): [string, VerifiedAttestation] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return undefined;
  }
  const entry = data as Partial<StoredLine> | null;
  if (typeof entry !== 'object' || entry === null || entry.v !== 2 || typeof entry.key !== 'string' || !/^[0-9a-f]{64}$/.test(entry.key)) return undefined;
  // JSON.stringify of parsed JSON gives back the writer's text (same key order, same numbers).
  if (!cacheKey.authentic(RESULTS_SUBDIRECTORY, entry.key, JSON.stringify(entry.outcome) ?? '', entry.mac)) return undefined;
  return isVerified(entry.outcome) ? [entry.key, entry.outcome] : undefined;
}

/** A verified outcome with every field the report and hover read, of the right type. */
function isVerified(value: unknown): value is VerifiedAttestation {
  const o = value as Partial<VerifiedAttestation> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    o.status === 'verified' &&
    typeof o.predicateType === 'string' &&
    Number.isSafeInteger(o.logIndex) &&
    typeof o.logId === 'string' &&
    typeof o.integratedTime === 'number' &&
    Number.isFinite(o.integratedTime) &&
    typeof o.claims === 'object' &&
    o.claims !== null &&
    !Array.isArray(o.claims) &&
    Object.values(o.claims).every((claim) => claim === undefined || typeof claim === 'string') &&
    (o.checkpoint === undefined || isCheckpoint(o.checkpoint))
  );
}

function isCheckpoint(value: unknown): boolean {
  const c = value as { origin?: unknown; treeSize?: unknown; rootHash?: unknown } | null;
  return typeof c === 'object' && c !== null && typeof c.origin === 'string' && Number.isSafeInteger(c.treeSize) && typeof c.rootHash === 'string' && /^[0-9a-f]{64}$/.test(c.rootHash);
}

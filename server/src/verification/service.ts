/**
 * The verification services one server (or CLI run) shares across documents: the work queue, the
 * trust material, the persistent results per cache directory, the executors per trusted root,
 * and per index client the memo of file outcomes. Settings pick the parts (`context`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheKeySource } from '../core/cacheKey';
import type { ProvenanceAnswer } from '../index/indexClient';
import { tufRefresherOffThread } from './tufThread';
import { createInlineExecutor, type VerifyExecutor } from './executor';
import type { FileReport } from '../core/result';
import { fileReport } from './dependencyVerification';
import { FileChecks, type FileCheckStats, type VerificationTarget } from './fileChecks';
import { DocumentResults } from './documentResults';
import { CancelledError, VerificationQueue, type QueueOwner } from './queue';
import { createResultStore, type ResultStore, type ResultStoreStats } from './resultStore';
import { TrustProvider, isTrustFailure, type TrustFailure, type TrustSnapshot } from './trust';
import { JOBS_PER_WORKER, createWorkerExecutor, defaultPoolSize, defaultWorkerScript } from './workerExecutor';

/** Where provenance objects come from: the index client of the resolution service in use. */
export interface ProvenanceSource {
  getProvenance(url: string): Promise<ProvenanceAnswer>;
}

export interface VerificationServicesOptions {
  /** Where results persist when the `cacheDirectory` setting is ''; undefined: memory only. */
  defaultCacheDirectory?: string;
  /** Authenticates the verdicts kept on disk (core/cacheKey.ts); without it they stay in memory. */
  cacheKey?: CacheKeySource;
  log?: (level: 'error' | 'warn' | 'info', message: string) => void;
  /** The worker script; null runs verification inline (sliced per file). Default: found next to the module. */
  workerScript?: string | null;
  poolSize?: number;
  /** Refresh the public-good root through TUF when online (default true). */
  tufRefresh?: boolean;
  readFile?: (path: string) => Promise<string>;
  retryDelay?: { first: number; max: number };
  freshMs?: number;
  now?: () => number;
}

export interface VerificationContext {
  trust: TrustSnapshot;
  checks: FileChecks;
}

export interface VerificationSettings {
  trustedRoot: string;
  offline: boolean;
  cacheDirectory: string;
}

export interface VerificationStats extends FileCheckStats {
  store: ResultStoreStats;
}

/** Quiet verification (no job) for this long after a burst before the TUF refresh starts. */
export const REFRESH_QUIET_MS = 5_000;

export class VerificationServices {
  readonly queue: VerificationQueue;
  readonly results = new DocumentResults();
  readonly trust: TrustProvider;
  private readonly stores = new Map<string, ResultStore>();
  private readonly executors = new Map<string, VerifyExecutor>();
  private readonly contexts = new WeakMap<ProvenanceSource, Map<string, VerificationContext>>();
  private readonly resolved = new Map<string, TrustSnapshot | TrustFailure>();
  private readonly counters: FileCheckStats = { files: 0, attestationsVerified: 0, attestationsRemembered: 0 };
  private readonly workerScript: string | undefined;
  private readonly poolSize: number;
  private lastIdle: FileCheckStats & { cancelled: number } = { ...this.counters, cancelled: 0 };
  private disposed = false;

  constructor(private readonly options: VerificationServicesOptions = {}) {
    this.workerScript = options.workerScript === null ? undefined : (options.workerScript ?? defaultWorkerScript());
    this.poolSize = this.workerScript === undefined ? 1 : Math.max(1, options.poolSize ?? defaultPoolSize());
    // The queue hands out as many jobs as the workers hold (each holds the next one: workerExecutor.ts).
    this.queue = new VerificationQueue(this.workerScript === undefined ? 1 : this.poolSize * JOBS_PER_WORKER);
    this.trust = new TrustProvider({
      readFile: options.readFile ?? ((path) => readFile(path, 'utf8')),
      refresher: options.tufRefresh === false ? undefined : (cacheDirectory) => (cacheDirectory ? tufRefresherOffThread(join(cacheDirectory, 'sigstore-tuf')) : undefined),
      log: (level, message) => options.log?.(level, message),
      whenQuiet: (start) => this.afterBurst(start),
    });
    // Verdicts reached under the old public-good root stay (same scope); outcomes that were not verified are looked at again.
    this.trust.onDidChange(() => this.resolved.clear());
    this.queue.onIdle(() => this.logBurst());
    if (this.workerScript === undefined) this.log('info', 'Verifying attestations on the main thread, one file at a time (no worker script found)');
  }

  /** The effective cache directory of the settings ('' → the shell's default). */
  cacheDirectoryOf(settings: Pick<VerificationSettings, 'cacheDirectory'>): string | undefined {
    const given = settings.cacheDirectory.trim();
    return given !== '' ? given : this.options.defaultCacheDirectory;
  }

  /** The context for these settings, if it is already known (no waiting: the synchronous path). */
  peekContext(settings: VerificationSettings, source: ProvenanceSource): VerificationContext | TrustFailure | undefined {
    const trust = this.resolved.get(trustKey(settings));
    if (!trust) return undefined;
    if (isTrustFailure(trust)) return trust;
    return this.contextFor(trust, settings, source);
  }

  async context(settings: VerificationSettings, source: ProvenanceSource): Promise<VerificationContext | TrustFailure> {
    const known = this.peekContext(settings, source);
    if (known) return known;
    const trust = await this.trust.forSettings({ trustedRoot: settings.trustedRoot, offline: settings.offline, cacheDirectory: this.cacheDirectoryOf(settings) });
    // A failure is not remembered: the file may be fixed before the next analysis.
    if (isTrustFailure(trust)) return trust;
    this.resolved.set(trustKey(settings), trust);
    return this.contextFor(trust, settings, source);
  }

  /**
   * Verifies files of any release (the history checks verify the previous release's) through the
   * shared pipeline: the same provenance cache, remembered verdicts and queue, on behalf of
   * `owner` (a closed document cancels them: those files come back `pending`). Never rejects.
   */
  async verifyFiles(settings: VerificationSettings, source: ProvenanceSource, owner: QueueOwner, files: readonly VerificationTarget[], order = 0): Promise<FileReport[]> {
    const context = await this.context(settings, source);
    return Promise.all(
      files.map(async (file): Promise<FileReport> => {
        if (isTrustFailure(context)) return fileReport({ file, outcome: { status: 'error', message: `cannot be verified: ${context.error}` } });
        try {
          return fileReport({ file, outcome: await context.checks.check(file, owner, order) });
        } catch (error) {
          if (error instanceof CancelledError) return fileReport({ file });
          return fileReport({ file, outcome: { status: 'error', message: `verification failed internally (${String(error)})` } });
        }
      }),
    );
  }

  /** The cached verdicts were removed from disk (clearCache): forget the ones in memory too. */
  forgetResults(): void {
    this.stores.clear();
  }

  /** Settings changed: a `trustedRoot` file is read again on next use. */
  settingsChanged(): void {
    this.resolved.clear();
    this.trust.forgetFiles();
  }

  get stats(): VerificationStats {
    const store: ResultStoreStats = { hits: 0, misses: 0, writes: 0, discarded: 0 };
    for (const each of this.stores.values()) {
      const s = each.stats;
      store.hits += s.hits;
      store.misses += s.misses;
      store.writes += s.writes;
      store.discarded += s.discarded;
    }
    return { ...this.counters, store };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.executors.values()].map((executor) => executor.close()));
    this.executors.clear();
  }

  private contextFor(trust: TrustSnapshot, settings: VerificationSettings, source: ProvenanceSource): VerificationContext {
    const cacheDirectory = this.cacheDirectoryOf(settings);
    let bySource = this.contexts.get(source);
    if (!bySource) {
      bySource = new Map();
      this.contexts.set(source, bySource);
    }
    const key = JSON.stringify([trust.id, cacheDirectory ?? null]);
    let context = bySource.get(key);
    if (!context) {
      context = {
        trust,
        checks: new FileChecks({
          fetchProvenance: (url) => source.getProvenance(url),
          store: this.storeFor(cacheDirectory),
          executor: () => this.executorFor(trust),
          trust,
          queue: this.queue,
          stats: this.counters,
          retryDelay: this.options.retryDelay,
          freshMs: this.options.freshMs,
          now: this.options.now,
        }),
      };
      bySource.set(key, context);
    }
    return context;
  }

  private storeFor(cacheDirectory: string | undefined): ResultStore {
    const key = cacheDirectory ?? '';
    let store = this.stores.get(key);
    if (!store) {
      store = createResultStore({ directory: cacheDirectory, key: this.options.cacheKey, log: (message) => this.log('warn', message) });
      this.stores.set(key, store);
    }
    return store;
  }

  private executorFor(trust: TrustSnapshot): VerifyExecutor {
    if (this.disposed) throw new Error('verification has shut down');
    let executor = this.executors.get(trust.id);
    if (!executor) {
      executor =
        this.workerScript !== undefined
          ? createWorkerExecutor(trust, { script: this.workerScript, size: this.poolSize, log: (message) => this.log('error', message) })
          : createInlineExecutor(trust);
      this.executors.set(trust.id, executor);
    }
    return executor;
  }

  /**
   * Runs `start` once verification has been quiet for REFRESH_QUIET_MS after a burst (the queue
   * went idle and stayed so), so that the TUF refresh's thread start and module loading never
   * compete with an analysis (issue 14): measured, starting it at the first idle ran it into the
   * next document's analysis. Nothing waits for the refresh; the embedded root serves meanwhile.
   */
  private afterBurst(start: () => void): void {
    let started = false;
    let timer: NodeJS.Timeout | undefined;
    const later = () => {
      if (started || this.disposed) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (started || this.disposed || this.queue.pending > 0) return;
        started = true;
        start();
      }, REFRESH_QUIET_MS);
      timer.unref?.();
    };
    this.queue.onIdle(later);
  }

  /** One line per burst of work: what the persistent results saved (the tests read it). */
  private logBurst(): void {
    const now = this.counters;
    const files = now.files - this.lastIdle.files;
    const verified = now.attestationsVerified - this.lastIdle.attestationsVerified;
    const remembered = now.attestationsRemembered - this.lastIdle.attestationsRemembered;
    const cancelled = this.queue.stats.cancelled - this.lastIdle.cancelled;
    this.lastIdle = { ...now, cancelled: this.queue.stats.cancelled };
    if (files === 0 && verified === 0 && remembered === 0 && cancelled === 0) return;
    this.log('info', `Provenance checked for ${files} files: ${verified} attestations verified, ${remembered} already verified on this machine, ${cancelled} files cancelled`);
  }

  private log(level: 'error' | 'warn' | 'info', message: string): void {
    this.options.log?.(level, message);
  }
}

function trustKey(settings: VerificationSettings): string {
  return JSON.stringify([settings.trustedRoot.trim(), settings.offline]);
}

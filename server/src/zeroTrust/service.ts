/**
 * What the zero-trust stage shares across documents: the trust stores (one per effective cache
 * directory), what it learned about each dependency of each analysed document (for the hover and
 * the code actions), and a short memory of finished checks, so that an edit's first publish
 * already has their findings when nothing they depend on changed.
 */
import type { CacheKeySource } from '../core/cacheKey';
import type { ParsedDocument } from '../core/model';
import type { Publisher } from '../core/result';
import type { ProjectOwnership } from '../index/ownershipApi';
import { effectiveCacheDirectory } from '../resolution/cacheDirectory';
import type { ZeroTrustOutcome } from './dependencyChecks';
import { createCheckpointMemory, type CheckpointMemory } from './checkpointMemory';
import { createFileSetMemory, type FileSetMemory } from './fileSetMemory';
import { createOwnershipMemory, type OwnershipMemory } from './ownershipMemory';
import { createTrustStore, type TrustMode, type TrustStore } from './trustStore';

/** The zero-trust state of one dependency of one analysed document. */
export interface ZeroTrustDependencyState {
  /** Every check is done (or could not run: the dependency did not resolve). */
  settled: boolean;
  outcome?: ZeroTrustOutcome;
}

export class ZeroTrustResults {
  private readonly byDocument = new WeakMap<ParsedDocument, Map<number, ZeroTrustDependencyState>>();

  of(parsed: ParsedDocument): Map<number, ZeroTrustDependencyState> {
    let states = this.byDocument.get(parsed);
    if (!states) {
      states = new Map();
      this.byDocument.set(parsed, states);
    }
    return states;
  }

  dependency(parsed: ParsedDocument, index: number): ZeroTrustDependencyState | undefined {
    return this.byDocument.get(parsed)?.get(index);
  }
}

export interface ZeroTrustServicesOptions {
  /** The trust store's directory when the `cacheDirectory` setting is ''; undefined: memory only. */
  defaultCacheDirectory?: string;
  /** Authenticates the trusted publishers kept on disk (core/cacheKey.ts); without it they stay in memory. */
  cacheKey?: CacheKeySource;
  log?: (message: string) => void;
  /** How long a finished check is reused without running it again (default 60 s). */
  memoMs?: number;
  now?: () => number;
}

export const DEFAULT_MEMO_MS = 60_000;
const MAX_MEMO_ENTRIES = 5_000;

/** The publisher the user chose to accept (the accept-publisher code action), and how. */
export interface TrustRequest {
  index: string;
  project: string;
  publisher: Publisher;
  version: string;
  mode: TrustMode;
}

/** Which trust memory to count or forget. */
export interface TrustMemoryChoice {
  trustedPublishers: boolean;
  releaseFileSets: boolean;
}

/** How many entries of each trust memory (counted, or forgotten). */
export interface TrustMemoryCounts {
  /** Projects with a publisher trusted on first use (or accepted). */
  trustedPublishers: number;
  /** Releases whose file set is remembered. */
  releaseFileSets: number;
}

export class ZeroTrustServices {
  readonly results = new ZeroTrustResults();
  private readonly stores = new Map<string, TrustStore>();
  private readonly fileSetMemories = new Map<string, FileSetMemory>();
  private readonly checkpointMemories = new Map<string, CheckpointMemory>();
  private readonly ownershipMemories = new Map<string, OwnershipMemory>();
  /** Indexes whose JSON API has no `ownership` (or that have none): not asked again while the process runs. */
  readonly ownershipUnavailable = new Set<string>();
  /** The first ownership request to each index while in flight (see OwnershipCheck.probes). */
  readonly ownershipProbes = new Map<string, Promise<unknown>>();
  private readonly memo = new Map<string, { at: number; outcome: ZeroTrustOutcome }>();
  private readonly now: () => number;
  private readonly memoMs: number;

  constructor(private readonly options: ZeroTrustServicesOptions = {}) {
    this.now = options.now ?? Date.now;
    this.memoMs = options.memoMs ?? DEFAULT_MEMO_MS;
  }

  /** The trust store of the settings' effective cache directory. */
  storeFor(settings: { cacheDirectory: string }): TrustStore {
    return this.memoryFor(this.stores, settings, createTrustStore);
  }

  /** The release file-set memory of the settings' effective cache directory (trust state, beside the trust store). */
  fileSetsFor(settings: { cacheDirectory: string }): FileSetMemory {
    return this.memoryFor(this.fileSetMemories, settings, createFileSetMemory);
  }

  /** The transparency-log checkpoint memory of the settings' effective cache directory (trust state). */
  checkpointsFor(settings: { cacheDirectory: string }): CheckpointMemory {
    return this.memoryFor(this.checkpointMemories, settings, createCheckpointMemory);
  }

  /** The project-owners memory of the settings' effective cache directory (trust state). */
  ownersFor(settings: { cacheDirectory: string }): OwnershipMemory {
    return this.memoryFor(this.ownershipMemories, settings, createOwnershipMemory);
  }

  /** One memory per effective cache directory, made on first use with this service's key, log and clock. */
  private memoryFor<T>(
    memories: Map<string, T>,
    settings: { cacheDirectory: string },
    create: (options: { cacheDirectory?: string; key?: ZeroTrustServicesOptions['cacheKey']; log?: (message: string) => void; now?: () => number }) => T,
  ): T {
    const directory = effectiveCacheDirectory(settings.cacheDirectory, this.options.defaultCacheDirectory);
    let memory = memories.get(directory ?? '');
    if (memory === undefined) {
      memory = create({ cacheDirectory: directory, key: this.options.cacheKey, log: this.options.log, now: this.options.now });
      memories.set(directory ?? '', memory);
    }
    return memory;
  }

  /** A finished check for this key, while fresh. */
  recall(key: string): ZeroTrustOutcome | undefined {
    const entry = this.memo.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at >= this.memoMs) {
      this.memo.delete(key);
      return undefined;
    }
    return entry.outcome;
  }

  remember(key: string, outcome: ZeroTrustOutcome): void {
    this.memo.delete(key);
    this.memo.set(key, { at: this.now(), outcome });
    if (this.memo.size > MAX_MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value as string);
  }

  /** Makes `publisher` the trusted one (the user said so); every check is made afresh afterwards. */
  async trustPublisher(settings: { cacheDirectory: string }, request: TrustRequest): Promise<void> {
    await this.storeFor(settings).trust(request.index, request.project, request.publisher, request.version, request.mode);
    this.memo.clear();
  }

  /** Makes the owners the index reports now the reference (the user accepted a change); every check is made afresh afterwards. */
  async acceptOwners(settings: { cacheDirectory: string }, request: { index: string; project: string; ownership: ProjectOwnership }): Promise<void> {
    await this.ownersFor(settings).accept(request.index, request.project, request.ownership);
    this.memo.clear();
  }

  /** The entries of the trust memory of the settings' cache directory. */
  async countTrustMemory(settings: { cacheDirectory: string }): Promise<TrustMemoryCounts> {
    const [trustedPublishers, releaseFileSets] = await Promise.all([this.storeFor(settings).count(), this.fileSetsFor(settings).count()]);
    return { trustedPublishers, releaseFileSets };
  }

  /**
   * Forgets the chosen trust memory of the settings' cache directory (on disk and in memory):
   * the next check of each project or release is a first use again. Answers what was removed.
   */
  async forgetTrustMemory(settings: { cacheDirectory: string }, choice: TrustMemoryChoice): Promise<TrustMemoryCounts> {
    const [trustedPublishers, releaseFileSets] = await Promise.all([
      choice.trustedPublishers ? this.storeFor(settings).forget() : 0,
      choice.releaseFileSets ? this.fileSetsFor(settings).forget() : 0,
    ]);
    // A remembered check would bring back what the store said before.
    this.memo.clear();
    return { trustedPublishers, releaseFileSets };
  }
}

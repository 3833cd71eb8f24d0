/**
 * The background schedule of verification work:
 * - one job per key (a file of a release) however many documents ask for it; a later asker joins;
 * - CPU slots (the executor's capacity) go to the waiting job of the most recently focused
 *   document first (`focus`: an analysis ran on it, or it was hovered), then in dependency order;
 * - a job whose every asker went away (document closed or analysis replaced) before it got a CPU
 *   slot is cancelled (CancelledError), so work for a closed document stops;
 * - progress counts the jobs of the current burst: "12/40" until the queue is idle again.
 * No I/O and no LSP here: jobs are functions, the LSP layer listens to progress.
 */

export class CancelledError extends Error {
  constructor() {
    super('verification cancelled: no open document needs it any more');
    this.name = 'CancelledError';
  }
}

/** One analysis' claim on jobs; `release` when the analysis is replaced or its document closes. */
export interface QueueOwner {
  readonly uri: string;
  release(): void;
}

export interface JobHandle {
  /** Runs `work` once a CPU slot is free for this job; rejects with CancelledError if nobody wants the job any more. */
  cpu<R>(work: () => Promise<R>): Promise<R>;
}

export interface QueueProgress {
  done: number;
  total: number;
}

export interface QueueStats {
  jobs: number;
  joined: number;
  cancelled: number;
}

interface Job {
  key: string;
  owners: Set<OwnerImpl>;
  order: number;
  sequence: number;
  promise: Promise<unknown>;
  waiting?: { start: () => void; cancel: () => void };
  settled: boolean;
}

interface OwnerImpl extends QueueOwner {
  jobs: Set<Job>;
  released: boolean;
}

export class VerificationQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting = new Set<Job>();
  private readonly ranks = new Map<string, number>();
  private rankCounter = 0;
  private sequence = 0;
  private running = 0;
  private burst: QueueProgress = { done: 0, total: 0 };
  private readonly progressListeners: Array<(progress: QueueProgress) => void> = [];
  private readonly idleListeners: Array<() => void> = [];
  readonly stats: QueueStats = { jobs: 0, joined: 0, cancelled: 0 };

  constructor(private slots: number) {}

  /** Changes the number of CPU slots (a new executor). */
  setSlots(slots: number): void {
    this.slots = Math.max(1, slots);
    this.dispatch();
  }

  /** The document was just opened, edited or looked at: its work goes first. */
  focus(uri: string): void {
    this.ranks.set(uri, ++this.rankCounter);
  }

  /** The document closed: it has no rank any more (its owners release themselves). */
  forget(uri: string): void {
    this.ranks.delete(uri);
  }

  owner(uri: string): QueueOwner {
    if (!this.ranks.has(uri)) this.focus(uri);
    const owner: OwnerImpl = {
      uri,
      jobs: new Set(),
      released: false,
      release: () => {
        if (owner.released) return;
        owner.released = true;
        for (const job of owner.jobs) {
          job.owners.delete(owner);
          // Not at once: the analysis replacing this one asks for the same jobs in the same tick.
          if (job.owners.size === 0) setImmediate(() => this.cancelIfUnwanted(job));
        }
        owner.jobs.clear();
      },
    };
    return owner;
  }

  /** Whether a job for this key is under way. */
  has(key: string): boolean {
    return this.jobs.has(key);
  }

  /**
   * Runs `work` for `key` on behalf of `owner`, or joins the job already under way. `order` sorts
   * jobs of the same document (its dependency order).
   */
  track<T>(key: string, owner: QueueOwner, order: number, work: (job: JobHandle) => Promise<T>): Promise<T> {
    const claim = owner as OwnerImpl;
    const existing = this.jobs.get(key);
    if (existing) {
      this.stats.joined++;
      if (!claim.released) {
        existing.owners.add(claim);
        claim.jobs.add(existing);
      }
      existing.order = Math.min(existing.order, order);
      return existing.promise as Promise<T>;
    }
    this.stats.jobs++;
    const job: Job = { key, owners: new Set(), order, sequence: ++this.sequence, promise: Promise.resolve(), settled: false };
    if (!claim.released) {
      job.owners.add(claim);
      claim.jobs.add(job);
    }
    this.jobs.set(key, job);
    this.burst.total++;
    this.emitProgress();
    const handle: JobHandle = { cpu: (run) => this.cpu(job, run) };
    job.promise = Promise.resolve()
      .then(() => work(handle))
      .finally(() => this.finish(job));
    return job.promise as Promise<T>;
  }

  get progress(): QueueProgress {
    return { ...this.burst };
  }

  /** Jobs not settled yet. */
  get pending(): number {
    return this.jobs.size;
  }

  onProgress(listener: (progress: QueueProgress) => void): void {
    this.progressListeners.push(listener);
  }

  /** Told each time the last job of a burst settles. */
  onIdle(listener: () => void): void {
    this.idleListeners.push(listener);
  }

  private cpu<R>(job: Job, work: () => Promise<R>): Promise<R> {
    if (job.owners.size === 0) {
      this.stats.cancelled++;
      return Promise.reject(new CancelledError());
    }
    return new Promise<R>((resolve, reject) => {
      job.waiting = {
        start: () => {
          this.running++;
          let result: Promise<R>;
          try {
            result = work();
          } catch (error) {
            result = Promise.reject(error);
          }
          result
            .finally(() => {
              this.running--;
              this.dispatch();
            })
            .then(resolve, reject);
        },
        cancel: () => {
          this.stats.cancelled++;
          reject(new CancelledError());
        },
      };
      this.waiting.add(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.slots && this.waiting.size > 0) {
      const next = this.best();
      this.waiting.delete(next);
      const waiting = next.waiting!;
      next.waiting = undefined;
      waiting.start();
    }
  }

  /** The waiting job of the highest-ranked document, then the lowest order, then the oldest. */
  private best(): Job {
    let best: Job | undefined;
    let bestRank = -1;
    for (const job of this.waiting) {
      let rank = 0;
      for (const owner of job.owners) rank = Math.max(rank, this.ranks.get(owner.uri) ?? 0);
      if (!best || rank > bestRank || (rank === bestRank && (job.order < best.order || (job.order === best.order && job.sequence < best.sequence)))) {
        best = job;
        bestRank = rank;
      }
    }
    return best!;
  }

  private cancelIfUnwanted(job: Job): void {
    if (job.owners.size > 0 || job.settled || !job.waiting) return;
    this.waiting.delete(job);
    const waiting = job.waiting;
    job.waiting = undefined;
    waiting.cancel();
  }

  private finish(job: Job): void {
    job.settled = true;
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
    for (const owner of job.owners) owner.jobs.delete(job);
    job.owners.clear();
    this.burst.done++;
    this.emitProgress();
    if (this.jobs.size === 0) {
      this.burst = { done: 0, total: 0 };
      for (const listener of this.idleListeners) listener();
    }
  }

  private emitProgress(): void {
    const progress = this.progress;
    for (const listener of this.progressListeners) listener(progress);
  }
}

/**
 * At most `max` tasks run at once; the rest wait in arrival order. Hand-written: the usual npm
 * packages for this (p-limit and kin) are ESM-only and the server is CommonJS.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get max(): number {
    return this.limit;
  }

  /** Lets more tasks run at once from now on (never fewer): waiters start up to the new limit. */
  raise(max: number): void {
    if (max <= this.limit) return;
    this.limit = max;
    while (this.running < this.limit && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()!();
    }
  }

  get active(): number {
    return this.running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

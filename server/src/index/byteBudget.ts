/**
 * One budget of answer bytes for every index request of a process that is being read or parsed at
 * once: nine hostile pages just under the per-answer cap would otherwise cost gigabytes together.
 *
 * An answer opens a hold with a claim (the most it may take: its Content-Length when the index
 * sends one, else the per-answer cap) and takes bytes as they arrive. A take waits, and with it
 * the reading of that body (the socket is not read, so the index is slowed down by TCP itself),
 * while granting it would leave no order in which every open answer could still finish: the
 * banker's algorithm for one resource. So the budget is never exceeded, small answers are never
 * held up by large ones while there is room, and answers waiting for each other cannot deadlock.
 */

export interface BudgetHold {
  /** Bytes this answer holds now. */
  readonly held: number;
  /**
   * Waits until `bytes` more fit; rejects with the signal's reason when it aborts first.
   * `onWait` is called (synchronously) when the take cannot be granted at once.
   */
  take(bytes: number, signal?: AbortSignal, onWait?: () => void): Promise<void>;
  /** The answer will take at most `claim` bytes after all (its Content-Length is known now). */
  lower(claim: number): void;
  /** Gives every byte back; later calls do nothing. */
  release(): void;
}

interface Hold {
  held: number;
  claim: number;
  open: boolean;
}

interface Waiter {
  hold: Hold;
  bytes: number;
  grant(): void;
}

export class ByteBudget {
  private used = 0;
  private highest = 0;
  private readonly holds = new Set<Hold>();
  private readonly waiting: Waiter[] = [];

  /** `onChange` sees the bytes held after every grant and release (tests assert the limit with it). */
  constructor(
    readonly limit: number,
    private readonly onChange?: (used: number) => void,
  ) {
    if (!(limit > 0)) throw new RangeError('the byte budget must be positive');
  }

  /** Bytes held by all answers now. */
  get inUse(): number {
    return this.used;
  }

  /** The most bytes held at once so far. */
  get peak(): number {
    return this.highest;
  }

  /** Answers waiting for room now. */
  get waiters(): number {
    return this.waiting.length;
  }

  /**
   * A hold for one answer of at most `claim` bytes, once opening it leaves every open answer able
   * to finish: a request waits here, before it is sent (so the wait is not the index being slow),
   * while the answers being read and parsed already hold most of the budget.
   */
  async admit(claim: number, signal?: AbortSignal): Promise<BudgetHold> {
    const hold: Hold = { held: 0, claim: Math.min(Math.max(0, claim), this.limit), open: true };
    this.holds.add(hold);
    if (this.waiting.length > 0 || !this.safeAfter(hold, 0)) {
      try {
        await this.wait(hold, 0, signal);
      } catch (error) {
        this.release(hold);
        throw error;
      }
    }
    return this.handle(hold);
  }

  /** A hold opened at once, whatever the budget holds (a claim it cannot meet makes its takes wait). */
  open(claim: number): BudgetHold {
    const hold: Hold = { held: 0, claim: Math.min(Math.max(0, claim), this.limit), open: true };
    this.holds.add(hold);
    return this.handle(hold);
  }

  private handle(hold: Hold): BudgetHold {
    return {
      get held() {
        return hold.held;
      },
      take: (bytes, signal, onWait) => this.take(hold, bytes, signal, onWait),
      lower: (claim) => {
        if (claim >= hold.held && claim < hold.claim) {
          hold.claim = claim;
          this.wake();
        }
      },
      release: () => this.release(hold),
    };
  }

  private take(hold: Hold, bytes: number, signal?: AbortSignal, onWait?: () => void): Promise<void> {
    if (!hold.open) return Promise.reject(new Error('the hold was released'));
    // An answer that outgrows its claim (a body longer than its Content-Length) claims the rest of
    // its cap's worth: it is counted all the same.
    if (hold.held + bytes > hold.claim) hold.claim = Math.min(this.limit, hold.held + bytes);
    if (hold.held + bytes > this.limit) return Promise.reject(new RangeError('the answer is larger than the whole budget'));
    if (this.waiting.length === 0 && this.safeAfter(hold, bytes)) {
      this.grant(hold, bytes);
      return Promise.resolve();
    }
    const waiting = this.wait(hold, bytes, signal);
    if (this.waiting.some((waiter) => waiter.hold === hold)) onWait?.();
    return waiting;
  }

  private wait(hold: Hold, bytes: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter: Waiter = {
        hold,
        bytes,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
        this.wake();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      // Safe now, though others wait: the queue is served in order where it can be.
      this.wake();
    });
  }

  private release(hold: Hold): void {
    if (!hold.open) return;
    hold.open = false;
    this.holds.delete(hold);
    this.used -= hold.held;
    hold.held = 0;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      // A released hold's waiter (its reader gave up) never gets bytes.
      if (this.waiting[i].hold === hold) this.waiting.splice(i, 1);
    }
    this.onChange?.(this.used);
    this.wake();
  }

  private grant(hold: Hold, bytes: number): void {
    hold.held += bytes;
    this.used += bytes;
    if (this.used > this.highest) this.highest = this.used;
    this.onChange?.(this.used);
  }

  /** Grants every waiter that fits, in arrival order (one that does not fit yet does not block those behind it). */
  private wake(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const waiter = this.waiting[i];
      if (this.safeAfter(waiter.hold, waiter.bytes)) {
        this.waiting.splice(i, 1);
        this.grant(waiter.hold, waiter.bytes);
        waiter.grant();
      } else i++;
    }
  }

  /**
   * Whether, with `bytes` more given to `hold`, every open answer could still finish in some
   * order: the one needing least first, each giving its bytes back when done.
   */
  private safeAfter(hold: Hold, bytes: number): boolean {
    let available = this.limit - this.used - bytes;
    if (available < 0) return false;
    const needs: Array<[need: number, held: number]> = [];
    for (const h of this.holds) {
      const held = h === hold ? h.held + bytes : h.held;
      needs.push([h.claim - held, held]);
    }
    needs.sort((a, b) => a[0] - b[0]);
    for (const [need, held] of needs) {
      if (need > available) return false;
      available += held;
    }
    return true;
  }
}

/**
 * A slow stage's per-dependency work, at most `limit` items under way at once, started in order.
 * Each item under way is a suspended async function with its promises and closures (a few KB):
 * started all at once, a 20,000-pin document held some 100 MB of them while the index answered a
 * few hundred at a time — memory that also set how far the heap grew before the next full GC.
 * The limit is far above what the index client and the verification queue run at once, so the
 * work never waits on it; a document smaller than it starts everything at once, as before.
 */

/** Dependencies a stage works on at once (above the 256 resolutions the resolution service runs at once). */
export const DEPENDENCIES_UNDER_WAY = 512;
/**
 * After this many starts the next wait for a turn of the event loop. Work that settles without
 * waiting (offline, or answered from the cache) would otherwise start the next item from the
 * last one's settling, thousands in a row, and a 10 MB lock held the server for a second after
 * its first publish, hovers and all.
 */
export const STARTS_PER_TURN = 256;

export interface BoundedEachOptions {
  /** Default DEPENDENCIES_UNDER_WAY. */
  limit?: number;
  /** Asked before each start: once true, nothing more starts (the analysis was replaced). */
  stopped?: () => boolean;
  /** Runs `resume` on a later turn of the event loop (default setImmediate). */
  later?: (resume: () => void) => void;
}

/**
 * Runs `work` for every item, in order, at most `limit` at once; returns at once. `work` should
 * not reject (a rejection is dropped, like a settled one: the next item starts).
 */
export function eachBounded<T>(items: readonly T[], work: (item: T, index: number) => Promise<unknown>, options: BoundedEachOptions = {}): void {
  const limit = Math.max(1, options.limit ?? DEPENDENCIES_UNDER_WAY);
  const later = options.later ?? ((resume: () => void) => void setImmediate(resume));
  let next = 0;
  let underWay = 0;
  let startsThisTurn = 0;
  let waitingForTurn = false;
  const done = () => {
    underWay--;
    startMore();
  };
  function startMore(): void {
    while (underWay < limit && next < items.length) {
      if (waitingForTurn) return;
      if (startsThisTurn >= STARTS_PER_TURN) {
        waitingForTurn = true;
        later(() => {
          waitingForTurn = false;
          startsThisTurn = 0;
          startMore();
        });
        return;
      }
      if (options.stopped?.()) return;
      startsThisTurn++;
      const index = next++;
      underWay++;
      let started: Promise<unknown>;
      try {
        started = work(items[index], index);
      } catch (error) {
        started = Promise.reject(error);
      }
      started.then(done, done);
    }
  }
  startMore();
}

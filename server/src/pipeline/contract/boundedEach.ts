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

export interface BoundedEachOptions {
  /** Default DEPENDENCIES_UNDER_WAY. */
  limit?: number;
  /** Asked before each start: once true, nothing more starts (the analysis was replaced). */
  stopped?: () => boolean;
}

/**
 * Runs `work` for every item, in order, at most `limit` at once; returns at once. `work` should
 * not reject (a rejection is dropped, like a settled one: the next item starts).
 */
export function eachBounded<T>(items: readonly T[], work: (item: T, index: number) => Promise<unknown>, options: BoundedEachOptions = {}): void {
  const limit = Math.max(1, options.limit ?? DEPENDENCIES_UNDER_WAY);
  let next = 0;
  let underWay = 0;
  const done = () => {
    underWay--;
    startMore();
  };
  function startMore(): void {
    while (underWay < limit && next < items.length) {
      if (options.stopped?.()) return;
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

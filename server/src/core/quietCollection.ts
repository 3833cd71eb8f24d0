/**
 * After a burst of work (a document resolved and verified) the heap keeps the pages it grew to:
 * V8 collects again only when allocation asks for it, and its memory reducer, which would give
 * the pages back, waits 8 s and then mostly finds the heap too small to bother. A server spends
 * most of its life waiting for the next edit, so once it has been quiet for a moment after real
 * work it runs one full collection, and the pages the burst no longer needs go back to the system.
 * A quiet server is not collected again until it works.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface QuietCollectionOptions {
  /** How often the message loop's use is looked at. */
  checkMs?: number;
  /** Collect after this many checks in a row with the loop under QUIET_UTILIZATION. */
  quietChecks?: number;
  /** Only after at least this much work (ms of loop time) since the last collection. */
  minWorkMs?: number;
  /** The collection (default: V8's full collection, see fullCollection). */
  collect?: () => void;
  /** The loop's use since the last check (default: performance.eventLoopUtilization). */
  utilization?: () => { active: number; utilization: number };
}

/** Under this share of the loop's time busy, the server counts as quiet. */
export const QUIET_UTILIZATION = 0.02;

/**
 * V8's full collection (`gc`, exposed for a moment to one new context as Jest does), compacting
 * every page: a plain one frees the burst's objects but keeps nearly every page they were on
 * (after 400 attestations the heap went from 53 to 51 MB), while compacted the pages that held
 * them go back. Undefined when it cannot be had.
 */
export function fullCollection(): (() => void) | undefined {
  let gc: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc');
    } catch {
      return undefined;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  if (typeof gc !== 'function') return undefined;
  const collect = gc as () => void;
  return () => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      collect();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

function loopUtilization(): () => { active: number; utilization: number } {
  let last = performance.eventLoopUtilization();
  return () => {
    const since = performance.eventLoopUtilization(last);
    last = performance.eventLoopUtilization();
    return since;
  };
}

/** Starts watching; returns the stop. Does nothing when no collection can be had. */
export function collectWhenQuiet(options: QuietCollectionOptions = {}): () => void {
  const collect = options.collect ?? fullCollection();
  if (!collect) return () => undefined;
  const quietChecks = options.quietChecks ?? 2;
  const minWorkMs = options.minWorkMs ?? 200;
  const utilization = options.utilization ?? loopUtilization();
  let quiet = 0;
  let workMs = 0;
  const timer = setInterval(() => {
    const { active, utilization: share } = utilization();
    workMs += active;
    quiet = share < QUIET_UTILIZATION ? quiet + 1 : 0;
    if (quiet < quietChecks || workMs < minWorkMs) return;
    quiet = 0;
    workMs = 0;
    collect();
  }, options.checkMs ?? 1000);
  // The watch never keeps the process alive.
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The settle-once life of a stage's background work over one analysis, shared by the resolution,
 * verification and zero-trust stages: while the work goes on, what it has so far is published
 * through `input.update` at most every `intervalMs`; the run settles exactly once — when the work
 * calls `finish`, or at once when the analysis is replaced (the abort signal), after `onAbort`.
 */
import type { Finding } from '../../core/finding';
import type { StageInput } from './stages';

/** Progressive publishes of one document's stage no closer together than this. */
export const UPDATE_INTERVAL_MS = 50;
/** The longest spacing of a large document's stage updates (updateIntervalMs). */
export const MAX_UPDATE_INTERVAL_MS = 1000;

/**
 * The spacing of a stage's updates for a document of `dependencies`: UPDATE_INTERVAL_MS up to
 * 1,000 dependencies, then growing with them to MAX_UPDATE_INTERVAL_MS at 20,000. Each update
 * gathers every finding of the stage into a new array (20,000 entries: a large object, freed
 * only by a full GC), and the language server publishes a large document every few seconds at
 * most (lsp/documentAnalyses.ts), so updates every 50 ms were garbage no one saw.
 */
export function updateIntervalMs(dependencies: number): number {
  return Math.min(MAX_UPDATE_INTERVAL_MS, Math.max(UPDATE_INTERVAL_MS, dependencies * 0.05));
}

export interface ProgressiveRun {
  /** True once settled: whatever the work still produces is dropped. */
  readonly settled: boolean;
  /** Publish the current findings soon (throttled to one publish per interval). */
  publishSoon(): void;
  /** Settle with the current findings; later calls do nothing. */
  finish(): void;
}

export interface ProgressiveRunOptions {
  now: () => number;
  /** Default UPDATE_INTERVAL_MS. */
  intervalMs?: number;
  /** Runs when the analysis is replaced, before the run settles (e.g. to release queued work). */
  onAbort?: () => void;
  /** Runs as the run settles; `aborted` says whether the analysis was replaced. */
  onSettle?: (aborted: boolean) => void;
}

export function runProgressively(
  input: Pick<StageInput, 'signal' | 'update'>,
  current: () => Finding[],
  options: ProgressiveRunOptions,
  start: (run: ProgressiveRun) => void,
): Promise<Finding[]> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let lastUpdate = 0;
    const run: ProgressiveRun = {
      get settled() {
        return settled;
      },
      publishSoon() {
        if (settled || timer !== undefined) return;
        const send = () => {
          timer = undefined;
          if (settled || input.signal.aborted) return;
          lastUpdate = options.now();
          input.update(current());
        };
        const wait = lastUpdate + (options.intervalMs ?? UPDATE_INTERVAL_MS) - options.now();
        if (wait <= 0) send();
        else timer = setTimeout(send, wait);
      },
      finish() {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        input.signal.removeEventListener('abort', onAbort);
        options.onSettle?.(input.signal.aborted);
        resolve(current());
      },
    };
    const onAbort = () => {
      options.onAbort?.();
      run.finish();
    };
    input.signal.addEventListener('abort', onAbort);
    if (input.signal.aborted) {
      onAbort();
      return;
    }
    // The work starts on the next turn, not inside the stage's run: the first publish (the
    // parse's findings, what is already known) goes out before a large document's thousands of
    // requests are set off.
    setImmediate(() => {
      if (!settled) start(run);
    });
  });
}

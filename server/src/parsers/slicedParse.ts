/**
 * A large lock file read on the calling thread in short slices (parseDocumentInSteps), giving the
 * event loop back between them, so hovers and other documents are answered meanwhile. For a lock
 * of megabytes this is much quicker than a worker thread: the parsed document need not be packed,
 * sent and unpacked (about as long again as the parse), and the server's code is already
 * compiled. What cannot be read this way — a format that is not read in steps, a syntax error, a
 * single line longer than LONGEST_LINE_MS — comes back undefined, for the worker (offThread.ts).
 */
import type { DocumentFormat, ParsedDocument } from '../core/model';
import { parseDocumentInSteps } from './index';

/** The clock and the yield to the event loop, given by the caller (tests give their own). */
export interface SliceScheduler {
  now(): number;
  /** Resolves once other work waiting on the event loop has had its turn. */
  pause(): Promise<void>;
}

/** How long one slice runs before the event loop gets a turn. */
export const SLICE_MS = 10;
/** A single line (a huge array, say) that runs this long past its slice is left to the worker. */
export const LONGEST_LINE_MS = 40;

export const defaultSliceScheduler: SliceScheduler = {
  now: () => performance.now(),
  pause: () => new Promise((resolve) => setImmediate(resolve)),
};

/** The document, read in slices; undefined when a worker (or parseDocument) must read it instead. Never rejects. */
export async function parseInSlices(format: DocumentFormat, text: string, scheduler: SliceScheduler = defaultSliceScheduler): Promise<ParsedDocument | undefined> {
  let deadline = scheduler.now() + SLICE_MS;
  const steps = parseDocumentInSteps(format, text, () => scheduler.now() > deadline + LONGEST_LINE_MS);
  if (steps === undefined) return undefined;
  try {
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (scheduler.now() > deadline) {
        await scheduler.pause();
        deadline = scheduler.now() + SLICE_MS;
      }
    }
  } catch {
    // The readers never throw (readTomlDocumentInSteps catches their bugs); the worker decides.
    return undefined;
  }
}

/**
 * One timer per document for "analyze again later": when the index could not answer for some of
 * a document's dependencies, the resolution stage asks for a retry at the earliest moment one of
 * them may be asked again. An earlier request replaces a later one; a later one leaves an earlier
 * timer in place.
 */
import { errorText, type Logger } from './guard';

export class RetrySchedule {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly run: (uri: string) => void,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  schedule(uri: string, delayMs: number): void {
    const at = this.now() + Math.max(0, delayMs);
    const existing = this.timers.get(uri);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      try {
        this.run(uri);
      } catch (error) {
        this.logger.error(`Retrying the analysis of ${uri} failed: ${errorText(error)}`);
      }
    }, Math.max(0, delayMs));
    this.timers.set(uri, { at, timer });
  }

  cancel(uri: string): void {
    const existing = this.timers.get(uri);
    if (existing) clearTimeout(existing.timer);
    this.timers.delete(uri);
  }

  dispose(): void {
    for (const uri of [...this.timers.keys()]) this.cancel(uri);
  }
}

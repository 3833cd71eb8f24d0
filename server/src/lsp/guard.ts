/**
 * The rule "an error at a handler is logged to the client, never thrown to it" in one place.
 * The Logger is what the connection's window/logMessage offers; modules take it as a parameter.
 * It and errorText live in the pipeline's contract (the CLI logs too); re-exported for the shell.
 */
import { errorText, type Logger } from '../pipeline/contract/logger';

export { errorText, type Logger };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Wraps a handler so that a throw or a rejection is logged as `<what> failed: …` and the
 * handler answers `fallback` instead (for a request: a null/empty result, not an error).
 */
export function guard<A extends unknown[], R>(logger: Logger, what: string, handler: (...args: A) => R | PromiseLike<R>, fallback: R): (...args: A) => R | Promise<R> {
  return (...args: A) => {
    const fail = (error: unknown): R => {
      safeLog(logger, `${what} failed: ${errorText(error)}`);
      return fallback;
    };
    try {
      const result = handler(...args);
      if (isThenable(result)) return Promise.resolve(result).catch(fail);
      return result;
    } catch (error) {
      return fail(error);
    }
  };
}

/** guard for handlers that answer nothing (notifications, events, timers). */
export function guardVoid<A extends unknown[]>(logger: Logger, what: string, handler: (...args: A) => unknown): (...args: A) => void {
  const guarded = guard<A, unknown>(logger, what, handler, undefined);
  return (...args: A) => {
    void guarded(...args);
  };
}

/** Logging must not become the next exception (e.g. the connection is already closed). */
function safeLog(logger: Logger, message: string): void {
  try {
    logger.error(message);
  } catch {
    // Nowhere left to report to.
  }
}

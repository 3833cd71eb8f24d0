import { redactSecrets } from './redact';

/** Why the index could not give an answer; `index-error` messages say which. */
export type IndexErrorReason =
  | 'offline'
  | 'unreachable'
  | 'timeout'
  | 'bad-content-type'
  | 'bad-json'
  | 'bad-response'
  | 'unsupported-api-version'
  | 'too-large'
  | 'too-many-redirects'
  | 'redirect-refused'
  | 'http-status'
  | 'bad-url';

/**
 * A failure to get a usable answer from the index. The message is safe to show: it names URLs
 * only in redacted form. Such failures are transient from the user's point of view: the
 * dependency is retried later, never marked bad.
 */
export class IndexError extends Error {
  readonly reason: IndexErrorReason;
  /** The HTTP status, for `http-status` (and the 429/5xx that retries could not get past). */
  readonly status?: number;

  constructor(reason: IndexErrorReason, message: string, status?: number) {
    super(redactSecrets(message));
    this.name = 'IndexError';
    this.reason = reason;
    this.status = status;
  }
}

export function isIndexError(error: unknown): error is IndexError {
  return error instanceof IndexError;
}

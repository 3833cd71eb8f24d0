/**
 * Operator knobs read from the environment, for slow or flaky networks and for tests that need an
 * index timeout or a retry in well under the defaults' tens of seconds. Unset or unreadable
 * values keep the defaults; nothing here can raise a limit above its default.
 *
 * - PYPI_PROVENANCE_HTTP_TIMEOUT_MS: the whole-request limit (and the connect, headers and body
 *   limits), at most 30 s (CONTRACT §3).
 * - PYPI_PROVENANCE_HTTP_RETRIES: retries after a failed attempt (429, 5xx, dropped connection).
 * - PYPI_PROVENANCE_RETRY_DELAY_MS: `first[,max]`, when a dependency the index failed on is asked
 *   again (doubling from `first` up to `max`; default 30 s → 5 min).
 */
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, type HttpClientOptions } from '../index/httpClient';

export const DEFAULT_RETRY_DELAY_MS = { first: 30_000, max: 5 * 60_000 } as const;

export interface Tuning {
  http: Pick<HttpClientOptions, 'timeouts' | 'retry'>;
  retryDelay: { first: number; max: number };
}

type Env = Readonly<Record<string, string | undefined>>;

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function tuningFromEnv(env: Env): Tuning {
  const http: Tuning['http'] = {};
  const timeout = positiveInteger(env.PYPI_PROVENANCE_HTTP_TIMEOUT_MS);
  if (timeout !== undefined && timeout > 0) {
    const cap = (limit: number) => Math.min(limit, timeout);
    http.timeouts = { connectMs: cap(DEFAULT_TIMEOUTS.connectMs), headersMs: cap(DEFAULT_TIMEOUTS.headersMs), bodyMs: cap(DEFAULT_TIMEOUTS.bodyMs), totalMs: cap(DEFAULT_TIMEOUTS.totalMs) };
  }
  const retries = positiveInteger(env.PYPI_PROVENANCE_HTTP_RETRIES);
  if (retries !== undefined) http.retry = { maxRetries: Math.min(retries, DEFAULT_RETRY.maxRetries) };

  const retryDelay: { first: number; max: number } = { ...DEFAULT_RETRY_DELAY_MS };
  const [first, max] = (env.PYPI_PROVENANCE_RETRY_DELAY_MS ?? '').split(',').map(positiveInteger);
  if (first !== undefined && first > 0) {
    retryDelay.first = Math.min(first, DEFAULT_RETRY_DELAY_MS.first);
    retryDelay.max = Math.max(retryDelay.first, Math.min(max ?? DEFAULT_RETRY_DELAY_MS.max, DEFAULT_RETRY_DELAY_MS.max));
  }
  return { http, retryDelay };
}

/**
 * The one HTTP GET path to package indexes (undici): keep-alive pool, HTTP/2 where the index offers
 * it (ALPN), a concurrency limit per origin, one
 * in-flight request per URL, timeouts, bounded retries that honour Retry-After, a body size cap,
 * redirects only to https or the same origin, and credentials that never leave their origin or
 * show in a message.
 */
import type { Client, Dispatcher, buildConnector } from 'undici';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ByteBudget, type BudgetHold } from './byteBudget';
import { IndexError } from './errors';
import { Limiter } from './limiter';
import { redactUrl, splitCredentials } from './redact';
import { USER_AGENT } from './version';

export interface HttpTimeouts {
  /** TCP + TLS connect. Only applies to the dispatcher this module creates. */
  connectMs: number;
  /** From sending the request to the end of the response headers. */
  headersMs: number;
  /** The longest pause between two body chunks. */
  bodyMs: number;
  /** The whole request: redirects, retries and their waits included. Never more than 30 s (CONTRACT §3). */
  totalMs: number;
}

export const MAX_TOTAL_MS = 30_000;
export const DEFAULT_TIMEOUTS: Readonly<HttpTimeouts> = { connectMs: 10_000, headersMs: 20_000, bodyMs: 20_000, totalMs: MAX_TOTAL_MS };

export interface RetryPolicy {
  /** Retries after the first attempt, for 429, 5xx and dropped connections. */
  maxRetries: number;
  /** Backoff without Retry-After: baseDelayMs × 2^attempt. */
  baseDelayMs: number;
  /** A longer wait (Retry-After included) is not waited for: the request fails instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 10_000 };
/** Requests at once to an origin that speaks HTTP/1.1: one per connection, as many connections. */
export const DEFAULT_CONCURRENCY = 16;
/**
 * Requests at once to an origin that chose HTTP/2 (ALPN): streams share its connections. 100 is
 * what HTTP/2 servers commonly advertise as SETTINGS_MAX_CONCURRENT_STREAMS (Node's and CDN
 * defaults) and the least that RFC 9113 §6.5.2 recommends; uv sends about 50 at once.
 */
export const DEFAULT_H2_STREAMS = 100;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

export interface HttpClientOptions {
  userAgent?: string;
  /** Requests in flight at once to one origin over HTTP/1.1, and its connections (default 16). */
  concurrency?: number;
  /** Requests in flight at once to one origin once it has chosen HTTP/2 (default 100; never below `concurrency`). */
  h2Streams?: number;
  timeouts?: Partial<HttpTimeouts>;
  retry?: Partial<RetryPolicy>;
  maxRedirects?: number;
  /** Certificate authorities (PEM) trusted instead of Node's own: a test index's (tests and the bench). */
  ca?: string;
  /** An undici dispatcher to send through; by default a keep-alive Agent owned (and closed) by the client. */
  dispatcher?: Dispatcher;
  /** Milliseconds since the epoch (injected for tests). */
  now?: () => number;
  /** Waits between retries; must reject when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Diagnostic log lines; URLs in them are redacted. */
  log?: (message: string) => void;
  /**
   * The budget of body bytes that answers being read (and, until their `release`, parsed) may
   * hold at once; by default one of DEFAULT_MAX_BYTES_IN_FLIGHT shared by every client of the
   * process. Answers beyond it wait for room (byteBudget.ts).
   */
  byteBudget?: ByteBudget;
  /** A budget of this many bytes for this client alone, instead of the process's (tests). */
  maxBytesInFlight?: number;
}

let processBudget: ByteBudget | undefined;
/** The budget every HTTP client of the process shares unless given its own. */
export function processByteBudget(): ByteBudget {
  return (processBudget ??= new ByteBudget(DEFAULT_MAX_BYTES_IN_FLIGHT));
}

export interface HttpGet {
  /** May carry userinfo: it is sent as Basic auth, to this origin only. */
  url: string;
  accept: string;
  /** Body size cap (decoded bytes); a longer answer is a `too-large` IndexError. */
  maxBytes: number;
  /** An `Authorization` value for the request's origin (when the URL has no userinfo). */
  authorization?: string;
  /** Further request headers, e.g. `if-none-match`. */
  headers?: Readonly<Record<string, string>>;
  /** When given, a redirect is followed only to one of these origins (a URL the index chose must stay on the index). */
  redirectOrigins?: ReadonlySet<string>;
}

export interface HttpResponse {
  status: number;
  /** The URL that answered (after redirects), without userinfo. */
  url: string;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  /**
   * Gives the body's bytes back to the byte budget: call it once the body has been used (parsed,
   * cached). Until then they count against the budget, so that answers waiting to be parsed are
   * bounded too. Idempotent; a response that read no body holds nothing.
   */
  release(): void;
}

export interface HttpStats {
  /** Requests sent on the wire (attempts, redirects and retries each count). */
  sent: number;
  /** get() calls answered by a request already in flight. */
  deduplicated: number;
  retries: number;
}

export interface HttpClient {
  /**
   * Resolves with the final response of any status (after redirects, and after retries of
   * 429/5xx ran out); rejects with an IndexError when no HTTP answer could be had.
   */
  get(request: HttpGet): Promise<HttpResponse>;
  readonly stats: Readonly<HttpStats>;
  close(): Promise<void>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeouts: HttpTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  timeouts.totalMs = Math.min(timeouts.totalMs, MAX_TOTAL_MS);
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const userAgent = options.userAgent ?? USER_AGENT;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).then(() => undefined));
  const log = options.log ?? (() => undefined);
  const ownsDispatcher = options.dispatcher === undefined;
  const h2Streams = Math.max(concurrency, options.h2Streams ?? DEFAULT_H2_STREAMS);
  const limiters = new Map<string, Limiter>();
  const limiterFor = (origin: string): Limiter => {
    let limiter = limiters.get(origin);
    if (limiter === undefined) limiters.set(origin, (limiter = new Limiter(concurrency)));
    return limiter;
  };
  // undici is loaded with the first client, not with the module: a server whose answers all come
  // from a fresh cache never needs it (about 100 ms of a warm start's module loading).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Agent, Client: UndiciClient, Pool, buildConnector: makeConnector } = require('undici') as typeof import('undici');
  // Every origin starts at the HTTP/1.1 limit: one request per connection, `concurrency`
  // connections. One whose TLS handshake chose h2 is raised to the stream limit: its connections
  // then carry that many streams (undici's `pipelining` is the streams of an h2 connection) and its
  // waiting requests start at once.
  const h2Origins = new Set<string>();
  const clientsOf = new Map<string, Client[]>();
  const speaksH2 = (origin: string): void => {
    if (h2Origins.has(origin)) return;
    h2Origins.add(origin);
    for (const client of clientsOf.get(origin) ?? []) client.pipelining = h2Streams;
    limiterFor(origin).raise(h2Streams);
  };
  const connector = makeConnector({ timeout: timeouts.connectMs, allowH2: true, ...(options.ca === undefined ? {} : { ca: options.ca }) });
  const connect: buildConnector.connector = (connectOptions, callback) =>
    connector(connectOptions, (error, socket) => {
      if (error === null && (socket as { alpnProtocol?: string | false }).alpnProtocol === 'h2') speaksH2(`${connectOptions.protocol}//${connectOptions.host}`);
      (callback as (error: Error | null, socket: unknown) => void)(error, socket);
    });
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Agent({
      connections: concurrency,
      allowH2: true,
      maxConcurrentStreams: h2Streams,
      connect,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
      keepAliveTimeout: 30_000,
      factory: (origin, agentOptions) =>
        new Pool(origin, {
          ...agentOptions,
          // A pool keeps its clients (reconnecting them as needed), so this list stays at `concurrency` per origin.
          factory: (poolOrigin, clientOptions) => {
            const key = new URL(String(poolOrigin)).origin;
            const client = new UndiciClient(poolOrigin, { ...clientOptions, pipelining: h2Origins.has(key) ? h2Streams : 1 });
            const clients = clientsOf.get(key) ?? [];
            clients.push(client);
            clientsOf.set(key, clients);
            return client;
          },
        }),
    });
  const inFlight = new Map<string, Promise<HttpResponse>>();
  const stats: HttpStats = { sent: 0, deduplicated: 0, retries: 0 };
  const budget = options.byteBudget ?? (options.maxBytesInFlight !== undefined ? new ByteBudget(options.maxBytesInFlight) : processByteBudget());

  function get(request: HttpGet): Promise<HttpResponse> {
    const key = JSON.stringify([request.url, request.accept, request.maxBytes, request.authorization ?? '', request.headers ?? {}]);
    const running = inFlight.get(key);
    if (running) {
      stats.deduplicated++;
      return running;
    }
    const started = getWithPolicy(request).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  async function getWithPolicy(request: HttpGet): Promise<HttpResponse> {
    let split;
    try {
      split = splitCredentials(request.url);
    } catch {
      throw new IndexError('bad-url', `not a valid URL: ${redactUrl(request.url)}`);
    }
    const startUrl = new URL(split.url);
    if (startUrl.protocol !== 'https:' && startUrl.protocol !== 'http:') {
      throw new IndexError('bad-url', `not an http(s) URL: ${redactUrl(request.url)}`);
    }
    const startOrigin = startUrl.origin;
    const authorization = split.authorization ?? request.authorization;
    // The time limit starts when the request first gets a connection slot: waiting behind other
    // requests in the queue is not the index being slow.
    const controller = new AbortController();
    let deadline = Number.POSITIVE_INFINITY;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number): void => {
      deadline = now() + ms;
      timer = setTimeout(() => controller.abort(), ms);
      timer.unref?.();
    };
    const startClock = (): AbortSignal => {
      if (timer === undefined) arm(timeouts.totalMs);
      return controller.signal;
    };
    // While a body waits for room in the byte budget the time is ours, not the index's: the
    // clock stops (other answers, each on its own clock, are what it waits for).
    let pausedWithMs: number | undefined;
    const clock: RequestClock = {
      pause() {
        if (timer === undefined || pausedWithMs !== undefined) return;
        clearTimeout(timer);
        pausedWithMs = Math.max(0, deadline - now());
      },
      resume() {
        if (pausedWithMs === undefined) return;
        const left = pausedWithMs;
        pausedWithMs = undefined;
        arm(left);
      },
    };

    let url = startUrl;
    let redirects = 0;
    let attempt = 0;
    try {
      for (;;) {
        const headers: Record<string, string> = {
          'user-agent': userAgent,
          accept: request.accept,
          'accept-encoding': 'gzip, deflate, br',
          ...request.headers,
        };
        // Credentials go to the origin they were given for, never to a host a redirect names.
        if (authorization !== undefined && url.origin === startOrigin) headers.authorization = authorization;
        let answer: HttpResponse;
        try {
          // Room in the byte budget first: a request is not sent while answers being read and
          // parsed hold most of it (the wait is before the clock starts, as in the limiter's queue).
          const hold = await budget.admit(Math.min(request.maxBytes, budget.limit));
          answer = await limiterFor(url.origin)
            .run(() => sendOnce(url, headers, request.maxBytes, startClock(), hold, clock))
            .catch((error: unknown) => {
              hold.release();
              throw error;
            });
        } catch (error) {
          const failure = toIndexError(error, url, controller.signal.aborted, timeouts.totalMs);
          // Only a dropped or refused connection may go better next time; a TLS failure, a header
          // overflow or an unknown host fails the same way every time.
          if (isTransient(error) && !controller.signal.aborted && attempt < retry.maxRetries) {
            const wait = backoff(attempt);
            if (now() + wait < deadline) {
              attempt++;
              stats.retries++;
              log(`retrying ${redactUrl(url.href)} in ${wait} ms: ${failure.message}`);
              await sleep(wait, controller.signal);
              continue;
            }
          }
          throw failure;
        }

        if (REDIRECT_STATUSES.has(answer.status) && answer.headers.location !== undefined) {
          redirects++;
          if (redirects > maxRedirects) {
            throw new IndexError('too-many-redirects', `${redactUrl(startUrl.href)} redirected more than ${maxRedirects} times`);
          }
          let target: URL;
          try {
            target = new URL(answer.headers.location, url);
          } catch {
            throw new IndexError('bad-response', `${redactUrl(url.href)} redirected to an invalid location`);
          }
          if (request.redirectOrigins !== undefined && !request.redirectOrigins.has(target.origin)) {
            throw new IndexError('redirect-refused', `${redactUrl(url.href)} redirected to another host (${target.host}): only the index's own host is followed here`);
          }
          if (target.protocol !== 'https:' && target.origin !== startOrigin) {
            throw new IndexError(
              'redirect-refused',
              `${redactUrl(url.href)} redirected to ${redactUrl(target.href)}: only https or the same origin is followed`,
            );
          }
          target.username = '';
          target.password = '';
          url = target;
          continue;
        }

        if ((answer.status === 429 || answer.status >= 500) && attempt < retry.maxRetries) {
          const asked = retryAfterMs(answer.headers['retry-after'], now());
          const wait = asked ?? backoff(attempt);
          if (wait <= retry.maxDelayMs && now() + wait < deadline) {
            attempt++;
            stats.retries++;
            log(`retrying ${redactUrl(url.href)} in ${wait} ms after HTTP ${answer.status}`);
            await sleep(wait, controller.signal);
            continue;
          }
        }
        return answer;
      }
    } catch (error) {
      throw error instanceof IndexError ? error : toIndexError(error, url, controller.signal.aborted, timeouts.totalMs);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  function backoff(attempt: number): number {
    return Math.min(retry.baseDelayMs * 2 ** attempt, retry.maxDelayMs);
  }

  async function sendOnce(url: URL, headers: Record<string, string>, maxBytes: number, signal: AbortSignal, hold: BudgetHold, clock: RequestClock): Promise<HttpResponse> {
    stats.sent++;
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      signal,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
    });
    const responseHeaders = flattenHeaders(response.headers);
    const status = response.statusCode;
    if (REDIRECT_STATUSES.has(status) || status === 304 || status === 429 || status >= 500) {
      // Bodies of these answers are not used; drain a little so the connection can be reused.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      hold.release();
      return { status, url: url.href, headers: responseHeaders, body: Buffer.alloc(0), release: () => undefined };
    }
    const declared = Number(responseHeaders['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.body.destroy();
      throw tooLarge(url, maxBytes);
    }
    const coding = contentCoding(responseHeaders['content-encoding']);
    if (coding === undefined) {
      response.body.destroy();
      throw new IndexError('bad-response', `${redactUrl(url.href)} sent an unsupported content encoding "${clipHeader(responseHeaders['content-encoding'])}"`);
    }
    // What this answer may come to once decoded: its length when the index says it and nothing
    // needs decoding, else the cap.
    const claim = coding === 'identity' && Number.isFinite(declared) ? declared : maxBytes;
    if (claim > budget.limit) {
      response.body.destroy();
      throw overBudget(url, budget.limit);
    }
    hold.lower(claim);
    const body = await readBody(response.body, coding, maxBytes, hold, signal, clock, url, budget.limit, claim, coding === 'identity' && Number.isFinite(declared));
    return { status, url: url.href, headers: responseHeaders, body, release: () => hold.release() };
  }

  return {
    get,
    stats,
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

type Coding = 'identity' | 'gzip' | 'deflate' | 'br';

/** The whole-request clock of one get(), stopped while its body waits for the byte budget. */
interface RequestClock {
  pause(): void;
  resume(): void;
}

/** The one content coding of a Content-Encoding value, or undefined when it is none we decode. */
function contentCoding(header: string | undefined): Coding | undefined {
  const coding = (header ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return 'identity';
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip';
  if (coding === 'deflate' || coding === 'br') return coding;
  return undefined;
}

function clipHeader(value: string | undefined): string {
  const text = (value ?? '').replace(/[\u0000-\u001f\u007f]/g, '?');
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** zlib's own failures (corrupt or truncated data), as opposed to the socket's. */
function isZlibError(error: unknown): boolean {
  return /^Z_/.test(errorCode(error) ?? '');
}

/** A body of unknown length up to this size is joined once complete; a longer one goes into one buffer as it arrives. */
const GATHER_BYTES = 1024 * 1024;
/** Body bytes taken in between two turns of the event loop. */
const BYTES_PER_TURN = 256 * 1024;

/**
 * Reads a body as it arrives, decoding it on the way: every decoded chunk is counted against the
 * per-answer cap and taken from the budget before the next one is read (a wait there stops the
 * reading). Only the decoded bytes are kept.
 */
async function readBody(
  body: Readable,
  coding: Coding,
  maxBytes: number,
  hold: BudgetHold,
  signal: AbortSignal,
  clock: RequestClock,
  url: URL,
  budgetLimit: number,
  claim: number,
  knownLength: boolean,
): Promise<Buffer> {
  let source: AsyncIterable<Buffer> = body;
  if (coding !== 'identity') {
    const decoder = coding === 'gzip' ? createGunzip() : coding === 'deflate' ? createInflate() : createBrotliDecompress();
    source = pipeline(body, decoder, () => undefined);
  }
  // With a declared length, one buffer of that size is filled as chunks arrive: its pages are
  // touched (and become resident) a chunk at a time, never in one long copy at the end. Without
  // one (chunked, or compressed), the first chunks are kept as they are; once they pass
  // GATHER_BYTES, a buffer of the cap is reserved (its memory only becomes resident as it is
  // filled) and the rest is copied in as it arrives: a large body is never joined in one go.
  let gathered = knownLength ? Buffer.allocUnsafeSlow(claim) : undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  let filled = 0;
  let sinceTurn = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (total + chunk.length > maxBytes) throw tooLarge(url, maxBytes);
      // Chunks already received are handed over in microtasks, one after another: a fast index
      // would keep the event loop from everything else until the body is complete.
      sinceTurn += chunk.length;
      if (sinceTurn >= BYTES_PER_TURN) {
        sinceTurn = 0;
        await nextTurn();
      }
      try {
        await hold.take(chunk.length, signal, () => clock.pause());
      } catch (error) {
        if (error instanceof RangeError) throw overBudget(url, budgetLimit);
        throw error;
      } finally {
        clock.resume();
      }
      if (gathered === undefined && !knownLength && total + chunk.length > GATHER_BYTES) {
        gathered = Buffer.allocUnsafeSlow(maxBytes);
        for (const kept of chunks.splice(0)) filled += kept.copy(gathered, filled);
      }
      if (gathered !== undefined && chunks.length === 0 && total + chunk.length <= gathered.length) filled += chunk.copy(gathered, filled);
      else chunks.push(chunk);
      total += chunk.length;
    }
  } catch (error) {
    body.destroy();
    if (error instanceof IndexError) throw error;
    if (isZlibError(error)) throw new IndexError('bad-response', `${redactUrl(url.href)} sent a body that does not decompress as ${coding}`);
    throw error;
  }
  if (gathered === undefined) return Buffer.concat(chunks, total);
  // A body longer than it said (undici normally refuses one) keeps its overflow.
  return chunks.length === 0 ? gathered.subarray(0, filled) : Buffer.concat([gathered.subarray(0, filled), ...chunks], total);
}

function tooLarge(url: URL, maxBytes: number): IndexError {
  return new IndexError('too-large', `${redactUrl(url.href)} sent more than ${formatBytes(maxBytes)}; the answer was cut off`);
}

function overBudget(url: URL, limit: number): IndexError {
  return new IndexError('too-large', `${redactUrl(url.href)} sent more than ${formatBytes(limit)}, more than all answers being read at once may hold; the answer was cut off`);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_)/;
/** Failures that a later attempt may not repeat: the connection dropped or was refused, a DNS server was busy. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function isTransient(error: unknown): boolean {
  return !(error instanceof IndexError) && TRANSIENT_CODES.has(errorCode(error) ?? '');
}

function errorCode(error: unknown): string | undefined {
  const direct = (error as { code?: unknown })?.code;
  if (typeof direct === 'string') return direct;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
}

function toIndexError(error: unknown, url: URL, deadlinePassed: boolean, totalMs: number): IndexError {
  if (error instanceof IndexError) return error;
  const where = redactUrl(url.href);
  if (deadlinePassed) return new IndexError('timeout', `${where} did not answer within ${formatSeconds(totalMs)}`);
  const code = errorCode(error) ?? '';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new IndexError('timeout', `could not connect to ${url.origin} in time`);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new IndexError('timeout', `${where} sent no response headers in time`);
    case 'UND_ERR_BODY_TIMEOUT':
      return new IndexError('timeout', `${where} stopped sending its answer`);
    case 'ETIMEDOUT':
      return new IndexError('timeout', `the connection to ${url.origin} timed out`);
    case 'ECONNREFUSED':
      return new IndexError('unreachable', `${url.origin} refused the connection`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new IndexError('unreachable', `host ${url.hostname} not found`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new IndexError('unreachable', `the connection to ${url.origin} was reset`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new IndexError('unreachable', `${url.origin} is unreachable (${code})`);
    case 'UND_ERR_HEADERS_OVERFLOW':
      return new IndexError('bad-response', `${where} sent response headers that are too large`);
    case 'UND_ERR_INVALID_ARG':
    case 'ERR_INVALID_URL':
      return new IndexError('bad-url', `${where} cannot be requested (${code})`);
  }
  if (TLS_CODES.test(code)) return new IndexError('unreachable', `the TLS connection to ${url.origin} failed (${code})`);
  const detail = code !== '' ? code : error instanceof Error ? error.message : String(error);
  return new IndexError('unreachable', `${where} could not be fetched: ${detail}`);
}

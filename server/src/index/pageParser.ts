/**
 * Reads PEP 691 pages, large ones on a worker thread so that the server's message loop keeps
 * answering (hovers, other documents) while an 18 MB page is parsed. Nearly every page is small
 * and is read inline: handing it to a thread would cost more than it saves. The worker starts with
 * the first large page and stops once no page has come for a while; its heap is capped, so a page
 * that would exhaust it is an index-error rather than the end of the server.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { IndexError } from './errors';
import { errorOf, unpackPage, type PageJobAnswer } from './pageTransfer';
import type { PageJob } from './pageWorker';
import { parseProjectPage, type ProjectPage } from './simpleApi';

/** Pages longer than this (bytes, or UTF-16 units of a string) are read on the worker. */
export const DEFAULT_OFF_THREAD_CHARS = 1024 * 1024;
/** The worker stops after this long without a page. */
const IDLE_MS = 10_000;
/** Far above what a page within the 20 MB cap needs (about 10 times its size at the worst). */
const WORKER_HEAP_MB = 512;

export interface PageParserOptions {
  /** The worker script; none (every page inline) when undefined. Default: pageWorker.js beside this module. */
  script?: string;
  offThreadChars?: number;
  /** Stop the worker after this long idle (default 10 s). */
  idleMs?: number;
}

export interface PageParser {
  /** As parseProjectPage; a Buffer given is only read (a large one is copied for the worker). */
  parse(body: string | Buffer, contentType: string | undefined, pageUrl: string, expectedName?: string): Promise<ProjectPage>;
  /**
   * As parse, for bytes the caller lends: a large page's buffer moves to the worker without a
   * copy (its whole ArrayBuffer: every view of it is emptied meanwhile) and comes back with the
   * page, in `bytes`, also when the page is refused (`error`); empty only when the worker itself died.
   */
  parseLent(bytes: Buffer, contentType: string | undefined, pageUrl: string, expectedName?: string): Promise<ParsedBytes>;
  /** Pages read on the worker so far (tests). */
  readonly offThread: number;
  close(): Promise<void>;
}

/** `pageWorker.js` next to this module (compiled tree) or beside the server bundle; undefined when absent (tests run from source). */
export function defaultPageWorkerScript(directory: string = __dirname): string | undefined {
  const path = join(directory, 'pageWorker.js');
  return existsSync(path) ? path : undefined;
}

/** A lent page's answer: the page or why not, and the bytes back. */
export type ParsedBytes = { page: ProjectPage; bytes: Buffer } | { error: IndexError; bytes: Buffer };

interface Pending {
  settle(answer: { page: ProjectPage } | { error: IndexError }, bytes: Buffer | undefined): void;
}

export function createPageParser(options: PageParserOptions = {}): PageParser {
  const script = 'script' in options ? options.script : defaultPageWorkerScript();
  const threshold = options.offThreadChars ?? DEFAULT_OFF_THREAD_CHARS;
  const idleMs = options.idleMs ?? IDLE_MS;
  let worker: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;
  let offThread = 0;
  const pending = new Map<number, Pending>();

  function start(path: string): Worker {
    const started = new Worker(path, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    started.on('message', (answer: PageJobAnswer) => {
      const waiting = pending.get(answer.id);
      if (waiting === undefined) return;
      pending.delete(answer.id);
      settled();
      const bytes = Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
      if ('error' in answer) waiting.settle({ error: errorOf(answer) }, bytes);
      else {
        unpackPage(answer.page).then(
          (page) => waiting.settle({ page }, bytes),
          (error: unknown) => waiting.settle({ error: asIndexError(error) }, bytes),
        );
      }
    });
    const fail = (error: Error): void => {
      if (worker === started) worker = undefined;
      const memory = /memory|heap/i.test(error.message) || (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      const failure = new IndexError('too-large', memory ? 'the page needs more memory to read than is allowed' : `the page could not be read (${error.message})`);
      for (const [id, waiting] of pending) {
        pending.delete(id);
        // The bytes went down with the worker.
        waiting.settle({ error: failure }, undefined);
      }
      settled();
    };
    started.on('error', fail);
    started.on('exit', (code) => fail(new Error(`the page worker stopped (code ${code})`)));
    return started;
  }

  /** No page waiting: let the process exit without the worker, and stop it after a while. */
  function settled(): void {
    if (pending.size > 0 || worker === undefined) return;
    worker.unref();
    clearTimeout(idleTimer);
    const idle = worker;
    idleTimer = setTimeout(() => {
      if (worker === idle && pending.size === 0) {
        worker = undefined;
        void idle.terminate();
      }
    }, idleMs);
    idleTimer.unref();
  }

  /** Sends `bytes` (their whole ArrayBuffer, moved) to the worker; the answer has them back, unless the worker died. */
  function parseOnWorker(path: string, bytes: Buffer, job: Omit<PageJob, 'id' | 'body'>): Promise<{ answer: { page: ProjectPage } | { error: IndexError }; bytes?: Buffer }> {
    clearTimeout(idleTimer);
    try {
      worker ??= start(path);
    } catch {
      // No thread to be had: read it here rather than not at all.
      return Promise.resolve().then(() => ({ answer: inline(bytes, job), bytes }));
    }
    worker.ref();
    const id = nextId++;
    offThread++;
    return new Promise((resolve) => {
      pending.set(id, { settle: (answer, back) => resolve({ answer, bytes: back }) });
      worker!.postMessage({ id, body: bytes, ...job } satisfies PageJob, [bytes.buffer as ArrayBuffer]);
    });
  }

  const large = (body: string | Buffer): boolean => script !== undefined && body.length > threshold;

  return {
    async parse(body, contentType, pageUrl, expectedName) {
      if (!large(body)) return parseProjectPage(body, contentType, pageUrl, expectedName);
      // Bytes move to the worker without a copy (a string would be cloned, as slowly as it is
      // parsed); the caller's buffer is copied once so that it stays its own.
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
      const { answer } = await parseOnWorker(script!, ownBuffer(bytes), { contentType, pageUrl, expectedName });
      if ('error' in answer) throw answer.error;
      return answer.page;
    },
    async parseLent(bytes, contentType, pageUrl, expectedName) {
      if (!large(bytes)) {
        const answer = inline(bytes, { contentType, pageUrl, expectedName });
        return { ...answer, bytes };
      }
      const { answer, bytes: back } = await parseOnWorker(script!, bytes, { contentType, pageUrl, expectedName });
      return { ...answer, bytes: back ?? Buffer.alloc(0) };
    },
    get offThread() {
      return offThread;
    },
    async close() {
      clearTimeout(idleTimer);
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}

function inline(bytes: Buffer, job: Omit<PageJob, 'id' | 'body'>): { page: ProjectPage } | { error: IndexError } {
  try {
    return { page: parseProjectPage(bytes, job.contentType, job.pageUrl, job.expectedName) };
  } catch (error) {
    if (error instanceof IndexError) return { error };
    throw error;
  }
}

/** A buffer that is the whole of its ArrayBuffer (a copy when it is a view into a larger one, as Node's pool is). */
function ownBuffer(bytes: Buffer): Buffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Buffer.from(bytes);
}

function asIndexError(error: unknown): IndexError {
  return error instanceof IndexError ? error : new IndexError('bad-response', `the page could not be read (${String(error)})`);
}

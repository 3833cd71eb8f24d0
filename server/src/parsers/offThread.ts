/**
 * Parsing a large document on a worker thread, so the server's message loop keeps answering
 * hovers and other documents meanwhile. Small documents (nearly all) are parsed inline: a worker
 * costs tens of milliseconds to start. The worker's heap is capped, so a document that would
 * exhaust it gives a `syntax` problem instead of taking the server down.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { emptyOptions, type DocumentFormat, type ParsedDocument } from '../core/model';
import { parseDocument, type ParseContext } from './index';
import { packText, unpackDocument, type PackedDocument, type PackedText } from './transfer';

/** Documents longer than this (UTF-16 units) are parsed on a worker thread. */
export const OFF_THREAD_LENGTH = 256 * 1024;
/**
 * The worker's heaps. The old generation: far above what a document within the size limits needs.
 * The young one: small, since nearly everything a parse allocates lives until the document is
 * posted, and V8's default (several times this) copies it about once more before it is promoted:
 * for a 3 MB uv.lock this size takes about a sixth less CPU and 20–25 MB less peak memory.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 8 };

export interface ParseJob {
  format: DocumentFormat;
  text: PackedText;
  context: ParseContext;
}

/** `parseWorker.js` next to this module (compiled tree) or beside the server bundle; undefined when absent. */
export function defaultParseWorkerScript(directory: string = __dirname): string | undefined {
  const path = join(directory, 'parseWorker.js');
  return existsSync(path) ? path : undefined;
}

export function parsesOffThread(text: string, script: string | undefined): script is string {
  return script !== undefined && text.length > OFF_THREAD_LENGTH;
}

/** parseDocument on a worker thread started from `script`. Never rejects. */
export function parseOnWorker(format: DocumentFormat, text: string, context: ParseContext, script: string): Promise<ParsedDocument> {
  const { packed, transfer } = packText(text);
  const job: ParseJob = { format, text: packed, context };
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: job, transferList: transfer, resourceLimits: WORKER_LIMITS });
  } catch {
    // No thread to be had: parse here rather than not at all.
    return Promise.resolve(parseDocument(format, text, context));
  }
  return awaitParse(worker, format);
}

/** After a parse, the next worker is started this much later, so its start does not compete with the stages that follow. */
const REPLACEMENT_DELAY_MS = 2000;
/**
 * A waiting worker no document has used for this long ends (about 10 MB back): a server that is
 * not being given large documents keeps no thread for them. The next large document then pays
 * the worker's cold start once.
 */
export const WAITING_WORKER_IDLE_MS = 60_000;

/**
 * Parse workers started ahead of need: the one waiting has its modules loaded (about 100 ms of
 * a cold start), so a large document's parse begins at once. Each still parses one document and
 * ends, and its replacement starts a little later.
 */
export class ParseWorkers {
  private waiting: Worker | undefined;
  private replacement: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly script: string | undefined,
    private readonly idleMs = WAITING_WORKER_IDLE_MS,
  ) {}

  /** Whether a worker is waiting (for tests: a server left alone keeps none). */
  get hasWaitingWorker(): boolean {
    return this.waiting !== undefined;
  }

  /**
   * Starts the waiting worker a little later (REPLACEMENT_DELAY_MS), not now: a server that has
   * just started is busy with its first documents, which are nearly always small (a warm start
   * settles 200 pins in a fraction of the half second of CPU a worker's start costs), and a
   * large one that comes first gets a worker of its own.
   */
  prepareSoon(): void {
    if (this.waiting === undefined) this.scheduleReplacement();
  }

  /** Starts the waiting worker now, if there is none. */
  prepare(): void {
    if (this.script === undefined || this.waiting !== undefined || this.disposed) return;
    let worker: Worker;
    try {
      worker = new Worker(this.script, { resourceLimits: WORKER_LIMITS });
    } catch {
      return;
    }
    // An idle worker must not keep the process alive, nor linger once it has failed.
    worker.unref();
    const forget = (): void => {
      if (this.waiting === worker) this.waiting = undefined;
    };
    worker.once('error', forget);
    worker.once('exit', forget);
    this.waiting = worker;
    this.clearIdle();
    this.idle = setTimeout(() => {
      this.idle = undefined;
      if (this.waiting !== worker) return;
      this.waiting = undefined;
      void worker.terminate();
    }, this.idleMs);
    this.idle.unref();
  }

  private clearIdle(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = undefined;
  }

  /** parseDocument on the waiting worker (or a new one). Never rejects. */
  parse(format: DocumentFormat, text: string, context: ParseContext): Promise<ParsedDocument> {
    const worker = this.waiting;
    this.waiting = undefined;
    this.clearIdle();
    let parsed: Promise<ParsedDocument>;
    if (worker === undefined) {
      parsed = this.script === undefined ? Promise.resolve(parseDocument(format, text, context)) : parseOnWorker(format, text, context, this.script);
    } else {
      worker.ref();
      const { packed, transfer } = packText(text);
      worker.postMessage({ format, text: packed, context } satisfies ParseJob, transfer);
      parsed = awaitParse(worker, format);
    }
    // The replacement starts once this parse is over, so two workers' memory never adds up.
    void parsed.then(() => this.scheduleReplacement());
    return parsed;
  }

  dispose(): void {
    this.disposed = true;
    if (this.replacement !== undefined) clearTimeout(this.replacement);
    this.clearIdle();
    void this.waiting?.terminate();
    this.waiting = undefined;
  }

  private scheduleReplacement(): void {
    if (this.replacement !== undefined) clearTimeout(this.replacement);
    this.replacement = setTimeout(() => {
      this.replacement = undefined;
      this.prepare();
    }, REPLACEMENT_DELAY_MS);
    this.replacement.unref();
  }
}

/** The document `worker` posts back (then it is ended), or a `syntax` problem saying why there is none. */
function awaitParse(worker: Worker, format: DocumentFormat): Promise<ParsedDocument> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (parsed: ParsedDocument): void => {
      if (settled) return;
      settled = true;
      resolve(parsed);
    };
    worker.once('message', (message: PackedDocument) => {
      void worker.terminate();
      let parsed: ParsedDocument;
      try {
        parsed = unpackDocument(message);
      } catch (error) {
        parsed = failed(format, error instanceof Error ? error : new Error(String(error)));
      }
      settle(parsed);
    });
    worker.once('error', (error) => settle(failed(format, error)));
    worker.once('exit', (code) => settle(failed(format, new Error(`the parse worker exited (code ${code})`))));
  });
}

function failed(format: DocumentFormat, error: Error): ParsedDocument {
  const start = { line: 0, character: 0 };
  const memory = /memory|heap/i.test(error.message) || (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
  const message = memory ? 'This file needs more memory to analyse than is allowed, so it was not analysed' : `This file could not be analysed (${error.message})`;
  return { format, dependencies: [], problems: [{ code: 'syntax', message, range: { start, end: start } }], options: emptyOptions(), includes: [] };
}

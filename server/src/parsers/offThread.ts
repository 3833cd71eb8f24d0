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

/** Documents longer than this (UTF-16 units) are parsed on a worker thread. */
export const OFF_THREAD_LENGTH = 256 * 1024;
/** The worker's old-generation heap, far above what a document within the size limits needs. */
const WORKER_HEAP_MB = 1024;

export interface ParseJob {
  format: DocumentFormat;
  text: string;
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
  return new Promise((resolve) => {
    let settled = false;
    const settle = (parsed: ParsedDocument): void => {
      if (settled) return;
      settled = true;
      resolve(parsed);
    };
    let worker: Worker;
    try {
      worker = new Worker(script, { workerData: { format, text, context } satisfies ParseJob, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    } catch {
      // No thread to be had: parse here rather than not at all.
      settle(parseDocument(format, text, context));
      return;
    }
    worker.once('message', (parsed: ParsedDocument) => {
      settle(parsed);
      void worker.terminate();
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

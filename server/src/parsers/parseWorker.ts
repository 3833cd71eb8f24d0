/**
 * The parse worker thread (see offThread.ts): parses the one document it was started with (or,
 * started ahead of need, the first one it is sent) and posts the ParsedDocument back, packed as
 * transfer.ts says. One document a worker, so all the parse's memory goes when the worker ends,
 * and a document that exhausts the worker's heap ends only the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseDocument } from './index';
import type { ParseJob } from './offThread';
import { packDocument, unpackText } from './transfer';

const port = parentPort;
if (port) {
  const parse = (job: ParseJob): void => {
    const { message, transfer } = packDocument(parseDocument(job.format, unpackText(job.text), job.context));
    port.postMessage(message, transfer);
  };
  if (workerData) parse(workerData as ParseJob);
  else port.once('message', parse);
}

/**
 * The page worker thread (see pageParser.ts): reads PEP 691 pages it is sent, one after another,
 * with the same parseProjectPage as the main thread, and posts each back packed (pageTransfer.ts),
 * with the page's bytes, which go back as they came (moved, not copied) for the caller to keep.
 */
import { parentPort } from 'node:worker_threads';
import { errorAnswer, packPage, type PageJobAnswer } from './pageTransfer';
import { parseProjectPage } from './simpleApi';

export interface PageJob {
  id: number;
  /** The page's bytes, transferred (not copied) to this thread. */
  body: Uint8Array;
  contentType: string | undefined;
  pageUrl: string;
  expectedName?: string;
}

const port = parentPort;
port?.on('message', (job: PageJob) => {
  let answer: PageJobAnswer;
  try {
    const page = packPage(parseProjectPage(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), job.contentType, job.pageUrl, job.expectedName));
    answer = { id: job.id, page, body: job.body };
  } catch (error) {
    answer = errorAnswer(job.id, error, job.body);
  }
  const moved: ArrayBuffer[] = [job.body.buffer as ArrayBuffer];
  if ('page' in answer) moved.push(answer.page.files.buffer as ArrayBuffer);
  port.postMessage(answer, moved);
});

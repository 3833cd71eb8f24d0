/**
 * The TUF refresh of the public-good trusted root, on a thread of its own (tufThread.ts): the TUF
 * client it loads (tuf-js and its fetch and cache stack) took 150-500 ms of module loading, and
 * the refresh nothing waits for should not take them from the thread that answers the editor.
 * Posts `{ ok: true, json }` or `{ ok: false, error }` once, then ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { tufRefresher } from '../verify/index';
import type { TufWorkerData, TufWorkerReply } from './tufThread';

const port = parentPort;
if (port) {
  const { cachePath, timeoutMs } = workerData as TufWorkerData;
  tufRefresher(cachePath, timeoutMs)()
    .then(
      (json): TufWorkerReply => ({ ok: true, json }),
      (error: unknown): TufWorkerReply => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    )
    .then((reply) => port.postMessage(reply));
}

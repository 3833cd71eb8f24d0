/**
 * The verification worker thread: builds one verifier from the trusted root it was started with
 * and verifies files as the pool sends them, one at a time. Keeping the verifier across jobs keeps
 * its caches (the checked CA chains, the signing certificates of a release).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RememberingVerifier } from './fileVerifier';
import type { JobMessage, WorkerInit, WorkerReply } from './workerProtocol';

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  let verifier: RememberingVerifier | undefined;
  try {
    verifier = RememberingVerifier.forRoot(init.trustedRoot, init.scope);
  } catch (error) {
    port.postMessage({ id: -1, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
  if (verifier) {
    const ready = verifier;
    port.on('message', (message: JobMessage) => {
      let reply: WorkerReply;
      try {
        reply = { id: message.id, ok: true, result: ready.verifyFile(message.job) };
      } catch (error) {
        reply = { id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  }
}

/**
 * A TrustedRootRefresher that runs @sigstore/tuf on a worker thread (tufWorker.ts) when the worker
 * script is built next to this module, and on this thread otherwise (tests from sources).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { tufRefresher, type TrustedRootRefresher } from '../verify/index';

export interface TufWorkerData {
  cachePath: string;
  timeoutMs: number;
}

export type TufWorkerReply = { ok: true; json: unknown } | { ok: false; error: string };

/** `tufWorker.js` beside this module (the compiled tree and the bundle both name it so), if built. */
export function tufWorkerScript(directory: string = __dirname): string | undefined {
  const path = join(directory, 'tufWorker.js');
  return existsSync(path) ? path : undefined;
}

export function tufRefresherOffThread(cachePath: string, script: string | undefined = tufWorkerScript(), timeoutMs = 30_000): TrustedRootRefresher {
  if (script === undefined) return tufRefresher(cachePath, timeoutMs);
  return () =>
    new Promise<unknown>((resolve, reject) => {
      const worker = new Worker(script, { workerData: { cachePath, timeoutMs } satisfies TufWorkerData });
      // Never what keeps a process alive: a refresh that outlives its server is not wanted.
      worker.unref();
      let settled = false;
      const settle = (run: () => void) => {
        if (settled) return;
        settled = true;
        run();
        void worker.terminate().catch(() => undefined);
      };
      worker.once('message', (reply: TufWorkerReply) => settle(() => (reply.ok ? resolve(reply.json) : reject(new Error(reply.error)))));
      worker.once('error', (error) => settle(() => reject(error)));
      worker.once('exit', (code) => settle(() => reject(new Error(`the TUF refresh thread exited (code ${code})`))));
    });
}

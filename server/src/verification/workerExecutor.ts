/**
 * A small pool of verification worker threads (worker.ts). Each worker holds one job at a time;
 * the scheduler hands out no more jobs than `capacity`, and any excess waits here in order. A
 * worker that dies fails its job (the scheduler reports it and retries later) and is replaced on
 * the next job. Idle workers do not keep the process alive.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExecutorTrust, VerifyExecutor } from './executor';
import type { FileJob, FileJobResult } from './fileVerifier';
import type { JobMessage, WorkerInit, WorkerReply } from './workerProtocol';

export interface WorkerExecutorOptions {
  /** The worker script (default: found next to this module; see workerScript). */
  script: string;
  /** Workers (default: one less than the cores, 1 to 2). */
  size?: number;
  log?: (message: string) => void;
}

/**
 * The worker script next to this module: `worker.js` in the compiled tree, or
 * `verificationWorker.js` beside a bundle. Undefined when there is none (run inline then).
 */
export function defaultWorkerScript(directory: string = __dirname): string | undefined {
  for (const name of ['worker.js', 'verificationWorker.js']) {
    const path = join(directory, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** One less than the cores, so the message loop keeps one; at least 1, at most 2. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

interface Slot {
  worker?: Worker;
  busy?: { id: number; resolve: (result: FileJobResult) => void; reject: (error: Error) => void };
}

export function createWorkerExecutor(trust: ExecutorTrust, options: WorkerExecutorOptions): VerifyExecutor {
  const size = Math.max(1, options.size ?? defaultPoolSize());
  const log = options.log ?? (() => undefined);
  const slots: Slot[] = Array.from({ length: size }, () => ({}));
  const waiting: Array<{ job: FileJob; resolve: (result: FileJobResult) => void; reject: (error: Error) => void }> = [];
  let nextId = 1;
  let closed = false;

  function spawn(slot: Slot): Worker {
    const worker = new Worker(options.script, { workerData: { trustedRoot: trust.json, scope: trust.scope } satisfies WorkerInit });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      if (reply.id === -1 && !reply.ok) {
        fail(slot, worker, new Error(`the verification worker could not load the trusted root: ${reply.error}`));
        return;
      }
      const busy = slot.busy;
      if (!busy || busy.id !== reply.id) return;
      slot.busy = undefined;
      worker.unref();
      if (reply.ok) busy.resolve(reply.result);
      else busy.reject(new Error(reply.error));
      pump();
    });
    worker.on('error', (error) => fail(slot, worker, error));
    worker.on('exit', (code) => {
      if (!closed) fail(slot, worker, new Error(`the verification worker exited (code ${code})`));
    });
    return worker;
  }

  function fail(slot: Slot, worker: Worker, error: Error): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    void worker.terminate().catch(() => undefined);
    if (!closed) log(`verification worker failed: ${error.message}`);
    const busy = slot.busy;
    slot.busy = undefined;
    busy?.reject(error);
    pump();
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (waiting.length === 0) return;
      if (slot.busy) continue;
      const next = waiting.shift()!;
      const worker = (slot.worker ??= spawn(slot));
      const id = nextId++;
      slot.busy = { id, resolve: next.resolve, reject: next.reject };
      worker.ref();
      try {
        worker.postMessage({ id, job: next.job } satisfies JobMessage);
      } catch (error) {
        // A value that cannot be cloned: this job fails, the worker is fine.
        slot.busy = undefined;
        worker.unref();
        next.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  return {
    capacity: size,
    run(job) {
      if (closed) return Promise.reject(new Error('the verification executor is closed'));
      return new Promise<FileJobResult>((resolve, reject) => {
        waiting.push({ job, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const error = new Error('the verification executor is closed');
      for (const entry of waiting.splice(0)) entry.reject(error);
      await Promise.all(
        slots.map(async (slot) => {
          slot.busy?.reject(error);
          slot.busy = undefined;
          const worker = slot.worker;
          slot.worker = undefined;
          if (worker) await worker.terminate().catch(() => undefined);
        }),
      );
    },
  };
}

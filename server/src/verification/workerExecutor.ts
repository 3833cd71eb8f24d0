/**
 * A small pool of verification worker threads (worker.ts). Each worker holds JOBS_PER_WORKER jobs
 * at a time: it works on one while the next waits in its message port, so that it starts the
 * next as soon as it is done rather than once a busy main thread has read its answer and sent
 * another (measured: the one worker of a 2-core machine was idle half of a cold check). The
 * scheduler hands out no more jobs than `capacity`, and any excess waits here in order. A
 * worker that dies fails its job (the scheduler reports it and retries later) and is replaced on
 * the next job. Workers start with the first job and stop after `idleMs` without one, so a
 * server holds a thread (and its heap: tens of MB) only while there is verification to do; idle
 * workers do not keep the process alive either.
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
  /** A worker with no job for this long is stopped (default 5 s; the next job starts a new one). */
  idleMs?: number;
}

export const DEFAULT_WORKER_IDLE_MS = 5_000;
/** Jobs a worker holds at once: the one it verifies and the one it starts next. */
export const JOBS_PER_WORKER = 2;

export interface WorkerPoolExecutor extends VerifyExecutor {
  /** Worker threads running now. */
  readonly liveWorkers: number;
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
  idle?: NodeJS.Timeout;
  /** The jobs the worker holds, by id. */
  busy: Map<number, { resolve: (result: FileJobResult) => void; reject: (error: Error) => void }>;
}

export function createWorkerExecutor(trust: ExecutorTrust, options: WorkerExecutorOptions): WorkerPoolExecutor {
  const size = Math.max(1, options.size ?? defaultPoolSize());
  const idleMs = options.idleMs ?? DEFAULT_WORKER_IDLE_MS;
  const log = options.log ?? (() => undefined);
  const slots: Slot[] = Array.from({ length: size }, () => ({ busy: new Map() }));
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
      const busy = slot.busy.get(reply.id);
      if (!busy) return;
      slot.busy.delete(reply.id);
      if (reply.ok) busy.resolve(reply.result);
      else busy.reject(new Error(reply.error));
      pump();
      if (slot.busy.size === 0) {
        worker.unref();
        stopWhenIdle(slot, worker);
      }
    });
    worker.on('error', (error) => fail(slot, worker, error));
    worker.on('exit', (code) => {
      if (!closed) fail(slot, worker, new Error(`the verification worker exited (code ${code})`));
    });
    return worker;
  }

  function stopWhenIdle(slot: Slot, worker: Worker): void {
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      slot.idle = undefined;
      if (slot.worker !== worker || slot.busy.size > 0) return;
      // Forgotten first, so its exit is not taken for a failure.
      slot.worker = undefined;
      void worker.terminate().catch(() => undefined);
    }, idleMs);
    slot.idle.unref?.();
  }

  function fail(slot: Slot, worker: Worker, error: Error): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    void worker.terminate().catch(() => undefined);
    if (!closed) log(`verification worker failed: ${error.message}`);
    const held = [...slot.busy.values()];
    slot.busy.clear();
    for (const busy of held) busy.reject(error);
    pump();
  }

  function pump(): void {
    if (closed) return;
    // Every worker its first job before any its second: two jobs spread over two workers.
    for (let depth = 1; depth <= JOBS_PER_WORKER; depth++) {
      for (const slot of slots) {
        if (waiting.length === 0) return;
        if (slot.busy.size >= depth) continue;
        const next = waiting.shift()!;
        clearTimeout(slot.idle);
        slot.idle = undefined;
        const worker = (slot.worker ??= spawn(slot));
        const id = nextId++;
        slot.busy.set(id, { resolve: next.resolve, reject: next.reject });
        worker.ref();
        try {
          worker.postMessage({ id, job: next.job } satisfies JobMessage);
        } catch (error) {
          // A value that cannot be cloned: this job fails, the worker is fine.
          slot.busy.delete(id);
          next.reject(error instanceof Error ? error : new Error(String(error)));
          if (slot.busy.size === 0) {
            worker.unref();
            stopWhenIdle(slot, worker);
          }
        }
      }
    }
  }

  return {
    capacity: size * JOBS_PER_WORKER,
    get liveWorkers() {
      return slots.filter((slot) => slot.worker !== undefined).length;
    },
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
          clearTimeout(slot.idle);
          for (const busy of slot.busy.values()) busy.reject(error);
          slot.busy.clear();
          const worker = slot.worker;
          slot.worker = undefined;
          if (worker) await worker.terminate().catch(() => undefined);
        }),
      );
    },
  };
}

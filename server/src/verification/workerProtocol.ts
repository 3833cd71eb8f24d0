/** Messages between the verification worker (worker.ts) and its pool (workerExecutor.ts). */
import type { FileJob, FileJobResult } from './fileVerifier';

/** The worker's workerData: what it builds its verifier from. */
export interface WorkerInit {
  trustedRoot: unknown;
  scope: string;
}

export interface JobMessage {
  id: number;
  job: FileJob;
}

export type WorkerReply =
  | { id: number; ok: true; result: FileJobResult }
  | { id: number; ok: false; error: string }
  /** The verifier could not be built (the trusted root is unusable); the worker exits. */
  | { id: -1; ok: false; error: string };

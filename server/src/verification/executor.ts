/**
 * Where a file's verification runs. CPU-heavy work must not freeze the LSP message loop, so the
 * language server runs it in worker threads (workerExecutor.ts); where no worker can be started
 * (the worker script is missing from a bundle) it runs inline, one file per macrotask, so that
 * messages queued meanwhile are served between files.
 */
import type { FileJob, FileJobResult } from './fileVerifier';
import { RememberingVerifier } from './fileVerifier';

export interface VerifyExecutor {
  /** Jobs that can run at once; the scheduler hands out no more than this. */
  readonly capacity: number;
  /** Verifies one file. Rejects only when the executor itself broke (a worker died). */
  run(job: FileJob): Promise<FileJobResult>;
  close(): Promise<void>;
}

/** The trusted root the executor's verifiers are built from, and its result scope. */
export interface ExecutorTrust {
  json: unknown;
  scope: string;
}

export function createInlineExecutor(trust: ExecutorTrust): VerifyExecutor {
  // Built now so that an unusable root fails here, where the caller reports it.
  const verifier = RememberingVerifier.forRoot(trust.json, trust.scope);
  let chain: Promise<unknown> = Promise.resolve();
  return {
    capacity: 1,
    run(job) {
      const result = chain.then(
        () =>
          new Promise<FileJobResult>((resolve) => {
            setImmediate(() => resolve(verifier.verifyFile(job)));
          }),
      );
      chain = result.catch(() => undefined);
      return result;
    },
    async close() {
      await chain;
    },
  };
}

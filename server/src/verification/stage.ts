/**
 * The `verification` FindingStage: every file of every pinned or locked dependency of the document
 * through the verification pipeline (fileChecks.ts), in the background, with `attestation-invalid`,
 * `partial-provenance`, `no-provenance` and `index-error` findings as files settle (update, at most
 * every UPDATE_INTERVAL_MS of progressiveRun). It shares the resolution stage's resolutions (one per pinned thing,
 * whoever asks first) and never delays the local diagnostics: when everything is already known it
 * answers synchronously, otherwise with a promise.
 *
 * The document's work is claimed by a queue owner that is released when the analysis is replaced
 * or the document closes, which cancels jobs nobody else wants.
 */
import { WILL_RETRY } from '../core/format';
import type { Finding } from '../core/finding';
import type { Resolution } from '../index/resolve';
import type { FindingStage, StageInput } from '../pipeline/contract/stages';
import type { ResolutionRequest } from '../resolution/resolutionService';
import { eachBounded } from '../pipeline/contract/boundedEach';
import { runProgressively, updateIntervalMs } from '../pipeline/contract/progressiveRun';
import { resolutionRequests } from '../resolution/resolutionStage';
import { filesToVerify, verifyDependencyStatus, type FileState } from './dependencyVerification';
import type { DocumentVerification } from './documentResults';
import type { FileOutcome, VerificationTarget } from './fileChecks';
import { CancelledError, type QueueOwner } from './queue';
import type { ProvenanceSource, VerificationContext, VerificationServices } from './service';
import { isTrustFailure, type TrustFailure } from './trust';

export const VERIFICATION_STAGE = 'verification';

/** What the stage needs of the resolution service in use (resolution/resolutionService.ts). */
export interface ResolutionSource extends ProvenanceSource {
  resolve(request: ResolutionRequest): Promise<Resolution>;
  peek(request: ResolutionRequest): Resolution | undefined;
}

export interface VerificationStageHooks {
  /** Asks the shell to analyze the document again in `delayMs` (a provenance could not be fetched). */
  scheduleRetry?(uri: string, delayMs: number): void;
  now?: () => number;
}

export function createVerificationStage(
  verification: VerificationServices,
  resolutions: { forSettings(settings: StageInput['settings']): ResolutionSource },
  hooks: VerificationStageHooks = {},
): FindingStage {
  const now = hooks.now ?? Date.now;
  return {
    name: VERIFICATION_STAGE,
    run(input) {
      const requests = resolutionRequests(input);
      const document = verification.results.of(input.parsed);
      if (requests.length === 0) return [];
      verification.queue.focus(input.uri);
      const source = resolutions.forSettings(input.settings);
      const known = verification.peekContext(input.settings, source);
      const immediate = known !== undefined ? answerNow(known, source, requests, document) : undefined;
      if (immediate) {
        scheduleRetry(input, document);
        return immediate;
      }
      return runInBackground(input, source, requests, document);
    },
  };

  /** The findings when every resolution and file outcome is already known; undefined otherwise. */
  function answerNow(known: VerificationContext | TrustFailure, source: ResolutionSource, requests: ResolutionRequest[], document: DocumentVerification): Finding[] | undefined {
    if (isTrustFailure(known)) return undefined;
    const states: Array<{ request: ResolutionRequest; resolution: Resolution; files: FileState[] }> = [];
    for (const request of requests) {
      const resolution = source.peek(request);
      if (!resolution) return undefined;
      const files = filesToVerify(request.dependency, resolution).map((file): FileState => ({ file, outcome: known.checks.peek(targetOf(file)) }));
      if (files.some((state) => state.outcome === undefined)) return undefined;
      states.push({ request, resolution, files });
    }
    document.trust = known.trust.description;
    document.publicGood = known.trust.source !== 'file';
    return states.flatMap(({ request, resolution, files }) => record(document, request, resolution, files));
  }

  function runInBackground(input: StageInput, source: ResolutionSource, requests: ResolutionRequest[], document: DocumentVerification): Promise<Finding[]> {
    const owner = verification.queue.owner(input.uri);
    const findings: Array<Finding[]> = requests.map(() => []);
    const all = () => findings.flat();
    // Every dependency starts pending, so a hover during the work says so.
    requests.forEach((request) => record(document, request, undefined, []));

    let left = requests.length;
    const options = {
      now,
      intervalMs: updateIntervalMs(requests.length),
      onAbort: () => owner.release(),
      onSettle: (aborted: boolean) => {
        if (!aborted) scheduleRetry(input, document);
      },
    };
    return runProgressively(input, all, options, (run) => {
      void (async () => {
        const context = await verification.context(input.settings, source);
        if (run.settled) return;
        if (isTrustFailure(context)) {
          document.failure = context.error;
          for (const [order, request] of requests.entries()) {
            const resolution = await source.resolve(request);
            // An `error` status must come with a code (CONTRACT §5), and a CI run must not pass on it.
            const outcome: FileOutcome = { status: 'error', message: context.error, errorCode: 'verification-error' };
            const files = filesToVerify(request.dependency, resolution).map((file): FileState => ({ file, outcome }));
            findings[order] = record(document, request, resolution, files);
          }
          run.finish();
          return;
        }
        document.trust = context.trust.description;
        document.publicGood = context.trust.source !== 'file';
        // A bounded number at once (eachBounded): a replaced analysis starts no more of them.
        eachBounded(
          requests,
          (request, order) =>
            verifyOne(context, source, owner, input, request, order, document, (update) => {
              findings[order] = update;
              run.publishSoon();
            }).finally(() => {
              if (--left === 0) run.finish();
            }),
          { stopped: () => run.settled },
        );
      })().catch((error: unknown) => {
        // Not expected (everything below catches); the analysis must still settle.
        document.failure = `verification failed internally: ${error instanceof Error ? error.message : String(error)}`;
        run.finish();
      });
    });
  }

  async function verifyOne(
    context: VerificationContext,
    source: ResolutionSource,
    owner: QueueOwner,
    input: StageInput,
    request: ResolutionRequest,
    order: number,
    document: DocumentVerification,
    publish: (findings: Finding[]) => void,
  ): Promise<void> {
    const resolution = await source.resolve(request);
    if (input.signal.aborted) return;
    const files = filesToVerify(request.dependency, resolution).map((file): FileState => ({ file, outcome: context.checks.peek(targetOf(file)) }));
    publish(record(document, request, resolution, files));
    await Promise.all(
      files.map(async (state) => {
        if (state.outcome !== undefined) return;
        const outcome = await checkFile(context, state, owner, input, order);
        if (outcome === undefined) return;
        state.outcome = outcome;
        publish(record(document, request, resolution, files));
      }),
    );
  }

  /** The file's outcome; undefined when the analysis went away first. */
  async function checkFile(context: VerificationContext, state: FileState, owner: QueueOwner, input: StageInput, order: number): Promise<FileOutcome | undefined> {
    // A job cancelled just as this analysis joined it (the one before let go) is asked for again.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (input.signal.aborted) return undefined;
      try {
        return await context.checks.check(targetOf(state.file), owner, order);
      } catch (error) {
        if (!(error instanceof CancelledError)) return { status: 'error', message: `verification failed internally (${String(error)})` };
      }
    }
    return input.signal.aborted ? undefined : { status: 'error', message: `verification was cancelled repeatedly${WILL_RETRY}` };
  }

  function record(document: DocumentVerification, request: ResolutionRequest, resolution: Resolution | undefined, files: FileState[]): Finding[] {
    const index = request.dependencyIndex ?? 0;
    const state = verifyDependencyStatus(request.dependency, index, resolution, files);
    // Object.assign, not `{ ...state, resolution }`: a spread extended gets a hidden class of its own (see mergeFiles in index/resolve.ts).
    document.dependencies.set(index, Object.assign({}, state, { resolution }));
    return state.findings;
  }

  function scheduleRetry(input: StageInput, document: DocumentVerification): void {
    if (!hooks.scheduleRetry) return;
    const times = [...document.dependencies.values()].map((state) => state.retryAt).filter((at): at is number => at !== undefined);
    if (times.length > 0) hooks.scheduleRetry(input.uri, Math.max(0, Math.min(...times) - now()));
  }
}

export function targetOf(file: { filename: string; sha256?: string; provenanceUrl?: string; uploadTime?: string }): VerificationTarget {
  return { filename: file.filename, sha256: file.sha256, provenanceUrl: file.provenanceUrl, uploadTime: file.uploadTime };
}


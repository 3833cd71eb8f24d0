/**
 * The `zero-trust` FindingStage (issue 6), after verification: for every pinned or locked
 * dependency, `identity-mismatch` (pylock `attestation-identities`, or the publisher trusted on
 * first use), `publisher-changed` and `provenance-lost` (earlier releases), `late-upload`.
 *
 * Stages do not see each other's findings; this one shares the resolution and verification
 * services instead: it awaits the same resolution and joins the verification jobs of the same
 * files (one job per file, whoever asks first), then verifies what the history needs of earlier
 * releases through the same verifier and cache, after the document's own files. When the
 * resolution, every file's outcome and a finished check are all remembered it answers
 * synchronously, so an edit's first publish already has its findings.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding';
import type { Resolution, ResolvedFile } from '../index/resolve';
import type { FindingStage, StageInput } from '../pipeline/contract/stages';
import { eachBounded } from '../pipeline/contract/boundedEach';
import { runProgressively, updateIntervalMs } from '../pipeline/contract/progressiveRun';
import type { ResolutionRequest } from '../resolution/resolutionService';
import { resolutionRequests } from '../resolution/resolutionStage';
import { filesToVerify } from '../verification/dependencyVerification';
import type { FileOutcome } from '../verification/fileChecks';
import { CancelledError, type QueueOwner } from '../verification/queue';
import type { VerificationContext, VerificationServices } from '../verification/service';
import { targetOf, type ResolutionSource } from '../verification/stage';
import { isTrustFailure } from '../verification/trust';
import { checkLateUploads, checkZeroTrust, type ZeroTrustOutcome } from './dependencyChecks';
import { addIndexConflicts, startIndexConflictCheck, type IndexConflictSource } from './indexConflict';
import { projectStatusFindings, projectStatusKey, projectStatusOutcome } from './projectStatusCheck';
import { publisherKey, type FileIdentityInput } from './identities';
import { releaseFiles } from './releases';
import { normalizeIndexUrl } from './trustStore';
import type { ZeroTrustDependencyState, ZeroTrustServices } from './service';
import type { OwnershipAnswer } from '../index/indexClient';

/** The index client's JSON API, where the resolution source has it (the ResolutionService does). */
type OwnershipSource = { getOwnership?(indexUrl: string, name: string): Promise<OwnershipAnswer> };

export const ZERO_TRUST_STAGE = 'zero-trust';
/** Attempts at files whose verification job was cancelled under us (the analysis before let go). */
const CANCELLED_RETRIES = 3;

export interface ZeroTrustStageHooks {
  now?: () => number;
}

export function createZeroTrustStage(
  zeroTrust: ZeroTrustServices,
  verification: VerificationServices,
  resolutions: { forSettings(settings: StageInput['settings']): ResolutionSource & OwnershipSource & Partial<IndexConflictSource> },
  hooks: ZeroTrustStageHooks = {},
): FindingStage {
  const now = hooks.now ?? Date.now;
  return {
    name: ZERO_TRUST_STAGE,
    run(input) {
      const requests = resolutionRequests(input);
      const states = zeroTrust.results.of(input.parsed);
      if (requests.length === 0) return [];
      const source = resolutions.forSettings(input.settings);
      const immediate = answerNow(input, source, requests, states);
      if (immediate) return immediate;
      return runInBackground(input, source, requests, states);
    },
  };

  /** The findings when every check's inputs and result are remembered; undefined otherwise. */
  function answerNow(input: StageInput, source: ResolutionSource & Partial<IndexConflictSource>, requests: ResolutionRequest[], states: Map<number, ZeroTrustDependencyState>): Finding[] | undefined {
    const known = verification.peekContext(input.settings, source);
    if (known === undefined || isTrustFailure(known)) return undefined;
    const answers: Array<{ index: number; state: ZeroTrustDependencyState }> = [];
    for (const request of requests) {
      const index = request.dependencyIndex ?? 0;
      const resolution = source.peek(request);
      if (!resolution) return undefined;
      if (resolution.status !== 'resolved') {
        const statusOnly = projectStatusOutcome(request.dependency, index, resolution);
        answers.push({ index, state: statusOnly ? { settled: true, outcome: statusOnly } : { settled: true } });
        continue;
      }
      const files = filesToVerify(request.dependency, resolution);
      const outcomes = files.map((file) => known.checks.peek(targetOf(file)));
      if (outcomes.some((outcome) => outcome === undefined)) return undefined;
      const outcome = zeroTrust.recall(memoKey(input, request, resolution, files, outcomes as FileOutcome[]));
      if (!outcome) return undefined;
      answers.push({ index, state: { settled: true, outcome: relocate(outcome, request) } });
    }
    for (const { index, state } of answers) states.set(index, state);
    return answers.flatMap(({ state }) => state.outcome?.findings ?? []);
  }

  function runInBackground(input: StageInput, source: ResolutionSource & OwnershipSource & Partial<IndexConflictSource>, requests: ResolutionRequest[], states: Map<number, ZeroTrustDependencyState>): Promise<Finding[]> {
    const owner = verification.queue.owner(input.uri);
    const findings: Finding[][] = requests.map(() => []);
    const all = () => findings.flat();
    for (const request of requests) states.set(request.dependencyIndex ?? 0, { settled: false });

    let left = requests.length;
    return runProgressively(input, all, { now, intervalMs: updateIntervalMs(requests.length), onAbort: () => owner.release() }, (run) => {
      // A bounded number at once (eachBounded): a replaced analysis starts no more of them.
      eachBounded(
        requests,
        (request, order) => {
          const index = request.dependencyIndex ?? 0;
          return checkOne(input, source, owner, request, order, requests.length, (state) => {
            if (run.settled) return;
            states.set(index, state);
            findings[order] = state.outcome?.findings ?? [];
            run.publishSoon();
          })
            .catch((error: unknown) => {
              // Not expected (the checks catch their own failures); the analysis must still settle.
              if (run.settled) return;
              const outcome: ZeroTrustOutcome = { findings: [], publishers: [], late: { late: [] }, notes: [`the zero-trust checks failed internally: ${error instanceof Error ? error.message : String(error)}`] };
              states.set(index, { settled: true, outcome });
              findings[order] = [];
            })
            .finally(() => {
              if (--left === 0) run.finish();
            });
        },
        { stopped: () => run.settled },
      );
    });
  }

  async function checkOne(
    input: StageInput,
    source: ResolutionSource & OwnershipSource & Partial<IndexConflictSource>,
    owner: QueueOwner,
    request: ResolutionRequest,
    order: number,
    count: number,
    publish: (state: ZeroTrustDependencyState) => void,
  ): Promise<void> {
    const dependency = request.dependency;
    const index = request.dependencyIndex ?? 0;
    const resolution = await source.resolve(request);
    if (input.signal.aborted) return;
    if (resolution.status !== 'resolved') {
      const statusOnly = projectStatusOutcome(dependency, index, resolution);
      return publish(statusOnly ? { settled: true, outcome: statusOnly } : { settled: true });
    }
    const files = filesToVerify(dependency, resolution);
    // The other indexes the document names are asked while the files are verified.
    const conflicts = startIndexConflictCheck(source, input, resolution);

    // Late files and the project status need only the page: shown while the files are verified.
    const early = checkLateUploads(dependency, index, resolution, files.map((file) => file.filename), input.settings.lateUploadDays);
    const earlyFindings = [...projectStatusFindings(dependency, index, resolution), ...(early.finding ? [early.finding] : [])];
    if (earlyFindings.length > 0) publish({ settled: false, outcome: { findings: earlyFindings, publishers: [], late: early.late, notes: [] } });

    const context = await verification.context(input.settings, source);
    if (input.signal.aborted) return;
    if (isTrustFailure(context)) {
      return publish({ settled: true, outcome: { findings: earlyFindings, publishers: [], late: early.late, notes: [] } });
    }
    const outcomes = await settledOutcomes(input, context, owner, files, order);
    if (outcomes === undefined) return;
    const pinnedFiles = files.map((file, i) => identityInput(file, outcomes[i]));
    const outcome = await checkZeroTrust({
      dependency,
      dependencyIndex: index,
      format: input.format,
      resolution,
      pinnedFiles,
      lateUploadDays: input.settings.lateUploadDays,
      store: zeroTrust.storeFor(input.settings),
      fileSets: zeroTrust.fileSetsFor(input.settings),
      checkpoints: zeroTrust.checkpointsFor(input.settings),
      ...(source.getOwnership ? { ownership: { fetch: source.getOwnership.bind(source), memory: zeroTrust.ownersFor(input.settings), unavailable: zeroTrust.ownershipUnavailable, probes: zeroTrust.ownershipProbes } } : {}),
      minReleaseAgeDays: input.settings.minReleaseAgeDays,
      now: now(),
      // Earlier releases after every file of the document itself.
      verifyRelease: (_version, releaseFiles) => verification.verifyFiles(input.settings, source, owner, releaseFiles.map(targetOf), count + order),
    });
    const everyIndexAnswered = addIndexConflicts(outcome, await conflicts, dependency, index, resolution, pinnedFiles);
    if (input.signal.aborted) return;
    // Only a check whose every file was settled (and every index answered) is worth reusing.
    if (everyIndexAnswered && outcomes.every((outcome) => outcome.status !== 'error')) zeroTrust.remember(memoKey(input, request, resolution, files, outcomes), outcome);
    publish({ settled: true, outcome });
  }

  /** Every file's outcome, joining the verification stage's jobs; undefined when the analysis went away. */
  async function settledOutcomes(input: StageInput, context: VerificationContext, owner: QueueOwner, files: readonly ResolvedFile[], order: number): Promise<FileOutcome[] | undefined> {
    return Promise.all(
      files.map(async (file): Promise<FileOutcome> => {
        for (let attempt = 0; attempt < CANCELLED_RETRIES; attempt++) {
          if (input.signal.aborted) break;
          try {
            return await context.checks.check(targetOf(file), owner, order);
          } catch (error) {
            if (!(error instanceof CancelledError)) return { status: 'error', message: `verification failed internally (${String(error)})` };
          }
        }
        return { status: 'error', message: 'verification was cancelled' };
      }),
    ).then((outcomes) => (input.signal.aborted ? undefined : outcomes));
  }
}

/** What the identity and history checks need of a file: its status, publisher, and every attestation's publisher. */
function identityInput(file: ResolvedFile, outcome: FileOutcome): FileIdentityInput {
  const verification = outcome.verification;
  return {
    filename: file.filename,
    status: outcome.status,
    publisher: verification?.publisher ?? null,
    ...(verification && outcome.status === 'verified' ? { attestations: verification.attestations.map((record) => ({ publisher: record.publisher })), checkpoints: verifiedCheckpoints(verification) } : {}),
  };
}

/** The checkpoints of a file's verified attestations. */
function verifiedCheckpoints(verification: NonNullable<FileOutcome['verification']>): NonNullable<FileIdentityInput['checkpoints']> {
  return verification.attestations.flatMap((record) => (record.outcome.status === 'verified' && record.outcome.checkpoint ? [{ logId: record.outcome.logId, ...record.outcome.checkpoint }] : []));
}

/**
 * Everything a check of one dependency depends on, but for earlier releases (which a memo
 * entry's lifetime bounds): the trust store, the index, the project and its spelling (messages
 * name it), the version, the recorded identities, each file's outcome, publishers and checkpoints, the
 * release's upload times and `lateUploadDays`. Kept as the SHA-256 of all that: the text is
 * kilobytes a dependency, and an idle server holds a key for each one it checked.
 */
function memoKey(input: StageInput, request: ResolutionRequest, resolution: Resolution, files: readonly ResolvedFile[], outcomes: readonly FileOutcome[]): string {
  const dependency = request.dependency;
  const version = resolution.version ?? dependency.pinnedVersion ?? '';
  const everything = JSON.stringify([
    input.settings.cacheDirectory,
    input.format === 'pylock',
    normalizeIndexUrl(resolution.index.indexUrl),
    resolution.name,
    dependency.rawName,
    version,
    (dependency.attestationIdentities ?? []).map((identity) => [identity.kind, Object.entries(identity.fields)]),
    files.map((file, i) => {
      const outcome = outcomes[i];
      const publishers = outcome.verification ? [outcome.verification.publisher, ...outcome.verification.attestations.map((record) => record.publisher)] : [];
      const checkpoints = outcome.verification ? verifiedCheckpoints(outcome.verification).map((c) => [c.logId, c.origin, c.treeSize, c.rootHash]) : [];
      return [file.filename, outcome.status, publishers.map((publisher) => (publisher ? publisherKey(publisher) : null)), checkpoints];
    }),
    releaseFiles(resolution.pages, resolution.name, version).map((file) => [file.filename, file.sha256 ?? null, file.uploadTime ?? null]),
    input.settings.lateUploadDays,
    input.settings.minReleaseAgeDays,
    projectStatusKey(resolution),
  ]);
  return createHash('sha256').update(everything).digest('base64');
}

/**
 * A remembered outcome's findings moved onto this request's dependency (every one is at its
 * requirement range). A publisher recorded on first use then is the trusted one now.
 */
function relocate(outcome: ZeroTrustOutcome, request: ResolutionRequest): ZeroTrustOutcome {
  const range = request.dependency.ranges.requirement;
  const findings = outcome.findings.map((finding): Finding => {
    const moved: Finding = { ...finding, range };
    if (request.dependencyIndex !== undefined) moved.dependency = request.dependencyIndex;
    else delete moved.dependency;
    return moved;
  });
  const trust = outcome.trust;
  const firstUse = trust?.observed.find((entry) => entry.result === 'first-use');
  if (!trust || !firstUse) return { ...outcome, findings };
  return {
    ...outcome,
    findings,
    trust: {
      ...trust,
      trusted: trust.trusted ?? { index: trust.index, project: trust.project, publisher: firstUse.publisher, version: trust.version, since: '' },
      observed: trust.observed.map((entry) => (entry.result === 'first-use' ? { ...entry, result: 'same' as const } : entry)),
    },
  };
}

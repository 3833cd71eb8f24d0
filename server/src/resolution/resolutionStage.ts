/**
 * The `resolution` FindingStage: every exactly pinned dependency of the document resolved against
 * its index, up to DEPENDENCIES_UNDER_WAY at once (eachBounded; the index client's limiter bounds
 * the requests in flight), with the findings that come from the answers — project-not-found,
 * version-not-found, yanked, hash-not-on-index, index-error. Results show as they arrive
 * (update), at most every updateIntervalMs (progressiveRun: 50 ms, more for a large document).
 * When every answer is already known the stage answers synchronously, so an edit's first publish
 * already has them.
 */
import type { Finding } from '../core/finding';
import type { Dependency } from '../core/model';
import { redactSecrets } from '../index/redact';
import type { FindingStage, StageInput } from '../pipeline/contract/stages';
import { eachBounded } from '../pipeline/contract/boundedEach';
import { runProgressively, updateIntervalMs } from '../pipeline/contract/progressiveRun';
import { isResolvable, type ResolutionRequest, type ResolutionService } from './resolutionService';
import type { ResolutionServices } from './resolutionServices';

export const RESOLUTION_STAGE = 'resolution';

export interface ResolutionStageHooks {
  /**
   * Asks the shell to analyze the document again in `delayMs`, because the index could not
   * answer for some of its dependencies (the language server does; a one-shot CLI run need not).
   */
  scheduleRetry?(uri: string, delayMs: number): void;
  now?: () => number;
}

/** The requests of a document's resolvable dependencies, by dependency index. */
export function resolutionRequests(input: Pick<StageInput, 'parsed' | 'settings'>): ResolutionRequest[] {
  const requests: ResolutionRequest[] = [];
  input.parsed.dependencies.forEach((dependency: Dependency, index: number) => {
    if (isResolvable(dependency)) requests.push({ dependency, dependencyIndex: index, documentOptions: input.parsed.options, settings: input.settings });
  });
  return requests;
}

export function createResolutionStage(services: ResolutionServices, hooks: ResolutionStageHooks = {}): FindingStage {
  const now = hooks.now ?? Date.now;
  return {
    name: RESOLUTION_STAGE,
    run(input) {
      const requests = resolutionRequests(input);
      if (requests.length === 0) return [];
      const service = services.forSettings(input.settings);
      const found: Array<Finding[] | undefined> = requests.map((request) => service.peek(request)?.findings);
      const all = () => found.flatMap((findings) => findings ?? []);
      if (found.every((findings) => findings !== undefined)) {
        scheduleRetry(input, service, requests);
        return all();
      }
      if (found.some((findings) => findings !== undefined)) input.update(all());
      return resolveRest(input, service, requests, found, all);
    },
  };

  function resolveRest(
    input: StageInput,
    service: ResolutionService,
    requests: ResolutionRequest[],
    found: Array<Finding[] | undefined>,
    all: () => Finding[],
  ): Promise<Finding[]> {
    let left = found.filter((findings) => findings === undefined).length;
    // A replaced analysis stops waiting at once; the shared resolutions carry on for whoever asks next.
    const options = {
      now,
      intervalMs: updateIntervalMs(requests.length),
      onSettle: (aborted: boolean) => {
        if (!aborted) scheduleRetry(input, service, requests);
      },
    };
    const unknown = requests.flatMap((request, i) => (found[i] === undefined ? [i] : []));
    return runProgressively(input, all, options, (run) => {
      // A bounded number at once (eachBounded): a replaced analysis starts no more of them.
      eachBounded(
        unknown,
        (i) => {
          const request = requests[i];
          return service.resolve(request).then(
            (resolution) => {
              found[i] = resolution.findings;
            },
            (error: unknown) => {
              // resolveDependency never rejects; should it, the dependency still gets a clear finding.
              found[i] = [{ code: 'index-error', message: `${request.dependency.name} could not be resolved: internal error (${redactSecrets(String(error))})`, range: request.dependency.ranges.requirement, dependency: request.dependencyIndex }];
            },
          ).finally(() => {
            if (--left === 0) run.finish();
            else run.publishSoon();
          });
        },
        { stopped: () => run.settled },
      );
    });
  }

  function scheduleRetry(input: StageInput, service: ResolutionService, requests: ResolutionRequest[]): void {
    if (!hooks.scheduleRetry) return;
    let earliest: number | undefined;
    for (const request of requests) {
      const at = service.retryAt(request);
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    if (earliest !== undefined) hooks.scheduleRetry(input.uri, Math.max(0, earliest - now()));
  }
}

/**
 * What a one-shot run (the CLI) needs of the checking machinery, in one object: the FindingStages
 * the language server runs — the very list from pipeline/createStages.ts, so a stage added there
 * works in CI with no change here — the per-dependency results those stages keep for the report,
 * and the way to release what they hold open (sockets, workers) so that the process can end.
 */
import type { ParsedDocument } from '../core/model';
import type { Settings } from './contract/settings';
import type { FindingStage } from './contract/stages';
import { createStageServices, createStages, type StageHost, type StageServices } from './createStages';
import type { DependencyResults } from './contract/dependencyResult';
import { isResolvable } from '../resolution/resolutionService';
import { withRememberedFacts } from './rememberedResults';
import type { ZeroTrustResults } from '../zeroTrust/service';

/** The environment, a logger, and the cache directory to use when the `cacheDirectory` setting is ''. */
export type EngineHost = Pick<StageHost, 'env' | 'logger' | 'defaultCacheDirectory'>;

/** A document as the report needs to find what the stages learned about it. */
export interface ReportSubject {
  uri: string;
  parsed: ParsedDocument;
  settings: Readonly<Settings>;
}

export interface Engine {
  readonly stages: readonly FindingStage[];
  /**
   * What the stages learned about each dependency of a document they ran over (files, their
   * verification, publisher), for pipeline/report.ts `buildDocumentReport`; undefined while no
   * stage keeps such results.
   */
  dependencyResults(subject: ReportSubject): DependencyResults | undefined;
  /**
   * Where each dependency of a document that the index is asked about stands, for a progress
   * display; undefined when the engine cannot tell (its services keep no such state).
   */
  dependencyPhases?(subject: ReportSubject): DependencyPhase[] | undefined;
  /** Releases what the stages hold open, so a CLI run can end. */
  dispose(): Promise<void>;
}

/** `index`: waiting for the index's answer; `attestations`: verifying the files' attestations; `done`. */
export type DependencyPhase = 'index' | 'attestations' | 'done';

/**
 * The part of the stage services the report reads: the verification service's results per
 * parsed document (verification/documentResults.ts). Optional, so the engine works with services
 * that do not (yet) carry verification.
 */
interface ReportResultSource {
  verification?: {
    results: {
      dependencyResults(parsed: ParsedDocument): DependencyResults;
      /** The verification stage's state of one dependency (verification/documentResults.ts). */
      dependency?(parsed: ParsedDocument, index: number): { resolution?: unknown; settled: boolean } | undefined;
    };
  };
  /** What the zero-trust memories remember of each dependency (the report's `remembered`). */
  zeroTrust?: { results: ZeroTrustResults };
}

export function createEngine(host: EngineHost): Engine {
  // No scheduleRetry: a one-shot run reports what the index answered now; it does not come back later.
  const stageHost: StageHost = { env: host.env, logger: host.logger, defaultCacheDirectory: host.defaultCacheDirectory };
  const services = createStageServices(stageHost);
  return engineOf(createStages(stageHost, services), services);
}

/** An engine over stages and services made elsewhere (tests, a shell with its own stage list). */
export function engineOf(stages: readonly FindingStage[], services: Pick<StageServices, 'dispose'> & ReportResultSource): Engine {
  return {
    stages,
    dependencyResults: ({ parsed }) => withRememberedFacts(services.verification?.results.dependencyResults(parsed), services.zeroTrust, parsed),
    dependencyPhases: ({ parsed }) => {
      const results = services.verification?.results;
      if (results?.dependency === undefined) return undefined;
      const phases: DependencyPhase[] = [];
      parsed.dependencies.forEach((dependency, index) => {
        if (!isResolvable(dependency)) return;
        // No state yet, or no resolution yet: the stage is still waiting for the index.
        const state = results.dependency?.(parsed, index);
        phases.push(state?.resolution === undefined ? 'index' : state.settled ? 'done' : 'attestations');
      });
      return phases;
    },
    dispose: () => services.dispose(),
  };
}

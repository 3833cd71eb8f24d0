/**
 * The one list of FindingStages that the language server and the CLI both run, and the services
 * those stages share: [local, includes, resolution, verification, zero-trust] (+ the test fault stage when
 * PYPI_PROVENANCE_TEST_FAULTS=1). Settings reach the stages per run (StageInput.settings); the
 * services pick what depends on them (the index client for `offline`/`cacheDirectory`/`indexUrl`).
 *
 *   const services = createStageServices(host);
 *   const stages = createStages(host, services);
 *   …
 *   await services.dispose();   // closes index connections so a CLI run can end
 */
import { userCacheKey, type CacheKeySource } from '../core/cacheKey';
import type { Logger } from './contract/logger';
import { includesStage } from './includesStage';
import { localStage } from './localStage';
import type { FindingStage } from './contract/stages';
import { faultStage, testFaultsEnabled } from './testFaults';
import { VerificationServices } from '../verification/service';
import { createVerificationStage } from '../verification/stage';
import { ZeroTrustServices } from '../zeroTrust/service';
import { createZeroTrustStage } from '../zeroTrust/stage';
import { createResolutionStage } from '../resolution/resolutionStage';
import { ResolutionServices } from '../resolution/resolutionServices';
import { tuningFromEnv } from '../resolution/tuning';

export interface StageHost {
  /** The process environment: PIP_INDEX_URL, `${VAR}` expansion, the tuning knobs (tuning.ts). */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Where to persist when the `cacheDirectory` setting is '' (cacheDirectory.ts has the OS default); undefined: memory only. */
  defaultCacheDirectory?: string;
  /** Authenticates what is read back from the cache directory; default: the user's key (core/cacheKey.ts). */
  cacheKey?: CacheKeySource;
  /** Analyze a document again later: the index could not answer for some of its dependencies. */
  scheduleRetry?(uri: string, delayMs: number): void;
  /**
   * The process keeps running (the language server), so background work that pays off later is
   * worth starting: refreshing the Sigstore public-good root through TUF. A one-shot run (the
   * CLI) verifies with the embedded root and never touches the TUF repository.
   */
  longLived?: boolean;
}

export interface StageServices {
  resolution: ResolutionServices;
  /** Attestation verification (server/src/verification): its queue, results and worker threads. */
  verification: VerificationServices;
  /** Trust stores and what the zero-trust stage learned (server/src/zeroTrust), for the hover and the code actions. */
  zeroTrust: ZeroTrustServices;
  dispose(): Promise<void>;
}

export function createStageServices(host: StageHost): StageServices {
  const tuning = tuningFromEnv(host.env);
  const cacheKey = host.cacheKey ?? userCacheKey(host.env, (message) => host.logger.warn(message));
  const resolution = new ResolutionServices({
    env: host.env,
    defaultCacheDirectory: host.defaultCacheDirectory,
    log: (message) => host.logger.info(message),
    warn: (message) => host.logger.warn(message),
    http: tuning.http,
    retryDelay: tuning.retryDelay,
  });
  const verification = new VerificationServices({
    defaultCacheDirectory: host.defaultCacheDirectory,
    cacheKey,
    log: (level, message) => host.logger[level](message),
    retryDelay: tuning.retryDelay,
    tufRefresh: host.longLived === true,
  });
  const zeroTrust = new ZeroTrustServices({ defaultCacheDirectory: host.defaultCacheDirectory, cacheKey, log: (message) => host.logger.warn(message) });
  return { resolution, verification, zeroTrust, dispose: async () => void (await Promise.all([resolution.dispose(), verification.dispose()])) };
}

export function createStages(host: StageHost, services: StageServices): FindingStage[] {
  const stages: FindingStage[] = [
    localStage,
    includesStage,
    createResolutionStage(services.resolution, { scheduleRetry: host.scheduleRetry }),
    createVerificationStage(services.verification, services.resolution, { scheduleRetry: host.scheduleRetry }),
    createZeroTrustStage(services.zeroTrust, services.verification, services.resolution),
  ];
  // The fault stage lets the tests of both shells show that a failing stage is contained.
  if (testFaultsEnabled(host.env)) stages.push(faultStage);
  return stages;
}

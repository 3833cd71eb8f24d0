/**
 * Attestation verification in the background (issue 4): the `verification` FindingStage and the
 * services it shares across documents. Pure of the LSP connection; the language server wires the
 * hover (hover/), the report request and `$/progress` to these (lsp/provenanceHover.ts,
 * lsp/reportRequest.ts, lsp/verificationProgress.ts).
 *
 *   const verification = new VerificationServices({ defaultCacheDirectory, log });
 *   const stage = createVerificationStage(verification, resolutionServices, { scheduleRetry });
 *   verification.results.dependencyResults(parsed)   // for pipeline/report.ts buildDocumentReport
 *   verification.queue.onProgress(…) / onIdle(…) / focus(uri) / forget(uri)
 */
export { createVerificationStage, VERIFICATION_STAGE, targetOf } from './stage';
export type { ResolutionSource, VerificationStageHooks } from './stage';
export { VerificationServices } from './service';
export type { ProvenanceSource, VerificationContext, VerificationServicesOptions, VerificationSettings, VerificationStats } from './service';
export { DocumentResults } from './documentResults';
export type { DependencyState, DocumentVerification } from './documentResults';
export { filesToVerify, fileReport, verifyDependencyStatus } from './dependencyVerification';
export type { DependencyVerification, FileState } from './dependencyVerification';
export { FileChecks, fileKey } from './fileChecks';
export type { FileCheckStats, FileOutcome, VerificationTarget } from './fileChecks';
export { CancelledError, VerificationQueue } from './queue';
export type { JobHandle, QueueOwner, QueueProgress, QueueStats } from './queue';
export { createResultStore, RESULTS_SUBDIRECTORY } from './resultStore';
export type { ResultStore, ResultStoreStats } from './resultStore';
export { TrustProvider, isTrustFailure } from './trust';
export type { TrustFailure, TrustSnapshot } from './trust';
export { attestationKey, provenanceKeys, trustScope, PUBLIC_GOOD_SCOPE } from './attestationKey';
export { RememberingVerifier } from './fileVerifier';
export type { FileJob, FileJobResult } from './fileVerifier';
export { createInlineExecutor } from './executor';
export type { VerifyExecutor } from './executor';
export { createWorkerExecutor, defaultWorkerScript, defaultPoolSize } from './workerExecutor';

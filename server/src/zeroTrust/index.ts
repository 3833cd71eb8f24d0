/**
 * Zero trust (issue 6): recorded and first-use publisher identities, publisher changes and lost
 * provenance across releases, late uploads, and the words for them. Pure modules: the caller
 * gives them verification results, pages, the cache directory and a way to verify earlier
 * releases.
 */
export {
  KNOWN_PUBLISHER_KINDS,
  checkLockedIdentities,
  distinctPublishers,
  identityMatches,
  identityOfPublisher,
  missingIdentityFields,
  publisherKey,
  sameIdentity,
  samePublisher,
} from './identities';
export type { FileIdentityInput, IdentityFields, LockedFileIdentity, LockedFileOutcome, LockedIdentityCheck, LockedIdentityOptions } from './identities';
export { TRUST_STORE_SUBDIRECTORY, checkTrustedPublishers, createTrustStore, normalizeIndexUrl, trustMismatchFinding, trustedPublishersOf } from './trustStore';
export type { AlsoTrusted, TrustMode, ObserveResult, TrustStore, TrustStoreOptions, TrustedPublisher, TrustedPublisherCheck } from './trustStore';
export { checkHistory, releasesToExamine } from './history';
export type { HistoryInput, HistoryResult, ReleaseFileResult, ReleaseSummary, ReleasesToExamine, VerifyReleaseFiles } from './history';
export { compareVersions, earlierReleases, projectReleases, releaseFiles } from './releases';
export type { Release } from './releases';
export { DEFAULT_LATE_UPLOAD_DAYS, findLateUploads, lateUploadFinding } from './lateUpload';
export type { LateFile, LateUploadOptions, LateUploadResult, UploadedFile } from './lateUpload';
export {
  describePublisher,
  distinctLabels,
  fileList,
  inconsistentPublishersMessage,
  listOf,
  lateUploadLines,
  lateUploadMessage,
  lateUploadSummary,
  provenanceLostMessage,
  publisherChangedMessage,
  shown,
  trustedIdentityMismatchMessage,
} from './messages';
export type { AttestedRelease, PublisherDetail } from './messages';
export { acceptIdentityEdits, applyTextEdits, identitiesToRecord, recordIdentitiesEdit, recordIdentitiesEdits } from './recordIdentities';
export type { AcceptIdentityResult, RecordIdentitiesResult, TextEdit } from './recordIdentities';

/**
 * What each diagnostic code means and what to do about it, in words: the SARIF rules' short
 * description and help, and text a README, hover or report can reuse. The README has a section
 * per code whose anchor is the code itself (`codeDocsUrl`).
 */
import { DEFAULT_SEVERITY, type DiagnosticCode } from '../core/codes';

/** The README's address; each code is a heading there (`## \`missing-hashes\`` → `#missing-hashes`). */
export const DOCS_URL = 'https://github.com/pypi-provenance/pypi-provenance';

export interface CodeDoc {
  /** PascalCase name (SARIF `reportingDescriptor.name`). */
  name: string;
  /** One sentence: when the code is reported. */
  summary: string;
  /** What to do about it. */
  help: string;
}

export const CODE_DOCS: Readonly<Record<DiagnosticCode, CodeDoc>> = {
  'syntax': {
    name: 'Syntax',
    summary: 'A line or table cannot be parsed as what the file format requires.',
    help: 'Fix the text at the marked place; the message says what was expected. pip or the lock tool would refuse the file too.',
  },
  'unpinned': {
    name: 'Unpinned',
    summary: 'A requirement is not pinned to one exact version, so the files it installs cannot be verified.',
    help: 'Pin it with `==X` (for example with pip-compile or `uv pip compile`), or use a pylock.toml, so that the files that will be installed are known and their provenance can be checked.',
  },
  'missing-hashes': {
    name: 'MissingHashes',
    summary: "pip's hash-checking mode is on for the file (some requirement has --hash, or --require-hashes is given) but this requirement has no hash.",
    help: 'Add `--hash=sha256:…` for every file of the pinned version (the `Add hash pins` quick fix, or `pip-compile --generate-hashes`); pip refuses to install the file as it is.',
  },
  'weak-hash': {
    name: 'WeakHash',
    summary: 'A hash uses an algorithm pip refuses (md5, sha1, sha224).',
    help: 'Replace it with a sha256 (or sha384, sha512) hash of the same file.',
  },
  'project-not-found': {
    name: 'ProjectNotFound',
    summary: 'The index has no project of this name.',
    help: 'Check the spelling and the index URL. A name that is not on the index you expect may be a typo or a dependency-confusion risk.',
  },
  'version-not-found': {
    name: 'VersionNotFound',
    summary: 'The index has no files for the pinned version.',
    help: 'Pin a version the index serves; the message lists the nearest ones.',
  },
  'yanked': {
    name: 'Yanked',
    summary: 'The maintainers withdrew the pinned release or file; pip still installs it when pinned with `==` (PEP 592).',
    help: 'Read their reason, quoted in the message, and move to a version that is not yanked.',
  },
  'hash-not-on-index': {
    name: 'HashNotOnIndex',
    summary: 'A pinned or locked hash matches no file the index serves for that version.',
    help: 'Either the pin is stale or the file on the index changed. Regenerate the hashes from the index only after finding out which, and never install a file whose hash nobody can account for.',
  },
  'no-provenance': {
    name: 'NoProvenance',
    summary: 'No file of the pinned release has attestations (PEP 740).',
    help: 'The release was not published with Trusted Publishing attestations, so where it was built cannot be verified. Ask the project to publish with a Trusted Publisher, or accept the risk (set this code to `off`).',
  },
  'partial-provenance': {
    name: 'PartialProvenance',
    summary: 'Some files of the release have attestations and some do not.',
    help: 'Files without attestations were uploaded some other way than the attested ones; check which files those are before trusting them.',
  },
  'attestation-invalid': {
    name: 'AttestationInvalid',
    summary: 'An attestation failed verification; the message says which check.',
    help: 'Do not install this file until the failure is explained: the signature, certificate, transparency log entry or statement does not match the file served.',
  },
  'identity-mismatch': {
    name: 'IdentityMismatch',
    summary: 'The verified publisher differs from the one recorded (pylock attestation-identities, or the identity trusted before).',
    help: 'The release was published from another repository, workflow or account than before. Find out why before updating the recorded identity.',
  },
  'publisher-changed': {
    name: 'PublisherChanged',
    summary: 'Files of this release, or this release and the previous one, have different publishers.',
    help: 'A change of the publishing repository or workflow can be legitimate (a move) or a takeover; check the project\'s announcements.',
  },
  'provenance-lost': {
    name: 'ProvenanceLost',
    summary: 'The previous release had provenance and this one has none.',
    help: 'Publishing stopped using attestations with this release; find out why before upgrading to it.',
  },
  'late-upload': {
    name: 'LateUpload',
    summary: "A file was uploaded more than `lateUploadDays` after its release's first file.",
    help: 'Files added to a release long after it was published deserve a look: check who uploaded them and why.',
  },
  'release-changed': {
    name: 'ReleaseChanged',
    summary: 'A release seen before now lists a file it did not list then, or no longer lists one it did (file-set memory).',
    help: 'A file added to a release everyone pins can change what gets installed: check who uploaded it and why before installing.',
  },
  'file-replaced': {
    name: 'FileReplaced',
    summary: 'A file seen before is now served under the same name with another sha256.',
    help: 'Files on an index never change: do not install this release until the index or the project explains it.',
  },
  'fresh-release': {
    name: 'FreshRelease',
    summary: "The pinned release's first file was uploaded fewer than `minReleaseAgeDays` days ago.",
    help: 'Most malicious releases are caught within days: wait (pip `--uploaded-prior-to`, uv `exclude-newer`) or pin the previous release.',
  },
  'project-quarantined': {
    name: 'ProjectQuarantined',
    summary: 'The index marks the project quarantined (PEP 792): under review, possibly malware.',
    help: 'Do not install it; the index says why in the message.',
  },
  'project-archived': {
    name: 'ProjectArchived',
    summary: 'The index marks the project archived (PEP 792): no further releases are expected.',
    help: 'No fixes will come; plan a replacement.',
  },
  'project-deprecated': {
    name: 'ProjectDeprecated',
    summary: 'The index marks the project deprecated (PEP 792).',
    help: 'Read the reason the index gives and move to what it recommends.',
  },
  'index-error': {
    name: 'IndexError',
    summary: 'The index could not be reached or answered badly; the message says how.',
    help: 'Check the index URL, the network and any credentials; the check runs again on the next run or edit.',
  },
  'index-conflict': {
    name: 'IndexConflict',
    summary: 'The project is served by more than one of the indexes the file names (dependency confusion); the message says which index serves which files.',
    help: 'pip merges the candidates of every index it is given; pin the project to one index (uv `[tool.uv.sources]`, or drop `--extra-index-url`) and check the other index\'s files and publishers.',
  },
  'owners-changed': {
    name: 'OwnersChanged',
    summary: "The project's owners or organization, as the index's JSON API reports them, differ from those seen at first use.",
    help: 'A change of maintainers can be ordinary or a takeover (xz-utils); check the project\'s announcements before trusting the new owners, then accept them (the quick fix "Accept the new owners") so that only a later change is flagged.',
  },
  'log-inconsistent': {
    name: 'LogInconsistent',
    summary: 'Two signed checkpoints of one transparency log for the same tree size carry different root hashes (a split view).',
    help: 'The log showed different histories to different clients; do not trust this attestation and report it to the log operator (Sigstore).',
  },
  'missing-file': {
    name: 'MissingFile',
    summary: 'A file named by -r or -c cannot be read.',
    help: 'Fix the path (it is relative to the including file) or create the file; pip would fail on it too.',
  },
  'verification-error': {
    name: 'VerificationError',
    summary: 'The attestations could not be checked at all, for example because the trustedRoot file is not a usable Sigstore trusted root.',
    help: 'Fix or clear the trustedRoot setting (--trusted-root); the message says what is wrong with it.',
  },
};

export function codeDocsUrl(code: DiagnosticCode): string {
  return `${DOCS_URL}#${code}`;
}

/** Every code, in the order of the contract's table and then the project's additions. */
export const ALL_CODES: readonly DiagnosticCode[] = Object.keys(DEFAULT_SEVERITY) as DiagnosticCode[];

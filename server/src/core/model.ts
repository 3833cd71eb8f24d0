/**
 * The one model of a dependency that every parser (requirements.txt, pyproject.toml,
 * pylock.toml, uv.lock, poetry.lock) produces, and that resolution, verification, diagnostics,
 * hover, code actions and the CLI consume. Positions are LSP positions: zero-based line, UTF-16 character,
 * end exclusive — JavaScript string offsets are UTF-16 already, so no conversion is needed
 * beyond splitting lines.
 */

export type { Position, Range } from '../../../protocol/src/report';
import type { Range } from '../../../protocol/src/report';
import type { Severity } from './codes';

export type DocumentFormat = 'requirements' | 'pyproject' | 'pylock' | 'uvlock' | 'poetrylock';

/** A hash pinned in the file: `--hash=sha256:…`, a pylock `hashes` entry. */
export interface HashPin {
  /** Lower-case algorithm name as written (`sha256`, `md5`, …). */
  algorithm: string;
  /** Lower-case hex digest. */
  hex: string;
  /**
   * The `algorithm:hex` text (requirements; the `hash` string's inside in uv.lock and
   * poetry.lock) or the hex string's inside (pylock).
   */
  range: Range;
}

/** A distribution file a lock file's package locks (`sdist` or one of `wheels`; a poetry.lock `files` entry). */
export interface LockedFile {
  kind: 'sdist' | 'wheel';
  /** File name: the `name` (pylock) or `file` (poetry.lock) key, or the last path segment of `url`/`path`. */
  filename?: string;
  url?: string;
  path?: string;
  /** RFC 3339 as written in the lock. */
  uploadTime?: string;
  size?: number;
  hashes: HashPin[];
  /** The table (or inline table) of this file. */
  range: Range;
}

/** One `[[packages.attestation-identities]]` entry of a pylock.toml package. */
export interface AttestationIdentity {
  /** `GitHub`, `GitLab`, `Google`, … as written. */
  kind: string;
  /** Every other key of the entry, as strings (`repository`, `workflow`, `environment`, `email`, …). */
  fields: Record<string, string>;
  range: Range;
}

export interface Dependency {
  /** PEP 503 normalized name (lower case, runs of `-_.` as one `-`). */
  name: string;
  /** The name as written. */
  rawName: string;
  extras: string[];
  /** The version specifier as written without surrounding whitespace, e.g. `==1.0,>=0.9`; '' when none. */
  specifier: string;
  /** The one exact version when pinned by `==X` (no `.*`) or `===X`; a lock's `version` of a package from an index. */
  pinnedVersion?: string;
  /**
   * The PEP 508 marker as written, without the `;`. uv.lock: its `resolution-markers` joined with
   * `or` (the forks this version is for); poetry.lock: `markers`, its groups' markers joined with `or`.
   */
  marker?: string;
  /**
   * Direct reference (`name @ URL`), a bare URL or a local path requirement; where a lock's
   * package not from an index comes from (git, URL, path, directory…).
   */
  url?: string;
  /** `-e` / `--editable` in requirements.txt; uv.lock `editable` source, poetry.lock `develop = true`. */
  editable?: boolean;
  /** Requirement-level pins (`--hash`). Empty for pylock.toml: its hashes are in `files`. */
  hashes: HashPin[];
  ranges: {
    /**
     * requirements.txt: first character of the name to the end of the requirement (specifier
     * and marker, not options or comment). pyproject.toml: the text inside the string's quotes.
     * pylock.toml, uv.lock, poetry.lock: the text inside the quotes of the package's `name` value.
     */
    requirement: Range;
    name: Range;
    /** The version text after `==`/`===` (requirements, pyproject) or inside a lock file's `version` quotes. */
    version?: Range;
  };
  /**
   * Where the dependency came from inside its file: `project.dependencies`,
   * `project.optional-dependencies.<extra>`, `dependency-groups.<group>`, `build-system.requires`,
   * `packages` (pylock), `package` (uv.lock, poetry.lock), `requirements`.
   */
  section: string;
  /**
   * pylock.toml `index` of the package, uv.lock `source.registry`, poetry.lock `[package.source]`
   * `url` of a `legacy` source; requirements.txt leaves it unset (see DocumentOptions).
   */
  indexUrl?: string;
  /** Lock files: the files the package locks. Unset for requirements.txt and pyproject.toml. */
  files?: LockedFile[];
  /** pylock.toml: recorded publisher identities; unset when the package has none. */
  attestationIdentities?: AttestationIdentity[];
  /**
   * pyproject.toml: the lock beside it that was read for this requirement (locks/lockedPyproject.ts).
   * `locked`: its version, files and index are the lock's; else `message` says why the lock gave
   * none (not in it, stale, ambiguous), and the requirement stays unpinned.
   */
  lock?: LockUse;
  /** pip options given on the requirement line other than `--hash` (e.g. `--config-settings`). */
  lineOptions?: Record<string, string[]>;
}

/** How a pyproject.toml requirement went through the lock beside it. */
export interface LockUse {
  /** The lock's file name (`uv.lock`). */
  file: string;
  /** The other locks of the folder, passed over in precedence order. */
  passedOver: string[];
  locked: boolean;
  /** When not locked: the `unpinned` message. */
  message?: string;
}

/** A problem the parser found in the text itself. */
export interface ParseProblem {
  /** A diagnostic code of CONTRACT.md §4 or one this project added (see codes.ts). */
  code: string;
  message: string;
  range: Range;
  /**
   * A lower default severity than the code's, for a problem that is worth seeing but that pip and
   * packaging accept (duplicate extras after normalization, say). The `severity` setting still wins.
   */
  defaultSeverity?: Severity;
}

/** `-r` / `-c` (and their long forms) in a requirements file. */
export interface IncludeDirective {
  kind: 'requirements' | 'constraints';
  /** The path as written (after `${VAR}` expansion). */
  target: string;
  range: Range;
}

/** File-wide options (requirements.txt global options; pylock/pyproject leave most unset). */
export interface DocumentOptions {
  indexUrl?: string;
  extraIndexUrls: string[];
  noIndex: boolean;
  findLinks: string[];
  trustedHosts: string[];
  pre: boolean;
  requireHashes: boolean;
  /** Other global options, by long name without dashes, with their values. */
  other: Record<string, string[]>;
}

export interface ParsedDocument {
  format: DocumentFormat;
  dependencies: Dependency[];
  problems: ParseProblem[];
  options: DocumentOptions;
  includes: IncludeDirective[];
  /**
   * Lock files: pylock.toml `lock-version` / `created-by`; uv.lock `version` (as text) and
   * `revision`; poetry.lock `[metadata]` `lock-version` and `content-hash`, `created-by` from its
   * "@generated by Poetry X" comment. `requiresPython`: uv `requires-python`, poetry `python-versions`.
   */
  lock?: { lockVersion?: string; createdBy?: string; revision?: number; requiresPython?: string; contentHash?: string };
}

export function emptyOptions(): DocumentOptions {
  return { extraIndexUrls: [], noIndex: false, findLinks: [], trustedHosts: [], pre: false, requireHashes: false, other: {} };
}

/**
 * How much of a document the parsers read, the same for every format: a size above which a file
 * is not parsed at all, and a number of dependencies after which the rest are not checked. Both
 * say so in a `syntax` problem, so a hostile or mistaken file costs bounded memory and time and
 * the user learns why nothing more is shown.
 *
 * The limits sit far above real files: the largest pip-compile outputs with hashes and the
 * largest pyproject files seen are well under 1 MiB; uv.lock files of very big projects reach a
 * few MiB with a few thousand packages (the corpus's largest is under 1 MiB).
 */
import type { ParseProblem } from '../core/model';

const MiB = 1024 * 1024;

/** Manifests people write or pip-compile generates: requirements files, pyproject.toml. */
export const MAX_MANIFEST_LENGTH = 10 * MiB;
/**
 * Generated lock files (pylock.toml, uv.lock, poetry.lock). As large as manifests: read the fast
 * way (toml/positions.ts) a 10 MB generated lock peaks about 70–130 MB above its text; one that
 * goes the exact way (a syntax error) peaks under 400 MB; the biggest real locks are a few MiB.
 */
export const MAX_LOCK_LENGTH = 10 * MiB;
/** A document's dependencies checked at most: beyond it, per-dependency work would swamp the editor. */
export const MAX_DEPENDENCIES = 20_000;

/** Problems listed at most; one more says how many were left out. */
export const MAX_PROBLEMS = 1000;

const MANIFESTS = new Set(['requirements', 'pyproject']);

/** The size limit, in UTF-16 units, for a format (a lock format not named here gets the lock limit). */
export function sizeLimit(format: string): number {
  return MANIFESTS.has(format) ? MAX_MANIFEST_LENGTH : MAX_LOCK_LENGTH;
}

const AT_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function mib(length: number, round: (x: number) => number = Math.round): string {
  return (round((length / MiB) * 10) / 10).toFixed(1).replace(/\.0$/, '');
}

/**
 * The message for a document over its size limit (shared so every format says it the same way).
 * The size is rounded up, so a file just over the limit never reads as the limit itself.
 */
export function tooLargeMessage(format: string, length: number): string {
  return `This file is too large to analyse (${mib(length, Math.ceil)} MiB; the limit for this kind of file is ${mib(sizeLimit(format))} MiB)`;
}

/** A problem when `text` is over the format's size limit; undefined otherwise. */
export function sizeLimitProblem(format: string, text: string): ParseProblem | undefined {
  if (text.length <= sizeLimit(format)) return undefined;
  return { code: 'syntax', message: tooLargeMessage(format, text.length), range: AT_START };
}

/** The last problem of a list that reached MAX_PROBLEMS. */
export function moreProblemsMessage(dropped: number): string {
  return `${dropped} more problems in this file are not shown`;
}

/** The message for the first dependency past MAX_DEPENDENCIES. */
export function tooManyDependenciesMessage(): string {
  return `This file has more than ${MAX_DEPENDENCIES.toLocaleString('en-US')} dependencies; only the first ${MAX_DEPENDENCIES.toLocaleString('en-US')} are checked`;
}

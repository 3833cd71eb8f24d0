import type { DocumentFormat, ParsedDocument } from '../core/model';
import { parseRequirements } from './requirements';
import { parsePyproject } from './pyproject';
import { parsePylock, readPylock } from './pylock';
import { parseUvLock, readUvLock } from './uvLock';
import { parsePoetryLock, readPoetryLock } from './poetryLock';
import { readTomlDocumentInSteps, type TomlReader } from './toml';

export interface ParseContext {
  /** Environment for `${VAR}` expansion in requirements files. */
  env?: Readonly<Record<string, string | undefined>>;
  /** False in an untrusted workspace: `${VAR}` is then left as written. */
  workspaceTrusted?: boolean;
}

/** Parses a dependency file of the given format. Never throws: problems are in the result. */
export function parseDocument(format: DocumentFormat, text: string, context: ParseContext = {}): ParsedDocument {
  switch (format) {
    case 'requirements':
      return parseRequirements(text, context);
    case 'pyproject':
      return parsePyproject(text);
    case 'pylock':
      return parsePylock(text);
    case 'uvlock':
      return parseUvLock(text);
    case 'poetrylock':
      return parsePoetryLock(text);
  }
}

/**
 * The formats that can be read a package at a time: the lock files, with the name their messages
 * use and the key of their array of packages when they are read while scanned (poetry.lock is not:
 * its `[metadata]`, read first, comes last).
 */
const READERS_IN_STEPS: Partial<Record<DocumentFormat, [string, TomlReader, string | undefined]>> = {
  uvlock: ['uv.lock', readUvLock, 'package'],
  poetrylock: ['poetry.lock', readPoetryLock, undefined],
  pylock: ['pylock.toml', readPylock, 'packages'],
};

/**
 * parseDocument in steps, for reading a large lock file in slices between other work: a
 * generator that yields between lines and packages and returns the document — or returns
 * undefined when parseDocument must answer instead (see readTomlDocumentInSteps). Undefined for a
 * format that is not read in steps.
 */
export function parseDocumentInSteps(format: DocumentFormat, text: string, overBudget?: () => boolean): Generator<void, ParsedDocument | undefined> | undefined {
  const reader = READERS_IN_STEPS[format];
  return reader === undefined ? undefined : readTomlDocumentInSteps(format, reader[0], text, reader[1], { lock: {} }, overBudget, reader[2]);
}

import type { DocumentFormat, ParsedDocument } from '../core/model';
import { parseRequirements } from './requirements';
import { parsePyproject } from './pyproject';
import { parsePylock, PYLOCK } from './pylock';
import { parseUvLock, UV_LOCK } from './uvLock';
import { parsePoetryLock, POETRY_LOCK } from './poetryLock';
import { readTomlDocumentInSteps, type TomlFormat } from './toml';

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

/** The formats that can be read a package at a time: the lock files. */
const READ_IN_STEPS: Partial<Record<DocumentFormat, TomlFormat>> = { uvlock: UV_LOCK, poetrylock: POETRY_LOCK, pylock: PYLOCK };

/**
 * parseDocument in steps, for reading a large lock file in slices between other work: a
 * generator that yields between lines and packages and returns the document — or returns
 * undefined when parseDocument must answer instead (see readTomlDocumentInSteps). Undefined for a
 * format that is not read in steps.
 */
export function parseDocumentInSteps(format: DocumentFormat, text: string, overBudget?: () => boolean): Generator<void, ParsedDocument | undefined> | undefined {
  const kind = READ_IN_STEPS[format];
  return kind === undefined ? undefined : readTomlDocumentInSteps(kind, text, overBudget);
}

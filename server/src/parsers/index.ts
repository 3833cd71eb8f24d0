import type { DocumentFormat, ParsedDocument } from '../core/model';
import { parseRequirements } from './requirements';
import { parsePyproject } from './pyproject';
import { parsePylock } from './pylock';
import { parseUvLock } from './uvLock';
import { parsePoetryLock } from './poetryLock';

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

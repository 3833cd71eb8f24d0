/**
 * parseDocument with the server's safety net (lsp/documentAnalyses.ts does the same): the parsers
 * promise never to throw, and if one does anyway the user gets a clear `syntax` problem instead
 * of a crash.
 */
import { emptyOptions, type DocumentFormat, type ParsedDocument } from '../core/model';
import { parseDocument, type ParseContext } from '../parsers/index';

export interface SafeParse {
  parsed: ParsedDocument;
  /** What the parser threw, for the log; undefined when it did not. */
  error?: unknown;
}

export function parseDocumentSafely(format: DocumentFormat, text: string, context: ParseContext = {}, parse: typeof parseDocument = parseDocument): SafeParse {
  try {
    return { parsed: parse(format, text, context) };
  } catch (error) {
    const start = { line: 0, character: 0 };
    return {
      parsed: {
        format,
        dependencies: [],
        problems: [{ code: 'syntax', message: 'This file could not be parsed (internal error)', range: { start, end: start } }],
        options: emptyOptions(),
        includes: [],
      },
      error,
    };
  }
}

import { emptyOptions, type DocumentFormat, type ParsedDocument } from '../../core/model';
import { MAX_DEPENDENCIES, sizeLimitProblem, tooManyDependenciesMessage } from '../limits';
import type { TomlTable } from './document';
import { fastTomlSteps, parseToml } from './parse';
import { TomlProblems } from './problems';

/**
 * What fills a document from its tree. A reader of large files (the locks) is a generator that
 * yields between packages, so the document can be read in slices; others just return.
 */
export type TomlReader = (root: TomlTable, problems: TomlProblems, document: ParsedDocument) => void | Generator<void, void>;

/**
 * The frame every TOML dependency file shares: the format's size limit, parse, turn a TOML syntax
 * error into a problem, let `read` fill the document, keep at most MAX_DEPENDENCIES of what it
 * read, and never let a reader's bug escape as an exception.
 */
export function readTomlDocument(format: DocumentFormat, fileName: string, text: string, read: TomlReader, extra: Partial<ParsedDocument> = {}): ParsedDocument {
  const tooLarge = sizeLimitProblem(format, text);
  if (tooLarge !== undefined) return { format, dependencies: [], problems: [tooLarge], options: emptyOptions(), includes: [], ...extra };
  const { problems, document } = start(format, text, extra);
  const parsed = parseToml(text);
  if (!parsed.ok) {
    problems.add(parsed.error.message, parsed.error.span);
    return document;
  }
  const reading = readSafely(fileName, parsed.root, problems, document, read);
  while (!reading.next().done);
  return finish(problems, document);
}

/**
 * readTomlDocument a line or a package at a time: yields between them, and returns the document
 * — or undefined when the fast TOML way gives up (a syntax error, a rare spelling, or one line
 * that takes longer than `overBudget` allows); then readTomlDocument, elsewhere, gives the answer.
 */
export function* readTomlDocumentInSteps(
  format: DocumentFormat,
  fileName: string,
  text: string,
  read: TomlReader,
  extra: Partial<ParsedDocument> = {},
  overBudget?: () => boolean,
): Generator<void, ParsedDocument | undefined> {
  if (sizeLimitProblem(format, text) !== undefined) return undefined;
  const root = yield* fastTomlSteps(text, overBudget);
  if (root === undefined) return undefined;
  const { problems, document } = start(format, text, extra);
  yield* readSafely(fileName, root, problems, document, read);
  return finish(problems, document);
}

function start(format: DocumentFormat, text: string, extra: Partial<ParsedDocument>): { problems: TomlProblems; document: ParsedDocument } {
  const problems = new TomlProblems(text);
  return { problems, document: { format, dependencies: [], problems: problems.list, options: emptyOptions(), includes: [], ...extra } };
}

function* readSafely(fileName: string, root: TomlTable, problems: TomlProblems, document: ParsedDocument, read: TomlReader): Generator<void, void> {
  try {
    const steps = read(root, problems, document);
    if (steps !== undefined) yield* steps;
  } catch {
    // Only a bug can get here; the editor must still get a diagnostic rather than a crash.
    problems.add(`${fileName} could not be analysed completely`, { start: 0, end: 0 });
  }
}

function finish(problems: TomlProblems, document: ParsedDocument): ParsedDocument {
  problems.finish();
  if (document.dependencies.length > MAX_DEPENDENCIES) {
    const first = document.dependencies[MAX_DEPENDENCIES];
    document.dependencies.length = MAX_DEPENDENCIES;
    document.problems.push({ code: 'syntax', message: tooManyDependenciesMessage(), range: first.ranges.name });
  }
  return document;
}

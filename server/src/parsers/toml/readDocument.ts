import { emptyOptions, type DocumentFormat, type ParsedDocument } from '../../core/model';
import { MAX_DEPENDENCIES, sizeLimitProblem, tooManyDependenciesMessage } from '../limits';
import type { TomlArray, TomlTable } from './document';
import { fastTomlScanner, parseToml } from './parse';
import { TomlProblems } from './problems';

/**
 * What fills a document from its tree. A reader of large files (the locks) is a generator that,
 * before it reads each package, yields which one it wants next (ElementWanted), so the document
 * can be read in slices, while it is scanned; others just return.
 */
export type TomlReader = (root: TomlTable, problems: TomlProblems, document: ParsedDocument) => void | Generator<ElementWanted, void>;

/** Element `index` of `array` (an array of tables) is what the reader reads next; past the end, it stops. */
export interface ElementWanted {
  array: TomlArray;
  index: number;
}

/** What stands in for an element once it has been read, so the garbage collector can have it. */
const READ: TomlTable = { kind: 'table', entries: new Map(), origin: 'array-header', start: 0, end: 0, header: { start: 0, end: 0 } };

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
 *
 * With `streamed` (the key of the lock's top-level array of package tables, whose elements come
 * after every key the reader reads at the top), reading begins as soon as that array appears and
 * each package is read once the next one begins, then let go: only a package or two of the tree
 * is alive at once, not the whole of it, which is most of the garbage collector's work otherwise.
 * The document is the same either way, problems in the same order.
 */
export function* readTomlDocumentInSteps(
  format: DocumentFormat,
  fileName: string,
  text: string,
  read: TomlReader,
  extra: Partial<ParsedDocument> = {},
  overBudget?: () => boolean,
  streamed?: string,
): Generator<void, ParsedDocument | undefined> {
  if (sizeLimitProblem(format, text) !== undefined) return undefined;
  const scanner = fastTomlScanner(text, overBudget);
  if (scanner === undefined) return undefined;
  let scanned = false;
  /** One line more; false when the scanner gave up. */
  const scanLine = (): boolean => {
    try {
      scanned = scanner.step();
      return true;
    } catch {
      return false;
    }
  };
  const root = scanner.root;
  while (!scanned && !(streamed !== undefined && root.entries.get(streamed)?.value.kind === 'array')) {
    if (!scanLine()) return undefined;
    yield;
  }
  const { problems, document } = start(format, text, extra);
  const reading = readSafely(fileName, root, problems, document, read);
  for (let next = reading.next(); !next.done; next = reading.next()) {
    const { array, index } = next.value;
    if (index > 0 && array.items.length > index) array.items[index - 1] = READ;
    // An element is complete once the next one has begun (its sub-tables come before that).
    while (!scanned && array.items.length <= index + 1) {
      if (!scanLine()) return undefined;
      yield;
    }
    yield;
  }
  // What the reader did not need must still be valid TOML.
  while (!scanned) {
    if (!scanLine()) return undefined;
    yield;
  }
  return finish(problems, document);
}

function start(format: DocumentFormat, text: string, extra: Partial<ParsedDocument>): { problems: TomlProblems; document: ParsedDocument } {
  const problems = new TomlProblems(text);
  return { problems, document: { format, dependencies: [], problems: problems.list, options: emptyOptions(), includes: [], ...extra } };
}

function* readSafely(fileName: string, root: TomlTable, problems: TomlProblems, document: ParsedDocument, read: TomlReader): Generator<ElementWanted, void> {
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

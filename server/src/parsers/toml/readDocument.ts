import { emptyOptions, type DocumentFormat, type ParsedDocument } from '../../core/model';
import { MAX_DEPENDENCIES, sizeLimitProblem, tooManyDependenciesMessage } from '../limits';
import type { TomlArray, TomlTable } from './document';
import { fastTomlScanner, parseTomlExact } from './parse';
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

/** A TOML dependency file format: what its documents are called, how they are filled, and how a lock is streamed. */
export interface TomlFormat {
  format: DocumentFormat;
  /** The file's name as messages say it ("uv.lock could not be analysed completely"). */
  fileName: string;
  read: TomlReader;
  /** The key of a lock's top-level array of package tables, read while it is scanned (readTomlDocumentInSteps). */
  streamed?: string;
  /** A lock file: its document has a `lock` record, even when nothing could be read. */
  lock?: boolean;
}

/**
 * The frame every TOML dependency file shares: the format's size limit, parse, turn a TOML syntax
 * error into a problem, let the format's reader fill the document, keep at most MAX_DEPENDENCIES
 * of what it read, and never let a reader's bug escape as an exception. The fast way
 * (readTomlDocumentInSteps, run to its end) reads nearly every file; what it gives up on, the
 * exact parser reads.
 */
export function readTomlDocument(kind: TomlFormat, text: string): ParsedDocument {
  const tooLarge = sizeLimitProblem(kind.format, text);
  if (tooLarge !== undefined) return { ...emptyDocument(kind), problems: [tooLarge] };
  const steps = readTomlDocumentInSteps(kind, text);
  let step = steps.next();
  while (!step.done) step = steps.next();
  if (step.value !== undefined) return step.value;
  const { problems, document } = start(kind, text);
  const parsed = parseTomlExact(text);
  if (!parsed.ok) {
    problems.add(parsed.error.message, parsed.error.span);
    return document;
  }
  const reading = readSafely(kind.fileName, parsed.root, problems, document, kind.read);
  while (!reading.next().done);
  return finish(problems, document);
}

/**
 * readTomlDocument a line or a package at a time: yields between them, and returns the document
 * — or undefined when the fast TOML way gives up (a syntax error, a rare spelling, or one line
 * that takes longer than `overBudget` allows); then readTomlDocument, elsewhere, gives the answer.
 *
 * A lock with `streamed` (the key of its top-level array of package tables, whose elements come
 * after every key its reader reads at the top) is read while scanned: reading begins as soon as
 * that array appears, and each package is read once the next one begins, then let go. Only a
 * package or two of the tree is alive at once, not the whole of it, which is most of the garbage
 * collector's work otherwise.
 * The document is the same either way, problems in the same order.
 */
export function* readTomlDocumentInSteps(kind: TomlFormat, text: string, overBudget?: () => boolean): Generator<void, ParsedDocument | undefined> {
  if (sizeLimitProblem(kind.format, text) !== undefined) return undefined;
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
  const streamed = kind.streamed;
  while (!scanned && !(streamed !== undefined && root.entries.get(streamed)?.value.kind === 'array')) {
    if (!scanLine()) return undefined;
    yield;
  }
  const { problems, document } = start(kind, text);
  const reading = readSafely(kind.fileName, root, problems, document, kind.read);
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

function emptyDocument(kind: TomlFormat): ParsedDocument {
  const document: ParsedDocument = { format: kind.format, dependencies: [], problems: [], options: emptyOptions(), includes: [] };
  if (kind.lock === true) document.lock = {};
  return document;
}

function start(kind: TomlFormat, text: string): { problems: TomlProblems; document: ParsedDocument } {
  const problems = new TomlProblems(text);
  return { problems, document: { ...emptyDocument(kind), problems: problems.list } };
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

import { emptyOptions, type DocumentFormat, type ParsedDocument } from '../../core/model';
import { MAX_DEPENDENCIES, sizeLimitProblem, tooManyDependenciesMessage } from '../limits';
import type { TomlTable } from './document';
import { parseToml } from './parse';
import { TomlProblems } from './problems';

/**
 * The frame every TOML dependency file shares: the format's size limit, parse, turn a TOML syntax
 * error into a problem, let `read` fill the document, keep at most MAX_DEPENDENCIES of what it
 * read, and never let a reader's bug escape as an exception.
 */
export function readTomlDocument(
  format: DocumentFormat,
  fileName: string,
  text: string,
  read: (root: TomlTable, problems: TomlProblems, document: ParsedDocument) => void,
  extra: Partial<ParsedDocument> = {},
): ParsedDocument {
  const tooLarge = sizeLimitProblem(format, text);
  if (tooLarge !== undefined) return { format, dependencies: [], problems: [tooLarge], options: emptyOptions(), includes: [], ...extra };
  const problems = new TomlProblems(text);
  const document: ParsedDocument = { format, dependencies: [], problems: problems.list, options: emptyOptions(), includes: [], ...extra };
  const parsed = parseToml(text);
  if (!parsed.ok) {
    problems.add(parsed.error.message, parsed.error.span);
    return document;
  }
  try {
    read(parsed.root, problems, document);
  } catch {
    // Only a bug can get here; the editor must still get a diagnostic rather than a crash.
    problems.add(`${fileName} could not be analysed completely`, { start: 0, end: 0 });
  }
  problems.finish();
  if (document.dependencies.length > MAX_DEPENDENCIES) {
    const first = document.dependencies[MAX_DEPENDENCIES];
    document.dependencies.length = MAX_DEPENDENCIES;
    document.problems.push({ code: 'syntax', message: tooManyDependenciesMessage(), range: first.ranges.name });
  }
  return document;
}

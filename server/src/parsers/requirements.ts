/**
 * pip requirements files (requirements.txt, constraints.txt, *.in), read as pip 26 reads them:
 * see pip's "Requirements File Format" reference and `pip._internal.req.req_file`.
 *
 * Each logical line (after pip's joining, comment stripping and `${VAR}` expansion) is split
 * as pip's `break_args_options` does: the words before the first word starting with `-` are the
 * requirement, the rest are options, read with shlex and optparse rules. Every range points at
 * the document's own characters, across continuation lines; text that came from a `${VAR}`
 * expansion maps to the `${VAR}` as written.
 *
 * Decisions where pip looks outside the file:
 * - a requirement that is not valid PEP 508 but looks like a path (`./pkg`, `a/b`, `.`) is taken
 *   as a local directory (pip would check that it exists);
 * - a requirement that names no project (`./pkg`, a bare URL without `#egg=` or a wheel file
 *   name) is a Dependency with `name` and `rawName` '' and `url` set; its name range is the
 *   URL or path.
 * Options pip silently ignores (global options on a requirement line, `--hash` on an option
 * line or an editable, words after the options, every option beside `-r`/`-c`) are `syntax`
 * problems: they never do what the file seems to say.
 */
import { LineIndex } from '../core/lineIndex';
import { emptyOptions, type Dependency, type DocumentOptions, type HashPin, type IncludeDirective, type ParsedDocument, type Range } from '../core/model';
import { normalizeName } from '../core/names';
import type { Span } from './pep508';
import { readHashValue } from './requirements/hashes';
import { readEditable, readRequirement, type LineRequirementResult } from './requirements/lineRequirement';
import { MAX_DEPENDENCIES, sizeLimitProblem, tooManyDependenciesMessage } from './limits';
import { eachLogicalLine, type Env, type LogicalLine } from './requirements/logicalLines';
import type { MappedText } from './requirements/mappedText';
import { optionValueProblem } from './requirements/optionValues';
import { parseOptionWords, type OptionValue, type ParsedOption } from './requirements/options';
import { junkNote, ProblemList } from './requirements/problems';
import { positionAt, shlexSplit } from './requirements/shlex';

export interface RequirementsContext {
  /** Environment for `${VAR}` expansion; without it nothing is expanded. */
  env?: Env;
  /**
   * False in an untrusted workspace: then nothing is expanded, since a file someone else wrote
   * could otherwise copy a secret of the environment into an index URL it names.
   */
  workspaceTrusted?: boolean;
}

/** Parses a requirements file. Never throws: what cannot be read is in `problems`. */
export function parseRequirements(text: string, context: RequirementsContext = {}): ParsedDocument {
  const tooLarge = sizeLimitProblem('requirements', text);
  if (tooLarge !== undefined) return { format: 'requirements', dependencies: [], problems: [tooLarge], options: emptyOptions(), includes: [] };
  const reader = new DocumentReader(text);
  try {
    for (const line of eachLogicalLine(text, context.workspaceTrusted === false ? undefined : context.env)) {
      if (reader.dependencyCount >= MAX_DEPENDENCIES) {
        // Lines are read lazily, so the rest of a huge file costs nothing.
        reader.stopAt(line.lineStart, line.lineEnd);
        break;
      }
      try {
        reader.readLine(line);
      } catch (error) {
        reader.internalError(line.lineStart, line.lineEnd, error);
      }
    }
  } catch (error) {
    reader.internalError(0, text.length, error);
  }
  return reader.finish();
}

class DocumentReader {
  private readonly index: LineIndex;
  private readonly problems = new ProblemList();
  private readonly dependencies: Dependency[] = [];
  private readonly includes: IncludeDirective[] = [];
  private readonly options: DocumentOptions = emptyOptions();

  constructor(text: string) {
    this.index = new LineIndex(text);
  }

  finish(): ParsedDocument {
    return {
      format: 'requirements',
      dependencies: this.dependencies,
      problems: this.problems.finish(),
      options: this.options,
      includes: this.includes,
    };
  }

  get dependencyCount(): number {
    return this.dependencies.length;
  }

  stopAt(start: number, end: number): void {
    this.problems.add('syntax', tooManyDependenciesMessage(), this.index.rangeOf(start, end));
  }

  internalError(start: number, end: number, error: unknown): void {
    this.problems.add('syntax', `This line could not be read (${error instanceof Error ? error.message : String(error)})`, this.index.rangeOf(start, end));
  }

  readLine(line: LogicalLine): void {
    const content = line.content;
    const text = content.text;
    const optionsStart = firstOptionWord(text);
    const args = optionsStart < 0 ? text : text.slice(0, Math.max(0, optionsStart - 1));
    const parsed = optionsStart < 0 ? undefined : this.readOptions(content, optionsStart);
    const options = parsed?.options ?? [];
    const at = (span: Span): Range => this.range(content, span);

    if (args.trim().length > 0) {
      const ignored = options.filter((o) => o.spec.scope !== 'requirement');
      for (const option of ignored) {
        this.problems.add('syntax', `pip ignores ${option.written} on a requirement's line: put it on a line of its own`, at(option));
      }
      this.ignorePositionals(content, parsed?.positionals ?? []);
      this.addRequirement(content, readRequirement(args), identity, options.filter((o) => o.spec.scope === 'requirement'), false, text);
      return;
    }

    const editables = options.filter((o) => o.spec.scope === 'editable');
    if (editables.length > 0) {
      const [first, ...rest] = editables;
      for (const option of rest) this.problems.add('syntax', 'pip reads only one -e per line; this one is ignored', at(option));
      for (const option of options) {
        if (option.spec.scope === 'global' || option.spec.scope === 'include') {
          this.problems.add('syntax', `pip ignores ${option.written} on a requirement's line: put it on a line of its own`, at(option));
        }
      }
      this.ignorePositionals(content, parsed?.positionals ?? []);
      const value = first.value as OptionValue;
      const perRequirement = options.filter((o) => o.spec.scope === 'requirement');
      this.addRequirement(content, readEditable(value.text), valueMapper(value), perRequirement, true, text);
      return;
    }

    this.ignorePositionals(content, parsed?.positionals ?? []);
    const includes = options.filter((o) => o.spec.scope === 'include');
    if (includes.length > 0) {
      // pip follows the first -r of the line (or else the first -c) and nothing else on it.
      const chosen = includes.find((o) => o.spec.key === 'requirement') ?? includes[0];
      for (const option of options) {
        if (option !== chosen) this.problems.add('syntax', `pip ignores ${option.written} on a line that includes another file`, at(option));
      }
      const value = chosen.value as OptionValue;
      if (value.text.length === 0) {
        this.problems.add('syntax', `${chosen.written} needs a file name`, at(chosen));
        return;
      }
      this.includes.push({
        kind: chosen.spec.key === 'requirement' ? 'requirements' : 'constraints',
        target: value.text,
        range: at(value),
      });
      return;
    }

    for (const option of options) {
      if (option.spec.scope === 'requirement') {
        this.problems.add('syntax', `${option.written} applies to a requirement on the same line; pip ignores it here`, at(option));
      } else {
        this.checkGlobal(option, at);
        this.applyGlobal(option);
      }
    }
  }

  /** Options from the first option word on; their errors become problems. */
  private readOptions(content: MappedText, from: number): ReturnType<typeof parseOptionWords> | undefined {
    const split = shlexSplit(content.text, from);
    if (!split.ok) {
      this.problems.add('syntax', `The options cannot be split as pip splits them: ${split.message}`, this.range(content, { start: split.start, end: split.end }));
      return undefined;
    }
    const parsed = parseOptionWords(split.words);
    for (const error of parsed.errors) this.problems.add('syntax', error.message, this.range(content, error));
    return parsed;
  }

  private ignorePositionals(content: MappedText, words: readonly { value: string; start: number; end: number }[]): void {
    for (const word of words) {
      this.problems.add('syntax', 'pip ignores this word: it follows the options of the line', this.range(content, word));
    }
  }

  private addRequirement(
    content: MappedText,
    result: LineRequirementResult,
    toLine: (span: Span) => Span,
    perRequirement: readonly ParsedOption[],
    editable: boolean,
    lineText: string,
  ): void {
    const at = (span: Span): Range => this.range(content, span);
    if (!result.ok) {
      this.problems.add('syntax', result.message + junkNote(lineText), at(toLine(result.span)));
      return;
    }
    for (const problem of result.problems) this.problems.add('syntax', problem.message, at(toLine(problem.span)));
    const r = result.requirement;
    const hashes: HashPin[] = [];
    const lineOptions: Record<string, string[]> = {};
    let hasOptions = false;
    for (const option of perRequirement) {
      const value = option.value as OptionValue;
      if (option.spec.key === 'hash') {
        if (editable) {
          this.problems.add('syntax', 'pip ignores --hash on an editable requirement: there is no single file to hash', at(option));
          continue;
        }
        const hash = readHashValue(value.text);
        const range = at(value.start === value.end ? option : value);
        if (!hash.ok) {
          this.problems.add('syntax', hash.message, range);
          continue;
        }
        if (hash.warning) this.problems.add('syntax', hash.warning, range);
        hashes.push({ algorithm: hash.algorithm, hex: hash.hex, range });
        continue;
      }
      if (editable && option.spec.key !== 'config-settings') {
        this.problems.add('syntax', `pip ignores ${option.written} on an editable requirement`, at(option));
        continue;
      }
      if (option.spec.key === 'config-settings' && !value.text.includes('=')) {
        this.problems.add('syntax', `${option.written} takes KEY=VALUE`, at(value.start === value.end ? option : value));
        continue;
      }
      (lineOptions[option.spec.key] ??= []).push(value.text);
      hasOptions = true;
    }

    const dependency: Dependency = {
      name: r.rawName ? normalizeName(r.rawName) : '',
      rawName: r.rawName,
      extras: r.extras,
      specifier: r.specifier,
      hashes,
      ranges: {
        requirement: at(toLine(r.span)),
        name: at(toLine(r.nameSpan)),
        ...(r.versionSpan ? { version: at(toLine(r.versionSpan)) } : {}),
      },
      section: 'requirements',
    };
    if (r.pinnedVersion !== undefined) dependency.pinnedVersion = r.pinnedVersion;
    if (r.marker !== undefined) dependency.marker = r.marker;
    if (r.url !== undefined) dependency.url = r.url;
    if (editable) dependency.editable = true;
    if (hasOptions) dependency.lineOptions = lineOptions;
    this.dependencies.push(dependency);
  }

  /** What pip refuses in a global option line: a value it rejects, an option it takes only on its command line. */
  private checkGlobal(option: ParsedOption, at: (span: Span) => Range): void {
    const value = option.value;
    const valueProblem = value === undefined ? undefined : optionValueProblem(option.spec.key, value.text);
    const where = value === undefined || value.start === value.end ? option : value;
    if (option.spec.commandLineOnly) {
      const name = option.spec.long[0];
      this.problems.add('syntax', `pip 26 takes ${name} only on its command line (pip install ${name}=…), not in a requirements file: it stops here with "no such option"${valueProblem ? `; also, ${valueProblem}` : ''}`, at(option));
    } else if (valueProblem) {
      this.problems.add('syntax', valueProblem, at(where));
    }
    const key = option.spec.key;
    const other = key === 'require-hashes' ? 'no-require-hashes' : key === 'no-require-hashes' ? 'require-hashes' : undefined;
    if (other !== undefined && (other === 'require-hashes' ? this.options.requireHashes : other in this.options.other)) {
      this.problems.add('syntax', 'pip stops on --require-hashes and --no-require-hashes together: they are mutually exclusive', at(option));
    }
  }

  private applyGlobal(option: ParsedOption): void {
    const o = this.options;
    const value = option.value?.text ?? '';
    switch (option.spec.key) {
      case 'index-url':
        o.indexUrl = value;
        break;
      case 'extra-index-url':
        o.extraIndexUrls.push(value);
        break;
      case 'no-index':
        o.noIndex = true;
        break;
      case 'find-links':
        o.findLinks.push(value);
        break;
      case 'trusted-host':
        o.trustedHosts.push(value);
        break;
      case 'pre':
        o.pre = true;
        break;
      case 'require-hashes':
        o.requireHashes = true;
        break;
      default: {
        const values = (o.other[option.spec.key] ??= []);
        if (option.spec.takesValue) values.push(value);
      }
    }
  }

  private range(content: MappedText, span: Span): Range {
    const original = content.toOriginal(span.start, span.end);
    return this.index.rangeOf(original.start, original.end);
  }
}

/** pip's `break_args_options`: the first space-separated word that starts with `-`; -1 when none. */
function firstOptionWord(text: string): number {
  let at = text.indexOf('-');
  while (at >= 0) {
    if (at === 0 || text.charCodeAt(at - 1) === 0x20) return at;
    at = text.indexOf('-', at + 1);
  }
  return -1;
}

function identity(span: Span): Span {
  return span;
}

/** Maps a span of an option value's text to the line, through the value's character positions. */
function valueMapper(value: OptionValue): (span: Span) => Span {
  const p = value.positions;
  return (span) => {
    if (p.length === 0) return { start: value.start, end: value.end };
    const start = span.start < p.length ? positionAt(p, span.start) : positionAt(p, p.length - 1) + 1;
    const end = span.end > span.start ? positionAt(p, Math.min(span.end, p.length) - 1) + 1 : start;
    return { start, end: Math.max(start, end) };
  };
}

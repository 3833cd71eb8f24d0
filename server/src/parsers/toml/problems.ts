/**
 * Collects the `syntax` problems a TOML-based dependency file has, with document ranges, and
 * checks value types on the way ("`dependencies` must be an array of strings").
 */
import type { ParseProblem, Range } from '../../core/model';
import { LineIndex } from '../../core/lineIndex';
import { MAX_PROBLEMS, moreProblemsMessage } from '../limits';
import { describeValue, type TomlArray, type TomlEntry, type TomlSpan, type TomlString, type TomlTable, type TomlValue } from './document';

export class TomlProblems {
  readonly list: ParseProblem[] = [];
  readonly lines: LineIndex;
  private dropped = 0;

  /** `lines`: the line index of another TomlProblems of the same text, to share. */
  constructor(
    readonly text: string,
    lines?: LineIndex,
  ) {
    this.lines = lines ?? new LineIndex(text);
  }

  /** Another set of problems of the same text (one read ahead, to be added later in document order). */
  aside(): TomlProblems {
    return new TomlProblems(this.text, this.lines);
  }

  /** Adds the problems of `other` (from aside()) after these, within the same limit. */
  absorb(other: TomlProblems): void {
    for (const problem of other.list) {
      if (this.list.length >= MAX_PROBLEMS) this.dropped++;
      else this.list.push(problem);
    }
    this.dropped += other.dropped;
  }

  range(span: TomlSpan): Range {
    return this.lines.rangeOf(span.start, span.end);
  }

  add(message: string, span: TomlSpan): void {
    if (this.list.length >= MAX_PROBLEMS) {
      // A file of thousands of broken tables must not flood the editor.
      this.dropped++;
      return;
    }
    const sentence = message.charAt(0).toUpperCase() + message.slice(1);
    this.list.push({ code: 'syntax', message: sentence, range: this.range(span) });
  }

  /** Adds, when problems were left out, a last one saying how many. */
  finish(): void {
    if (this.dropped === 0) return;
    this.list.push({ code: 'syntax', message: moreProblemsMessage(this.dropped), range: this.list[this.list.length - 1].range });
    this.dropped = 0;
  }

  /** The entry's value when it is a string; a problem at the value otherwise. */
  string(entry: TomlEntry | undefined, what: string): TomlString | undefined {
    if (entry === undefined) return undefined;
    if (entry.value.kind === 'string') return entry.value;
    this.wrongType(entry.value, what, 'a string');
    return undefined;
  }

  table(entry: TomlEntry | undefined, what: string): TomlTable | undefined {
    if (entry === undefined) return undefined;
    if (entry.value.kind === 'table') return entry.value;
    this.wrongType(entry.value, what, 'a table');
    return undefined;
  }

  array(entry: TomlEntry | undefined, what: string): TomlArray | undefined {
    if (entry === undefined) return undefined;
    if (entry.value.kind === 'array') return entry.value;
    this.wrongType(entry.value, what, 'an array');
    return undefined;
  }

  /** The string items of an array; a problem at each item that is not one. */
  strings(array: TomlArray, what: string): TomlString[] {
    const found: TomlString[] = [];
    for (const item of array.items) {
      if (item.kind === 'string') found.push(item);
      else this.wrongType(item, `an entry of ${what}`, 'a string');
    }
    return found;
  }

  /** A required key that is absent: reported at the table's header. */
  required(table: TomlTable, key: string, what: string): TomlEntry | undefined {
    const entry = table.entries.get(key);
    if (entry === undefined) this.add(`${what} is missing the required key \`${key}\``, table.header);
    return entry;
  }

  wrongType(value: TomlValue, what: string, expected: string): void {
    this.add(`${what} must be ${expected}, not ${describeValue(value)}`, headline(value));
  }
}

/** A table given where something else belongs is pointed at by its header, not its whole body. */
function headline(value: TomlValue): TomlSpan {
  if (value.kind === 'table') return value.header;
  const first = value.kind === 'array' && value.ofTables ? value.items[0] : undefined;
  return first?.kind === 'table' ? first.header : value;
}

/** Text from the file as it appears inside a message: one line, and cut short when long. */
export function shown(text: string): string {
  const line = text.replace(/[\r\n\t]+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}

/**
 * The pip options a requirements file may hold, and optparse's way of reading them from the
 * words of a line: `--name=value`, `--name value`, unique prefixes of long names, `-xVALUE`,
 * `-x VALUE`, clustered short flags, and `--` ending the options.
 */
import { positionAt, positionsFrom, type CharPositions, type ShellWord } from './shlex';

/**
 * Where an option belongs. `global`: a line of its own, applies to the whole run.
 * `include`: `-r`/`-c`. `editable`: `-e`. `requirement`: on a requirement's line.
 */
export type OptionScope = 'global' | 'include' | 'editable' | 'requirement';

export interface OptionSpec {
  /** Canonical long name without dashes; the key in DocumentOptions.other / lineOptions. */
  key: string;
  long: string[];
  short?: string;
  takesValue: boolean;
  scope: OptionScope;
  /** Accepted for older files, though pip 26 no longer knows it. */
  legacy?: boolean;
  /** An option of pip's command line that pip 26 does not take in a requirements file. */
  commandLineOnly?: boolean;
}

/**
 * pip 26's SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ, plus the legacy ones older files carry,
 * plus `--uploaded-prior-to`, known so that its message can say where it belongs.
 */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'index-url', long: ['--index-url', '--pypi-url'], short: 'i', takesValue: true, scope: 'global' },
  { key: 'extra-index-url', long: ['--extra-index-url'], takesValue: true, scope: 'global' },
  { key: 'no-index', long: ['--no-index'], takesValue: false, scope: 'global' },
  { key: 'constraint', long: ['--constraint'], short: 'c', takesValue: true, scope: 'include' },
  { key: 'requirement', long: ['--requirement'], short: 'r', takesValue: true, scope: 'include' },
  { key: 'editable', long: ['--editable'], short: 'e', takesValue: true, scope: 'editable' },
  { key: 'find-links', long: ['--find-links'], short: 'f', takesValue: true, scope: 'global' },
  { key: 'no-binary', long: ['--no-binary'], takesValue: true, scope: 'global' },
  { key: 'only-binary', long: ['--only-binary'], takesValue: true, scope: 'global' },
  { key: 'prefer-binary', long: ['--prefer-binary'], takesValue: false, scope: 'global' },
  { key: 'require-hashes', long: ['--require-hashes'], takesValue: false, scope: 'global' },
  { key: 'no-require-hashes', long: ['--no-require-hashes'], takesValue: false, scope: 'global' },
  { key: 'pre', long: ['--pre'], takesValue: false, scope: 'global' },
  { key: 'all-releases', long: ['--all-releases'], takesValue: true, scope: 'global' },
  { key: 'only-final', long: ['--only-final'], takesValue: true, scope: 'global' },
  { key: 'uploaded-prior-to', long: ['--uploaded-prior-to'], takesValue: true, scope: 'global', commandLineOnly: true },
  { key: 'trusted-host', long: ['--trusted-host'], takesValue: true, scope: 'global' },
  { key: 'use-feature', long: ['--use-feature'], takesValue: true, scope: 'global' },
  { key: 'always-unzip', long: ['--always-unzip'], short: 'Z', takesValue: false, scope: 'global', legacy: true },
  { key: 'hash', long: ['--hash'], takesValue: true, scope: 'requirement' },
  { key: 'config-settings', long: ['--config-settings'], short: 'C', takesValue: true, scope: 'requirement' },
  { key: 'global-option', long: ['--global-option'], takesValue: true, scope: 'requirement', legacy: true },
];

const LONG_NAMES: ReadonlyMap<string, OptionSpec> = new Map(OPTION_SPECS.flatMap((spec) => spec.long.map((name) => [name, spec] as const)));
const SHORT_NAMES: ReadonlyMap<string, OptionSpec> = new Map(OPTION_SPECS.filter((s) => s.short).map((spec) => [spec.short as string, spec] as const));

/** Offsets into the text the words were split from; `positions` maps each value character. */
export interface OptionValue {
  text: string;
  positions: CharPositions;
  start: number;
  end: number;
}

export interface ParsedOption {
  spec: OptionSpec;
  /** As written, e.g. `--hash`, `-r`, `--index` (an abbreviation). */
  written: string;
  /** The option's own text (name, and value when attached). */
  start: number;
  end: number;
  value?: OptionValue;
}

export interface OptionError {
  message: string;
  start: number;
  end: number;
}

export interface ParsedOptions {
  options: ParsedOption[];
  /** Words that are not options (pip ignores them on an option line). */
  positionals: ShellWord[];
  errors: OptionError[];
}

/** Reads the words as optparse does. Errors leave out the offending word and go on. */
export function parseOptionWords(words: readonly ShellWord[]): ParsedOptions {
  const result: ParsedOptions = { options: [], positionals: [], errors: [] };
  let onlyPositionals = false;
  for (let w = 0; w < words.length; w++) {
    const word = words[w];
    const v = word.value;
    if (onlyPositionals || v === '-' || !v.startsWith('-')) {
      result.positionals.push(word);
      continue;
    }
    if (v === '--') {
      onlyPositionals = true;
      continue;
    }
    if (v.startsWith('--')) {
      w = readLong(words, w, result);
    } else {
      w = readShort(words, w, result);
    }
  }
  return result;
}

function readLong(words: readonly ShellWord[], w: number, result: ParsedOptions): number {
  const word = words[w];
  const eq = word.value.indexOf('=');
  const name = eq < 0 ? word.value : word.value.slice(0, eq);
  const nameEnd = eq < 0 ? word.end : positionAt(word.positions, eq);
  const match = matchLong(name);
  if (typeof match === 'string') {
    result.errors.push({ message: match, start: word.start, end: nameEnd });
    return w;
  }
  if (!match.takesValue) {
    if (eq >= 0) result.errors.push({ message: `The option ${match.long[0]} takes no value`, start: word.start, end: word.end });
    else result.options.push({ spec: match, written: name, start: word.start, end: word.end });
    return w;
  }
  if (eq >= 0) {
    result.options.push({ spec: match, written: name, start: word.start, end: word.end, value: valueOf(word, eq + 1) });
    return w;
  }
  const next = words[w + 1];
  if (!next) {
    result.errors.push({ message: `The option ${match.long[0]} needs a value`, start: word.start, end: word.end });
    return w;
  }
  result.options.push({ spec: match, written: name, start: word.start, end: word.end, value: valueOf(next, 0) });
  return w + 1;
}

function readShort(words: readonly ShellWord[], w: number, result: ParsedOptions): number {
  const word = words[w];
  const v = word.value;
  for (let i = 1; i < v.length; i++) {
    const at = positionAt(word.positions, i);
    const spec = SHORT_NAMES.get(v[i]);
    if (!spec) {
      result.errors.push({ message: `Unknown pip option -${v[i]} in a requirements file`, start: at, end: at + 1 });
      return w;
    }
    const optionStart = i === 1 ? word.start : at;
    if (!spec.takesValue) {
      result.options.push({ spec, written: `-${v[i]}`, start: optionStart, end: at + 1 });
      continue;
    }
    if (i + 1 < v.length) {
      result.options.push({ spec, written: `-${v[i]}`, start: optionStart, end: word.end, value: valueOf(word, i + 1) });
      return w;
    }
    const next = words[w + 1];
    if (!next) {
      result.errors.push({ message: `The option -${v[i]} (${spec.long[0]}) needs a value`, start: optionStart, end: word.end });
      return w;
    }
    result.options.push({ spec, written: `-${v[i]}`, start: optionStart, end: word.end, value: valueOf(next, 0) });
    return w + 1;
  }
  return w;
}

/** The spec for a long name or a unique prefix of one, else why not. */
function matchLong(name: string): OptionSpec | string {
  const exact = LONG_NAMES.get(name);
  if (exact) return exact;
  const candidates = [...LONG_NAMES.keys()].filter((long) => long.startsWith(name));
  const specs = new Set(candidates.map((long) => LONG_NAMES.get(long)));
  if (specs.size === 1) return LONG_NAMES.get(candidates[0]) as OptionSpec;
  const shown = name.length > 40 ? `${name.slice(0, 37)}…` : name;
  if (specs.size > 1) return `Ambiguous pip option ${shown}: could be ${candidates.join(', ')}`;
  return `Unknown pip option ${shown} in a requirements file`;
}

function valueOf(word: ShellWord, from: number): OptionValue {
  const positions = positionsFrom(word.positions, from);
  const text = word.value.slice(from);
  if (positions.length === 0) {
    // An empty value (`--opt=` or `''`): point just past the word's name part.
    const at = from > 0 && from <= word.positions.length ? positionAt(word.positions, from - 1) + 1 : word.start;
    return { text, positions, start: at, end: at };
  }
  return { text, positions, start: positionAt(positions, 0), end: positionAt(positions, positions.length - 1) + 1 };
}

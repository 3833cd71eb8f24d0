/**
 * PEP 508 dependency specifiers with source spans: `name[extras] (specifier) ; marker` and
 * `name[extras] @ URL ; marker`, following the grammar of the PyPA "Dependency specifiers"
 * specification as the `packaging` library reads it.
 *
 * Written by hand because no maintained JavaScript package parses PEP 508 and reports where each
 * part sits in the text, which the editor needs for its ranges. Version validity is delegated to
 * @renovatebot/pep440. One forward pass, no backtracking regexes: linear in the input length.
 * Never throws: every failure is an `{ ok: false }` result with a message and a span.
 */
import { explain } from '@renovatebot/pep440';

/** Offsets into the string given to parsePep508; end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** One `op version` clause of a version specifier. */
export interface SpecifierClause {
  operator: string;
  /** The version as written (may end in `.*`). */
  version: string;
  /** Operator to the end of the version. */
  span: Span;
  versionSpan: Span;
}

export interface Pep508Requirement {
  /** The name as written. */
  name: string;
  nameSpan: Span;
  extras: string[];
  /** Version specifier as written, whitespace trimmed (parentheses removed); '' when none. */
  specifier: string;
  specifierSpan?: Span;
  /** The clauses of the specifier, in order. */
  clauses: SpecifierClause[];
  /** The exact version when the specifier is a single `==X` (no `.*`) or `===X`. */
  pinnedVersion?: string;
  /** The version text after `==`/`===` of the pin. */
  versionSpan?: Span;
  marker?: string;
  markerSpan?: Span;
  /** `name @ URL` direct reference. */
  url?: string;
  urlSpan?: Span;
  /** Span of the whole requirement: name start to the end of the specifier/URL/marker, trailing whitespace excluded. */
  span: Span;
}

export type Pep508Result = { ok: true; requirement: Pep508Requirement } | { ok: false; message: string; span: Span };

export function parsePep508(text: string): Pep508Result {
  const parser = new Parser(text);
  try {
    return { ok: true, requirement: parser.requirement() };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { ok: false, message: error.message, span: error.span };
    // Only a bug gets here; it must still not escape to the caller.
    return { ok: false, message: `Invalid requirement (${String(error)})`, span: { start: 0, end: text.length } };
  }
}

/**
 * The end (exclusive) of a PEP 508 name starting at `start`, or -1 when none starts there.
 * A name is ASCII letters and digits with `.`, `-`, `_` inside; it ends at its last letter or digit.
 */
export function scanName(text: string, start: number): number {
  if (!isAlnum(text.charCodeAt(start))) return -1;
  let end = start + 1;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isAlnum(c)) end = i + 1;
    else if (c !== 0x2e /* . */ && c !== 0x2d /* - */ && c !== 0x5f /* _ */) break;
  }
  return end;
}

/** Whether `text` as a whole is a valid PEP 508 project name. */
export function isValidName(text: string): boolean {
  return text.length > 0 && scanName(text, 0) === text.length;
}

/**
 * Parses a marker expression (the text after `;`). Returns the span of the marker with
 * surrounding whitespace excluded, or a failure.
 */
export function parseMarker(text: string): { ok: true; span: Span } | { ok: false; message: string; span: Span } {
  const parser = new Parser(text);
  try {
    return { ok: true, span: parser.wholeMarker() };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { ok: false, message: error.message, span: error.span };
    return { ok: false, message: `Invalid marker (${String(error)})`, span: { start: 0, end: text.length } };
  }
}

class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly span: Span,
  ) {}
}

/** Marker parentheses deeper than this are refused instead of recursing further. */
const MAX_MARKER_DEPTH = 64;

const MARKER_VARIABLES = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'os.name',
  'sys_platform',
  'sys.platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform.version',
  'platform_machine',
  'platform.machine',
  'platform_python_implementation',
  'platform.python_implementation',
  'python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  'extras',
  'dependency_groups',
]);

const SPECIFIER_OPERATORS = ['===', '==', '!=', '~=', '<=', '>=', '<', '>'] as const;
const MARKER_OPERATORS = ['===', '==', '!=', '~=', '<=', '>=', '<', '>'] as const;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  requirement(): Pep508Requirement {
    const text = this.text;
    this.skipWs();
    const nameStart = this.pos;
    const nameEnd = scanName(text, nameStart);
    if (nameEnd < 0) {
      this.fail(this.pos >= text.length ? 'Expected a package name' : 'Expected a package name at the start of the requirement (letters, digits, ".", "-", "_")');
    }
    this.pos = nameEnd;
    const nameSpan = { start: nameStart, end: nameEnd };
    let lastEnd = nameEnd;
    if (isNameSeparator(text.charCodeAt(nameEnd))) {
      this.fail('A package name must end with a letter or digit', nameEnd, nameEnd + 1);
    }

    this.skipWs();
    const extras: string[] = [];
    if (this.peek() === '[') {
      lastEnd = this.extras(extras);
      this.skipWs();
    }

    const requirement: Pep508Requirement = {
      name: text.slice(nameStart, nameEnd),
      nameSpan,
      extras,
      specifier: '',
      clauses: [],
      span: { start: nameStart, end: lastEnd },
    };

    if (this.peek() === '@') {
      this.pos++;
      this.skipWs();
      const urlStart = this.pos;
      while (this.pos < text.length && !isWs(text.charCodeAt(this.pos))) this.pos++;
      if (this.pos === urlStart) this.fail('Expected a URL after "@"');
      requirement.url = text.slice(urlStart, this.pos);
      requirement.urlSpan = { start: urlStart, end: this.pos };
      lastEnd = this.pos;
      this.skipWs();
      if (this.pos < text.length) {
        if (this.peek() !== ';') this.fail('Expected end or ";" after the URL and whitespace');
        lastEnd = this.requirementMarker(requirement);
      }
      requirement.span.end = lastEnd;
      return requirement;
    }

    const specifierEnd = this.specifier(requirement);
    if (specifierEnd >= 0) lastEnd = specifierEnd;
    this.skipWs();
    if (this.pos < text.length) {
      if (this.peek() !== ';') {
        const after = requirement.clauses.length > 0 ? 'the version specifier' : 'the name';
        if (this.peek() === '=' || this.peek() === '!' || this.peek() === '~') this.fail(operatorMessage(text, this.pos));
        this.fail(`Expected end, a version specifier or ";" after ${after}`);
      }
      lastEnd = this.requirementMarker(requirement);
    }
    requirement.span.end = lastEnd;
    return requirement;
  }

  /** The whole text as a marker expression (used by parseMarker). */
  wholeMarker(): Span {
    this.skipWs();
    const start = this.pos;
    const end = this.markerOr();
    this.skipWs();
    if (this.pos < this.text.length) this.fail('Expected "and", "or" or the end of the marker');
    return { start, end };
  }

  /** `; marker` to the end of the text; returns the marker's end. */
  private requirementMarker(requirement: Pep508Requirement): number {
    this.pos++; // ';'
    this.skipWs();
    const start = this.pos;
    const end = this.markerOr();
    this.skipWs();
    if (this.pos < this.text.length) this.fail('Expected "and", "or" or the end of the requirement after the marker');
    requirement.marker = this.text.slice(start, end);
    requirement.markerSpan = { start, end };
    return end;
  }

  /** `[a, b]`; returns the end of `]`. */
  private extras(into: string[]): number {
    const open = this.pos;
    this.pos++;
    this.skipWs();
    if (this.peek() === ']') {
      this.pos++;
      return this.pos;
    }
    for (;;) {
      const start = this.pos;
      const end = scanName(this.text, start);
      if (end < 0) {
        if (this.pos >= this.text.length) this.fail('Expected "]" to close the extras opened here', open, open + 1);
        this.fail('Expected an extra name');
      }
      into.push(this.text.slice(start, end));
      this.pos = end;
      this.skipWs();
      const c = this.peek();
      if (c === ']') {
        this.pos++;
        return this.pos;
      }
      if (c === ',') {
        this.pos++;
        this.skipWs();
        continue;
      }
      if (this.pos >= this.text.length) this.fail('Expected "]" to close the extras opened here', open, open + 1);
      if (isAlnum(this.text.charCodeAt(this.pos))) this.fail('Expected a comma between extra names');
      this.fail('Expected "," or "]" in the extras');
    }
  }

  /**
   * A version specifier, bare or in parentheses. Returns the end of the last consumed
   * character (the `)` when parenthesized), or -1 when there is none.
   */
  private specifier(requirement: Pep508Requirement): number {
    if (this.peek() === '(') {
      const open = this.pos;
      this.pos++;
      this.skipWs();
      this.versionMany(requirement);
      this.skipWs();
      if (this.peek() !== ')') {
        if (this.pos >= this.text.length) this.fail('Expected ")" to close the "(" opened here', open, open + 1);
        this.fail('Expected "," or ")" in the version specifier');
      }
      this.pos++;
      return this.pos;
    }
    return this.versionMany(requirement);
  }

  /** Comma-separated clauses; returns the end of the last one, or -1 when there are none. */
  private versionMany(requirement: Pep508Requirement): number {
    const clauses = requirement.clauses;
    if (!this.atOperator()) return -1;
    for (;;) {
      clauses.push(this.clause());
      const save = this.pos;
      this.skipWs();
      if (this.peek() !== ',') {
        this.pos = save;
        break;
      }
      this.pos++;
      this.skipWs();
      // packaging reads `>=1.19,<2.0,` as the two clauses: a trailing comma ends the list.
      if (!this.atOperator()) break;
    }
    const first = clauses[0];
    const last = clauses[clauses.length - 1];
    requirement.specifierSpan = { start: first.span.start, end: last.span.end };
    requirement.specifier = this.text.slice(first.span.start, last.span.end);
    if (clauses.length === 1 && (first.operator === '===' || (first.operator === '==' && !first.version.endsWith('.*')))) {
      requirement.pinnedVersion = first.version;
      requirement.versionSpan = first.versionSpan;
    }
    return last.span.end;
  }

  private atOperator(): boolean {
    const c = this.peek();
    return c === '<' || c === '>' || c === '=' || c === '!' || c === '~';
  }

  private clause(): SpecifierClause {
    const text = this.text;
    const start = this.pos;
    const operator = text.startsWith('<>', start) ? undefined : SPECIFIER_OPERATORS.find((op) => text.startsWith(op, start));
    if (!operator) this.fail(operatorMessage(text, start), start, start + 1);
    this.pos += operator.length;
    this.skipWs();
    const versionStart = this.pos;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (isWs(c) || c === 0x2c /* , */ || c === 0x3b /* ; */ || c === 0x29 /* ) */) break;
      this.pos++;
    }
    const versionEnd = this.pos;
    if (versionEnd === versionStart) this.fail(`Expected a version after "${operator}"`, start, versionEnd);
    const version = text.slice(versionStart, versionEnd);
    const problem = versionProblem(operator, version);
    if (problem) this.fail(problem, versionStart, versionEnd);
    return { operator, version, span: { start, end: versionEnd }, versionSpan: { start: versionStart, end: versionEnd } };
  }

  // marker_or := marker_and ('or' marker_and)*
  private markerOr(): number {
    let end = this.markerAnd();
    for (;;) {
      const save = this.pos;
      this.skipWs();
      if (!this.keyword('or')) {
        this.pos = save;
        return end;
      }
      end = this.markerAnd();
    }
  }

  // marker_and := marker_atom ('and' marker_atom)*
  private markerAnd(): number {
    let end = this.markerAtom();
    for (;;) {
      const save = this.pos;
      this.skipWs();
      if (!this.keyword('and')) {
        this.pos = save;
        return end;
      }
      end = this.markerAtom();
    }
  }

  // marker_atom := '(' marker_or ')' | marker_var marker_op marker_var
  private markerAtom(): number {
    this.skipWs();
    if (this.peek() === '(') {
      const open = this.pos;
      if (++this.depth > MAX_MARKER_DEPTH) this.fail('The marker is nested too deeply');
      this.pos++;
      this.markerOr();
      this.skipWs();
      if (this.peek() !== ')') {
        if (this.pos >= this.text.length) this.fail('Expected ")" to close the "(" opened here', open, open + 1);
        this.fail('Expected "and", "or" or ")" in the marker');
      }
      this.pos++;
      this.depth--;
      return this.pos;
    }
    this.markerVar();
    this.skipWs();
    this.markerOp();
    this.skipWs();
    return this.markerVar();
  }

  private markerVar(): number {
    const text = this.text;
    const c = this.peek();
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, this.pos + 1);
      if (close < 0) this.fail('Unterminated string in the marker', this.pos, text.length);
      const problem = pythonStringProblem(text.slice(this.pos + 1, close));
      if (problem) this.fail(`Invalid quoted string: ${problem}`, this.pos, close + 1);
      this.pos = close + 1;
      return this.pos;
    }
    const start = this.pos;
    let end = start;
    while (end < text.length && isMarkerWordChar(text.charCodeAt(end))) end++;
    const word = text.slice(start, end);
    if (!MARKER_VARIABLES.has(word)) {
      if (word) this.fail(`Unknown marker variable "${truncate(word)}"`, start, end);
      this.fail('Expected a marker variable (like python_version) or a quoted string');
    }
    this.pos = end;
    return end;
  }

  private markerOp(): void {
    const text = this.text;
    if (this.keyword('in')) return;
    if (this.keyword('not')) {
      const afterNot = this.pos;
      this.skipWs();
      if (this.pos === afterNot) this.fail('Expected whitespace after "not"');
      if (!this.keyword('in')) this.fail('Expected "in" after "not"');
      return;
    }
    const op = MARKER_OPERATORS.find((candidate) => text.startsWith(candidate, this.pos));
    if (!op) this.fail('Expected a marker operator: one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
    this.pos += op.length;
  }

  /** Consumes `word` when it stands at pos as a whole word. */
  private keyword(word: string): boolean {
    const text = this.text;
    if (!text.startsWith(word, this.pos)) return false;
    const after = text.charCodeAt(this.pos + word.length);
    if (isWordChar(after)) return false;
    if (this.pos > 0 && isWordChar(text.charCodeAt(this.pos - 1))) return false;
    this.pos += word.length;
    return true;
  }

  private peek(): string {
    return this.text.charAt(this.pos);
  }

  private skipWs(): void {
    while (this.pos < this.text.length && isWs(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /** Fails at [start, end); by default the run of non-whitespace at pos. */
  private fail(message: string, start = this.pos, end?: number): never {
    let stop = end;
    if (stop === undefined) {
      stop = start;
      while (stop < this.text.length && !isWs(this.text.charCodeAt(stop))) stop++;
    }
    throw new SyntaxFailure(message, { start: Math.min(start, this.text.length), end: Math.min(Math.max(stop, start), this.text.length) });
  }
}

/**
 * Why the inside of a marker string is not a valid Python string literal, as packaging 26.3 reads
 * it (`ast.literal_eval` of the quoted text; the string ends at the first matching quote, escapes
 * or not). Undefined when it is valid. `\N{…}` is taken for any name: no Unicode name table here.
 */
function pythonStringProblem(inside: string): string | undefined {
  for (let i = 0; i < inside.length; i++) {
    const c = inside.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return 'a line break inside a quoted string';
    if (c !== 0x5c /* \ */) continue;
    if (i + 1 >= inside.length) return 'a backslash before the closing quote escapes it, so the string never ends';
    const escape = inside[i + 1];
    const hexDigits = escape === 'x' ? 2 : escape === 'u' ? 4 : escape === 'U' ? 8 : 0;
    if (hexDigits > 0) {
      const digits = inside.slice(i + 2, i + 2 + hexDigits);
      if (digits.length < hexDigits || !/^[0-9a-fA-F]+$/.test(digits)) return `"\\${escape}" needs ${hexDigits} hexadecimal digits`;
      if (escape === 'U' && Number.parseInt(digits, 16) > 0x10ffff) return `"\\U${digits}" is not a Unicode character`;
      i += 1 + hexDigits;
    } else if (escape === 'N') {
      const end = inside.indexOf('}', i + 2);
      if (inside[i + 2] !== '{' || end < 0 || end === i + 3) return '"\\N" needs a character name in braces, like \\N{DASH}';
      i = end;
    } else {
      i++; // `\\`, `\"`, `\n`, octal digits, or an unknown escape Python keeps as written
    }
  }
  return undefined;
}

const PLAIN_RELEASE = /^[0-9]+(?:\.[0-9]+)*$/;

/** Why `version` cannot follow `operator`, or undefined when it can (PEP 440 specifier rules). */
function versionProblem(operator: string, version: string): string | undefined {
  if (operator === '===') return undefined;
  const wildcard = version.endsWith('.*');
  const bare = wildcard ? version.slice(0, -2) : version;
  // Most versions are plain release numbers; they need no full PEP 440 parse.
  if (PLAIN_RELEASE.test(bare)) return operator === '~=' && bare.indexOf('.') < 0 ? '"~=" needs at least two release segments, like ~=1.4' : wildcard && operator !== '==' && operator !== '!=' ? 'A ".*" suffix can only be used with == or !=' : undefined;
  const parsed = explain(bare);
  if (!parsed) return `"${truncate(version)}" is not a valid version (PEP 440)`;
  if (wildcard) {
    if (operator !== '==' && operator !== '!=') return 'A ".*" suffix can only be used with == or !=';
    if (parsed.local !== null) return 'A ".*" suffix cannot follow a local version label';
    // packaging's prefix match takes release segments only (and an epoch).
    if (parsed.pre !== null) return 'A ".*" suffix cannot follow a pre-release (a, b, rc)';
    if (parsed.post !== null) return 'A ".*" suffix cannot follow a post-release';
    if (parsed.dev !== null) return 'A ".*" suffix cannot follow a dev release';
  }
  if (parsed.local !== null && operator !== '==' && operator !== '!=') return `A local version label ("+${truncate(parsed.local)}") can only be used with == or !=`;
  if (operator === '~=' && parsed.release.length < 2) return '"~=" needs at least two release segments, like ~=1.4';
  return undefined;
}

function operatorMessage(text: string, at: number): string {
  if (text.startsWith('=', at) && !text.startsWith('==', at)) return '"=" is not a valid operator. Did you mean "=="?';
  if (text.startsWith('<>', at)) return '"<>" is not a valid operator. Did you mean "!="?';
  return 'Invalid version operator: use one of ==, !=, <=, >=, <, >, ~=, ===';
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isNameSeparator(c: number): boolean {
  return c === 0x2e || c === 0x2d || c === 0x5f;
}

/** PEP 508 whitespace: space and tab. */
function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `\w` for the word-boundary tests of marker keywords. */
function isWordChar(c: number): boolean {
  return isAlnum(c) || c === 0x5f;
}

/** Characters of a marker variable name (`os.name` has a dot). */
function isMarkerWordChar(c: number): boolean {
  return isWordChar(c) || c === 0x2e;
}

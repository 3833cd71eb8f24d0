/**
 * The fast way to a TomlTable tree (see document.ts): smol-toml validates the document and
 * decodes its strings, then the light scanner here walks the text once more, knowing it is valid
 * TOML, and records where each key, value and table is, building the same tree as the exact path
 * in parse.ts (toml-eslint-parser), span for span.
 *
 * smol-toml reads TOML 1.1, a superset of the 1.0 that tomllib (and so pip and uv's users) read.
 * The scanner therefore gives up on everything only 1.1 allows — a newline, comment or trailing
 * comma inside an inline table, the `\e` and `\x` escapes, a time without seconds — and on
 * anything else it does not expect (a bare key outside `A-Za-z0-9_-`, an escape inside a key, a
 * date that is not on the calendar, nesting deeper than MAX_TOML_DEPTH, a value that disagrees
 * with smol-toml's); then `undefined`
 * sends the document to the exact parser, which gives the answer and, for a broken document, the
 * exact error. Never throws.
 */
import { parse as parseValues } from 'smol-toml';
import type { TomlArray, TomlDateTime, TomlEntry, TomlSpan, TomlString, TomlTable, TomlValue } from './document';
import { MAX_TOML_DEPTH } from './scan';

/** What smol-toml gives for a table or an array: plain objects and arrays. */
type Values = Record<string, unknown>;

/** Thrown inside the scanner to give up; caught in fastTomlTree. */
const GIVE_UP = Symbol('give up');

/** The tree of `source` when both parsers read it the same way; undefined when the exact parser must decide. */
export function fastTomlTree(source: string): TomlTable | undefined {
  let values: Values;
  try {
    values = parseValues(source) as Values;
  } catch {
    return undefined;
  }
  try {
    return new PositionScanner(source, values).run();
  } catch {
    // GIVE_UP, or a stack overflow on deep nesting: the exact parser decides either way.
    return undefined;
  }
}

function giveUp(): never {
  throw GIVE_UP;
}

interface KeySegment {
  name: string;
  start: number;
  end: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const HASH = 0x23;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const DOT = 0x2e;
const EQUALS = 0x3d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isBareKeyChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
}

/** Characters of a bare value: numbers, booleans, date-times (`+-.:_`, letters for `e`, `inf`, `T`, `Z`, hex). */
function isBareValueChar(c: number): boolean {
  return isBareKeyChar(c) || c === 0x2b || c === DOT || c === 0x3a;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))?$/;
const LOCAL_TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?$/;
const SPECIAL_FLOAT = /^[+-]?(inf|nan)$/;

class PositionScanner {
  private pos = 0;
  private readonly root: TomlTable;
  /** The table the key/value lines now being read go into, its values, and its array when it is a `[[name]]` element. */
  private section: TomlTable;
  private sectionValues: Values;
  private sectionArray: TomlArray | undefined;
  /** See backslashFrom: starts below every offset, so the first call searches. */
  private nextBackslash = -2;
  /** Arrays and inline tables open; past MAX_TOML_DEPTH the exact parser says so. */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly values: Values,
  ) {
    this.root = { kind: 'table', entries: new Map(), origin: 'root', start: 0, end: text.length, header: { start: 0, end: this.lineEnd(0) } };
    this.section = this.root;
    this.sectionValues = values;
  }

  run(): TomlTable {
    const text = this.text;
    for (;;) {
      this.skipBlankLines();
      if (this.pos >= text.length) return this.root;
      if (text.charCodeAt(this.pos) === OPEN_BRACKET) {
        this.header();
      } else {
        const end = this.keyValue(this.section, this.sectionValues);
        if (this.section !== this.root) {
          this.section.end = end;
          if (this.sectionArray !== undefined && end > this.sectionArray.end) this.sectionArray.end = end;
        }
      }
      this.endOfLine();
    }
  }

  // ── lines ──────────────────────────────────────────────────────────────

  private lineEnd(from: number): number {
    let end = from;
    const text = this.text;
    while (end < text.length && text.charCodeAt(end) !== NEWLINE && text.charCodeAt(end) !== RETURN) end++;
    return end;
  }

  private skipSpaces(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) return;
      this.pos++;
    }
  }

  /** Whitespace, comments and newlines (between lines, or between an array's items). */
  private skipBlankLines(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === SPACE || c === TAB || c === NEWLINE || c === RETURN) this.pos++;
      else if (c === HASH) this.pos = this.lineEnd(this.pos);
      else return;
    }
  }

  /** After a key/value or a header: spaces, a comment, then a newline or the end. */
  private endOfLine(): void {
    this.skipSpaces();
    const text = this.text;
    if (this.pos < text.length && text.charCodeAt(this.pos) === HASH) this.pos = this.lineEnd(this.pos);
    if (this.pos >= text.length) return;
    const c = text.charCodeAt(this.pos);
    if (c === NEWLINE) this.pos++;
    else if (c === RETURN && text.charCodeAt(this.pos + 1) === NEWLINE) this.pos += 2;
    else giveUp();
  }

  // ── keys ───────────────────────────────────────────────────────────────

  /** A dotted key; the scanner stops right after its last segment. */
  private key(): KeySegment[] {
    const segments: KeySegment[] = [];
    const text = this.text;
    for (;;) {
      this.skipSpaces();
      const start = this.pos;
      const c = text.charCodeAt(start);
      let name: string;
      if (c === QUOTE) {
        const close = text.indexOf('"', start + 1);
        if (close < 0) giveUp();
        name = text.slice(start + 1, close);
        // An escape inside a key is rare enough to leave to the exact parser.
        if (name.includes('\\') || name.includes('\n')) giveUp();
        this.pos = close + 1;
      } else if (c === APOSTROPHE) {
        const close = text.indexOf("'", start + 1);
        if (close < 0) giveUp();
        name = text.slice(start + 1, close);
        if (name.includes('\n')) giveUp();
        this.pos = close + 1;
      } else {
        let end = start;
        while (end < text.length && isBareKeyChar(text.charCodeAt(end))) end++;
        if (end === start) giveUp();
        name = text.slice(start, end);
        this.pos = end;
      }
      segments.push({ name, start, end: this.pos });
      const afterSegment = this.pos;
      this.skipSpaces();
      if (text.charCodeAt(this.pos) !== DOT) {
        this.pos = afterSegment;
        return segments;
      }
      this.pos++;
    }
  }

  // ── headers ────────────────────────────────────────────────────────────

  /** `[a.b]` or `[[a.b]]`: the table the following lines fill. */
  private header(): void {
    const text = this.text;
    const start = this.pos;
    const isArray = text.charCodeAt(start + 1) === OPEN_BRACKET;
    this.pos += isArray ? 2 : 1;
    const keys = this.key();
    this.skipSpaces();
    if (text.charCodeAt(this.pos) !== CLOSE_BRACKET) giveUp();
    this.pos++;
    if (isArray) {
      if (text.charCodeAt(this.pos) !== CLOSE_BRACKET) giveUp();
      this.pos++;
    }
    const header: TomlSpan = { start, end: this.pos };

    let container = this.root;
    let containerValues = this.values;
    for (let i = 0; i < keys.length - 1; i++) {
      const segment = keys[i];
      const existing = container.entries.get(segment.name);
      if (existing === undefined) {
        const where = { start: segment.start, end: segment.end };
        const implicit: TomlTable = { kind: 'table', entries: new Map(), origin: 'implicit', ...where, header: where };
        container.entries.set(segment.name, { key: segment.name, keySpan: { ...where }, value: implicit });
        container = implicit;
        containerValues = objectAt(containerValues, segment.name);
        continue;
      }
      const value = existing.value;
      if (value.kind === 'array' && value.ofTables) {
        const last = value.items[value.items.length - 1];
        if (last?.kind !== 'table') giveUp();
        container = last;
        containerValues = asObject(arrayAt(containerValues, segment.name)[value.items.length - 1]);
      } else if (value.kind === 'table') {
        container = value;
        containerValues = objectAt(containerValues, segment.name);
      } else {
        giveUp();
      }
    }

    const last = keys[keys.length - 1];
    const keySpan = { start: last.start, end: last.end };
    const existing = container.entries.get(last.name);
    if (isArray) {
      const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'array-header', start, end: header.end, header };
      let array: TomlArray;
      if (existing === undefined) {
        array = { kind: 'array', items: [table], ofTables: true, start, end: header.end };
        container.entries.set(last.name, { key: last.name, keySpan, value: array });
      } else {
        if (existing.value.kind !== 'array' || !existing.value.ofTables) giveUp();
        array = existing.value;
        array.items.push(table);
        if (header.end > array.end) array.end = header.end;
      }
      const elements = arrayAt(containerValues, last.name);
      if (elements.length < array.items.length) giveUp();
      this.enter(table, asObject(elements[array.items.length - 1]), array);
      return;
    }
    if (existing === undefined) {
      const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'header', start, end: header.end, header };
      container.entries.set(last.name, { key: last.name, keySpan, value: table });
      this.enter(table, objectAt(containerValues, last.name), undefined);
      return;
    }
    if (existing.value.kind !== 'table' || existing.value.origin !== 'implicit') giveUp();
    // `[a]` after `[a.b]` defines the table `[a.b]` implied: from now on it has a header.
    Object.assign(existing.value, { origin: 'header', start, end: header.end, header });
    this.enter(existing.value, objectAt(containerValues, last.name), undefined);
  }

  private enter(table: TomlTable, values: Values, array: TomlArray | undefined): void {
    this.section = table;
    this.sectionValues = values;
    this.sectionArray = array;
  }

  // ── key/value pairs ────────────────────────────────────────────────────

  /** `a.b.c = v` into `table` (dotted tables made as needed); the offset where the value ends. */
  private keyValue(table: TomlTable, tableValues: Values): number {
    const text = this.text;
    const start = this.pos;
    const keys = this.key();
    const keyEnd = this.pos;
    this.skipSpaces();
    if (text.charCodeAt(this.pos) !== EQUALS) giveUp();
    this.pos++;
    this.skipSpaces();

    let target = table;
    let targetValues = tableValues;
    const madeDotted: TomlTable[] | undefined = keys.length > 1 ? [] : undefined;
    for (let i = 0; i < keys.length - 1; i++) {
      const segment = keys[i];
      const existing = target.entries.get(segment.name);
      if (existing !== undefined) {
        if (existing.value.kind !== 'table') giveUp();
        target = existing.value;
      } else {
        const dotted: TomlTable = { kind: 'table', entries: new Map(), origin: 'dotted', start, end: start, header: { start, end: keyEnd } };
        target.entries.set(segment.name, { key: segment.name, keySpan: { start: segment.start, end: segment.end }, value: dotted });
        madeDotted?.push(dotted);
        target = dotted;
      }
      targetValues = objectAt(targetValues, segment.name);
    }
    const last = keys[keys.length - 1];
    if (target.entries.has(last.name) || !Object.hasOwn(targetValues, last.name)) giveUp();
    const value = this.value(targetValues[last.name]);
    for (const dotted of madeDotted ?? []) dotted.end = value.end;
    const entry: TomlEntry = { key: last.name, keySpan: { start: last.start, end: last.end }, value };
    target.entries.set(last.name, entry);
    return value.end;
  }

  // ── values ─────────────────────────────────────────────────────────────

  private value(expected: unknown): TomlValue {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === QUOTE || c === APOSTROPHE) return this.string(expected);
    if (c !== OPEN_BRACKET && c !== OPEN_BRACE) return this.bare(expected);
    if (++this.depth > MAX_TOML_DEPTH) giveUp();
    const value = c === OPEN_BRACKET ? this.array(expected) : this.inlineTable(expected);
    this.depth--;
    return value;
  }

  private string(expected: unknown): TomlString {
    if (typeof expected !== 'string') giveUp();
    const text = this.text;
    const start = this.pos;
    const quote = text.charCodeAt(start);
    const basic = quote === QUOTE;
    const multiline = text.charCodeAt(start + 1) === quote && text.charCodeAt(start + 2) === quote;
    let end: number;
    if (multiline) {
      const delimiter = basic ? '"""' : "'''";
      let from = start + 3;
      for (;;) {
        const close = text.indexOf(delimiter, from);
        if (close < 0) giveUp();
        if (basic && this.escapedAt(close, start + 3)) {
          from = close + 1;
          continue;
        }
        end = close + 3;
        // Up to two quotes may sit right before the closing delimiter (`""""` ends with one).
        while (end < close + 5 && text.charCodeAt(end) === quote) end++;
        break;
      }
      if (basic) this.checkEscapes(start + 3, end - 3);
      // The exact parser reads a CRLF inside as LF, smol-toml keeps it: rare, so left to the exact one.
      if (expected.includes('\r')) giveUp();
    } else if (basic) {
      // The text is valid TOML, so the first quote not escaped closes the string.
      let from = start + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close < 0) giveUp();
        const backslash = this.backslashFrom(from);
        if (backslash < 0 || backslash > close) {
          end = close + 1;
          break;
        }
        this.checkEscape(backslash + 1);
        from = backslash + 2;
      }
    } else {
      const close = text.indexOf("'", start + 1);
      if (close < 0) giveUp();
      end = close + 1;
    }
    this.pos = end;
    return { kind: 'string', value: expected, style: basic ? 'basic' : 'literal', multiline, start, end };
  }

  /** The first backslash at or after `from` (-1 when none), remembered so the text is searched once. */
  private backslashFrom(from: number): number {
    if (this.nextBackslash !== -1 && this.nextBackslash < from) this.nextBackslash = this.text.indexOf('\\', from);
    return this.nextBackslash;
  }

  /** Whether the character at `at` follows an odd run of backslashes. */
  private escapedAt(at: number, floor: number): boolean {
    let count = 0;
    for (let j = at - 1; j >= floor && this.text.charCodeAt(j) === BACKSLASH; j--) count++;
    return count % 2 === 1;
  }

  private checkEscapes(from: number, to: number): void {
    const text = this.text;
    for (let i = text.indexOf('\\', from); i >= 0 && i < to; i = text.indexOf('\\', i + 2)) this.checkEscape(i + 1);
  }

  /** `\e` and `\xHH` are TOML 1.1 only. */
  private checkEscape(at: number): void {
    const c = this.text.charCodeAt(at);
    if (c === 0x65 || c === 0x78) giveUp();
  }

  private array(expected: unknown): TomlArray {
    if (!Array.isArray(expected)) giveUp();
    const text = this.text;
    const start = this.pos;
    this.pos++;
    const items: TomlValue[] = [];
    for (;;) {
      // Newlines and comments may sit between items, even in an array inside an inline table.
      this.skipBlankLines();
      if (text.charCodeAt(this.pos) === CLOSE_BRACKET) break;
      if (items.length >= expected.length) giveUp();
      items.push(this.value(expected[items.length]));
      this.skipBlankLines();
      const c = text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c !== CLOSE_BRACKET) giveUp();
      break;
    }
    if (items.length !== expected.length) giveUp();
    this.pos++;
    return { kind: 'array', items, ofTables: false, start, end: this.pos };
  }

  private inlineTable(expected: unknown): TomlTable {
    const values = asObject(expected);
    const text = this.text;
    const start = this.pos;
    this.pos++;
    const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'inline', start, end: start, header: { start, end: start } };
    this.skipSpaces();
    if (text.charCodeAt(this.pos) !== CLOSE_BRACE) {
      for (;;) {
        this.keyValue(table, values);
        this.skipSpaces();
        const c = text.charCodeAt(this.pos);
        if (c === COMMA) {
          this.pos++;
          this.skipSpaces();
          // A trailing comma is TOML 1.1 only (so is a newline, which skipSpaces leaves in place).
          if (text.charCodeAt(this.pos) === CLOSE_BRACE) giveUp();
          continue;
        }
        if (c !== CLOSE_BRACE) giveUp();
        break;
      }
    }
    this.pos++;
    if (table.entries.size !== Object.keys(values).length) giveUp();
    table.end = this.pos;
    table.header = { start, end: this.pos };
    return table;
  }

  /** A number, a boolean or a date-time. */
  private bare(expected: unknown): TomlValue {
    const text = this.text;
    const start = this.pos;
    let end = start;
    while (end < text.length && isBareValueChar(text.charCodeAt(end))) end++;
    // `1979-05-27 07:32:00`: a space may separate a date and its time.
    if (text.charCodeAt(end) === SPACE && LOCAL_DATE.test(text.slice(start, end)) && /^\d{2}:/.test(text.slice(end + 1, end + 4))) {
      end++;
      while (end < text.length && isBareValueChar(text.charCodeAt(end))) end++;
    }
    if (end === start) giveUp();
    const raw = text.slice(start, end);
    this.pos = end;
    if (raw === 'true' || raw === 'false') {
      if (expected !== (raw === 'true')) giveUp();
      return { kind: 'boolean', value: raw === 'true', start, end };
    }
    if ((raw.charCodeAt(2) === 0x3a || raw.charCodeAt(4) === 0x2d) && /^\d{4}-|^\d{2}:/.test(raw)) {
      // `hh:` or `yyyy-`: a date-time; one that only TOML 1.1 (or no calendar) allows is left to the exact parser.
      const dateTime = dateTimeKind(raw);
      if (dateTime === undefined || typeof expected !== 'object' || expected === null) giveUp();
      return { kind: 'datetime', dateTimeKind: dateTime, text: raw, start, end };
    }
    if (typeof expected !== 'number') giveUp();
    const digits = raw.includes('_') ? raw.replace(/_/g, '') : raw;
    const special = SPECIAL_FLOAT.test(raw);
    if (special || (!/^0[xob]/.test(raw) && /[.eE]/.test(raw))) {
      const value = special ? (raw.endsWith('nan') ? Number.NaN : raw.startsWith('-') ? -Infinity : Infinity) : Number(digits);
      if (!Object.is(value, expected) && !(Number.isNaN(value) && Number.isNaN(expected))) giveUp();
      return { kind: 'float', value, start, end };
    }
    const bigint = BigInt(digits);
    const value = Number(bigint);
    if (value !== expected) giveUp();
    return { kind: 'integer', value, bigint, start, end };
  }
}

function asObject(value: unknown): Values {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) giveUp();
  return value as Values;
}

function objectAt(values: Values, key: string): Values {
  if (!Object.hasOwn(values, key)) giveUp();
  return asObject(values[key]);
}

function arrayAt(values: Values, key: string): unknown[] {
  const value = Object.hasOwn(values, key) ? values[key] : undefined;
  if (!Array.isArray(value)) giveUp();
  return value;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(year: string, month: string, day: string): boolean {
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > DAYS_IN_MONTH[m - 1]) return false;
  const y = Number(year);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return !(m === 2 && d === 29 && !leap);
}

function validTime(hour: string, minute: string, second: string): boolean {
  return Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 60;
}

/** The TOML 1.0 kind of a date-time as written; undefined when it is not one (or not a valid one). */
function dateTimeKind(raw: string): TomlDateTime['dateTimeKind'] | undefined {
  let match = LOCAL_DATE.exec(raw);
  if (match !== null) return validDate(match[1], match[2], match[3]) ? 'local-date' : undefined;
  match = DATE_TIME.exec(raw);
  if (match !== null) {
    if (!validDate(match[1], match[2], match[3]) || !validTime(match[4], match[5], match[6])) return undefined;
    if (match[8] === undefined) return 'local-date-time';
    if (match[9] !== undefined && (Number(match[9]) > 23 || Number(match[10]) > 59)) return undefined;
    return 'offset-date-time';
  }
  match = LOCAL_TIME.exec(raw);
  if (match !== null) return validTime(match[1], match[2], match[3]) ? 'local-time' : undefined;
  return undefined;
}

/**
 * The values of the fast TOML way (positions.ts), read and checked as TOML 1.0 says: strings of
 * all four kinds decoded, numbers, booleans and date-times. Each reader takes the text and the
 * offset where the value starts and either gives the value and where it ends or gives up
 * (`GiveUp`), leaving the document to the exact parser — for an error, and for anything this
 * file does not read with certainty. Hand-written because no TOML library gives values with
 * their positions cheaply (see the repository README).
 */
import type { TomlBoolean, TomlDateTime, TomlFloat, TomlInteger } from './document';
import { APOSTROPHE, BACKSLASH, DELETE, NEWLINE, QUOTE, RETURN, SPACE, TAB } from './charCodes';

/** Thrown to leave a document to the exact parser; caught in fastTomlTree. */
export class GiveUp {}
const GIVE_UP = new GiveUp();

export function giveUp(): never {
  throw GIVE_UP;
}

/** A control character TOML 1.0 allows in no string or comment (a tab is allowed). */
export function isForbiddenControl(c: number): boolean {
  return (c < SPACE && c !== TAB) || c === DELETE;
}

export interface ReadString {
  value: string;
  end: number;
}

/** A one-line basic or literal string opening at `start` (a quote), as a key or a value. */
export function readLineString(text: string, start: number): ReadString {
  const quote = text.charCodeAt(start);
  const basic = quote === QUOTE;
  let i = start + 1;
  const length = text.length;
  for (;;) {
    if (i >= length) giveUp();
    const c = text.charCodeAt(i);
    if (c === quote) return { value: text.slice(start + 1, i), end: i + 1 };
    if (basic && c === BACKSLASH) break;
    // A newline ends the line before the string: unterminated.
    if (isForbiddenControl(c)) giveUp();
    i++;
  }
  // An escape: from here on the value is built in parts.
  const parts: string[] = [text.slice(start + 1, i)];
  for (;;) {
    if (i >= length) giveUp();
    const c = text.charCodeAt(i);
    if (c === QUOTE) return { value: parts.join(''), end: i + 1 };
    if (c === BACKSLASH) {
      i = readEscape(text, i, parts);
      continue;
    }
    if (isForbiddenControl(c)) giveUp();
    const from = i;
    i++;
    while (i < length) {
      const d = text.charCodeAt(i);
      if (d === QUOTE || d === BACKSLASH || isForbiddenControl(d)) break;
      i++;
    }
    parts.push(text.slice(from, i));
  }
}

/**
 * A multi-line basic or literal string opening at `start` (three quotes). A newline right after
 * the opening is dropped, CRLF inside reads as LF (as the exact parser reads it), and up to two
 * quotes may sit right before the closing three.
 */
export function readMultilineString(text: string, start: number): ReadString {
  const quote = text.charCodeAt(start);
  const basic = quote === QUOTE;
  const length = text.length;
  let i = start + 3;
  if (text.charCodeAt(i) === NEWLINE) i++;
  else if (text.charCodeAt(i) === RETURN && text.charCodeAt(i + 1) === NEWLINE) i += 2;
  const parts: string[] = [];
  let from = i;
  for (;;) {
    if (i >= length) giveUp();
    const c = text.charCodeAt(i);
    if (c === quote && text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote) {
      let run = 3;
      while (text.charCodeAt(i + run) === quote) run++;
      // Three close it; one or two more belong to the value; six or more cannot be written.
      if (run > 5) giveUp();
      parts.push(text.slice(from, i + run - 3));
      return { value: parts.join(''), end: i + run };
    }
    if (c === NEWLINE) {
      i++;
      continue;
    }
    if (c === RETURN) {
      if (text.charCodeAt(i + 1) !== NEWLINE) giveUp();
      parts.push(text.slice(from, i));
      from = i + 1;
      i += 2;
      continue;
    }
    if (basic && c === BACKSLASH) {
      parts.push(text.slice(from, i));
      i = readMultilineEscape(text, i, parts);
      from = i;
      continue;
    }
    if (isForbiddenControl(c)) giveUp();
    i++;
  }
}

/** A line-ending backslash (it and all whitespace and newlines after it are dropped) or an escape. */
function readMultilineEscape(text: string, at: number, parts: string[]): number {
  let j = at + 1;
  while (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === TAB) j++;
  const c = text.charCodeAt(j);
  if (c !== NEWLINE && c !== RETURN) return readEscape(text, at, parts);
  for (;;) {
    const d = text.charCodeAt(j);
    if (d === SPACE || d === TAB || d === NEWLINE) j++;
    else if (d === RETURN && text.charCodeAt(j + 1) === NEWLINE) j += 2;
    else if (d === RETURN) giveUp();
    else return j;
  }
}

const SIMPLE_ESCAPES: Record<number, string> = { 0x62: '\b', 0x74: '\t', 0x6e: '\n', 0x66: '\f', 0x72: '\r', 0x22: '"', 0x5c: '\\' };

/** The escape at `at` (a backslash) onto `parts`; where it ends. `\e` and `\x` are TOML 1.1 only. */
function readEscape(text: string, at: number, parts: string[]): number {
  const c = text.charCodeAt(at + 1);
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) {
    parts.push(simple);
    return at + 2;
  }
  const digits = c === 0x75 ? 4 : c === 0x55 ? 8 : 0;
  if (digits === 0) giveUp();
  const hex = text.slice(at + 2, at + 2 + digits);
  if (hex.length !== digits || !/^[0-9A-Fa-f]+$/.test(hex)) giveUp();
  const codePoint = parseInt(hex, 16);
  if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) giveUp();
  parts.push(String.fromCodePoint(codePoint));
  return at + 2 + digits;
}

export function startsMultilineString(text: string, at: number): boolean {
  const quote = text.charCodeAt(at);
  return text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
}

export function isQuote(c: number): boolean {
  return c === QUOTE || c === APOSTROPHE;
}

// ── bare values ─────────────────────────────────────────────────────────

export type BareValue = TomlBoolean | TomlInteger | TomlFloat | TomlDateTime;

const DECIMAL_INTEGER = /^[+-]?(?:0|[1-9](?:_?[0-9])*)$/;
const HEX_INTEGER = /^0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*$/;
const OCTAL_INTEGER = /^0o[0-7](?:_?[0-7])*$/;
const BINARY_INTEGER = /^0b[01](?:_?[01])*$/;
const FLOAT = /^[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|nan)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A number, a boolean or a date-time as written (`raw`, at [start, end)); undefined when TOML 1.0 reads it as none. */
export function readBareValue(raw: string, start: number, end: number): BareValue | undefined {
  if (raw === 'true') return { kind: 'boolean', value: true, start, end };
  if (raw === 'false') return { kind: 'boolean', value: false, start, end };
  if ((raw.charCodeAt(2) === 0x3a || raw.charCodeAt(4) === 0x2d) && /^\d{4}-|^\d{2}:/.test(raw)) {
    const dateTimeKind = dateTimeKindOf(raw);
    return dateTimeKind === undefined ? undefined : { kind: 'datetime', dateTimeKind, text: raw, start, end };
  }
  const prefixed = raw.charCodeAt(0) === 0x30 && (raw.charCodeAt(1) === 0x78 || raw.charCodeAt(1) === 0x6f || raw.charCodeAt(1) === 0x62);
  if (prefixed ? HEX_INTEGER.test(raw) || OCTAL_INTEGER.test(raw) || BINARY_INTEGER.test(raw) : DECIMAL_INTEGER.test(raw)) {
    const bigint = BigInt(raw.includes('_') ? raw.replace(/_/g, '') : raw);
    if (bigint < INT64_MIN || bigint > INT64_MAX) return undefined;
    return { kind: 'integer', value: Number(bigint), bigint, start, end };
  }
  if (SPECIAL_FLOAT.test(raw)) return { kind: 'float', value: raw.endsWith('nan') ? Number.NaN : raw.startsWith('-') ? -Infinity : Infinity, start, end };
  if (!prefixed && FLOAT.test(raw)) {
    const value = Number(raw.includes('_') ? raw.replace(/_/g, '') : raw);
    return Number.isNaN(value) ? undefined : { kind: 'float', value, start, end };
  }
  return undefined;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))?$/;
const LOCAL_TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?$/;

/** Whether `raw` is a date that a time may follow after one space (`1979-05-27 07:32:00`). */
export function isLocalDate(raw: string): boolean {
  return LOCAL_DATE.test(raw);
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
function dateTimeKindOf(raw: string): TomlDateTime['dateTimeKind'] | undefined {
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

/**
 * Maps offsets inside a TOML string's decoded value back to offsets in the document, so a
 * diagnostic about `requests` in `"r\u0065quests>=2"` underlines the right characters. No TOML
 * library exposes this mapping, so it is written here: the raw string is decoded again,
 * recording where each decoded UTF-16 unit came from, and checked against the parser's value.
 */
import type { TomlSpan, TomlString } from './document';

export interface StringSourceMap {
  /** The decoded value the offsets refer to. */
  readonly value: string;
  /** The document span of decoded `[start, end)`; the spans are clamped to the value. */
  toDocument(start: number, end: number): TomlSpan;
  /** The document span of the whole decoded value (inside the quotes, without a trimmed first newline). */
  readonly whole: TomlSpan;
}

/**
 * mapString(text, str).whole without building the map: lock files ask it of tens of thousands
 * of names, versions and hashes, nearly all written as they read.
 */
export function wholeStringSpan(text: string, str: TomlString): TomlSpan {
  const start = str.start + (str.multiline ? 3 : 1);
  const length = str.value.length;
  if (!str.multiline && str.end - 1 - start === length && text.startsWith(str.value, start)) return { start, end: start + length };
  return mapString(text, str).whole;
}

/** The text between the delimiters, as offsets. */
export function stringContentSpan(str: TomlString): TomlSpan {
  const quote = str.multiline ? 3 : 1;
  return { start: str.start + quote, end: Math.max(str.start + quote, str.end - quote) };
}

export function mapString(text: string, str: TomlString): StringSourceMap {
  const content = stringContentSpan(str);
  // Nearly every string is written as it reads (no escape, one line): then offsets map one to one.
  if (!str.multiline && content.end - content.start === str.value.length && text.startsWith(str.value, content.start)) return verbatim(str.value, content);
  const decoded = decodeWithOffsets(text, content, str);
  const consistent = decoded !== undefined && decoded.value === str.value;
  const starts = consistent ? decoded.starts : undefined;
  const ends = consistent ? decoded.ends : undefined;
  const length = str.value.length;
  const closing = content.end;

  const startOf = (i: number): number => {
    if (i >= length) return closing;
    // Unreachable unless the decoder disagrees with the parser; then approximate linearly.
    return starts ? starts[i] : Math.min(content.start + i, closing);
  };
  const endOf = (i: number): number => (ends ? ends[i] : Math.min(content.start + i + 1, closing));

  const toDocument = (start: number, end: number): TomlSpan => {
    const a = clamp(start, 0, length);
    const b = clamp(end, a, length);
    if (a === b) {
      const at = startOf(a);
      return { start: at, end: at };
    }
    return { start: startOf(a), end: endOf(b - 1) };
  };
  return { value: str.value, toDocument, whole: length === 0 ? { start: closing, end: closing } : toDocument(0, length) };
}

function verbatim(value: string, content: TomlSpan): StringSourceMap {
  const length = value.length;
  const toDocument = (start: number, end: number): TomlSpan => {
    const a = clamp(start, 0, length);
    const b = clamp(end, a, length);
    return { start: content.start + a, end: content.start + b };
  };
  return { value, toDocument, whole: { start: content.start, end: content.start + length } };
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.max(lo, Math.min(Math.trunc(n), hi)) : lo;
}

interface Decoded {
  value: string;
  /** starts[i] / ends[i]: the document span of decoded unit i. */
  starts: Int32Array;
  ends: Int32Array;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\', e: '\x1b' };

function isTomlWhitespace(c: string): boolean {
  return c === ' ' || c === '\t';
}

/** Decodes the raw content; undefined when it is not a string the parser could have accepted. */
function decodeWithOffsets(text: string, content: TomlSpan, str: TomlString): Decoded | undefined {
  const capacity = content.end - content.start;
  const starts = new Int32Array(capacity);
  const ends = new Int32Array(capacity);
  const parts: string[] = [];
  let count = 0;
  const emit = (units: string, start: number, end: number): boolean => {
    for (let k = 0; k < units.length; k++) {
      if (count >= capacity) return false;
      starts[count] = start;
      ends[count] = end;
      count++;
    }
    parts.push(units);
    return true;
  };

  let i = content.start;
  const stop = content.end;
  if (str.multiline) {
    // A newline right after the opening delimiter is not part of the value.
    if (text[i] === '\n') i += 1;
    else if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
  }
  while (i < stop) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n' && str.multiline) {
      // The parser reads CRLF inside multi-line strings as LF.
      if (!emit('\n', i, i + 2)) return undefined;
      i += 2;
      continue;
    }
    if (c !== '\\' || str.style === 'literal') {
      if (!emit(c, i, i + 1)) return undefined;
      i += 1;
      continue;
    }
    const escStart = i;
    const next = text[i + 1];
    if (next === undefined || i + 1 >= stop) return undefined;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      if (!emit(simple, escStart, i + 2)) return undefined;
      i += 2;
      continue;
    }
    if (next === 'u' || next === 'U' || next === 'x') {
      const digits = next === 'u' ? 4 : next === 'U' ? 8 : 2;
      const hex = text.slice(i + 2, i + 2 + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex) || i + 2 + digits > stop) return undefined;
      const codePoint = parseInt(hex, 16);
      if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined;
      if (!emit(String.fromCodePoint(codePoint), escStart, i + 2 + digits)) return undefined;
      i += 2 + digits;
      continue;
    }
    if (str.multiline) {
      // Line-ending backslash: it, the rest of the line's whitespace, and all whitespace and
      // newlines up to the next visible character are dropped.
      let j = i + 1;
      while (j < stop && isTomlWhitespace(text[j])) j++;
      if (text[j] === '\n' || (text[j] === '\r' && text[j + 1] === '\n')) {
        while (j < stop && (isTomlWhitespace(text[j]) || text[j] === '\n' || text[j] === '\r')) j++;
        i = j;
        continue;
      }
    }
    return undefined;
  }
  return { value: parts.join(''), starts: starts.subarray(0, count), ends: ends.subarray(0, count) };
}

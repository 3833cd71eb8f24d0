/**
 * A light pass over TOML text, before the real parse: it skips strings and comments, counts how
 * deeply arrays and inline tables nest, and notes where each top-level `[table]` header starts.
 * Nothing else is checked here; the parser validates. Written by hand because it must run in
 * constant memory per character and no TOML library exposes either fact without a full parse.
 */
import { APOSTROPHE, BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, HASH, NEWLINE, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './charCodes';

/**
 * The deepest nesting of arrays and inline tables read. toml-rs (what uv reads lock files with)
 * stops at a lower depth, tomllib at Python's recursion limit; real files nest 3 or 4 levels.
 */
export const MAX_TOML_DEPTH = 128;

export interface TomlScan {
  /** Offset of the first `[` or `{` past MAX_TOML_DEPTH, when there is one. */
  tooDeepAt?: number;
  /** Offsets of the `[` of each top-level `[name]` / `[[name]]` header, in order. */
  headers: number[];
}

export function scanToml(text: string): TomlScan {
  const headers: number[] = [];
  const length = text.length;
  let depth = 0;
  let lineStart = true;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
      continue;
    }
    const atLineStart = lineStart;
    lineStart = false;
    if (c === HASH) {
      i = lineEnd(text, i);
    } else if (c === QUOTE || c === APOSTROPHE) {
      i = skipString(text, i);
    } else if (c === OPEN_BRACKET && depth === 0 && atLineStart) {
      // Only a header can start a line outside an array: a value always follows `=`.
      headers.push(i);
      i = skipHeader(text, i);
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
      if (depth > MAX_TOML_DEPTH) return { tooDeepAt: i, headers };
      i++;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      if (depth > 0) depth--;
      i++;
    } else {
      i++;
    }
  }
  return { headers };
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** From an opening quote to just past the closing one (or to the line's end when unclosed). */
function skipString(text: string, at: number): number {
  const quote = text.charCodeAt(at);
  const basic = quote === QUOTE;
  if (text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote) {
    const delimiter = basic ? '"""' : "'''";
    let i = at + 3;
    for (;;) {
      const close = text.indexOf(delimiter, i);
      if (close < 0) return text.length;
      if (basic && escaped(text, close, at + 3)) {
        i = close + 1;
        continue;
      }
      // Up to two quotes may sit right before the closing delimiter (`""""` ends with one).
      let end = close + 3;
      while (end < close + 5 && text.charCodeAt(end) === quote) end++;
      return end;
    }
  }
  let i = at + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) return i;
    if (basic && c === BACKSLASH) {
      i += 2;
      continue;
    }
    i++;
    if (c === quote) return i;
  }
  return i;
}

/** Whether the character at `at` follows an odd run of backslashes (so it is escaped). */
function escaped(text: string, at: number, floor: number): boolean {
  let count = 0;
  for (let j = at - 1; j >= floor && text.charCodeAt(j) === BACKSLASH; j--) count++;
  return count % 2 === 1;
}

/** Past a header's closing bracket(s): quoted keys may hold `]` or `#`. */
function skipHeader(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) return i;
    if (c === QUOTE || c === APOSTROPHE) {
      i = skipString(text, i);
      continue;
    }
    if (c === CLOSE_BRACKET) return text.charCodeAt(i + 1) === CLOSE_BRACKET ? i + 2 : i + 1;
    i++;
  }
  return i;
}

/**
 * The pre-processing pip applies to a requirements file before it reads options and
 * requirements (pip's `req_file.preprocess`): split lines as Python's `str.splitlines` does,
 * join lines ending in `\`, strip comments, trim, expand `${VAR}`. Each resulting logical line
 * keeps a map back to the document.
 */
import { MappedText } from './mappedText';

export interface LogicalLine {
  content: MappedText;
  /** Document offset of the first physical line of this logical line. */
  lineStart: number;
  /** Document offset of the end of its last physical line (before the line break). */
  lineEnd: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

interface PhysicalLine {
  start: number;
  end: number;
}

export function logicalLines(text: string, env: Env | undefined): LogicalLine[] {
  return [...eachLogicalLine(text, env)];
}

/** The logical lines one at a time, so a reader that stops early never builds the rest. */
export function* eachLogicalLine(text: string, env: Env | undefined): Generator<LogicalLine> {
  const result: LogicalLine[] = [];
  let pending: { builder: ReturnType<typeof MappedText.builder>; lineStart: number } | undefined;

  const emit = (content: MappedText, lineStart: number, lineEnd: number): void => {
    const cleaned = trimPython(stripComment(content));
    if (cleaned.length === 0) return;
    result.push({ content: expandEnv(cleaned, env), lineStart, lineEnd });
  };

  let lastEnd = 0;
  for (const line of physicalLines(text)) {
    lastEnd = line.end;
    const body = text.slice(line.start, line.end);
    const comment = isCommentLine(body);
    if (!body.endsWith('\\') || comment) {
      if (pending) {
        // pip puts a space before a comment line it joins, so the comment is still one.
        if (comment) pending.builder.standIn(' ', line.start, line.start);
        pending.builder.exact(body, line.start);
        emit(pending.builder.build(), pending.lineStart, line.end);
        pending = undefined;
      } else {
        emit(MappedText.of(body, line.start), line.start, line.end);
      }
    } else {
      if (!pending) pending = { builder: MappedText.builder(line.start), lineStart: line.start };
      // pip strips every leading and trailing backslash of a continued line (`str.strip("\\")`).
      let s = 0;
      let e = body.length;
      while (s < e && body.charCodeAt(s) === 0x5c) s++;
      while (e > s && body.charCodeAt(e - 1) === 0x5c) e--;
      pending.builder.exact(body.slice(s, e), line.start + s);
    }
    yield* result;
    result.length = 0;
  }
  if (pending) {
    emit(pending.builder.build(), pending.lineStart, lastEnd);
  }
  yield* result;
}

/** Line breaks of Python's `str.splitlines`. */
function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029;
}

function* physicalLines(text: string): Generator<PhysicalLine> {
  // pip decodes a leading byte-order mark away.
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Fast skip of ordinary characters; the line-break test is rare.
    if (c > 0x20 && c < 0x85) continue;
    if (!isLineBreak(c)) continue;
    yield { start, end: i };
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  if (start < text.length) yield { start, end: text.length };
}

/** Python's `str.isspace` for one UTF-16 unit (what `\s` and `str.strip()` use). */
export function isPythonSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    (c >= 0x1c && c <= 0x1f) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** pip's COMMENT_RE `(^|\s+)#.*$` matched at the start of the line. */
function isCommentLine(body: string): boolean {
  let i = 0;
  while (i < body.length && isPythonSpace(body.charCodeAt(i))) i++;
  return body.charCodeAt(i) === 0x23;
}

/** Removes the first `#` that starts the line or follows whitespace, and everything after it. */
function stripComment(content: MappedText): MappedText {
  const text = content.text;
  let at = text.indexOf('#');
  while (at >= 0) {
    if (at === 0 || isPythonSpace(text.charCodeAt(at - 1))) return content.slice(0, at);
    at = text.indexOf('#', at + 1);
  }
  return content;
}

function trimPython(content: MappedText): MappedText {
  const text = content.text;
  let s = 0;
  let e = text.length;
  while (s < e && isPythonSpace(text.charCodeAt(s))) s++;
  while (e > s && isPythonSpace(text.charCodeAt(e - 1))) e--;
  return s === 0 && e === text.length ? content : content.slice(s, e);
}

/**
 * pip's `${NAME}` expansion: NAME of upper-case letters, digits and `_`; a variable that is
 * unset or empty stays as written.
 */
function expandEnv(content: MappedText, env: Env | undefined): MappedText {
  const text = content.text;
  if (!env || text.indexOf('${') < 0) return content;
  const builder = MappedText.builder(content.toOriginal(0, 0).start);
  let copied = 0;
  let at = text.indexOf('${');
  while (at >= 0) {
    let end = at + 2;
    while (end < text.length && isEnvNameChar(text.charCodeAt(end))) end++;
    if (end > at + 2 && text.charCodeAt(end) === 0x7d /* } */) {
      const value = env[text.slice(at + 2, end)];
      if (value) {
        const original = content.toOriginal(at, end + 1);
        builder.from(content, copied, at).standIn(value, original.start, original.end);
        copied = end + 1;
      }
      at = text.indexOf('${', end + 1);
    } else {
      at = text.indexOf('${', at + 2);
    }
  }
  if (copied === 0) return content;
  builder.from(content, copied, text.length);
  return builder.build();
}

function isEnvNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/**
 * Python's `shlex.split(s)` (POSIX mode, no comments), which pip applies to the options part of
 * a requirements line, extended to remember where every character of every word came from.
 * Written by hand: the npm shell-quote packages neither match shlex exactly nor report offsets.
 */

export interface ShellWord {
  value: string;
  /** Offset in the split string of each character of `value`. */
  positions: number[];
  /** The word as written, quotes included: [start, end). */
  start: number;
  end: number;
}

export type ShlexResult = { ok: true; words: ShellWord[] } | { ok: false; message: string; start: number; end: number };

const enum State {
  Between,
  Word,
  Single,
  Double,
}

function isShlexSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

export function shlexSplit(text: string): ShlexResult {
  const words: ShellWord[] = [];
  let state = State.Between;
  let chars: string[] = [];
  let positions: number[] = [];
  let start = 0;
  let quoteStart = 0;

  const finish = (end: number): void => {
    words.push({ value: chars.join(''), positions, start, end });
    chars = [];
    positions = [];
    state = State.Between;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state === State.Between) {
      if (isShlexSpace(c)) continue;
      start = i;
      state = State.Word;
    }
    if (state === State.Word) {
      if (isShlexSpace(c)) {
        finish(i);
      } else if (c === "'" || c === '"') {
        quoteStart = i;
        state = c === "'" ? State.Single : State.Double;
      } else if (c === '\\') {
        if (i + 1 >= text.length) return { ok: false, message: 'No escaped character after "\\"', start: i, end: i + 1 };
        i++;
        chars.push(text[i]);
        positions.push(i);
      } else {
        chars.push(c);
        positions.push(i);
      }
    } else if (state === State.Single) {
      if (c === "'") state = State.Word;
      else {
        chars.push(c);
        positions.push(i);
      }
    } else if (c === '"') {
      state = State.Word;
    } else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      i++;
      chars.push(text[i]);
      positions.push(i);
    } else {
      chars.push(c);
      positions.push(i);
    }
  }
  if (state === State.Single || state === State.Double) {
    return { ok: false, message: 'No closing quotation', start: quoteStart, end: text.length };
  }
  if (state === State.Word) finish(text.length);
  return { ok: true, words };
}

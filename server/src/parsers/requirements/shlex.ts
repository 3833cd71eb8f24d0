/**
 * Python's `shlex.split(s)` (POSIX mode, no comments), which pip applies to the options part of
 * a requirements line, extended to remember where every character of every word came from.
 * Written by hand: the npm shell-quote packages neither match shlex exactly nor report offsets.
 */

/**
 * A word copied from the text as it is (no quote, no backslash): its characters sit at `first`,
 * `first + 1`, … Nearly every word of a requirements file is one (`--hash=sha256:…`), and one
 * number per character for those was about an eighth of the garbage of a parse.
 */
export interface ContiguousRun {
  readonly first: number;
  readonly length: number;
}

/** Offset in the split string of each character of a word's value. */
export type CharPositions = readonly number[] | ContiguousRun;

/** Where character `k` (0 ≤ k < length) of a value sits. */
export function positionAt(positions: CharPositions, k: number): number {
  return Array.isArray(positions) ? (positions as readonly number[])[k] : (positions as ContiguousRun).first + k;
}

/** The positions of the characters from `from` on. */
export function positionsFrom(positions: CharPositions, from: number): CharPositions {
  if (Array.isArray(positions)) return (positions as readonly number[]).slice(from);
  const run = positions as ContiguousRun;
  const skipped = Math.min(from, run.length);
  return { first: run.first + skipped, length: run.length - skipped };
}

export interface ShellWord {
  value: string;
  positions: CharPositions;
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

/**
 * Where a word starting at `from` ends if it has no quote or backslash (nearly every word of a
 * requirements file: `--hash=sha256:…`), or -1.
 */
function plainWordEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (isShlexSpace(c)) return i;
    if (c === "'" || c === '"' || c === '\\') return -1;
  }
  return text.length;
}

/** The words of `text` from `from` on; every offset (positions, start, end, an error's span) is into `text`. */
export function shlexSplit(text: string, from = 0): ShlexResult {
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

  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (state === State.Between) {
      if (isShlexSpace(c)) continue;
      // A plain word is its own text: no character-by-character copy (a requirements file is mostly hashes).
      const plainEnd = plainWordEnd(text, i);
      if (plainEnd >= 0) {
        words.push({ value: text.slice(i, plainEnd), positions: { first: i, length: plainEnd - i }, start: i, end: plainEnd });
        i = plainEnd;
        continue;
      }
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

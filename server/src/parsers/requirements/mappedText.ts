/**
 * Text derived from a document (joined continuation lines, `${VAR}` expansions) that remembers
 * where each of its characters came from, so a span of the derived text maps back to the
 * document. The mapping is kept as runs, not per character, so a huge line costs little.
 */
import type { Span } from '../pep508';

interface Run {
  /** [logStart, logEnd) of this text. */
  logStart: number;
  logEnd: number;
  /** Where the run came from in the document. */
  origStart: number;
  origEnd: number;
  /** Character for character (true), or all of it stands for [origStart, origEnd) (an expansion). */
  exact: boolean;
}

export class MappedText {
  private constructor(
    readonly text: string,
    private readonly runs: readonly Run[],
    /** Document offset an empty text maps to. */
    private readonly anchor: number,
  ) {}

  get length(): number {
    return this.text.length;
  }

  /** Document span of [start, end) of this text. */
  toOriginal(start: number, end: number): Span {
    const len = this.text.length;
    const a = clamp(start, 0, len);
    const b = clamp(end, a, len);
    if (a === b) {
      const at = this.pointAt(a);
      return { start: at, end: at };
    }
    return { start: this.startOf(a), end: this.endOf(b - 1) };
  }

  slice(start: number, end: number = this.text.length): MappedText {
    const len = this.text.length;
    const a = clamp(start, 0, len);
    const b = clamp(end, a, len);
    const runs: Run[] = [];
    for (const run of this.runs) {
      if (run.logEnd <= a || run.logStart >= b) continue;
      const s = Math.max(run.logStart, a);
      const e = Math.min(run.logEnd, b);
      runs.push({
        logStart: s - a,
        logEnd: e - a,
        origStart: run.exact ? run.origStart + (s - run.logStart) : run.origStart,
        origEnd: run.exact ? run.origStart + (e - run.logStart) : run.origEnd,
        exact: run.exact,
      });
    }
    return new MappedText(this.text.slice(a, b), runs, this.pointAt(a));
  }

  /** Where a zero-width position of this text falls in the document. */
  private pointAt(pos: number): number {
    if (pos < this.text.length) return this.startOf(pos);
    if (this.text.length > 0) return this.endOf(this.text.length - 1);
    return this.anchor;
  }

  private runAt(pos: number): Run {
    const runs = this.runs;
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid].logStart <= pos) lo = mid;
      else hi = mid - 1;
    }
    return runs[lo];
  }

  private startOf(pos: number): number {
    const run = this.runAt(pos);
    return run.exact ? run.origStart + (pos - run.logStart) : run.origStart;
  }

  private endOf(pos: number): number {
    const run = this.runAt(pos);
    return run.exact ? run.origStart + (pos - run.logStart) + 1 : run.origEnd;
  }

  /** Document text that starts at document offset `origStart`, unchanged. */
  static of(text: string, origStart: number): MappedText {
    return new MappedText(text, text.length ? [{ logStart: 0, logEnd: text.length, origStart, origEnd: origStart + text.length, exact: true }] : [], origStart);
  }

  static builder(anchor: number): MappedTextBuilder {
    return new MappedTextBuilder(anchor);
  }

  /** @internal used by the builder */
  static create(text: string, runs: Run[], anchor: number): MappedText {
    return new MappedText(text, runs, anchor);
  }

  /** @internal used by the builder */
  runsWithin(start: number, end: number): Run[] {
    return this.slice(start, end).runs as Run[];
  }
}

export class MappedTextBuilder {
  private readonly parts: string[] = [];
  private readonly runs: Run[] = [];
  private length = 0;

  constructor(private readonly anchor: number) {}

  /** Appends document text that starts at document offset `origStart`. */
  exact(text: string, origStart: number): this {
    return this.push(text, origStart, origStart + text.length, true);
  }

  /** Appends text that does not occur in the document as such (an expansion) and stands for [origStart, origEnd). */
  standIn(text: string, origStart: number, origEnd: number): this {
    return this.push(text, origStart, origEnd, false);
  }

  /** Appends [start, end) of another mapped text. */
  from(source: MappedText, start: number, end: number): this {
    if (end <= start) return this;
    const base = this.length;
    for (const run of source.runsWithin(start, end)) {
      this.runs.push({ ...run, logStart: run.logStart + base, logEnd: run.logEnd + base });
    }
    this.parts.push(source.text.slice(start, end));
    this.length += end - start;
    return this;
  }

  build(): MappedText {
    return MappedText.create(this.parts.join(''), this.runs, this.anchor);
  }

  private push(text: string, origStart: number, origEnd: number, exact: boolean): this {
    if (text.length === 0) return this;
    this.runs.push({ logStart: this.length, logEnd: this.length + text.length, origStart, origEnd, exact });
    this.parts.push(text);
    this.length += text.length;
    return this;
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}

/** Collects a document's parse problems, with a ceiling so a file of junk cannot flood the editor. */
import type { ParseProblem, Range } from '../../core/model';
import { MAX_PROBLEMS, moreProblemsMessage } from '../limits';

export { MAX_PROBLEMS };

export class ProblemList {
  readonly problems: ParseProblem[] = [];
  private dropped = 0;

  add(code: string, message: string, range: Range): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ code, message, range });
    else this.dropped++;
  }

  /** The problems, with a last one saying how many were left out. */
  finish(): ParseProblem[] {
    if (this.dropped > 0) {
      const last = this.problems[this.problems.length - 1];
      this.problems.push({ code: last.code, message: moreProblemsMessage(this.dropped), range: last.range });
      this.dropped = 0;
    }
    return this.problems;
  }
}

/** A note to add to a syntax message when the text is not text at all. */
export function junkNote(text: string): string {
  if (text.includes('\ufffd')) return ' (the line holds bytes that are not valid UTF-8)';
  // Control characters other than tab: binary data rather than a requirement.
  if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text)) return ' (the line holds binary data)';
  return '';
}

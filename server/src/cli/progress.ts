/**
 * The progress line on stderr: `Checking 3/8 dependencies · waiting for index …`, counted per
 * dependency and saying what the run waits for (the index's answers, or the attestations being
 * verified). Only when stderr is a terminal — a CI log or a redirect gets nothing — as one line
 * redrawn in place (a few times a second, and on each document's start and end) and erased
 * before anything else is written and at the end.
 */
import type { DependencyPhase, ReportSubject } from '../pipeline/engine';
import { safe } from './output/text';

export interface ProgressLine {
  /** A document's stages started or ended (CheckOptions.onDocument). */
  document(event: 'started' | 'done', subject: ReportSubject): void;
  /** Erases the line (before a message is written; it comes back at the next redraw). */
  clear(): void;
  /** Erases the line for good. */
  stop(): void;
}

export interface ProgressOptions {
  /** Dependency files in the run. */
  files: number;
  /** Where each dependency of a document stands (Engine.dependencyPhases); undefined: count files instead. */
  phases?: (subject: ReportSubject) => DependencyPhase[] | undefined;
  /** How often the line is redrawn while nothing else happens. */
  intervalMs?: number;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const CLEAR_LINE = '\r\u001b[2K';
export const REDRAW_INTERVAL_MS = 150;

/** The line's text for the documents started so far; exported for tests. */
export function progressText(files: number, started: readonly ReportSubject[], finished: ReadonlySet<ReportSubject>, phases: ProgressOptions['phases']): string {
  const filesDone = started.filter((subject) => finished.has(subject)).length;
  const fileCount = `${filesDone}/${files} ${files === 1 ? 'dependency file' : 'dependency files'}`;
  if (started.length === 0) return `Checking ${fileCount} · reading …`;
  if (phases === undefined) return `Checking ${fileCount} …`;
  let total = 0;
  let done = 0;
  let waitingForIndex = 0;
  let verifying = 0;
  for (const subject of started) {
    const of = phases(subject);
    if (of === undefined) return `Checking ${fileCount} …`;
    total += of.length;
    for (const phase of of) {
      // A finished document's dependencies are done, whatever a stage left behind.
      if (finished.has(subject) || phase === 'done') done++;
      else if (phase === 'index') waitingForIndex++;
      else verifying++;
    }
  }
  // Nothing waits on the index or a verification: the other checks are finishing, or the next file is being read.
  const what = waitingForIndex > 0 ? 'waiting for index' : verifying > 0 ? 'verifying attestations' : started.length < files && started.length === filesDone ? 'reading' : 'finishing';
  if (total === 0) return `Checking ${fileCount} · ${what} …`;
  return `Checking ${done}/${total} ${total === 1 ? 'dependency' : 'dependencies'} · ${what} …`;
}

export function progressLine(stream: ProgressStream, options: ProgressOptions): ProgressLine {
  if (stream.isTTY !== true) return { document: () => undefined, clear: () => undefined, stop: () => undefined };
  const started: ReportSubject[] = [];
  const finished = new Set<ReportSubject>();
  let shown: string | undefined;
  let stopped = false;

  const draw = () => {
    if (stopped) return;
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    const text = safe(progressText(options.files, started, finished, options.phases));
    const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    if (line === shown) return;
    stream.write(`${CLEAR_LINE}${line}`);
    shown = line;
  };
  const clear = () => {
    if (shown !== undefined) stream.write(CLEAR_LINE);
    shown = undefined;
  };
  // The phases change without an event (an answer arrives): look again now and then.
  const timer = setInterval(draw, options.intervalMs ?? REDRAW_INTERVAL_MS);
  timer.unref?.();
  draw();
  return {
    document(event, subject) {
      if (event === 'started') started.push(subject);
      else finished.add(subject);
      draw();
    },
    clear,
    stop() {
      clearInterval(timer);
      clear();
      stopped = true;
    },
  };
}

/**
 * One notification at a time: a command's work runs behind a progress notification, and the
 * message that says how it ended is shown only once that notification is gone, so that it takes
 * its place instead of stacking on top of it.
 *
 * VS Code keeps a progress notification up for at least 800 ms after it appears, however soon
 * the work ends (workbench progressService.ts: "without a delay we show the notification for
 * at least 800ms to reduce the chance of the notification flashing up and hiding"); a message
 * shown as soon as a quick pass (answers from the cache) resolves would sit under it. No API
 * tells when the notification closes, so `closed` waits for that minimum (and a margin for the
 * window to draw) counted from when the work started, or for nothing when the work took longer.
 */
import type * as vscode from 'vscode';

export const PROGRESS_NOTIFICATION_MIN_VISIBLE_MS = 800;
/** Time for the workbench to take the notification down after the minimum. */
export const CLOSE_MARGIN_MS = 150;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type ProgressTask<R> = (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>;

export interface ProgressWindow {
  withProgress<R>(options: vscode.ProgressOptions, task: ProgressTask<R>): Thenable<R>;
}

export interface ProgressRun<R> {
  /** What the task answered. */
  result: R;
  /** Settles once the progress notification has closed: show the closing message then. */
  closed: Promise<void>;
}

export async function withProgressNotification<R>(window: ProgressWindow, options: vscode.ProgressOptions, task: ProgressTask<R>, clock: Clock = systemClock): Promise<ProgressRun<R>> {
  const started = clock.now();
  const result = await window.withProgress(options, task);
  const left = started + PROGRESS_NOTIFICATION_MIN_VISIBLE_MS + CLOSE_MARGIN_MS - clock.now();
  return { result, closed: left > 0 ? clock.sleep(left) : Promise.resolve() };
}

/** Shows a message once `closed` settles; the message's answer (the button chosen) as `show` gives it. */
export function afterProgress<T>(closed: Promise<void>, show: () => Thenable<T>): Promise<T> {
  return closed.then(show);
}

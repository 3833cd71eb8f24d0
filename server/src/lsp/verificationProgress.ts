/**
 * `$/progress` for background verification ("Verifying provenance 12/40"), as LSP work-done
 * progress created by the server (window/workDoneProgress/create), for clients that advertise
 * `window.workDoneProgress`. One progress per burst of work: begun once the work has lasted
 * GRACE_MS (so that answers from the caches do not flash a notification), reported at most every
 * REPORT_INTERVAL_MS, ended when the queue is idle.
 */
import type { WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import { errorText, type Logger } from './guard';
import type { QueueProgress, VerificationQueue } from '../verification/queue';

export const PROGRESS_TITLE = 'PyPI Provenance';
export const GRACE_MS = 150;
export const REPORT_INTERVAL_MS = 100;

export interface ProgressWindow {
  createWorkDoneProgress(): Promise<WorkDoneProgressServerReporter>;
}

export function progressMessage(progress: QueueProgress): string {
  return `Verifying provenance ${progress.done}/${progress.total}`;
}

export function attachVerificationProgress(queue: VerificationQueue, window: ProgressWindow, supported: () => boolean, logger: Logger): () => void {
  let reporter: WorkDoneProgressServerReporter | undefined;
  let creating = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let reportTimer: NodeJS.Timeout | undefined;
  let lastReport = 0;
  let burst = 0;

  const percentage = (p: QueueProgress) => (p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0);
  const end = () => {
    if (graceTimer) clearTimeout(graceTimer);
    if (reportTimer) clearTimeout(reportTimer);
    graceTimer = reportTimer = undefined;
    reporter?.done();
    reporter = undefined;
  };
  const report = () => {
    reportTimer = undefined;
    if (!reporter) return;
    lastReport = Date.now();
    const progress = queue.progress;
    reporter.report(percentage(progress), progressMessage(progress));
  };
  const start = () => {
    graceTimer = undefined;
    if (creating || reporter || queue.pending === 0 || !supported()) return;
    creating = true;
    const mine = burst;
    window.createWorkDoneProgress().then(
      (created) => {
        creating = false;
        // The work ended while the client was answering: nothing to show any more.
        if (mine !== burst || queue.pending === 0) {
          created.done();
          return;
        }
        reporter = created;
        const progress = queue.progress;
        created.begin(PROGRESS_TITLE, percentage(progress), progressMessage(progress), false);
        lastReport = Date.now();
      },
      (error: unknown) => {
        creating = false;
        logger.warn(`Creating work-done progress failed: ${errorText(error)}`);
      },
    );
  };

  queue.onProgress((progress) => {
    if (progress.total === 0) return;
    if (!reporter && !creating && !graceTimer) graceTimer = setTimeout(start, GRACE_MS);
    if (reporter && !reportTimer) reportTimer = setTimeout(report, Math.max(0, lastReport + REPORT_INTERVAL_MS - Date.now()));
  });
  queue.onIdle(() => {
    burst++;
    end();
  });
  return end;
}

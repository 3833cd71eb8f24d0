// Issue 10 item 21: the closing message of a command replaces its progress notification instead of
// stacking on it. The window below keeps a progress notification up as VS Code's workbench does
// (progressService.ts: from the call until the task ends, and for at least 800 ms); the clock is
// a fake one, so nothing here waits or depends on timing.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { PROGRESS_NOTIFICATION_MIN_VISIBLE_MS, afterProgress, withProgressNotification, type Clock, type ProgressTask } from '../../client/src/commands/progressNotification';

/** Time moves only when the test says: the work advances it, `runTimers` wakes the sleepers. */
class FakeClock implements Clock {
  time = 0;
  private sleepers: Array<{ until: number; wake: () => void }> = [];
  now(): number {
    return this.time;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ until: this.time + ms, wake }));
  }
  runTimers(): void {
    for (const sleeper of this.sleepers.splice(0).sort((a, b) => a.until - b.until)) {
      this.time = Math.max(this.time, sleeper.until);
      sleeper.wake();
    }
  }
}

/** Notifications on screen, as VS Code shows them: a progress one from the call to max(end, start + 800 ms). */
class ModelWindow {
  readonly progress: Array<{ opened: number; closes: number }> = [];
  readonly messages: Array<{ at: number; text: string }> = [];
  constructor(private readonly clock: FakeClock) {}
  async withProgress<R>(_options: vscode.ProgressOptions, task: ProgressTask<R>): Promise<R> {
    const opened = this.clock.now();
    const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) } as unknown as vscode.CancellationToken;
    const result = await task({ report: () => undefined }, token);
    this.progress.push({ opened, closes: Math.max(this.clock.now(), opened + PROGRESS_NOTIFICATION_MIN_VISIBLE_MS) });
    return result;
  }
  showInformationMessage(text: string): Promise<string> {
    this.messages.push({ at: this.clock.now(), text });
    return Promise.resolve('Show Report');
  }
  /** Notifications on screen at a time. */
  visibleAt(time: number): number {
    return this.progress.filter((p) => p.opened <= time && time < p.closes).length + this.messages.filter((m) => m.at <= time).length;
  }
}

const OPTIONS = { location: 15, title: 'PyPI Provenance: verifying dependencies', cancellable: true } as vscode.ProgressOptions;

test('a quick pass (answers from the cache): the closing message appears once the progress notification is gone, never beside it', async () => {
  const clock = new FakeClock();
  const window = new ModelWindow(clock);
  const { result, closed } = await withProgressNotification(window, OPTIONS, async () => {
    clock.time += 20;
    return { files: 3 };
  }, clock);
  assert.deepEqual(result, { files: 3 });
  // Shown now, the message would stack on the progress notification, which stays 800 ms.
  assert.ok(clock.now() < window.progress[0].closes, 'the model keeps the quick progress up');
  const shown = afterProgress(closed, () => window.showInformationMessage('checked 3 dependencies'));
  clock.runTimers();
  const choice = await shown;
  assert.equal(choice, 'Show Report', 'the message answers as it would have');
  const message = window.messages[0];
  assert.ok(message.at >= window.progress[0].closes, `shown at ${message.at} ms, the progress closes at ${window.progress[0].closes} ms`);
  assert.equal(window.visibleAt(message.at), 1, 'one notification on screen: the message');
});

test('a long pass: the progress notification closes as the work ends, and the message follows at once', async () => {
  const clock = new FakeClock();
  const window = new ModelWindow(clock);
  const { closed } = await withProgressNotification(window, OPTIONS, async () => {
    clock.time += 5_000;
  }, clock);
  const before = clock.now();
  const shown = afterProgress(closed, () => window.showInformationMessage('checked 40 dependencies'));
  clock.runTimers();
  await shown;
  assert.equal(window.messages[0].at, before, 'no wait after a pass that outlasted the minimum');
  assert.equal(window.visibleAt(window.messages[0].at), 1);
});

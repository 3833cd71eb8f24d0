import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../server/src/core/finding';
import { MAX_UPDATE_INTERVAL_MS, runProgressively, UPDATE_INTERVAL_MS, updateIntervalMs, type ProgressiveRun } from '../../server/src/pipeline/contract/progressiveRun';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
const finding = (message: string): Finding => ({ code: 'index-error', message, range });

function harness() {
  const controller = new AbortController();
  const updates: string[][] = [];
  const input = { signal: controller.signal, update: (findings: Finding[]) => updates.push(findings.map((f) => f.message)) };
  return { controller, updates, input };
}

test('publishes at most once per interval while working, then settles once with everything', async () => {
  const { updates, input } = harness();
  const found: Finding[] = [];
  const clock = 10_000; // a real clock is far past the interval at the first publish
  let captured: ProgressiveRun | undefined;
  const settled: boolean[] = [];
  let started!: () => void;
  const starting = new Promise<void>((resolve) => (started = resolve));
  const done = runProgressively(input, () => [...found], { now: () => clock, intervalMs: 1000, onSettle: (aborted) => settled.push(aborted) }, (run) => {
    captured = run;
    started();
  });
  await starting;
  const run = captured!;
  found.push(finding('a'));
  run.publishSoon(); // the first publish goes at once
  found.push(finding('b'));
  run.publishSoon(); // within the interval: waits for a timer, which finish() cancels
  run.publishSoon();
  assert.deepEqual(updates, [['a']]);
  run.finish();
  run.finish();
  assert.deepEqual((await done).map((f) => f.message), ['a', 'b']);
  assert.equal(run.settled, true);
  assert.deepEqual(settled, [false], 'settles once, not aborted');
  run.publishSoon();
  assert.deepEqual(updates, [['a']], 'nothing is published after settling');
});

test('an abort settles at once, after onAbort, and drops later work', async () => {
  const { controller, updates, input } = harness();
  const order: string[] = [];
  let captured: ProgressiveRun | undefined;
  let started!: () => void;
  const starting = new Promise<void>((resolve) => (started = resolve));
  const done = runProgressively(input, () => [finding('partial')], { now: () => 0, onAbort: () => order.push('abort'), onSettle: (aborted) => order.push(`settle ${aborted}`) }, (run) => {
    captured = run;
    started();
  });
  await starting;
  controller.abort();
  assert.deepEqual((await done).map((f) => f.message), ['partial']);
  assert.deepEqual(order, ['abort', 'settle true']);
  captured!.publishSoon();
  assert.deepEqual(updates, []);
});

test('an analysis already replaced never starts the work', async () => {
  const { controller, input } = harness();
  controller.abort();
  let started = false;
  await runProgressively(input, () => [], { now: () => 0 }, () => {
    started = true;
  });
  assert.equal(started, false);
});

test('the work starts after the stage has returned, so the first publish goes out before it; an abort before then means it never starts', async () => {
  const { controller, input } = harness();
  const order: string[] = [];
  const done = runProgressively(input, () => [], { now: () => 0 }, (run) => {
    order.push('work starts');
    run.finish();
  });
  order.push('stage returned');
  await done;
  assert.deepEqual(order, ['stage returned', 'work starts']);

  let started = false;
  const replaced = runProgressively(input, () => [finding('nothing yet')], { now: () => 0 }, () => {
    started = true;
  });
  controller.abort();
  assert.deepEqual((await replaced).map((f) => f.message), ['nothing yet']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(started, false);
});

test('a large document spaces its stage updates by its size; a small one keeps the 50 ms interval', () => {
  assert.equal(updateIntervalMs(0), UPDATE_INTERVAL_MS);
  assert.equal(updateIntervalMs(1_000), UPDATE_INTERVAL_MS);
  assert.equal(updateIntervalMs(10_000), 500);
  assert.equal(updateIntervalMs(20_000), MAX_UPDATE_INTERVAL_MS);
  assert.equal(updateIntervalMs(1_000_000), MAX_UPDATE_INTERVAL_MS);
});

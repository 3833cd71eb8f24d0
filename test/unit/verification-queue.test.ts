/**
 * The verification queue: one job per key however many ask; CPU slots go to the most recently
 * focused document first; a job nobody wants any more is cancelled before it runs, one that
 * another document still wants is not; progress counts a burst and ends idle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, VerificationQueue, type JobHandle } from '../../server/src/verification/queue';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('one job per key: later askers join it and get the same answer', async () => {
  const queue = new VerificationQueue(1);
  let runs = 0;
  const work = async (job: JobHandle) => job.cpu(async () => ++runs);
  const a = queue.track('file', queue.owner('file:///a'), 0, work);
  const b = queue.track('file', queue.owner('file:///b'), 0, work);
  assert.deepEqual(await Promise.all([a, b]), [1, 1]);
  assert.equal(runs, 1);
  assert.deepEqual(queue.stats, { jobs: 1, joined: 1, cancelled: 0 });
});

test('slots go to the most recently focused document, then in dependency order', async () => {
  const queue = new VerificationQueue(1);
  const order: string[] = [];
  const gate = deferred();
  const blocker = queue.track('blocker', queue.owner('file:///x'), 0, (job) => job.cpu(() => gate.promise));
  const background = queue.owner('file:///background');
  const visible = queue.owner('file:///visible');
  const jobs = [
    queue.track('bg-0', background, 0, (job) => job.cpu(async () => void order.push('bg-0'))),
    queue.track('vis-1', visible, 1, (job) => job.cpu(async () => void order.push('vis-1'))),
    queue.track('vis-0', visible, 0, (job) => job.cpu(async () => void order.push('vis-0'))),
  ];
  queue.focus('file:///visible');
  await tick();
  gate.resolve();
  await Promise.all([blocker, ...jobs]);
  assert.deepEqual(order, ['vis-0', 'vis-1', 'bg-0']);
});

test('a released owner cancels the jobs only it wanted, before they run', async () => {
  const queue = new VerificationQueue(1);
  const gate = deferred();
  const ran: string[] = [];
  const closing = queue.owner('file:///closing');
  const staying = queue.owner('file:///staying');
  const blocker = queue.track('blocker', staying, 0, (job) => job.cpu(() => gate.promise));
  const onlyClosing = queue.track('only', closing, 0, (job) => job.cpu(async () => void ran.push('only'))).then(() => 'ran', (error: unknown) => error);
  const shared = queue.track('shared', closing, 1, (job) => job.cpu(async () => void ran.push('shared')));
  queue.track('shared', staying, 1, async () => undefined);
  await tick();
  closing.release();
  await tick();
  gate.resolve();
  await blocker;
  assert.ok((await onlyClosing) instanceof CancelledError);
  await shared;
  assert.deepEqual(ran, ['shared']);
  assert.equal(queue.stats.cancelled, 1);
});

test('an analysis replaced by the next one in the same tick does not lose its jobs', async () => {
  const queue = new VerificationQueue(1);
  const gate = deferred();
  const blocker = queue.track('blocker', queue.owner('file:///other'), 0, (job) => job.cpu(() => gate.promise));
  const first = queue.owner('file:///doc');
  let runs = 0;
  const work = (job: JobHandle) => job.cpu(async () => ++runs);
  const old = queue.track('f', first, 0, work);
  first.release();
  const replacement = queue.track('f', queue.owner('file:///doc'), 0, work);
  await tick();
  gate.resolve();
  await blocker;
  assert.equal(await replacement, 1);
  assert.equal(await old, 1);
});

test('progress counts the jobs of a burst and resets when idle', async () => {
  const queue = new VerificationQueue(2);
  const seen: string[] = [];
  let idle = 0;
  queue.onProgress((p) => seen.push(`${p.done}/${p.total}`));
  queue.onIdle(() => idle++);
  const owner = queue.owner('file:///a');
  await Promise.all([1, 2, 3].map((n) => queue.track(`k${n}`, owner, n, (job) => job.cpu(async () => n))));
  assert.deepEqual(seen, ['0/1', '0/2', '0/3', '1/3', '2/3', '3/3']);
  assert.equal(idle, 1);
  assert.deepEqual(queue.progress, { done: 0, total: 0 });
  assert.equal(queue.pending, 0);
});

test('never more jobs on the CPU than slots; a failing job frees its slot', async () => {
  const queue = new VerificationQueue(2);
  let running = 0;
  let most = 0;
  const owner = queue.owner('file:///a');
  const jobs = Array.from({ length: 8 }, (_, i) =>
    queue.track(`k${i}`, owner, i, (job) =>
      job.cpu(async () => {
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
        if (i % 3 === 0) throw new Error(`job ${i} failed`);
        return i;
      }),
    ),
  );
  const results = await Promise.allSettled(jobs);
  assert.equal(most, 2);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 3);
});

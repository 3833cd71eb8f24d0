import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBounded } from '../../server/src/pipeline/contract/boundedEach';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('runs every item in order, never more than the limit at once', async () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  const pending = new Map<number, ReturnType<typeof deferred>>();
  const started: number[] = [];
  let most = 0;
  eachBounded(
    items,
    (item) => {
      started.push(item);
      const d = deferred();
      pending.set(item, d);
      most = Math.max(most, pending.size);
      return d.promise.finally(() => pending.delete(item));
    },
    { limit: 3 },
  );
  assert.deepEqual(started, [0, 1, 2], 'the first three start at once, synchronously');
  // Settled out of order, a rejection among them: each frees a place for the next item.
  pending.get(1)!.resolve();
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3]);
  pending.get(0)!.reject(new Error('dropped'));
  await tick();
  while (pending.size > 0) {
    for (const d of [...pending.values()]) d.resolve();
    await tick();
  }
  assert.deepEqual(started, items);
  assert.equal(most, 3);
});

test('starts nothing more once stopped (the analysis was replaced), and survives work that throws', async () => {
  let stopped = false;
  const started: number[] = [];
  const gates = [deferred(), deferred()];
  eachBounded(
    [0, 1, 2, 3],
    (item) => {
      started.push(item);
      if (item === 1) throw new Error('synchronous');
      return gates[0].promise;
    },
    { limit: 2, stopped: () => stopped },
  );
  await tick();
  // Item 1 threw: its place went to item 2 at once.
  assert.deepEqual(started, [0, 1, 2]);
  stopped = true;
  gates[0].resolve();
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
});

test('a document smaller than the default limit starts everything at once', () => {
  const started: number[] = [];
  eachBounded(Array.from({ length: 100 }, (_, i) => i), (item) => {
    started.push(item);
    return new Promise(() => undefined);
  });
  assert.equal(started.length, 100);
});

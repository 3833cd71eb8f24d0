import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBounded, STARTS_PER_TURN } from '../../server/src/pipeline/contract/boundedEach';

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

test('work that settles at once gives the event loop a turn after every STARTS_PER_TURN starts, and still does every item', async () => {
  const started: number[] = [];
  const turns: Array<() => void> = [];
  eachBounded(
    Array.from({ length: 1000 }, (_, i) => i),
    async (item) => {
      started.push(item);
    },
    { later: (resume) => turns.push(resume) },
  );
  await tick();
  // Without the turns a thousand items would run back to back from one another's settling.
  assert.equal(started.length, STARTS_PER_TURN);
  while (turns.length > 0) {
    turns.shift()!();
    await tick();
  }
  assert.deepEqual(started, Array.from({ length: 1000 }, (_, i) => i));
});

// Issue 14 item 5: once the server is quiet after real work it runs one full collection, and a
// server that stays quiet (or never worked) is not collected again and again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectWhenQuiet, fullCollection } from '../../server/src/core/quietCollection';

/** Feeds the watch one loop reading per check, then reports how many collections it ran. */
async function collectionsFor(readings: Array<{ active: number; utilization: number }>, options: { quietChecks?: number; minWorkMs?: number } = {}): Promise<number> {
  let collections = 0;
  let next = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const stop = collectWhenQuiet({
    ...options,
    checkMs: 1,
    collect: () => collections++,
    utilization: () => {
      const reading = readings[next++] ?? { active: 0, utilization: 0 };
      if (next === readings.length + 1) done();
      return reading;
    },
  });
  // The watch's timer does not hold the process; this does, until the readings are used.
  const holdOpen = setInterval(() => undefined, 1000);
  await finished;
  clearInterval(holdOpen);
  stop();
  return collections;
}

const busy = { active: 500, utilization: 0.5 };
const quiet = { active: 1, utilization: 0.001 };

test('one collection once the loop is quiet after work, none again while it stays quiet', async () => {
  assert.equal(await collectionsFor([busy, quiet, quiet, quiet, quiet, quiet, quiet]), 1);
});

test('no collection while the loop is busy, nor for a server that never worked', async () => {
  assert.equal(await collectionsFor([busy, busy, busy, busy]), 0);
  assert.equal(await collectionsFor([quiet, quiet, quiet, quiet, quiet]), 0);
});

test('each burst of work is followed by its own collection', async () => {
  assert.equal(await collectionsFor([busy, quiet, quiet, busy, quiet, quiet, quiet]), 2);
});

test("V8's full collection can be had without --expose-gc, and is not left exposed", () => {
  const collect = fullCollection();
  assert.equal(typeof collect, 'function');
  collect!();
  assert.equal((globalThis as { gc?: unknown }).gc, undefined);
});

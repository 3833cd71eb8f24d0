// Preloaded into the server by bench/largePage.child.ts (node --require): the longest the main
// thread went without running a timer, from the last SIGUSR2 (the bench's "start now") on,
// written as JSON to BENCH_LOOP_DELAY_FILE every 200 ms and at exit (a server killed at
// shutdown still leaves its figures).
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
process.on('SIGUSR2', () => histogram.reset());
const write = () => {
  const file = process.env.BENCH_LOOP_DELAY_FILE;
  if (file) writeFileSync(file, JSON.stringify({ maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 }));
};
setInterval(write, 200).unref();
process.on('exit', write);

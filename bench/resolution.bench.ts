/**
 * Issue 3's figures: 200 pinned dependencies resolved against the test index with 40 ms injected
 * latency, through the real server over stdio — didOpen to the publish that has every dependency
 * resolved, the requests made, and the ratio to the floor ⌈200/C⌉ × 40 ms (C: the index client's
 * concurrency); then the same document reopened, and a new server process on the warm cache.
 *
 * Every pinned release is yanked so that the final publish is recognisable: it is the one with
 * 200 `yanked` diagnostics (progressive publishes carry fewer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { DEFAULT_CONCURRENCY } from '../server/src/index/httpClient';
import { Limiter } from '../server/src/index/limiter';
import { LspClient, fileUri } from '../test/support/lspClient';
import { makeProject, startIndexServer, type IndexServer } from '../test/support/indexServer';
import { median, type BenchRow, type BenchSection } from './harness';
import { processCpuMs } from './processCpu';

const DEPENDENCIES = 200;
const LATENCY_MS = 40;

function requirements(): string {
  const lines = ['# 200 exact pins, as a lock-style requirements file would have them'];
  for (let i = 0; i < DEPENDENCIES; i++) lines.push(`bench-project-${i}==1.${i % 10}.0`);
  return lines.join('\n') + '\n';
}

function serveProjects(index: IndexServer): void {
  index.setProject(makeProject('bench-warmup', { releases: [{ version: '1.0', yanked: 'bench' }] }));
  for (let i = 0; i < DEPENDENCIES; i++) {
    index.setProject(makeProject(`bench-project-${i}`, { releases: ['0.9.0', { version: `1.${i % 10}.0`, yanked: 'bench' }] }));
  }
}

interface Timed {
  ms: number;
  /** Server CPU (main thread, other threads) from the open to the publish. */
  cpu: { main: number; others: number };
  requests: number;
  publishes: number;
}

/** Opens `uri` and waits for the publish with every dependency resolved. */
async function openResolved(client: LspClient, index: IndexServer, uri: string, text: string): Promise<Timed> {
  const requestsBefore = index.totalRequests;
  const publishesBefore = client.publishes.length;
  const start = performance.now();
  const cpuBefore = processCpuMs(client.child.pid!);
  client.open(uri, text);
  await client.waitForDiagnostics(uri, { where: (diagnostics) => diagnostics.filter((d) => d.code === 'yanked').length === DEPENDENCIES, timeoutMs: 120_000 });
  const ms = performance.now() - start;
  if (process.env.BENCH_WATERFALL) {
    // When the index saw each request, by latency-sized slots after the open (and when each was answered).
    const slots = new Map<number, [number, number]>();
    for (const r of index.requests.slice(requestsBefore)) {
      const a = slots.get(Math.floor((r.arrivedAt - start) / LATENCY_MS)) ?? [0, 0];
      a[0]++;
      slots.set(Math.floor((r.arrivedAt - start) / LATENCY_MS), a);
    }
    process.stderr.write(`  … waterfall (requests arriving per ${LATENCY_MS} ms): ${[...slots].sort((x, y) => x[0] - y[0]).map(([slot, [n]]) => `${slot * LATENCY_MS}:${n}`).join(' ')}; done at ${ms.toFixed(0)}\n`);
  }
  const cpuAfter = processCpuMs(client.child.pid!);
  return { ms, cpu: { main: cpuAfter.main - cpuBefore.main, others: cpuAfter.others - cpuBefore.others }, requests: index.totalRequests - requestsBefore, publishes: client.publishes.filter((p, i) => i >= publishesBefore && p.uri === uri).length };
}

function start(indexUrl: string, cacheDirectory: string): Promise<LspClient> {
  // PIP_INDEX_URL of the machine must not matter; the bench's own settings name the index.
  // BENCH_CPU_PROF=DIR: each server process writes a CPU profile there.
  const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return LspClient.start({ settings: { indexUrl, cacheDirectory }, env: { PIP_INDEX_URL: '' }, nodeArgs });
}

async function bareRequests(index: IndexServer): Promise<number> {
  const agent = new Agent({ connections: DEFAULT_CONCURRENCY });
  const limiter = new Limiter(DEFAULT_CONCURRENCY);
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: DEPENDENCIES }, (_, i) =>
        limiter.run(async () => {
          const response = await request(`${index.url}bench-project-${i}/`, { dispatcher: agent, headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
          await response.body.text();
        }),
      ),
    );
    return performance.now() - start;
  } finally {
    await agent.close();
  }
}

const resolutionBench: BenchSection = {
  name: 'resolution/open',
  title: `${DEPENDENCIES} pinned dependencies, test index with ${LATENCY_MS} ms latency, real server over stdio`,
  async run({ quick, log }) {
    const runs = quick ? 1 : 5;
    const text = requirements();
    const index = await startIndexServer({ latencyMs: LATENCY_MS });
    serveProjects(index);
    const floor = Math.ceil(DEPENDENCIES / DEFAULT_CONCURRENCY) * LATENCY_MS;
    const cacheDirs: string[] = [];
    const newCache = () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-bench-cache-'));
      cacheDirs.push(dir);
      return dir;
    };
    try {
      // Cold: a new server and an empty cache each run.
      const cold: Timed[] = [];
      let inFlight = 0;
      let warmCache = '';
      for (let i = 0; i < runs; i++) {
        warmCache = newCache();
        const client = await start(index.url, warmCache);
        try {
          index.resetCounts();
          cold.push(await openResolved(client, index, fileUri(`/tmp/pypi-provenance-bench/resolution/cold-${i}/requirements.txt`), text));
          inFlight = Math.max(inFlight, index.maxInFlight);
          log(`cold open ${i + 1}/${runs}: ${cold[i].ms.toFixed(0)} ms, ${cold[i].requests} requests, ${cold[i].publishes} publishes`);
        } finally {
          await client.shutdown();
        }
      }

      // A server that is already up and has resolved something else (modules loaded, connections
      // open) but has none of the 200 cached: the steady state of an editor session.
      const warmProcess: Timed[] = [];
      for (let i = 0; i < runs; i++) {
        const client = await start(index.url, newCache());
        try {
          const warmup = fileUri(`/tmp/pypi-provenance-bench/resolution/warmup-${i}/requirements.txt`);
          client.open(warmup, 'bench-warmup==1.0\n');
          await client.waitForDiagnostics(warmup, { where: (d) => d.some((x) => x.code === 'yanked'), timeoutMs: 60_000 });
          index.resetCounts();
          warmProcess.push(await openResolved(client, index, fileUri(`/tmp/pypi-provenance-bench/resolution/warm-${i}/requirements.txt`), text));
          log(`open in a warm process ${i + 1}/${runs}: ${warmProcess[i].ms.toFixed(0)} ms, ${warmProcess[i].requests} requests`);
        } finally {
          await client.shutdown();
        }
      }

      // The same server reopens the document (close + open), and opens it under a new URI.
      const client = await start(index.url, newCache());
      let reopenSame: Timed;
      let reopenNew: Timed;
      try {
        const uri = fileUri('/tmp/pypi-provenance-bench/resolution/warm/requirements.txt');
        const first = await openResolved(client, index, uri, text);
        log(`first open before reopening: ${first.ms.toFixed(0)} ms`);
        client.close(uri);
        await client.waitForDiagnostics(uri);
        reopenSame = await openResolved(client, index, uri, text);
        reopenNew = await openResolved(client, index, fileUri('/tmp/pypi-provenance-bench/resolution/warm-other/requirements.txt'), text);
      } finally {
        await client.shutdown();
      }

      // A new process on the cache the last cold run left.
      const restarted = await start(index.url, warmCache);
      let warmCacheProcess: Timed;
      try {
        warmCacheProcess = await openResolved(restarted, index, fileUri('/tmp/pypi-provenance-bench/resolution/restarted/requirements.txt'), text);
      } finally {
        await restarted.shutdown();
      }

      // What the machine and the test index allow: the same 200 GETs with bare undici, C at once, no cache, no parsing.
      const bare: number[] = [];
      for (let i = 0; i < runs; i++) bare.push(await bareRequests(index));

      const coldMs = median(cold.map((c) => c.ms));
      const warmMs = median(warmProcess.map((c) => c.ms));
      const note = (t: Timed) => `${t.publishes} publish${t.publishes === 1 ? '' : 'es'}`;
      const spread = (samples: Timed[]) => `min ${Math.min(...samples.map((c) => c.ms)).toFixed(0)}, max ${Math.max(...samples.map((c) => c.ms)).toFixed(0)}`;
      return [
        { metric: `floor ⌈${DEPENDENCIES}/C⌉ × ${LATENCY_MS} ms (C = ${DEFAULT_CONCURRENCY})`, value: floor, unit: 'ms' },
        { metric: 'open → all resolved, new server process (median)', value: coldMs, unit: 'ms', note: `${runs} run${runs === 1 ? '' : 's'}, new server + empty cache each (module loading, first connections included); ${spread(cold)}; ${note(cold[0])}` },
        { metric: 'ratio to the floor, new server process', value: coldMs / floor, unit: '×' },
        { metric: 'open → all resolved, server already running (median)', value: warmMs, unit: 'ms', note: `${runs} run${runs === 1 ? '' : 's'}, the server resolved one other project first; empty cache for the 200; ${spread(warmProcess)}; ${note(warmProcess[0])}` },
        { metric: 'ratio to the floor, server already running', value: warmMs / floor, unit: '×' },
        { metric: 'server CPU, open → all resolved: main thread (median)', value: median(cold.map((c) => c.cpu.main)), unit: 'ms', note: `new process; other threads ${median(cold.map((c) => c.cpu.others))} ms. Server already running: main ${median(warmProcess.map((c) => c.cpu.main))} ms, other threads ${median(warmProcess.map((c) => c.cpu.others))} ms` },
        { metric: 'requests, first open', value: cold[0].requests, note: `one page per project; most in flight at once: ${inFlight}` },
        { metric: `reference: the same ${DEPENDENCIES} GETs with bare undici, C = ${DEFAULT_CONCURRENCY} (median)`, value: median(bare), unit: 'ms', note: `in the bench process, no LSP, cache or parsing; ${(median(bare) / floor).toFixed(2)} × the floor` },
        { metric: 'ratio to bare undici: new server process / server already running', value: `${(coldMs / median(bare)).toFixed(2)} / ${(warmMs / median(bare)).toFixed(2)}`, unit: '×', note: 'target ≤ 1.10 both' },
        { metric: 'reopen (close + open, same URI) → all resolved', value: reopenSame.ms, unit: 'ms', note: note(reopenSame) },
        { metric: 'requests, reopen', value: reopenSame.requests },
        { metric: 'open under a new URI, same server → all resolved', value: reopenNew.ms, unit: 'ms', note: note(reopenNew) },
        { metric: 'requests, new URI', value: reopenNew.requests },
        { metric: 'new server process on the warm cache dir → all resolved', value: warmCacheProcess.ms, unit: 'ms', note: note(warmCacheProcess) },
        { metric: 'requests, new process on the warm cache', value: warmCacheProcess.requests, note: 'pages still fresh by their Cache-Control (max-age=600)' },
      ] satisfies BenchRow[];
    } finally {
      await index.close();
      for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const sections: BenchSection[] = [resolutionBench];

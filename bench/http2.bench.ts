/**
 * Issue 14 item 1: round trips against an index that speaks HTTP/2 (TLS with a throw-away CA the
 * server is told to trust through NODE_EXTRA_CA_CERTS; test/support/testTls), at 40 ms latency:
 * - 200 pins, pages only (every release yanked: the publish with 200 `yanked` is the end);
 * - 200 pins × 2 files, to the report with every attestation verified (pages and provenance);
 * each as wall time / latency (round trips), beside bare undici over HTTP/2 making the same
 * requests (a page, then its files' provenance as soon as it arrives) at the server's stream limit.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { DEFAULT_CONCURRENCY, DEFAULT_H2_STREAMS } from '../server/src/index/httpClient';
import { Limiter } from '../server/src/index/limiter';
import { makeProject, startIndexServer, type IndexServer } from '../test/support/indexServer';
import { LspClient, fileUri } from '../test/support/lspClient';
import { SignedIndex, TempDirs, report } from '../test/lsp/verificationSupport';
import { makeTestTls } from '../test/support/testTls';
import { median, type BenchRow, type BenchSection } from './harness';
import { processCpuMs } from './processCpu';

const PINS = 200;
const LATENCY_MS = 40;
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

/** Bare undici over HTTP/2: every page, and (when `provenance`) each file's provenance once its page is in. */
async function bare(index: IndexServer, ca: string, names: string[], provenance: boolean): Promise<number> {
  const agent = new Agent({ allowH2: true, connections: DEFAULT_CONCURRENCY, pipelining: DEFAULT_H2_STREAMS, connect: { ca } });
  const limiter = new Limiter(DEFAULT_H2_STREAMS);
  const get = (url: string, accept: string) =>
    limiter.run(async () => {
      const response = await request(url, { dispatcher: agent, headers: { accept } });
      return response.body.text();
    });
  const start = performance.now();
  try {
    await Promise.all(
      names.map(async (name) => {
        const page = JSON.parse(await get(`${index.url}${name}/`, SIMPLE_JSON)) as { files: Array<{ provenance?: string | null }> };
        if (provenance) await Promise.all(page.files.filter((f) => typeof f.provenance === 'string').map((f) => get(f.provenance as string, 'application/vnd.pypi.integrity.v1+json')));
      }),
    );
    return performance.now() - start;
  } finally {
    await agent.close();
  }
}

/** Files under each subdirectory of a cache directory (what a run wrote). */
function filesUnder(directory: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const top = path.relative(directory, entry.parentPath ?? entry.path).split(path.sep)[0] || '.';
    counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  return counts;
}

/** BENCH_WATERFALL=1: when each kind of request arrived at the index, by latency-sized slots after the open. */
function waterfall(index: IndexServer, began: number): string {
  const slots = new Map<number, Map<string, number>>();
  for (const r of index.requests) {
    const slot = Math.floor((r.arrivedAt - began) / LATENCY_MS);
    const kind = r.path.includes('/integrity/') ? 'prov' : r.path.startsWith('/simple/') ? 'page' : r.path;
    const counts = slots.get(slot) ?? new Map<string, number>();
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    slots.set(slot, counts);
  }
  const lines = [...slots.entries()].sort((a, b) => a[0] - b[0]).map(([slot, counts]) => `  ${slot * LATENCY_MS} ms: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return `waterfall (arrivals per ${LATENCY_MS} ms):\n${lines.join('\n')}`;
}

const http2Section: BenchSection = {
  name: 'network/http2',
  title: `HTTP/2 test index (TLS, test CA), ${LATENCY_MS} ms latency: round trips = wall / latency, beside bare undici over HTTP/2 (${DEFAULT_H2_STREAMS} streams)`,
  async run({ log, quick }) {
    const tls = makeTestTls();
    if (tls === undefined) throw new Error('openssl is not on PATH: no test certificate can be made');
    const dirs = new TempDirs();
    const index = await startIndexServer({ tls });
    try {
      const workspace = dirs.make('bench-http2');
      const caFile = path.join(workspace, 'test-ca.pem');
      writeFileSync(caFile, tls.ca);
      const signed = new SignedIndex(index, workspace);
      log(`signing ${PINS * 2} attestations with the test Sigstore`);
      for (let i = 0; i < PINS; i++) signed.serve(`bench-h2-${i}`, [{ version: '1.0.0' }]);
      for (let i = 0; i < PINS; i++) index.setProject(makeProject(`bench-h2-yanked-${i}`, { releases: [{ version: '1.0.0', yanked: 'bench' }] }));
      index.setProject(makeProject('bench-h2-warmup', { releases: [{ version: '1.0', yanked: 'bench' }] }));
      index.setLatency(LATENCY_MS);
      let cacheDirectory = '';
      const start = () =>
        LspClient.start({ settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: (cacheDirectory = dirs.make('bench-http2-cache')) }, env: { PIP_INDEX_URL: '', NODE_EXTRA_CA_CERTS: caFile }, nodeArgs: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [] });
      const runs = quick ? 1 : 3;
      const pagesMs: number[] = [];
      const settledMs: number[] = [];
      const settledCpu: Array<{ main: number; others: number }> = [];
      let h2Requests = 0;
      let allRequests = 0;
      let inFlight = 0;
      let files = new Map<string, number>();
      for (let run = 0; run < runs; run++) {
        const client = await start();
        try {
          // A running server (modules loaded, connection open): the editor's steady state.
          const warmup = fileUri(path.join(workspace, `warmup-${run}`, 'requirements.txt'));
          client.open(warmup, 'bench-h2-warmup==1.0\n');
          await client.waitForDiagnostics(warmup, { where: (d) => d.some((x) => x.code === 'yanked'), timeoutMs: 60_000 });
          index.resetCounts();
          const pagesUri = fileUri(path.join(workspace, `pages-${run}`, 'requirements.txt'));
          let began = performance.now();
          client.open(pagesUri, Array.from({ length: PINS }, (_, i) => `bench-h2-yanked-${i}==1.0.0\n`).join(''));
          await client.waitForDiagnostics(pagesUri, { where: (d) => d.filter((x) => x.code === 'yanked').length === PINS, timeoutMs: 120_000 });
          pagesMs.push(performance.now() - began);
          index.resetCounts();
          const settledUri = fileUri(path.join(workspace, `settled-${run}`, 'requirements.txt'));
          began = performance.now();
          const cpuBefore = processCpuMs(client.child.pid!);
          client.open(settledUri, Array.from({ length: PINS }, (_, i) => `bench-h2-${i}==1.0.0\n`).join(''));
          const answer = await report(client, settledUri, true, 300_000);
          settledMs.push(performance.now() - began);
          const cpuAfter = processCpuMs(client.child.pid!);
          settledCpu.push({ main: cpuAfter.main - cpuBefore.main, others: cpuAfter.others - cpuBefore.others });
          const bad = answer.dependencies.filter((d) => d.status !== 'verified');
          if (bad.length > 0) throw new Error(`${bad.length} dependencies not verified, e.g. ${JSON.stringify(bad[0]).slice(0, 300)}`);
          if (process.env.BENCH_WATERFALL) log(waterfall(index, began));
          allRequests = index.requests.length;
          files = filesUnder(cacheDirectory);
          h2Requests = index.requests.filter((r) => r.headers[':scheme'] !== undefined).length;
          inFlight = index.maxInFlight;
          log(`run ${run + 1}/${runs}: pages ${pagesMs[run].toFixed(0)} ms, settled ${settledMs[run].toFixed(0)} ms (server CPU: main thread ${settledCpu[run].main} ms, other threads ${settledCpu[run].others} ms), ${allRequests} requests (${h2Requests} over HTTP/2), ${inFlight} at once at most`);
        } finally {
          await client.shutdown().catch(() => client.kill());
        }
      }
      const barePages: number[] = [];
      const bareAll: number[] = [];
      for (let run = 0; run < runs; run++) {
        barePages.push(await bare(index, tls.ca, Array.from({ length: PINS }, (_, i) => `bench-h2-yanked-${i}`), false));
        bareAll.push(await bare(index, tls.ca, Array.from({ length: PINS }, (_, i) => `bench-h2-${i}`), true));
      }
      const pages = median(pagesMs);
      const settled = median(settledMs);
      return [
        { metric: `${PINS} pins, pages only: open → all resolved (median)`, value: pages, unit: 'ms', note: `${runs} run(s), a running server; = ${(pages / LATENCY_MS).toFixed(1)} round trips` },
        { metric: `  bare undici over HTTP/2, the same ${PINS} GETs (median)`, value: median(barePages), unit: 'ms', note: `= ${(median(barePages) / LATENCY_MS).toFixed(1)} round trips; ratio server / bare ${(pages / median(barePages)).toFixed(2)}×` },
        { metric: `${PINS} pins × 2 files: open → report settled (median)`, value: settled, unit: 'ms', note: `${allRequests} requests (${h2Requests} over HTTP/2, at most ${inFlight} at once); = ${(settled / LATENCY_MS).toFixed(1)} round trips, target ≤ 8; verification CPU included` },
        { metric: '  server CPU from open to settled: main thread (median)', value: median(settledCpu.map((c) => c.main)), unit: 'ms', note: `other threads (verification worker, GC, libuv) ${median(settledCpu.map((c) => c.others))} ms; holds on a loaded machine, unlike wall time` },
        { metric: '  files in the cache directory after the cold run (all three opens)', value: [...files.values()].reduce((a, b) => a + b, 0), note: [...files].map(([dir, n]) => `${dir} ${n}`).join(', ') },
        { metric: '  bare undici over HTTP/2, pages then provenance as each page arrives (median)', value: median(bareAll), unit: 'ms', note: `= ${(median(bareAll) / LATENCY_MS).toFixed(1)} round trips; ratio server / bare ${(settled / median(bareAll)).toFixed(2)}×; no parsing beyond JSON.parse, no verification` },
      ] satisfies BenchRow[];
    } finally {
      await index.close();
      dirs.cleanup();
    }
  },
};

export const sections: BenchSection[] = [http2Section];

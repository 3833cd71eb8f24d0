/**
 * Issue 4's figures, through the real language server over stdio against the test index, with
 * provenance signed by the test Sigstore (test/support/sigstoreKit; settings.trustedRoot → its root):
 * - `verification/attestation`: CPU ms per attestation of AttestationVerifier beside bare
 *   @sigstore/verify and the signature-check floor (bench/verify.ts, reused);
 * - `verification/pipeline`: 200 pins with 2 files each (400 attestations; one certificate per
 *   release, as PyPI's publish action signs) with 40 ms index latency — didOpen to the report
 *   with every dependency settled, cold (new cache directory), warm (a new server process on the
 *   same cache directory: every verdict remembered), and reopened in the same process; the
 *   server's CPU time, its ratio to the signature-check floor, and the wall time's ratio to the
 *   network floor; the server's RSS at the end;
 * - `verification/hover`: hover round trips while 500 attestations (each with its own
 *   certificate, so none is cached) verify in the background.
 * Linux: the server's CPU time and RSS come from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONCURRENCY } from '../server/src/index/httpClient';
import { DEFAULT_WORKER_IDLE_MS } from '../server/src/verification/workerExecutor';
import { startIndexServer, type IndexServer } from '../test/support/indexServer';
import { BUNDLED_SERVER_MAIN, LspClient, fileUri } from '../test/support/lspClient';
import { SignedIndex, TempDirs, hover, report, verificationCounts } from '../test/lsp/verificationSupport';
import { median, type BenchSection } from './harness';
import { benchVerify } from './verify';

const PINS = 200;
const LATENCY_MS = 40;
const HOVER_PINS = 250;
/** USER_HZ: /proc times are in these ticks on every Linux. */
const TICKS_PER_SECOND = 100;

function serverCpuMs(client: LspClient): number {
  const stat = readFileSync(`/proc/${client.child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function serverRssMb(client: LspClient): number {
  const status = readFileSync(`/proc/${client.child.pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const verifiedSoFar = verificationCounts;

/** Regular files under a directory (what a run wrote to the cache), in all and by subdirectory. */
function filesUnder(directory: string): { total: number; bySubdirectory: string } {
  const files = readdirSync(directory, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile());
  const counts = new Map<string, number>();
  for (const file of files) {
    const subdirectory = path.relative(directory, file.parentPath).split(path.sep)[0] || '.';
    counts.set(subdirectory, (counts.get(subdirectory) ?? 0) + 1);
  }
  return { total: files.length, bySubdirectory: [...counts].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ') };
}

function requirements(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}==1.0.0\n`).join('');
}

interface Run {
  wallMs: number;
  cpuMs: number;
  verified: number;
  remembered: number;
}

async function openSettled(client: LspClient, uri: string, text: string): Promise<Run> {
  const before = verifiedSoFar(client);
  const cpu = serverCpuMs(client);
  const start = performance.now();
  client.open(uri, text);
  const answer = await report(client, uri, true, 300_000);
  const wallMs = performance.now() - start;
  const bad = answer.dependencies.filter((d) => d.status !== 'verified');
  if (bad.length > 0) throw new Error(`${bad.length} dependencies not verified, e.g. ${JSON.stringify(bad[0]).slice(0, 300)}`);
  // The burst's log line follows the last verdict.
  for (let i = 0; i < 100 && verifiedSoFar(client).verified + verifiedSoFar(client).remembered === before.verified + before.remembered; i++) await new Promise((r) => setTimeout(r, 10));
  const after = verifiedSoFar(client);
  return { wallMs, cpuMs: serverCpuMs(client) - cpu, verified: after.verified - before.verified, remembered: after.remembered - before.remembered };
}

/** BENCH_CPU_PROF=DIR: each server writes a V8 CPU profile there (node's --cpu-prof, not NODE_OPTIONS). */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** BENCH_SERVER_NODE_ARGS='--flag …': more node flags for the server, after the editor's (experiments, e.g. another young-generation size). */
const EXTRA_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

function startServer(index: IndexServer, signed: SignedIndex, cacheDirectory: string): Promise<LspClient> {
  const nodeArgs = [...EXTRA_NODE_ARGS, ...(CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : [])];
  return LspClient.start({ settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory }, env: { PIP_INDEX_URL: '' }, nodeArgs, serverMain: process.env.BENCH_UNBUNDLED ? undefined : BUNDLED_SERVER_MAIN });
}

/** Set by the attestation section when it runs first; measured quickly otherwise. */
let signatureFloorMs: number | undefined;

const attestationSection: BenchSection = {
  name: 'verification/attestation',
  title: 'CPU per attestation: AttestationVerifier vs bare @sigstore/verify, and the signature-check floor (bench/verify.ts)',
  async run(context) {
    const figures = await benchVerify(context);
    signatureFloorMs = Number(figures['signature-check floor (ms CPU/attestation)']);
    return Object.entries(figures).map(([metric, value]) => ({ metric, value }));
  },
};

const pipelineSection: BenchSection = {
  name: 'verification/pipeline',
  title: `${PINS} pins × 2 files (${PINS * 2} attestations), ${LATENCY_MS} ms index latency, real server over stdio, to the report with everything settled`,
  async run({ log, quick }) {
    const dirs = new TempDirs();
    const index = await startIndexServer();
    try {
      const workspace = dirs.make('bench-verification');
      const signed = new SignedIndex(index, workspace);
      log(`signing ${PINS * 2} attestations with the test Sigstore`);
      for (let i = 0; i < PINS; i++) signed.serve(`bench-signed-${i}`, [{ version: '1.0.0' }]);
      const text = requirements('bench-signed', PINS);
      const cacheDirectory = dirs.make('bench-verification-cache');
      index.setLatency(LATENCY_MS);

      const cold = await startServer(index, signed, cacheDirectory);
      let coldRun: Run;
      const reopenMs: number[] = [];
      let rss: number;
      let idleRss: number;
      let written: { total: number; bySubdirectory: string };
      try {
        coldRun = await openSettled(cold, fileUri(path.join(workspace, 'cold', 'requirements.txt')), text);
        log(`cold ${coldRun.wallMs.toFixed(0)} ms wall, ${coldRun.cpuMs} ms CPU, ${coldRun.verified} verified`);
        for (let i = 0; i < (quick ? 1 : 3); i++) {
          const uri = fileUri(path.join(workspace, `reopen-${i}`, 'requirements.txt'));
          const start = performance.now();
          cold.open(uri, text);
          await report(cold, uri, true, 120_000);
          reopenMs.push(performance.now() - start);
          cold.close(uri);
        }
        rss = serverRssMb(cold);
        // The workers stop once idle: the server's footprint between bursts of work.
        await new Promise((r) => setTimeout(r, DEFAULT_WORKER_IDLE_MS + 1_000));
        idleRss = serverRssMb(cold);
        // Counted once the server has been quiet for seconds: index answers are written behind them.
        // (The reopens write nothing: every answer is memoized.)
        written = filesUnder(cacheDirectory);
      } finally {
        await cold.shutdown().catch(() => cold.kill());
      }

      const warm = await startServer(index, signed, cacheDirectory);
      let warmRun: Run;
      try {
        warmRun = await openSettled(warm, fileUri(path.join(workspace, 'warm', 'requirements.txt')), text);
        log(`warm ${warmRun.wallMs.toFixed(0)} ms wall, ${warmRun.cpuMs} ms CPU, ${warmRun.verified} verified, ${warmRun.remembered} remembered`);
      } finally {
        await warm.shutdown().catch(() => warm.kill());
      }

      const requests = PINS + PINS * 2;
      // Pages, then provenance objects, each batch at the index client's concurrency.
      const networkFloor = (Math.ceil(PINS / DEFAULT_CONCURRENCY) + Math.ceil((PINS * 2) / DEFAULT_CONCURRENCY)) * LATENCY_MS;
      signatureFloorMs ??= Number((await benchVerify({ quick: true }))['signature-check floor (ms CPU/attestation)']);
      const cpuFloor = PINS * 2 * signatureFloorMs;
      return [
        { metric: 'cold: didOpen → report settled', value: coldRun.wallMs, unit: 'ms', note: `new cache directory; ${coldRun.verified} attestations verified; ${requests} index requests at ${LATENCY_MS} ms` },
        { metric: 'cold: wall / network floor', value: coldRun.wallMs / networkFloor, unit: '×', note: `floor (⌈${PINS}/${DEFAULT_CONCURRENCY}⌉ + ⌈${PINS * 2}/${DEFAULT_CONCURRENCY}⌉) × ${LATENCY_MS} ms = ${networkFloor} ms` },
        { metric: 'cold: server CPU', value: coldRun.cpuMs, unit: 'ms', note: 'main thread + worker threads, parsing, HTTP, JSON and verification (/proc, 10 ms ticks)' },
        { metric: 'cold: server CPU per attestation', value: coldRun.cpuMs / (PINS * 2), unit: 'ms', note: 'everything the server did, divided by the attestations' },
        { metric: 'cold: server CPU / signature-check floor', value: coldRun.cpuMs / cpuFloor, unit: '×', note: `floor ${signatureFloorMs.toFixed(3)} ms × ${PINS * 2} attestations = ${cpuFloor.toFixed(0)} ms` },
        { metric: 'warm (new process, same cache): didOpen → report settled', value: warmRun.wallMs, unit: 'ms', note: `${warmRun.verified} verified, ${warmRun.remembered} remembered; provenance and pages from the HTTP cache` },
        { metric: 'warm: server CPU', value: warmRun.cpuMs, unit: 'ms', note: `ratio to the signature-check floor ${(warmRun.cpuMs / cpuFloor).toFixed(2)}×` },
        { metric: 'warm: wall / network floor', value: warmRun.wallMs / networkFloor, unit: '×', note: 'nothing needs the network while fresh' },
        { metric: 'reopen in the same process: didOpen → report settled', value: median(reopenMs), unit: 'ms', note: `median of ${reopenMs.length}; a new URI, every answer memoized` },
        { metric: 'server RSS at the end', value: rss, unit: 'MB', note: 'after the cold run and the reopens (VmRSS, includes the worker thread)' },
        { metric: 'server RSS once the workers are idle', value: idleRss, unit: 'MB', note: `${(DEFAULT_WORKER_IDLE_MS + 1000) / 1000} s later: idle workers stop; target ≤ 100 MB` },
        { metric: 'files in the cache directory after the cold run', value: written.total, note: written.bySubdirectory },
      ];
    } finally {
      await index.close();
      dirs.cleanup();
    }
  },
};

const hoverSection: BenchSection = {
  name: 'verification/hover',
  title: `hover round trip while ${HOVER_PINS * 2} attestations (each its own certificate) verify in the background`,
  async run({ log }) {
    const dirs = new TempDirs();
    const index = await startIndexServer();
    try {
      const workspace = dirs.make('bench-hover');
      const signed = new SignedIndex(index, workspace);
      log(`signing ${HOVER_PINS * 2} attestations, each with its own certificate`);
      for (let i = 0; i < HOVER_PINS; i++) signed.serve(`bench-hover-${i}`, [{ version: '1.0.0', attestationsPerFile: 1, sdist: (file) => ({ filename: file.filename, content: file.content, certificate: undefined }), wheel: (file) => ({ filename: file.filename, content: file.content, certificate: undefined }) }]);
      const client = await startServer(index, signed, dirs.make('bench-hover-cache'));
      try {
        const uri = fileUri(path.join(workspace, 'requirements.txt'));
        const idle: number[] = [];
        const warmup = fileUri(path.join(workspace, 'idle', 'requirements.txt'));
        client.open(warmup, 'bench-hover-0==1.0.0\n');
        await report(client, warmup);
        for (let i = 0; i < 20; i++) {
          const start = performance.now();
          await hover(client, warmup, 0, 2);
          idle.push(performance.now() - start);
        }
        const cpuBefore = serverCpuMs(client);
        const started = performance.now();
        client.open(uri, requirements('bench-hover', HOVER_PINS));
        let settled = false;
        const done = report(client, uri, true, 300_000).then(() => {
          settled = true;
        });
        const busy: number[] = [];
        let pending = 0;
        while (!settled) {
          const line = busy.length % HOVER_PINS;
          const start = performance.now();
          const card = await hover(client, uri, line, 3);
          busy.push(performance.now() - start);
          if (card && /Verifying…/.test(card.contents.value)) pending++;
          await new Promise((r) => setTimeout(r, 5));
        }
        await done;
        const wall = performance.now() - started;
        const sorted = [...busy].sort((a, b) => a - b);
        const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
        const counts = verifiedSoFar(client);
        return [
          { metric: 'hover round trip while verifying, median', value: median(busy), unit: 'ms', note: `${busy.length} hovers over ${wall.toFixed(0)} ms of verification (${counts.verified} attestations verified); ${pending} answered "verifying…"` },
          { metric: 'hover round trip while verifying, p95', value: p95, unit: 'ms' },
          { metric: 'hover round trip while verifying, max', value: sorted[sorted.length - 1], unit: 'ms' },
          { metric: 'hover round trip when idle, median', value: median(idle), unit: 'ms', note: '20 hovers before the work started' },
          { metric: 'server CPU for the 500 attestations', value: serverCpuMs(client) - cpuBefore, unit: 'ms', note: 'main thread + worker; each attestation has its own certificate' },
          { metric: 'server RSS at the end', value: serverRssMb(client), unit: 'MB' },
        ];
      } finally {
        await client.shutdown().catch(() => client.kill());
      }
    } finally {
      await index.close();
      dirs.cleanup();
    }
  },
};

export const sections: BenchSection[] = [attestationSection, pipelineSection, hoverSection];

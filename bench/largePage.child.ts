/**
 * Run in a child process by bench/large.bench.ts (issue 15 item 7): a test index serves `pages`
 * project pages of `megabytes` MB each (shaped like a real nightly-build page, test/support/
 * largePages.ts); the real server, over stdio, checks a requirements file that pins one release of
 * each, all at once. Prints `{ ms, serverPeakRssMb, serverBaseRssMb, loopMaxMs, hoverMaxMs,
 * hovers, diagnostics }` as JSON:
 * - ms: didOpen → every pin settled (a no-provenance or index-error each);
 * - serverPeakRssMb: the server's VmHWM at the end; serverBaseRssMb: its resident set before;
 * - loopMaxMs: the longest the server's main thread ran without a break (bench/loopDelay.cjs);
 * - hoverMaxMs: the slowest of the hovers sent every 20 ms meanwhile (what a user would feel).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LspClient, fileUri } from '../test/support/lspClient';
import { largePageJson } from '../test/support/largePages';
import { makeProject, SIMPLE_JSON, startIndexServer } from '../test/support/indexServer';

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

async function main(): Promise<void> {
  const [pagesArg, megabytesArg] = process.argv.slice(2);
  const pages = Number(pagesArg);
  const bytes = Number(megabytesArg) * 1_000_000;
  const temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-large-page-'));
  const index = await startIndexServer();
  const names = Array.from({ length: pages }, (_, i) => `big-page-${i}`);
  for (const name of names) index.setMode(name, { kind: 'raw', status: 200, contentType: SIMPLE_JSON, body: largePageJson(name, bytes, index.origin) });
  index.setProject(makeProject('warmup', { releases: [{ version: '1.0', yanked: 'bench' }] }));
  const loopFile = path.join(temp, 'loop.json');
  const client = await LspClient.start({
    settings: { indexUrl: index.url, cacheDirectory: path.join(temp, 'cache') },
    env: { PIP_INDEX_URL: '', BENCH_LOOP_DELAY_FILE: loopFile },
    nodeArgs: ['--require', path.join(__dirname, 'loopDelay.cjs'), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
  });
  const pid = client.child.pid ?? 0;
  try {
    // A running server (modules loaded, a connection open) before anything is measured.
    const warmup = fileUri(path.join(temp, 'warmup', 'requirements.txt'));
    client.open(warmup, 'warmup==1.0\n');
    await client.waitForDiagnostics(warmup, { where: (d) => d.some((x) => x.code === 'yanked'), timeoutMs: 60_000 });
    const serverBaseRssMb = statusKb(pid, 'VmRSS') / 1024;
    process.kill(pid, 'SIGUSR2');
    await client.request('textDocument/hover', { textDocument: { uri: warmup }, position: { line: 0, character: 1 } });

    const uri = fileUri(path.join(temp, 'ws', 'requirements.txt'));
    const start = performance.now();
    client.open(uri, names.map((name) => `${name}==1.0.0\n`).join(''));
    let settled = false;
    let hoverMaxMs = 0;
    let hovers = 0;
    const probing = (async () => {
      while (!settled) {
        const sent = performance.now();
        await client.request('textDocument/hover', { textDocument: { uri: warmup }, position: { line: 0, character: 1 } }, 120_000);
        hoverMaxMs = Math.max(hoverMaxMs, performance.now() - sent);
        hovers++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const diagnostics = await client.waitForDiagnostics(uri, {
      where: (d) => d.filter((x) => x.code === 'no-provenance' || x.code === 'index-error').length >= pages,
      timeoutMs: 300_000,
    });
    const ms = performance.now() - start;
    settled = true;
    await probing;
    const serverPeakRssMb = statusKb(pid, 'VmHWM') / 1024;
    await client.shutdown();
    const loop = JSON.parse(readFileSync(loopFile, 'utf8')) as { maxMs: number };
    const codes = [...new Set(diagnostics.map((d) => String(d.code)))].join(',');
    const firstError = diagnostics.find((d) => d.code === 'index-error')?.message;
    process.stdout.write(JSON.stringify({ ms, serverPeakRssMb, serverBaseRssMb, loopMaxMs: loop.maxMs, hoverMaxMs, hovers, diagnostics: diagnostics.length, codes, firstError }) + '\n');
  } finally {
    await client.shutdown().catch(() => undefined);
    await index.close();
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String(error) }) + '\n');
  process.exitCode = 1;
});

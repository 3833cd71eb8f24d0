/**
 * Run in a child process by bench/large.bench.ts: starts the real server over stdio, opens one
 * generated large document (MEGABYTES, or `limit`: just under its format's size limit) and prints
 * `{ ms, serverCpuMs, valueParserMs, serverPeakRssMb, serverBaseRssMb, diagnostics, alive }` (and with
 * `hovers`, `hoverMaxMs`, `firstHoverMs` and `hovers`) as
 * JSON: didOpen → first publishDiagnostics, the CPU the server used meanwhile (its main thread,
 * and its other threads: the parse worker, GC helpers), its peak resident set (VmHWM) after it
 * and its resident set before the open, and for a lock file the anchor, smol-toml alone on the
 * same text.
 */
import { readFileSync } from 'node:fs';
import { parse as parseValues } from 'smol-toml';
import { LspClient, fileUri } from '../test/support/lspClient';
import { processCpuMs } from './processCpu';
import { sizeLimit } from '../server/src/parsers/limits';
import { atSizeLimit, LARGE_DOCUMENTS } from '../test/support/largeDocuments';


/** VmHWM (the peak resident set so far) or VmRSS (the resident set now) of a process, in MB. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function timed(body: () => unknown): number {
  const start = performance.now();
  body();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const [kind, megabytes, offline] = process.argv.slice(2);
  const { fileName, format, generate } = LARGE_DOCUMENTS[kind];
  // `limit`: as large as the format's size limit allows.
  const text = megabytes === 'limit' ? atSizeLimit(kind, sizeLimit(format)) : generate(Number(megabytes) * 1_000_000);
  // The anchor: the bare value parser on the same text, here, before the server takes the CPU.
  const valueParserMs = fileName.endsWith('.lock') ? timed(() => parseValues(text)) : undefined;
  // BENCH_SERVER_CPU_PROF=<dir>: the server (and its worker threads) write CPU profiles there.
  const profileDir = process.env.BENCH_SERVER_CPU_PROF;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const client = await LspClient.start({ settings: { offline: offline !== 'online' }, nodeArgs });
  try {
    const uri = fileUri(`/tmp/pypi-provenance-large/${kind}/${fileName}`);
    const pid = client.child.pid ?? 0;
    // BENCH_OPEN_AFTER_MS=<ms>: open that long after the start, once the server (and its waiting
    // parse worker) has loaded, so a profile or the CPU counts show the document's work alone.
    if (process.env.BENCH_OPEN_AFTER_MS) await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_OPEN_AFTER_MS)));
    // `hovers` (the third argument): a small document is opened first, and hovered every 20 ms
    // while the large one is read, for the slowest answer (what a user feels meanwhile).
    const probe = offline === 'hovers' ? fileUri(`/tmp/pypi-provenance-large/${kind}-probe/requirements.txt`) : undefined;
    if (probe !== undefined) {
      client.open(probe, 'requests\n');
      await client.waitForDiagnostics(probe, { timeoutMs: 60_000 });
      await client.request('textDocument/hover', { textDocument: { uri: probe }, position: { line: 0, character: 1 } });
    }
    const serverBaseRssMb = rssMb(pid, 'VmRSS');
    const cpuBefore = processCpuMs(pid);
    const start = performance.now();
    client.open(uri, text);
    let opened = false;
    let hoverMaxMs = 0;
    let firstHoverMs = 0;
    let hovers = 0;
    const probing = (async () => {
      while (probe !== undefined && !opened) {
        const sent = performance.now();
        await client.request('textDocument/hover', { textDocument: { uri: probe }, position: { line: 0, character: 1 } }, 120_000);
        // The first hover queues behind the document's own didOpen, which must arrive whole first.
        if (hovers > 0) hoverMaxMs = Math.max(hoverMaxMs, performance.now() - sent);
        else firstHoverMs = performance.now() - sent;
        if (process.env.BENCH_HOVER_TRACE) process.stderr.write(`hover sent ${(sent - start).toFixed(0)} answered ${(performance.now() - start).toFixed(0)}\n`);
        hovers++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const diagnostics = await client.waitForDiagnostics(uri, { timeoutMs: 300_000 });
    const ms = performance.now() - start;
    const cpuAfter = processCpuMs(pid);
    opened = true;
    await probing;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const serverCpuMs = { main: cpuAfter.main - cpuBefore.main, others: cpuAfter.others - cpuBefore.others };
    const probed = probe === undefined ? {} : { hoverMaxMs, firstHoverMs, hovers };
    process.stdout.write(JSON.stringify({ ms, serverCpuMs, valueParserMs, serverPeakRssMb: rssMb(pid), serverBaseRssMb, diagnostics: diagnostics.length, first: diagnostics[0]?.message, alive: client.alive, ...probed }) + '\n');
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String(error) }) + '\n');
  process.exitCode = 1;
});

/**
 * Issue 2's figures: didOpen → first diagnostics through the real server over stdio, and the
 * parsers' throughput per format.
 */
import { parseDocument } from '../server/src/parsers/index';
import type { DocumentFormat } from '../server/src/core/model';
import { LspClient, fileUri } from '../test/support/lspClient';
import { median, timeRuns, type BenchRow, type BenchSection } from './harness';
import { lineCount, pylockFile, pyprojectFile, requirementsFile } from './inputs';

const REQUIREMENTS_LINES = 2000;
/** Long enough for a document's index stages against an unreachable index to have run (a few tens of ms). */
const SETTLE_MS = 300;

const openToDiagnostics: BenchSection = {
  name: 'foundation/open',
  title: `didOpen → first publishDiagnostics, generated ${REQUIREMENTS_LINES.toLocaleString('en-US')}-line requirements.txt, real server over stdio`,
  async run({ quick, log }) {
    const runs = quick ? 5 : 21;
    const text = requirementsFile(REQUIREMENTS_LINES);
    const startAt = performance.now();
    const client = await LspClient.start();
    const startup = performance.now() - startAt;
    try {
      let counter = 0;
      /**
       * After its local diagnostics a document's index stages run (here against an index that
       * cannot be reached: index-error answers, remembered after the first document, with retries
       * scheduled, so the document never settles). `settle` leaves the server SETTLE_MS after
       * the close, so that the next open finds it as a user opening a file does: with nothing
       * under way. Without it the next open is sent the moment the local diagnostics arrive and
       * waits behind those stages.
       */
      const openOnce = async (settle: boolean) => {
        // A new URI each time: nothing of an earlier run can be reused.
        const uri = fileUri(`/tmp/pypi-provenance-bench/${++counter}/requirements.txt`);
        const start = performance.now();
        client.open(uri, text);
        const diagnostics = await client.waitForDiagnostics(uri, { timeoutMs: 60_000 });
        const elapsed = performance.now() - start;
        client.close(uri);
        if (settle) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return { elapsed, diagnostics: diagnostics.length, uri };
      };
      const first = await openOnce(true);
      log(`first open ${first.elapsed.toFixed(1)} ms`);
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push((await openOnce(true)).elapsed);
      const backToBack: number[] = [];
      for (let i = 0; i < runs; i++) backToBack.push((await openOnce(false)).elapsed);

      // An edit: one character at the end, to its publish (includes the edit debounce).
      const editSamples: number[] = [];
      const uri = fileUri('/tmp/pypi-provenance-bench/edited/requirements.txt');
      client.open(uri, text);
      await client.waitForDiagnostics(uri);
      for (let i = 0; i < (quick ? 3 : 7); i++) {
        const start = performance.now();
        client.edit(uri, { start: { line: REQUIREMENTS_LINES, character: 0 }, end: { line: REQUIREMENTS_LINES, character: 0 } }, i % 2 === 0 ? '#' : '');
        await client.waitForDiagnostics(uri);
        editSamples.push(performance.now() - start);
      }
      const size = `${(text.length / 1024).toFixed(0)} KB, ${first.diagnostics} diagnostics`;
      return [
        { metric: 'server start → initialize answered', value: startup, unit: 'ms', note: 'spawn node + initialize round trip' },
        { metric: 'didOpen → diagnostics, first document', value: first.elapsed, unit: 'ms', note: `cold (JIT not warm); ${size}` },
        { metric: 'didOpen → diagnostics, median', value: median(samples), unit: 'ms', note: `${runs} runs, a new URI each, ${SETTLE_MS} ms after the previous one closed; min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)}; target ≤ 20 ms` },
        { metric: 'didOpen → diagnostics, back to back, median', value: median(backToBack), unit: 'ms', note: `${runs} runs, each opened as the previous one's local diagnostics arrive (its index stages still run); min ${Math.min(...backToBack).toFixed(1)}, max ${Math.max(...backToBack).toFixed(1)}` },
        { metric: 'didChange → diagnostics, median', value: median(editSamples), unit: 'ms', note: `${editSamples.length} one-character edits; includes the 200 ms edit debounce` },
      ] satisfies BenchRow[];
    } finally {
      await client.shutdown();
    }
  },
};

const parseThroughput: BenchSection = {
  name: 'foundation/parse',
  title: 'parser throughput per format (parseDocument, in process, warm)',
  async run({ quick }) {
    const inputs: Array<[DocumentFormat, string, string]> = [
      ['requirements', 'requirements.txt (pip-compile --generate-hashes)', requirementsFile(REQUIREMENTS_LINES)],
      ['pyproject', 'pyproject.toml (dependencies, extras, groups)', pyprojectFile(REQUIREMENTS_LINES)],
      ['pylock', 'pylock.toml (uv and PEP-example styles)', pylockFile(REQUIREMENTS_LINES)],
    ];
    const rows: BenchRow[] = [];
    for (const [format, label, text] of inputs) {
      const lines = lineCount(text);
      let dependencies = 0;
      const samples = await timeRuns(quick ? 5 : 31, quick ? 2 : 10, () => {
        dependencies = parseDocument(format, text).dependencies.length;
      });
      const ms = median(samples);
      rows.push({ metric: label, value: lines / ms, unit: 'lines/ms', note: `${lines} lines, ${dependencies} dependencies, median ${ms.toFixed(2)} ms of ${samples.length}` });
    }
    return rows;
  },
};

export const sections: BenchSection[] = [openToDiagnostics, parseThroughput];

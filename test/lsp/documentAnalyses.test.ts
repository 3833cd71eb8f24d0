// The analysis schedule in process, with a fake host: the FindingStage seam that resolution and
// verification will plug into (async stages, partial updates, stale results, settling).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../../server/src/core/finding';
import { DocumentAnalyses, allFindings, type AnalysisHost, type OpenDocument } from '../../server/src/lsp/documentAnalyses';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/pipeline/contract/settings';
import type { FindingStage, StageInput } from '../../server/src/pipeline/contract/stages';

const URI = 'file:///w/pyproject.toml';
const at = (line: number): Finding['range'] => ({ start: { line, character: 0 }, end: { line, character: 1 } });
const finding = (code: Finding['code'], line: number): Finding => ({ code, message: `${code} at ${line}`, range: at(line) });

interface Published {
  uri: string;
  version: number;
  diagnostics: Diagnostic[];
}

class FakeHost implements AnalysisHost {
  documents = new Map<string, OpenDocument>();
  published: Published[] = [];
  errors: string[] = [];
  current: Readonly<Settings> = DEFAULT_SETTINGS;
  env = {};
  logger = { error: (m: string) => this.errors.push(m), warn: () => undefined, info: () => undefined };
  document = (uri: string) => this.documents.get(uri);
  settings = async () => this.current;
  publish: AnalysisHost['publish'] = (uri, version, diagnostics) => void this.published.push({ uri, version, diagnostics });
  set(text: string, version: number): void {
    this.documents.set(URI, { text, version, format: 'pyproject' });
  }
  codes(index = this.published.length - 1): string[] {
    return this.published[index].diagnostics.map((d) => String(d.code));
  }
}

/** A stage whose runs the test settles by hand. */
function manualStage(name: string) {
  const runs: Array<{ input: StageInput; resolve: (f: Finding[]) => void; reject: (e: unknown) => void }> = [];
  const stage: FindingStage = {
    name,
    run: (input) => new Promise<Finding[]>((resolve, reject) => runs.push({ input, resolve, reject })),
  };
  return { stage, runs };
}

const syncStage = (codes: Finding['code'][]): FindingStage => ({ name: 'local', run: () => codes.map((code, line) => finding(code, line)) });
const flush = () => new Promise((resolve) => setImmediate(resolve));
async function settle(host: FakeHost, analyses: DocumentAnalyses) {
  await flush();
  await analyses.settled(URI);
  await flush();
  return host;
}

test('open publishes the synchronous stages at once, with the version', async () => {
  const host = new FakeHost();
  host.set('x', 3);
  const analyses = new DocumentAnalyses(host, [syncStage(['syntax', 'unpinned'])]);
  analyses.open(URI);
  await flush();
  assert.equal(host.published.length, 1);
  assert.deepEqual(host.published[0].version, 3);
  assert.deepEqual(host.codes(), ['syntax', 'unpinned']);
  assert.equal(host.published[0].diagnostics[1].severity, 4);
});

test('an async stage adds its findings in a later publish; settled waits for it', async () => {
  const host = new FakeHost();
  host.set('x', 1);
  const resolution = manualStage('resolution');
  const analyses = new DocumentAnalyses(host, [syncStage(['unpinned']), resolution.stage]);
  analyses.open(URI);
  await flush();
  assert.deepEqual(host.codes(), ['unpinned']);
  assert.deepEqual([...analyses.get(URI)!.pending], ['resolution']);
  let settled = false;
  const waiting = analyses.settled(URI).then((a) => {
    settled = true;
    return a;
  });
  await flush();
  assert.equal(settled, false);
  resolution.runs[0].resolve([finding('yanked', 5)]);
  const analysis = await waiting;
  assert.equal(analysis?.version, 1);
  assert.deepEqual(allFindings(analysis!).map((f) => f.code), ['unpinned', 'yanked']);
  assert.deepEqual(host.codes(), ['unpinned', 'yanked']);
});

test('update() shows partial results; a stale analysis can neither update nor publish', async () => {
  const host = new FakeHost();
  host.set('v1', 1);
  const verification = manualStage('verification');
  const analyses = new DocumentAnalyses(host, [verification.stage], 5);
  analyses.open(URI);
  await flush();
  const first = verification.runs[0];
  first.input.update([finding('no-provenance', 0)]);
  await flush();
  assert.deepEqual(host.codes(), ['no-provenance']);

  host.set('v2', 2);
  analyses.changed(URI);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await flush();
  assert.equal(first.input.signal.aborted, true, 'the old run is told to stop');
  assert.equal(verification.runs.length, 2);
  const publishedBefore = host.published.length;
  first.input.update([finding('attestation-invalid', 0)]);
  first.resolve([finding('attestation-invalid', 0)]);
  await flush();
  assert.equal(host.published.length, publishedBefore, 'nothing from version 1 after version 2 started');
  assert.deepEqual(host.published.at(-1), { uri: URI, version: 2, diagnostics: [] }, 'the new analysis starts with an empty slot');
  verification.runs[1].resolve([finding('partial-provenance', 0)]);
  await settle(host, analyses);
  assert.equal(host.published.at(-1)!.version, 2);
  assert.deepEqual(host.codes(), ['partial-provenance']);
  const versions = host.published.map((p) => p.version);
  assert.deepEqual(versions, [...versions].sort(), 'versions never go back');
});

test('edits are debounced: a burst of changes is one analysis of the last text', async () => {
  const host = new FakeHost();
  host.set('v1', 1);
  const seen: string[] = [];
  const analyses = new DocumentAnalyses(host, [{ name: 'local', run: ({ text }) => (seen.push(text), []) }], 10);
  analyses.open(URI);
  await flush();
  for (let version = 2; version <= 6; version++) {
    host.set(`v${version}`, version);
    analyses.changed(URI);
  }
  await settle(host, analyses);
  assert.deepEqual(seen, ['v1', 'v6']);
  assert.deepEqual(host.published.map((p) => p.version), [1, 6]);
});

test('the change event that follows an open is not a second analysis', async () => {
  const host = new FakeHost();
  host.set('v1', 1);
  let runs = 0;
  const analyses = new DocumentAnalyses(host, [{ name: 'local', run: () => (runs++, []) }], 10);
  analyses.open(URI);
  analyses.changed(URI);
  await settle(host, analyses);
  assert.equal(runs, 1);
});

test('a stage that throws or rejects is logged; the other stages still publish', async () => {
  const host = new FakeHost();
  host.set('x', 1);
  const analyses = new DocumentAnalyses(host, [
    { name: 'thrower', run: () => { throw new Error('boom'); } },
    syncStage(['syntax']),
    { name: 'rejecter', run: () => Promise.reject(new Error('bang')) },
  ]);
  analyses.open(URI);
  await settle(host, analyses);
  assert.deepEqual(host.codes(), ['syntax']);
  assert.equal(host.errors.length, 2);
  assert.match(host.errors[0], /Stage 'thrower' failed on file:\/\/\/w\/pyproject\.toml: Error: boom/);
  assert.match(host.errors[1], /Stage 'rejecter' failed.*bang/);
  assert.equal(analyses.get(URI)!.pending.size, 0, 'a failed stage is settled, not pending for ever');
});

test('new settings re-run every document; the severity setting applies at publish', async () => {
  const host = new FakeHost();
  host.set('x', 1);
  let runs = 0;
  const analyses = new DocumentAnalyses(host, [{ name: 'local', run: () => (runs++, [finding('unpinned', 0), finding('syntax', 1)]) }]);
  analyses.open(URI);
  await settle(host, analyses);
  host.current = parseSettings({ severity: { unpinned: 'off', syntax: 'warning' } }, () => undefined);
  analyses.reanalyzeAll();
  await settle(host, analyses);
  assert.equal(runs, 2);
  assert.deepEqual(host.codes(), ['syntax']);
  assert.equal(host.published.at(-1)!.diagnostics[0].severity, 2);
  analyses.reanalyzeAll();
  await settle(host, analyses);
  assert.equal(runs, 2, 'same version, same settings: nothing to do');
  analyses.reanalyzeAll(true);
  await settle(host, analyses);
  assert.equal(runs, 3, 'forced');
});

test('close aborts the running stages, answers settled waiters and publishes nothing more', async () => {
  const host = new FakeHost();
  host.set('x', 1);
  const slow = manualStage('slow');
  const analyses = new DocumentAnalyses(host, [slow.stage]);
  analyses.open(URI);
  await flush();
  const waiting = analyses.settled(URI);
  const count = host.published.length;
  host.documents.delete(URI);
  analyses.closed(URI);
  assert.equal(slow.runs[0].input.signal.aborted, true);
  assert.equal(await waiting, undefined);
  slow.runs[0].resolve([finding('yanked', 0)]);
  slow.runs[0].input.update([finding('yanked', 0)]);
  await flush();
  assert.equal(host.published.length, count);
  assert.equal(analyses.get(URI), undefined);
  assert.equal(await analyses.settled(URI), undefined);
});

test('settings are awaited before the first analysis (no publish with the wrong severities)', async () => {
  const host = new FakeHost();
  host.set('x', 1);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  host.settings = async () => {
    await gate;
    return parseSettings({ severity: { unpinned: 'off' } }, () => undefined);
  };
  const analyses = new DocumentAnalyses(host, [syncStage(['unpinned', 'syntax'])]);
  analyses.open(URI);
  await flush();
  assert.equal(host.published.length, 0);
  release();
  await settle(host, analyses);
  assert.equal(host.published.length, 1);
  assert.deepEqual(host.codes(), ['syntax']);
});

test('a large document under way: one publish in flight at a time, spaced, the newest state each time, complete at the end', async () => {
  // Issue 15: a 20,000-pin file's stages update thousands of times; a publish for each (up to
  // 5,000 diagnostics, megabytes of JSON) piled up in the server faster than a client reads.
  const host = new FakeHost();
  host.set('x', 1);
  let inFlight = 0;
  let mostInFlight = 0;
  host.publish = (uri, version, diagnostics) => {
    host.published.push({ uri, version, diagnostics });
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    // A slow client: each publish is written a little later.
    return new Promise<void>((resolve) => setTimeout(resolve, 2)).then(() => void inFlight--);
  };
  const updates = 3000;
  const all = Array.from({ length: 1000 + updates }, (_, line) => finding('no-provenance', line));
  const stage: FindingStage = {
    name: 'verification',
    run: (input) =>
      new Promise<Finding[]>((resolve) => {
        let done = 0;
        const next = () => {
          done++;
          if (done === updates) return resolve(all);
          input.update(all.slice(0, 1000 + done));
          setImmediate(next);
        };
        setImmediate(next);
      }),
  };
  const analyses = new DocumentAnalyses(host, [syncStage(['unpinned']), stage]);
  analyses.open(URI);
  const settled = await analyses.settled(URI);
  assert.ok(settled, 'the analysis settles');
  assert.equal(inFlight, 0, 'settled once the last publish is written');
  assert.equal(mostInFlight, 1, 'never two publishes of the document in flight');
  assert.ok(host.published.length <= 20, `a few publishes for ${updates} updates, not one each (${host.published.length})`);
  assert.ok(host.published.length >= 2, 'the local findings first, then the rest');
  assert.deepEqual(host.codes(0), ['unpinned'], 'the first publish is the local findings, at once');
  assert.equal(host.published.at(-1)!.diagnostics.length, 1 + all.length, 'the last publish has every finding');
  const sizes = host.published.map((p) => p.diagnostics.length);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b), 'each publish is a newer state than the one before');
});

test('a large document publishes its local findings before the other stages start; settled waits for those too', async () => {
  const host = new FakeHost();
  // Over OFF_THREAD_LENGTH, and still a valid pyproject (comment lines).
  host.set('# a comment line\n'.repeat(20_000), 1);
  let publishedBeforeSetUp: string[][] | undefined;
  const local: FindingStage = { name: 'local', local: true, run: () => [finding('weak-hash', 0)] };
  // The set-up of the index stages of a large document takes hundreds of milliseconds, synchronously.
  const index: FindingStage = {
    name: 'resolution',
    run: () => {
      publishedBeforeSetUp = host.published.map((p) => p.diagnostics.map((d) => String(d.code)));
      return [finding('yanked', 1)];
    },
  };
  const analyses = new DocumentAnalyses(host, [local, index]);
  analyses.open(URI);
  await settle(host, analyses);
  assert.deepEqual(publishedBeforeSetUp, [['weak-hash']], 'the local findings went out before the index stage ran');
  assert.deepEqual(host.codes(), ['weak-hash', 'yanked']);
  assert.deepEqual([...analyses.get(URI)!.findingsByStage.keys()], ['local', 'resolution'], 'stage order kept');

  // A small document still gets one publish with every synchronous answer.
  const small = new FakeHost();
  small.set('x', 1);
  let publishesBefore: number | undefined;
  const smallIndex: FindingStage = { name: 'resolution', run: () => ((publishesBefore = small.published.length), [finding('yanked', 1)]) };
  const smallAnalyses = new DocumentAnalyses(small, [local, smallIndex]);
  smallAnalyses.open(URI);
  await settle(small, smallAnalyses);
  assert.equal(publishesBefore, 0);
  assert.deepEqual(small.published.map((p) => p.diagnostics.map((d) => String(d.code))), [['weak-hash', 'yanked']]);
});

test('a large document closed before its index stages start: they never run', async () => {
  const host = new FakeHost();
  host.set('# a comment line\n'.repeat(20_000), 1);
  let ran = false;
  const local: FindingStage = { name: 'local', local: true, run: () => [] };
  const index: FindingStage = { name: 'resolution', run: () => ((ran = true), []) };
  const analyses = new DocumentAnalyses(host, [local, index]);
  analyses.open(URI);
  // The first publish comes within the open's microtasks (settings, parse); close right after it.
  for (let turns = 0; host.published.length === 0 && turns < 1000; turns++) await Promise.resolve();
  assert.equal(host.published.length, 1);
  analyses.closed(URI);
  host.documents.delete(URI);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(ran, false);
});

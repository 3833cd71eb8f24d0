// pipeline/runStages.ts and pipeline/engine.ts: one document through the stages outside the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../server/src/core/finding';
import { parseDocument } from '../../server/src/parsers/index';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/pipeline/contract/settings';
import type { FindingStage, StageInput } from '../../server/src/pipeline/contract/stages';
import { createEngine, engineOf } from '../../server/src/pipeline/engine';
import { createStageServices, createStages } from '../../server/src/pipeline/createStages';
import { parseDocumentSafely } from '../../server/src/pipeline/parse';
import { runStages, type StageRunInput } from '../../server/src/pipeline/runStages';

const TEXT = 'attrs==25.1.0\nidna\n';
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } };
const finding = (message: string): Finding => ({ code: 'yanked', message, range, dependency: 0 });

function input(extra: Partial<StageRunInput> = {}): StageRunInput {
  return { uri: 'file:///w/requirements.txt', format: 'requirements', text: TEXT, parsed: parseDocument('requirements', TEXT), settings: DEFAULT_SETTINGS, ...extra };
}

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined };

test('synchronous and asynchronous stages: all awaited, findings in stage order whatever the settle order', async () => {
  const stages: FindingStage[] = [
    { name: 'slow', run: () => new Promise((resolve) => setTimeout(() => resolve([finding('slow')]), 20)) },
    { name: 'sync', run: () => [finding('sync')] },
    { name: 'fast', run: async () => [finding('fast')] },
  ];
  const run = await runStages(input(), stages);
  assert.deepEqual(run.findings.map((f) => f.message), ['slow', 'sync', 'fast']);
  assert.deepEqual([...run.findingsByStage.keys()], ['slow', 'sync', 'fast']);
  assert.deepEqual(run.failures, []);
});

test('every stage sees the same input: uri, version 1, format, text, parsed, settings, a live signal', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, offline: true, severity: { yanked: 'error' } };
  const base = input({ settings });
  const seen: StageInput[] = [];
  const spy: FindingStage = { name: 'spy', run: (stageInput) => (seen.push(stageInput), []) };
  await runStages(base, [spy, { ...spy, name: 'spy2' }]);
  assert.equal(seen.length, 2);
  for (const stageInput of seen) {
    assert.equal(stageInput.uri, base.uri);
    assert.equal(stageInput.version, 1);
    assert.equal(stageInput.format, 'requirements');
    assert.equal(stageInput.text, TEXT);
    assert.equal(stageInput.parsed, base.parsed);
    assert.equal(stageInput.settings, settings);
    assert.equal(stageInput.signal.aborted, false);
  }
});

test('a stage that throws, rejects or answers garbage is a failure; the others stand; updates before a rejection are kept', async () => {
  const updates: Array<[string, number]> = [];
  const stages: FindingStage[] = [
    {
      name: 'throws',
      run: () => {
        throw new Error('thrown');
      },
    },
    { name: 'ok', run: () => [finding('ok')] },
    {
      name: 'rejects-after-update',
      run: (stageInput) => {
        stageInput.update([finding('partial')]);
        return Promise.reject(new Error('rejected'));
      },
    },
    { name: 'garbage', run: () => Promise.resolve('nope' as unknown as Finding[]) },
    {
      name: 'late-update',
      run: (stageInput) => {
        setTimeout(() => stageInput.update([finding('too late')]), 0);
        return [finding('settled')];
      },
    },
  ];
  const run = await runStages(input({ onUpdate: (stage, findings) => updates.push([stage, findings.length]) }), stages);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(run.findings.map((f) => f.message), ['ok', 'partial', 'settled']);
  assert.deepEqual(run.failures.map((f) => [f.stage, (f.error as Error).message]), [
    ['throws', 'thrown'],
    ['rejects-after-update', 'rejected'],
    ['garbage', "stage 'garbage' answered no list of findings"],
  ]);
  assert.deepEqual(updates, [['rejects-after-update', 1]], 'an update after settling is dropped');
});

test('the engine runs the stages of pipeline/createStages.ts, the list the server runs; the fault stage only under the test switch', async () => {
  const host = { env: {}, logger: silent };
  const services = createStageServices(host);
  const serverStages = createStages(host, services).map((s) => s.name);
  await services.dispose();
  const engine = createEngine(host);
  assert.deepEqual(engine.stages.map((s) => s.name), serverStages);
  assert.deepEqual(engine.stages.map((s) => s.name).slice(0, 2), ['local', 'includes']);
  const faulty = createEngine({ env: { PYPI_PROVENANCE_TEST_FAULTS: '1' }, logger: silent });
  assert.equal(faulty.stages.at(-1)?.name, 'test-faults');
  await faulty.dispose();
  // Nothing pinned and offline: no stage reaches for an index.
  const text = 'idna\n-r /nonexistent/dir/base.txt\n';
  const run = await runStages(input({ text, parsed: parseDocument('requirements', text), settings: { ...DEFAULT_SETTINGS, offline: true } }), engine.stages);
  assert.deepEqual(run.failures, []);
  assert.deepEqual(run.findings.map((f) => f.code), ['unpinned', 'missing-file']);
  await engine.dispose();
});

test('engineOf: the report results come from the verification service of the stage services; dispose is theirs', async () => {
  const parsed = parseDocument('requirements', TEXT);
  const asked: unknown[] = [];
  let disposed = 0;
  const engine = engineOf([], {
    verification: { results: { dependencyResults: (p) => (asked.push(p), (index) => (index === 0 ? { status: 'verified' } : undefined)) } },
    dispose: async () => void disposed++,
  });
  const results = engine.dependencyResults({ uri: 'u', parsed, settings: DEFAULT_SETTINGS });
  assert.deepEqual(asked, [parsed]);
  assert.deepEqual(results?.(0, parsed.dependencies[0]), { status: 'verified' });
  assert.equal(results?.(1, parsed.dependencies[1]), undefined);
  assert.equal(engineOf([], { dispose: async () => undefined }).dependencyResults({ uri: 'u', parsed, settings: DEFAULT_SETTINGS }), undefined);
  await engine.dispose();
  assert.equal(disposed, 1);
});

test('parseDocumentSafely gives a syntax problem instead of a throw', () => {
  const ok = parseDocumentSafely('requirements', 'attrs==1\n');
  assert.equal(ok.error, undefined);
  assert.equal(ok.parsed.dependencies.length, 1);
  const bad = parseDocumentSafely('requirements', 'attrs==1\n', {}, () => {
    throw new Error('parser exploded');
  });
  assert.match(String(bad.error), /parser exploded/);
  assert.equal(bad.parsed.problems[0].code, 'syntax');
  assert.equal(bad.parsed.format, 'requirements');
  assert.deepEqual(bad.parsed.dependencies, []);
});

// Hostile index answers through the real server: each gives a clear index-error on its line, the
// body read stays bounded, the server keeps serving, and the dependency is retried later (not
// marked bad): once the index behaves, the document clears on its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Severity, withClient } from '../support/lspClient';
import { makeProject, startIndexServer, type HostileMode, type IndexServer } from '../support/indexServer';
import { FAST_INDEX_ENV, TempDirs, openAndResolve, rows, uriIn, waitForCodes } from './resolutionSupport';

const dirs = new TempDirs();
let index: IndexServer;

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await index.close();
  dirs.cleanup();
});

/** One project per hostile answer, with what its index-error message must say. */
/**
 * The request timeout of this test: long enough that reading the 50 MB body up to the 20 MB cap
 * finishes first on a loaded machine (the cap, not the clock, must stop it), short enough for
 * the drip and the hang.
 */
const HOSTILE_ENV = { ...FAST_INDEX_ENV, PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '6000' };

const HOSTILE: Array<{ project: string; mode: HostileMode; says: RegExp }> = [
  { project: 'garbage-json', mode: { kind: 'garbage-json' }, says: /not valid JSON/ },
  { project: 'html-page', mode: { kind: 'html' }, says: /answered .*text\/html.*not PEP 691 JSON/ },
  { project: 'huge-body', mode: { kind: 'huge' }, says: /sent more than 20 MB; the answer was cut off/ },
  { project: 'huge-declared', mode: { kind: 'huge', declareLength: true }, says: /sent more than 20 MB/ },
  { project: 'slow-drip', mode: { kind: 'slow-drip', intervalMs: 50 }, says: /did not answer within 6 s/ },
  { project: 'hang', mode: { kind: 'hang' }, says: /did not answer within 6 s|sent no response headers in time/ },
  { project: 'rate-limited', mode: { kind: 'rate-limit', retryAfter: '120' }, says: /answered HTTP 429: rate limited \(Retry-After: 120\)/ },
  { project: 'server-error', mode: { kind: 'server-error', status: 500 }, says: /answered HTTP 500/ },
  { project: 'off-host', mode: { kind: 'redirect-other-host' }, says: /redirected to http:\/\/localhost:\d+\/simple\/off-host\/: only https or the same origin is followed/ },
  { project: 'redirect-loop', mode: { kind: 'redirect-loop' }, says: /redirected more than 5 times/ },
  { project: 'reset', mode: { kind: 'connection-reset' }, says: /the connection to http:\/\/127\.0\.0\.1:\d+\/? was reset/ },
  { project: 'not-json-type', mode: { kind: 'raw', status: 200, contentType: 'application/json', body: '{"meta":{}}' }, says: /not PEP 691 JSON/ },
];

test('every hostile answer is a clear index-error on its own line; the good line resolves; the server keeps serving; all clear once the index behaves', async () => {
  index.setProject(makeProject('sampleproject', { releases: [{ version: '3.0.0', yanked: 'broken metadata' }] }));
  for (const { project, mode } of HOSTILE) {
    index.setProject(makeProject(project, { releases: ['1.0'] }));
    index.setMode(project, mode);
  }
  index.resetCounts();
  const lines = [...HOSTILE.map(({ project }) => `${project}==1.0`), 'sampleproject==3.0.0'];
  await withClient({ settings: { indexUrl: index.url, cacheDirectory: dirs.make('cache') }, env: HOSTILE_ENV }, async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    const diagnostics = await openAndResolve(client, uri, lines.join('\n') + '\n', [...HOSTILE.map(() => 'index-error'), 'yanked'], 60_000);
    assert.deepEqual(
      rows(diagnostics),
      lines.map((line, i) => [i < HOSTILE.length ? 'index-error' : 'yanked', Severity.Warning, i, 0, i, line.length]),
    );
    HOSTILE.forEach(({ project, says }, i) => {
      const message = diagnostics.find((d) => d.code === 'index-error' && d.range.start.line === i)!.message;
      assert.match(message, says, `${project}: ${message}`);
      assert.match(message, new RegExp(`^Not checked: the index could not be asked about ${project}: .* \\(will retry\\)$`), message);
    });

    // Bounded memory: the client stopped reading the 50 MB body at its 20 MB cap (what the test
    // server managed to write includes the sockets' buffers), and the server's peak memory shows it.
    // (The short retry delay of these tests may already have asked again: per request.)
    const hugeWritten = index.bytesWritten('/simple/huge-body/') / index.projectCount('huge-body');
    assert.ok(hugeWritten > 0 && hugeWritten < 45 * 1024 * 1024, `huge body: ${hugeWritten} bytes written per request before the client hung up`);
    const peak = peakResidentBytes(client.child.pid);
    if (peak !== undefined) {
      console.log(`server peak resident memory: ${(peak / 1024 / 1024).toFixed(0)} MB`);
      assert.ok(peak < 300 * 1024 * 1024, `server peak resident memory ${peak} bytes`);
    }
    assert.ok(client.alive);

    // The server keeps serving: another document resolves at once.
    const other = uriIn(dirs.make('ws'), 'requirements.txt');
    await openAndResolve(client, other, 'sampleproject==3.0.0\n', ['yanked']);
    assert.deepEqual(client.errors(), []);

    // The index recovers: the scheduled retry (PYPI_PROVENANCE_RETRY_DELAY_MS) clears the document without any edit.
    for (const { project } of HOSTILE) index.setMode(project, undefined);
    const cleared = await waitForCodes(client, uri, ['yanked'], { timeoutMs: 20_000 });
    assert.deepEqual(rows(cleared).map((r) => r[0]), ['yanked']);
    for (const { project } of HOSTILE) assert.ok(index.projectCount(project) >= 2, `${project} asked again`);
  });
});

test('429 with a short Retry-After is waited out and retried: no index-error', async () => {
  index.setProject(makeProject('patient', { releases: [{ version: '1.0', yanked: 'gone' }] }));
  index.setMode('patient', { kind: 'rate-limit', retryAfter: '1', times: 1 });
  index.resetCounts();
  try {
    await withClient({ settings: { indexUrl: index.url, cacheDirectory: dirs.make('cache') }, env: FAST_INDEX_ENV }, async (client) => {
      const diagnostics = await openAndResolve(client, uriIn(dirs.make('ws'), 'requirements.txt'), 'patient==1.0\n', ['yanked']);
      assert.deepEqual(rows(diagnostics), [['yanked', Severity.Warning, 0, 0, 0, 12]]);
    });
    assert.equal(index.projectCount('patient'), 2);
  } finally {
    index.setMode('patient', undefined);
  }
});

test('an index that is not listening at all is an index-error', async () => {
  const closed = await startIndexServer();
  const deadUrl = closed.url;
  await closed.close();
  await withClient({ settings: { indexUrl: deadUrl, cacheDirectory: dirs.make('cache') }, env: FAST_INDEX_ENV }, async (client) => {
    const diagnostics = await openAndResolve(client, uriIn(dirs.make('ws'), 'requirements.txt'), 'sampleproject==1.0\n', ['index-error']);
    assert.match(diagnostics.find((d) => d.code === 'index-error')!.message, /refused the connection|was reset|could not be fetched/);
  });
});

/** VmHWM of a process (Linux /proc); undefined elsewhere. */
function peakResidentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

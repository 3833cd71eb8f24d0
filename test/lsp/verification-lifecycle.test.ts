/**
 * The background side of verification, through the built server:
 * - each file is verified once however many documents pin it, with `$/progress` ("Verifying
 *   provenance 3/6") while it runs and its end when done;
 * - verdicts persist: a second server process on the same cache directory verifies nothing, and
 *   revalidates the provenance objects with their ETag instead of fetching them again;
 * - closing a document cancels the verification work queued for it.
 * The server logs one line per burst of work with its counts; the tests read it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startIndexServer, type IndexServer } from '../support/indexServer';
import { fileUri, LspClient } from '../support/lspClient';
import { FAST_INDEX_ENV, SignedIndex, TempDirs, report } from './verificationSupport';

const dirs = new TempDirs();
const servers: IndexServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  dirs.cleanup();
});

interface Burst {
  files: number;
  verified: number;
  remembered: number;
  cancelled: number;
}

const BURST = /^Provenance checked for (\d+) files: (\d+) attestations verified, (\d+) already verified on this machine, (\d+) files cancelled$/;

function bursts(client: LspClient): Burst[] {
  return client.logs
    .map((log) => BURST.exec(log.message))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((m) => ({ files: Number(m[1]), verified: Number(m[2]), remembered: Number(m[3]), cancelled: Number(m[4]) }));
}

function total(list: Burst[]): Burst {
  return list.reduce((sum, b) => ({ files: sum.files + b.files, verified: sum.verified + b.verified, remembered: sum.remembered + b.remembered, cancelled: sum.cancelled + b.cancelled }), { files: 0, verified: 0, remembered: 0, cancelled: 0 });
}

/** Polls until `check` holds (the client has no event for every condition these tests wait for). */
function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

async function settledBursts(client: LspClient, count = 1): Promise<Burst[]> {
  await until(() => bursts(client).length >= count, 'the log line of a burst of verification');
  return bursts(client);
}

test('each file once for two documents, with progress; a second process on the same cache verifies nothing and revalidates with the ETag', async () => {
  // max-age=0: every later use of a provenance object asks the index again, conditionally.
  const index = await startIndexServer({ cacheControl: 'max-age=0' });
  servers.push(index);
  const workspace = dirs.make('lifecycle');
  const signed = new SignedIndex(index, workspace);
  for (const name of ['octo-a', 'octo-b', 'octo-c']) signed.serve(name, [{ version: '2.0.0' }]);
  const cacheDirectory = dirs.make('persist-cache');
  const settings = { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory };
  const text = 'octo-a==2.0.0\nocto-b==2.0.0\nocto-c==2.0.0\n';
  const first = fileUri(path.join(workspace, 'one', 'requirements.txt'));
  const second = fileUri(path.join(workspace, 'two', 'requirements.txt'));

  index.setLatency(250);
  const one = await LspClient.start({ settings, env: FAST_INDEX_ENV });
  try {
    one.open(first, text);
    one.open(second, text);
    const [a, b] = await Promise.all([report(one, first), report(one, second)]);
    for (const answer of [a, b]) assert.deepEqual(answer.dependencies.map((d) => d.status), ['verified', 'verified', 'verified']);
    const counted = total(await settledBursts(one));
    assert.equal(counted.verified, 6, JSON.stringify(bursts(one)));
    assert.equal(counted.remembered, 0);

    const values = one.progress.map((p) => p.value as { kind: string; title?: string; message?: string });
    assert.equal(values[0]?.kind, 'begin', JSON.stringify(values));
    assert.equal(values[0].title, 'PyPI Provenance');
    assert.ok(values.every((v) => v.kind === 'end' || /^Verifying provenance \d+\/\d+$/.test(v.message ?? '')), JSON.stringify(values));
    assert.equal(values[values.length - 1].kind, 'end');
    assert.ok(new Set(one.progress.map((p) => p.token)).size >= 1);
  } finally {
    index.setLatency(0);
    await one.shutdown().catch(() => one.kill());
  }

  index.resetCounts();
  const two = await LspClient.start({ settings, env: FAST_INDEX_ENV });
  try {
    two.open(first, text);
    const answer = await report(two, first);
    assert.deepEqual(answer.dependencies.map((d) => d.status), ['verified', 'verified', 'verified']);
    assert.ok(answer.dependencies.every((d) => d.files.every((f) => f.status === 'verified' && typeof f.logIndex === 'number')));
    const counted = total(await settledBursts(two));
    assert.equal(counted.verified, 0, JSON.stringify(bursts(two)));
    assert.equal(counted.remembered, 6);
    const provenanceRequests = index.requests.filter((r) => r.path.startsWith('/integrity/'));
    assert.equal(provenanceRequests.length, 6);
    assert.ok(provenanceRequests.every((r) => typeof r.headers['if-none-match'] === 'string'), 'provenance revalidated with its ETag, not fetched blindly');
  } finally {
    await two.shutdown().catch(() => two.kill());
  }
});

test("verdicts are the user's: the key is made outside the cache directory, and a server with another key on the same cache verifies again", async () => {
  const index = await startIndexServer();
  servers.push(index);
  const workspace = dirs.make('keyed');
  const signed = new SignedIndex(index, workspace);
  signed.serve('octo-keyed', [{ version: '1.0.0' }]);
  const cacheDirectory = dirs.make('keyed-cache');
  const settings = { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory };
  const uri = fileUri(path.join(workspace, 'requirements.txt'));
  const run = async (keyDirectory: string): Promise<Burst> => {
    const client = await LspClient.start({ settings, env: { ...FAST_INDEX_ENV, PYPI_PROVENANCE_KEY_DIRECTORY: keyDirectory } });
    try {
      client.open(uri, 'octo-keyed==1.0.0\n');
      assert.deepEqual((await report(client, uri)).dependencies.map((d) => d.status), ['verified']);
      return total(await settledBursts(client));
    } finally {
      await client.shutdown().catch(() => client.kill());
    }
  };
  const mine = path.join(dirs.make('keyed-user-a'), 'pypi-provenance');
  assert.deepEqual([(await run(mine)).verified, (await run(mine)).remembered], [2, 2], 'the same user remembers');
  if (process.platform !== 'win32') assert.equal(statSync(path.join(mine, 'cache-key')).mode & 0o777, 0o600);
  assert.ok(!readdirSync(cacheDirectory, { recursive: true }).some((name) => String(name).includes('cache-key')), 'the key is not in the cache directory');
  const theirs = await run(path.join(dirs.make('keyed-user-b'), 'pypi-provenance'));
  assert.deepEqual([theirs.verified, theirs.remembered], [2, 0], "another user's verdicts are verified again");
});

test('closing a document cancels the verification queued for it', async () => {
  const index = await startIndexServer();
  servers.push(index);
  const workspace = dirs.make('cancel');
  const signed = new SignedIndex(index, workspace);
  const names = Array.from({ length: 50 }, (_, i) => `octo-many-${i}`);
  // Four attestations a file, each with its own certificate: work that takes a while.
  for (const name of names) signed.serve(name, [{ version: '1.0.0', attestationsPerFile: 4 }]);
  const client = await LspClient.start({ settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory: dirs.make('cancel-cache') }, env: FAST_INDEX_ENV });
  try {
    const uri = fileUri(path.join(workspace, 'requirements.txt'));
    client.open(uri, names.map((name) => `${name}==1.0.0\n`).join(''));
    // Under way: the progress has begun.
    await until(() => client.progress.length > 0, 'progress');
    client.close(uri);
    const [burst] = await settledBursts(client);
    assert.ok(burst.cancelled > 0, JSON.stringify(burst));
    assert.ok(burst.verified < names.length * 2 * 4, JSON.stringify(burst));
    await until(() => (client.progress[client.progress.length - 1]?.value as { kind?: string } | undefined)?.kind === 'end', 'the end of the progress', 10_000);
    assert.deepEqual(client.errors(), []);
  } finally {
    await client.shutdown().catch(() => client.kill());
  }
});

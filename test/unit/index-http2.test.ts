/**
 * The index client over TLS: HTTP/2 when the index offers it (ALPN), with more requests at once
 * than the HTTP/1.1 limit but never more than the stream limit; the HTTP/1.1 limit still holds
 * for an index that speaks only HTTP/1.1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createIndexClient, type IndexClient } from '../../server/src/index/indexClient';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';
import { makeTestTls, type TestTls } from '../support/testTls';

const tls = makeTestTls();
const skip = tls === undefined ? 'openssl is not on PATH: no test certificate can be made' : false;
const PROJECTS = 40;
let index: IndexServer;
const clients: IndexClient[] = [];

before(async () => {
  if (tls === undefined) return;
  index = await startIndexServer({ tls, latencyMs: 30 });
  for (let i = 0; i < PROJECTS; i++) index.setProject(makeProject(`p${i}`, { releases: ['1.0'] }));
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await index?.close();
});

function client(options: { concurrency: number; h2Streams: number }): IndexClient {
  const created = createIndexClient({ http: { ...options, ca: (tls as TestTls).ca } });
  clients.push(created);
  return created;
}

test('an index that offers HTTP/2 gets its requests as streams, up to the stream limit', { skip }, async () => {
  index.resetCounts();
  const c = client({ concurrency: 4, h2Streams: 12 });
  const answers = await Promise.all(Array.from({ length: PROJECTS }, (_, i) => c.getProject(index.url, `p${i}`)));
  assert.ok(answers.every((a) => a.kind === 'found'), JSON.stringify(answers.find((a) => a.kind !== 'found')));
  assert.ok(index.requests.every((r) => r.headers[':scheme'] === 'https'), 'every request came over HTTP/2');
  assert.ok(index.maxInFlight > 4, `max in flight ${index.maxInFlight}: no more than the HTTP/1.1 limit`);
  assert.ok(index.maxInFlight <= 12, `max in flight ${index.maxInFlight}: over the stream limit`);
});

test('an index that speaks only HTTP/1.1 over TLS keeps the HTTP/1.1 limit', { skip }, async () => {
  const only11 = await startIndexServer({ tls: { ...(tls as TestTls), http1Only: true }, latencyMs: 30 });
  try {
    for (let i = 0; i < 12; i++) only11.setProject(makeProject(`q${i}`, { releases: ['1.0'] }));
    const c = client({ concurrency: 3, h2Streams: 12 });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => c.getProject(only11.url, `q${i}`)));
    assert.ok(answers.every((a) => a.kind === 'found'));
    assert.ok(only11.requests.every((r) => r.headers[':scheme'] === undefined), 'HTTP/1.1 requests');
    assert.ok(only11.maxInFlight <= 3, `max in flight ${only11.maxInFlight}`);
  } finally {
    await only11.close();
  }
});

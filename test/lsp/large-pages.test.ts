// A large project page through the real server (issue 15 item 7): while a 3 MB page is being
// read (on the page worker), the server keeps answering hovers, and the page's pin is then
// checked as usual.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withClient } from '../support/lspClient';
import { largePageJson } from '../support/largePages';
import { makeProject, SIMPLE_JSON, startIndexServer, type IndexServer } from '../support/indexServer';
import { FAST_INDEX_ENV, TempDirs, uriIn } from './resolutionSupport';
import { hover } from './verificationSupport';

const dirs = new TempDirs();
let index: IndexServer;

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await index.close();
  dirs.cleanup();
});

test('hovers are answered while a large page is being read, before its pin is reported', async () => {
  index.setProject(makeProject('small-project', { releases: [{ version: '1.0', yanked: 'old' }] }));
  index.setMode('large-project', { kind: 'raw', status: 200, contentType: SIMPLE_JSON, body: largePageJson('large-project', 3_000_000, index.origin) });
  await withClient({ settings: { indexUrl: index.url, cacheDirectory: dirs.make('cache') }, env: { ...FAST_INDEX_ENV, PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '30000' } }, async (client) => {
    const ws = dirs.make('ws');
    const small = uriIn(ws, 'small/requirements.txt');
    client.open(small, 'small-project==1.0\n');
    await client.waitForDiagnostics(small, { where: (d) => d.some((x) => x.code === 'yanked') });

    const large = uriIn(ws, 'large/requirements.txt');
    client.open(large, 'large-project==1.0.0\n');
    const published = client.waitForDiagnostics(large, { where: (d) => d.some((x) => x.code === 'no-provenance' || x.code === 'index-error'), timeoutMs: 120_000 });
    const order: string[] = [];
    void published.then(() => order.push('large page reported'));
    // From the moment the index has been asked for the page (its answer is on its way, then read
    // and parsed), hovers on the other document go on being answered.
    await waitUntil(() => index.projectCount('large-project') > 0);
    while (!order.includes('large page reported')) {
      const answer = await hover(client, small, 0, 2);
      if (!order.includes('large page reported')) order.push(answer === null ? 'empty hover' : 'hover');
    }
    const diagnostics = await published;
    assert.ok(order.indexOf('hover') === 0, `a hover was answered before the large page was reported: ${order.slice(0, 5).join(', ')}`);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['no-provenance'],
      diagnostics.map((d) => d.message).join('\n'),
    );
    assert.ok(client.alive);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

// Hostile indexes and files through the real server (issue 15, items 5, 8, 9, 10): the server
// keeps answering, says what went wrong on the dependency's line, and never shows a token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { withClient } from '../support/lspClient';
import { makeFifo, serveDeepPublisher, textUnder } from '../support/hostileFiles';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';
import { FAST_INDEX_ENV, TempDirs, everythingSaid, uriIn, waitForCodes } from './resolutionSupport';
import { hover, report } from './verificationSupport';

const dirs = new TempDirs();
let index: IndexServer;

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await index.close();
  dirs.cleanup();
});

test('a publisher nested 4,000 levels deep is an index-error, and pypiProvenance/report answers', async () => {
  serveDeepPublisher(index, 'deep-publisher', 4000);
  await withClient({ settings: { indexUrl: index.url, cacheDirectory: dirs.make('cache') }, env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    client.open(uri, 'deep-publisher==1.0\n');
    const answered = await report(client, uri, true, 20_000);
    const dependency = answered.dependencies[0];
    assert.equal(dependency.status, 'error');
    assert.deepEqual(dependency.diagnostics, ['index-error']);
    assert.match(dependency.files[0].message ?? '', /is not a PEP 740 provenance object: .* nests more than 32 levels deep/);
    assert.ok(client.alive);
  });
});

test('a FIFO named requirements.txt: the report answers null at once, and the next report still answers', async (t) => {
  const ws = dirs.make('ws');
  const fifo = path.join(ws, 'requirements.txt');
  if (!makeFifo(fifo)) return void t.skip('mkfifo is not available');
  index.setProject(makeProject('sampleproject', { releases: ['4.0.0'] }));
  const other = dirs.make('ws');
  writeFileSync(path.join(other, 'requirements.txt'), 'sampleproject==4.0.0\n');
  await withClient({ settings: { indexUrl: index.url, cacheDirectory: dirs.make('cache') }, env: FAST_INDEX_ENV }, async (client) => {
    assert.equal(await report(client, uriIn(ws, 'requirements.txt'), true, 10_000), null);
    const answered = await report(client, uriIn(other, 'requirements.txt'), true, 20_000);
    assert.equal(answered.dependencies[0].name, 'sampleproject');
  });
});

test('tokens of the index URL (userinfo and path) never show in diagnostics, hovers, reports, logs or the cache directory', async () => {
  const token = 'Tk9xQ2r7LmZp4Wv8Ys1N';
  const indexUrl = index.acceptPathToken(token).replace('http://', 'http://deploy:Pw0rdSecret99@');
  index.setProject(makeProject('failing-page', { releases: ['1.0'] }));
  index.setMode('failing-page', { kind: 'server-error', status: 500 });
  const project = makeProject('elsewhere', { releases: [{ version: '1.0', files: ['sdist'], provenance: { version: 1, attestation_bundles: [] } }] });
  project.files[0].provenanceUrl = `https://169.254.169.254/${token}/provenance?token=${token}`;
  index.setProject(project);
  index.setProject(makeProject('sampleproject', { releases: [{ version: '4.0.0', yanked: 'broken' }] }));
  const cache = dirs.make('cache');
  await withClient({ settings: { indexUrl, cacheDirectory: cache }, env: FAST_INDEX_ENV }, async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    client.open(uri, 'failing-page==1.0\nelsewhere==1.0\nsampleproject==4.0.0\n');
    const diagnostics = await waitForCodes(client, uri, ['index-error', 'index-error', 'yanked'], { timeoutMs: 20_000 });
    assert.match(diagnostics.find((d) => d.code === 'index-error' && d.range.start.line === 0)!.message, /http:\/\/127\.0\.0\.1:\d+\/\*\*\*\/simple\/failing-page\/ answered HTTP 500/);
    const answered = await report(client, uri);
    assert.match(answered.dependencies[1].files[0].message ?? '', /provenance URL on another host \(169\.254\.169\.254\)/, JSON.stringify(answered.dependencies[1]));
    const hovers = await Promise.all([0, 1, 2].map((line) => hover(client, uri, line, 2)));
    const places = { said: everythingSaid(client), report: JSON.stringify(answered), hovers: JSON.stringify(hovers), cache: textUnder(cache) };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of [token, 'Pw0rdSecret99', 'deploy:']) {
        const at = text.indexOf(secret);
        assert.equal(at, -1, `${secret} in ${where}: …${text.slice(Math.max(0, at - 300), at + 50)}`);
      }
    }
  });
});

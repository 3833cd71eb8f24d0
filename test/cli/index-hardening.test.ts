// Hostile indexes through the built CLI (issue 15, items 5, 8, 9): normal exit codes, and no
// token of the index URL in any output, on stderr or in the cache directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFifo, serveDeepPublisher, textUnder } from '../support/hostileFiles';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';
import { makeTree, runCli, type JsonReport } from './cliRunner';

let index: IndexServer;
const cleanups: Array<() => void> = [];

before(async () => {
  index = await startIndexServer();
});
after(async () => {
  await index.close();
  for (const cleanup of cleanups) cleanup();
});

function tempCache(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-cli-harden-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const FAST = { PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '1500', PYPI_PROVENANCE_HTTP_RETRIES: '1', PIP_INDEX_URL: '' };

test('json: a publisher nested 4,000 levels deep is an index-error and the CLI exits with its normal code', async () => {
  serveDeepPublisher(index, 'deep-publisher', 4000);
  const tree = makeTree({ 'requirements.txt': 'deep-publisher==1.0\n' });
  cleanups.push(tree.remove);
  const { code, stdout, stderr } = await runCli(['check', '--index-url', index.url, '--cache-dir', tempCache(), '--format', 'json', 'requirements.txt'], { cwd: tree.root, env: FAST });
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as JsonReport;
  assert.deepEqual(report.documents[0].dependencies[0].diagnostics, ['index-error']);
});

test('text, json and sarif: no token of the index URL (userinfo, path) in stdout, stderr or the cache directory', async () => {
  const token = 'Tk9xQ2r7LmZp4Wv8Ys1N';
  const indexUrl = index.acceptPathToken(token).replace('http://', 'http://deploy:Pw0rdSecret99@');
  index.setProject(makeProject('failing-page', { releases: ['1.0'] }));
  index.setMode('failing-page', { kind: 'server-error', status: 500 });
  index.setProject(makeProject('sampleproject', { releases: [{ version: '4.0.0', provenance: { version: 1, attestation_bundles: [] } }] }));
  const tree = makeTree({ 'requirements.txt': 'failing-page==1.0\nsampleproject==4.0.0\nmissing-project==1.0\n' });
  cleanups.push(tree.remove);
  const cache = tempCache();
  for (const format of ['text', 'json', 'sarif']) {
    const { code, stdout, stderr } = await runCli(['check', '--index-url', indexUrl, '--cache-dir', cache, '--format', format, 'requirements.txt'], { cwd: tree.root, env: FAST });
    assert.ok(code === 0 || code === 1, `${format}: exit ${code}: ${stderr}`);
    assert.match(stdout, /failing-page/);
    for (const secret of [token, 'Pw0rdSecret99', 'deploy:']) {
      assert.ok(!stdout.includes(secret), `${format} stdout shows ${secret}`);
      assert.ok(!stderr.includes(secret), `${format} stderr shows ${secret}`);
    }
  }
  const stored = textUnder(cache);
  assert.ok(stored.length > 0);
  for (const secret of [token, 'Pw0rdSecret99', 'deploy:']) assert.ok(!stored.includes(secret), `the cache directory holds ${secret}`);
});

test('a FIFO named on the command line is refused at once with a reason (exit 2), not waited on', async (t) => {
  const tree = makeTree({});
  cleanups.push(tree.remove);
  if (!makeFifo(path.join(tree.root, 'requirements.txt'))) return void t.skip('mkfifo is not available');
  const { code, stderr } = await runCli(['check', '--index-url', index.url, '--cache-dir', tempCache(), 'requirements.txt'], { cwd: tree.root, env: FAST });
  assert.equal(code, 2);
  assert.match(stderr, /requirements\.txt/);
});

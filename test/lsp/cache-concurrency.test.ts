// Issue 14 item 7: two language servers and a CLI run at once on one cache directory. Nothing is
// lost (a fourth process on that cache verifies nothing again and asks the index nothing) and no
// file is torn (every cache file a later process reads is whole: it reports the same verdicts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { startIndexServer } from '../support/indexServer';
import { LspClient, fileUri } from '../support/lspClient';
import { runCli } from '../cli/cliRunner';
import { SignedIndex, TempDirs, report, verificationCounts } from './verificationSupport';

const PINS = 24;
test('two servers and a CLI on one cache directory at once: nothing lost, nothing torn', async () => {
  const dirs = new TempDirs();
  const index = await startIndexServer();
  try {
    const workspace = dirs.make('cache-concurrency');
    const signed = new SignedIndex(index, workspace);
    for (let i = 0; i < PINS; i++) signed.serve(`shared-${i}`, [{ version: '1.0.0' }]);
    const text = Array.from({ length: PINS }, (_, i) => `shared-${i}==1.0.0\n`).join('');
    writeFileSync(path.join(workspace, 'requirements.txt'), text);
    const cacheDirectory = dirs.make('cache-concurrency-cache');
    index.setLatency(5);
    const start = () => LspClient.start({ settings: { indexUrl: index.url, trustedRoot: signed.trustedRootPath, cacheDirectory }, env: { PIP_INDEX_URL: '' } });
    const [first, second] = await Promise.all([start(), start()]);
    try {
      const cli = runCli(['check', '--index-url', index.url, '--cache-dir', cacheDirectory, '--trusted-root', signed.trustedRootPath, 'requirements.txt'], { cwd: workspace, env: { PIP_INDEX_URL: '' } });
      const answers = await Promise.all([first, second].map((client, i) => {
        const uri = fileUri(path.join(workspace, `s${i}`, 'requirements.txt'));
        client.open(uri, text);
        return report(client, uri, true, 120_000);
      }));
      const ran = await cli;
      assert.equal(ran.code, 0, ran.stdout + ran.stderr);
      for (const answer of answers) assert.deepEqual(answer.dependencies.map((d) => d.status), Array(PINS).fill('verified'));
    } finally {
      await Promise.all([first.shutdown(), second.shutdown()]);
    }

    index.resetCounts();
    const later = await start();
    try {
      const uri = fileUri(path.join(workspace, 'later', 'requirements.txt'));
      later.open(uri, text);
      const answer = await report(later, uri, true, 60_000);
      assert.deepEqual(answer.dependencies.map((d) => d.status), Array(PINS).fill('verified'));
      for (let i = 0; i < 100 && verificationCounts(later).remembered < PINS * 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(verificationCounts(later), { verified: 0, remembered: PINS * 2 }, 'every verdict was remembered whole');
      assert.equal(index.totalRequests, 0, 'every page and provenance object was in the cache, fresh');
    } finally {
      await later.shutdown();
    }
  } finally {
    await index.close();
    dirs.cleanup();
  }
});

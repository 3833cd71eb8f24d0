// A poisoned cache directory (issue 15, item 1) through the built CLI: after a real run has filled
// the cache, a forged index page (another sha256), a forged provenance object (an attestation of
// `{"forged":true}`) and forged verdicts for exactly that attestation (in the old unauthenticated
// format, and in the new one with a MAC that is not this user's) must not make anything
// `verified`, online or offline, and the run must fail. The user's key lives in a folder of the
// test's own, outside the cache directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { attestationKey, trustScope } from '../../server/src/verification/attestationKey';
import { RESULTS_SUBDIRECTORY } from '../../server/src/verification/resultStore';
import { startIndexServer, type IndexServer } from '../support/indexServer';
import { setStoredEntryText, storedEntries } from '../support/responseCacheDisk';
import { SignedIndex, TempDirs } from '../lsp/verificationSupport';
import { makeTree, runCli, type JsonReport } from './cliRunner';

const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
const FAKE_SHA256 = 'e'.repeat(64);
const FORGED_ATTESTATION = { forged: true };

before(async () => {
  index = await startIndexServer();
  signed = new SignedIndex(index, dirs.make('cli-poison'));
  signed.serve('poison-pkg', [{ version: '1.0.0' }]);
});

after(async () => {
  await index?.close();
  dirs.cleanup();
});

interface CachedEntry {
  url: string;
  body: string;
  [field: string]: unknown;
}

/** Rewrites every cached index answer the predicate picks (packed or a file of its own). */
function rewriteCache(cache: string, pick: (entry: CachedEntry) => boolean, rewrite: (body: unknown) => unknown): number {
  const folder = path.join(cache, 'index-http-v1');
  let count = 0;
  for (const [key, text] of storedEntries(folder)) {
    const entry = JSON.parse(text) as CachedEntry;
    if (!pick(entry)) continue;
    entry.body = JSON.stringify(rewrite(JSON.parse(entry.body)));
    setStoredEntryText(folder, key, JSON.stringify(entry));
    count++;
  }
  return count;
}

/** A verdict line from the real run: its outcome and MAC are copied onto the forged key. */
function realVerdict(cache: string): { outcome: unknown; mac: string } {
  const folder = path.join(cache, RESULTS_SUBDIRECTORY);
  const line = readdirSync(folder)
    .flatMap((name) => readFileSync(path.join(folder, name), 'utf8').split('\n'))
    .find((text) => text.trim() !== '');
  assert.ok(line, 'the first run remembered its verdicts');
  return JSON.parse(line) as { outcome: unknown; mac: string };
}

function poison(cache: string): void {
  const { outcome, mac } = realVerdict(cache);
  let publisher: unknown;
  const provenances = rewriteCache(
    cache,
    (entry) => entry.url.endsWith('/provenance'),
    (body) => {
      publisher = (body as { attestation_bundles: Array<{ publisher: unknown }> }).attestation_bundles[0].publisher;
      return { version: 1, attestation_bundles: [{ publisher, attestations: [FORGED_ATTESTATION] }] };
    },
  );
  assert.equal(provenances, 2, 'both files had their provenance cached');
  const filenames: string[] = [];
  const pages = rewriteCache(
    cache,
    (entry) => entry.url.includes('/simple/poison-pkg/'),
    (body) => {
      const page = body as { files: Array<{ filename: string; hashes: Record<string, string> }> };
      for (const file of page.files) {
        file.hashes = { sha256: FAKE_SHA256 };
        filenames.push(file.filename);
      }
      return page;
    },
  );
  assert.equal(pages, 1, 'the project page was cached');
  const scope = trustScope('file', JSON.parse(readFileSync(signed.trustedRootPath, 'utf8')));
  const keys = filenames.map((filename) => attestationKey(scope, { filename, sha256: FAKE_SHA256 }, { publisher }, FORGED_ATTESTATION));
  // The old format, where the old code looks, and the new one with a MAC made for another entry.
  const old = path.join(cache, 'verified-attestations-v1');
  mkdirSync(old, { recursive: true });
  appendFileSync(path.join(old, 'journal-1-forged-old.jsonl'), keys.map((key) => `${JSON.stringify({ v: 1, key, outcome })}\n`).join(''));
  appendFileSync(path.join(cache, RESULTS_SUBDIRECTORY, 'journal-1-forged-new.jsonl'), keys.map((key) => `${JSON.stringify({ v: 2, key, outcome, mac })}\n`).join(''));
}

test('a forged page, provenance and verdicts in the cache give no "verified", online or offline, and the run fails', async () => {
  const cache = dirs.make('cli-poison-cache');
  const env = { PYPI_PROVENANCE_KEY_DIRECTORY: path.join(dirs.make('cli-poison-key'), 'key') };
  const tree = makeTree({ 'requirements.txt': 'poison-pkg==1.0.0\n' });
  const run = (...extra: string[]) =>
    runCli(['check', '--index-url', index.url, '--trusted-root', signed.trustedRootPath, '--cache-dir', cache, '--format', 'json', ...extra, 'requirements.txt'], { cwd: tree.root, env });
  try {
    const clean = await run();
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.equal((JSON.parse(clean.stdout) as JsonReport).documents[0].dependencies[0].status, 'verified');
    if (process.platform !== 'win32') assert.equal(statSync(path.join(env.PYPI_PROVENANCE_KEY_DIRECTORY, 'cache-key')).mode & 0o777, 0o600, 'the CLI made the key where it was told');

    poison(cache);
    for (const mode of [['--offline'], []]) {
      const poisoned = await run(...mode);
      const dependency = (JSON.parse(poisoned.stdout) as JsonReport).documents[0].dependencies[0];
      assert.notEqual(dependency.status, 'verified', `${mode.join(' ') || 'online'}: ${poisoned.stdout}`);
      assert.notEqual(poisoned.code, 0, `${mode.join(' ') || 'online'}: the run fails`);
    }
  } finally {
    tree.remove();
  }
});

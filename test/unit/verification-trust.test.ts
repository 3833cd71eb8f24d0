/**
 * Trust material for verification: the `trustedRoot` file, or the embedded public-good root at
 * once, with a TUF refresh in the background only when not offline — a refreshed root replaces
 * it (same result scope, listeners told), a failed refresh leaves the embedded root with a logged
 * warning, and an unusable file is reported and read again next time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PUBLIC_GOOD_SCOPE } from '../../server/src/verification/attestationKey';
import { TrustProvider, isTrustFailure, type TrustSnapshot } from '../../server/src/verification/trust';
import { embeddedTrustedRoot, tufRefresher } from '../../server/src/verify/index';
import { tufRefresherOffThread, tufWorkerScript } from '../../server/src/verification/tufThread';
import { createSigstoreKit } from '../support/sigstoreKit';

const kit = createSigstoreKit();

function provider(files: Record<string, string>, refresh?: () => Promise<unknown>) {
  const logs: string[] = [];
  let refreshes = 0;
  const trust = new TrustProvider({
    readFile: async (path) => {
      if (!(path in files)) throw new Error(`ENOENT: ${path}`);
      return files[path];
    },
    refresher: refresh ? () => () => (refreshes++, refresh()) : undefined,
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  return { trust, logs, refreshes: () => refreshes };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

test('a trustedRoot file is its own scope; a missing or broken one is a failure that is retried', async () => {
  const files: Record<string, string> = { '/root.json': JSON.stringify(kit.trustedRoot) };
  const { trust, logs } = provider(files);
  const snapshot = (await trust.forSettings({ trustedRoot: ' /root.json ', offline: false })) as TrustSnapshot;
  assert.equal(snapshot.source, 'file');
  assert.match(snapshot.scope, /^root-[0-9a-f]{64}$/);
  assert.match(snapshot.description, /\/root\.json/);
  const missing = await trust.forSettings({ trustedRoot: '/missing.json', offline: false });
  assert.ok(isTrustFailure(missing));
  assert.match(missing.error, /cannot be used: cannot read/);
  files['/missing.json'] = '{"mediaType": 5}';
  const broken = await trust.forSettings({ trustedRoot: '/missing.json', offline: false });
  assert.ok(isTrustFailure(broken), 'read again, and still unusable');
  assert.equal(logs.filter((line) => line.startsWith('warn')).length, 2);
});

test('offline: the embedded root, and no refresh is ever started', async () => {
  const { trust, refreshes } = provider({}, async () => kit.trustedRoot);
  const snapshot = (await trust.forSettings({ trustedRoot: '', offline: true, cacheDirectory: '/cache' })) as TrustSnapshot;
  assert.equal(snapshot.source, 'embedded');
  assert.equal(snapshot.scope, PUBLIC_GOOD_SCOPE);
  await settle();
  assert.equal(refreshes(), 0);
});

test('online: the embedded root at once, then the refreshed one; same scope; listeners told once', async () => {
  const refreshed = { ...(embeddedTrustedRoot() as object), note: 'rotated' };
  const { trust, refreshes, logs } = provider({}, async () => refreshed);
  let changes = 0;
  trust.onDidChange(() => changes++);
  const first = (await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: '/cache' })) as TrustSnapshot;
  assert.equal(first.source, 'embedded');
  await settle();
  const second = (await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: '/cache' })) as TrustSnapshot;
  assert.equal(second.source, 'tuf');
  assert.equal(second.scope, first.scope);
  assert.notEqual(second.id, first.id);
  assert.equal(refreshes(), 1);
  assert.equal(changes, 1);
  assert.ok(logs.some((line) => /refreshed through TUF/.test(line)));
});

test('a failed refresh keeps the embedded root with a logged warning', async () => {
  const { trust, logs } = provider({}, async () => {
    throw new Error('getaddrinfo ENOTFOUND tuf-repo-cdn.sigstore.dev');
  });
  await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: '/cache' });
  await settle();
  const after = (await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: '/cache' })) as TrustSnapshot;
  assert.equal(after.source, 'embedded');
  assert.ok(logs.some((line) => /^warn: TUF refresh failed .*ENOTFOUND.*embedded/.test(line)), logs.join('\n'));
});

test('a TUF cache left with an empty or torn root.json (a full disk) is seeded again, not fatal to every later refresh', async () => {
  for (const broken of ['', '{"signed": {"_type": "ro']) {
    const cachePath = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-tuf-'));
    try {
      const mirror = path.join(cachePath, 'tuf-repo-cdn.sigstore.dev');
      mkdirSync(path.join(mirror, 'targets'), { recursive: true });
      writeFileSync(path.join(mirror, 'root.json'), broken);
      // No network here: the refresh itself fails (or succeeds), but no longer on the broken root.
      await tufRefresher(cachePath, 500)().catch((error: unknown) => assert.doesNotMatch(String(error), /JSON/, 'not the broken root again'));
      const root = JSON.parse(readFileSync(path.join(mirror, 'root.json'), 'utf8')) as { signed?: { _type?: string } };
      assert.equal(root.signed?._type, 'root', 'the embedded TUF root is seeded again');
    } finally {
      rmSync(cachePath, { recursive: true, force: true });
    }
  }
});

test('whenQuiet: the refresh waits for the start it is given (a server starts it after its first burst), the embedded root serves meanwhile', async () => {
  const refreshed = { ...(embeddedTrustedRoot() as object), note: 'rotated' };
  let refreshes = 0;
  let start: (() => void) | undefined;
  const trust = new TrustProvider({
    readFile: async () => '',
    refresher: () => async () => (refreshes++, refreshed),
    whenQuiet: (run) => (start = run),
  });
  const first = (await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: '/cache' })) as TrustSnapshot;
  assert.equal(first.source, 'embedded');
  await settle();
  assert.equal(refreshes, 0, 'not before the start');
  assert.equal(((await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: '/cache' })) as TrustSnapshot).source, 'embedded');
  assert.ok(start, 'asked for a start once');
  start();
  await settle();
  assert.equal(refreshes, 1);
  assert.equal(((await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: '/cache' })) as TrustSnapshot).source, 'tuf');
});

test('the refresh off the thread: the TUF worker built beside the module answers, and its failure is a rejection the embedded root survives', { skip: tufWorkerScript(path.join(__dirname, '../../server/out/verification')) ? false : 'server/out is not built (npx tsc -b)' }, async () => {
  const script = tufWorkerScript(path.join(__dirname, '../../server/out/verification'))!;
  const cache = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-tuf-thread-'));
  try {
    // A cache path that is a file: the worker loads @sigstore/tuf and fails the same way with or without a network.
    const notADirectory = path.join(cache, 'file');
    writeFileSync(notADirectory, 'not a directory');
    const refresh = tufRefresherOffThread(path.join(notADirectory, 'tuf'), script, 2_000);
    await assert.rejects(refresh(), (error: Error) => typeof error.message === 'string' && error.message.length > 0);
    const { trust, logs } = provider({}, refresh);
    const snapshot = (await trust.forSettings({ trustedRoot: '', offline: false, cacheDirectory: notADirectory })) as TrustSnapshot;
    assert.equal(snapshot.source, 'embedded');
    for (let i = 0; i < 200 && !logs.some((line) => line.startsWith('warn')); i++) await settle();
    assert.ok(logs.some((line) => /^warn: TUF refresh failed/.test(line)), logs.join('\n'));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

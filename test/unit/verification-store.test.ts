/**
 * The persistent verification results: a verified verdict is remembered across instances (one
 * per server process) under its key, written atomically; unreadable or foreign entries are
 * discarded; only verified outcomes are kept; attestation keys depend on everything the verdict
 * depends on.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attestationKey, keyedAttestations, keyedProvenanceDigest, provenanceKeys, trustScope, PUBLIC_GOOD_SCOPE } from '../../server/src/verification/attestationKey';
import { createResultStore, RESULTS_SUBDIRECTORY } from '../../server/src/verification/resultStore';
import type { VerifiedAttestation } from '../../server/src/verify/index';
import { newCacheKey, testCacheKey } from '../support/cacheKey';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-store-'));
  dirs.push(dir);
  return dir;
}

const verified: VerifiedAttestation = {
  status: 'verified',
  predicateType: 'https://docs.pypi.org/attestations/publish/v1',
  logIndex: 147137139,
  logId: 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=',
  integratedTime: 1730932627,
  claims: { issuer: 'https://token.actions.githubusercontent.com', sourceRepositoryUri: 'https://github.com/pypa/sampleproject' },
};
const userKey = newCacheKey();
/** Every store of these tests is one user's (the same key), unless a test says otherwise. */
const keyed = { key: testCacheKey(userKey) };
const dist = { filename: 'a-1.0.tar.gz', sha256: 'ab'.repeat(32) };
const key = attestationKey(PUBLIC_GOOD_SCOPE, dist, { publisher: { kind: 'GitHub' } }, { version: 1 });

/** A line as the store writes it, authenticated with `cacheKey` (this user's by default). */
function signedLine(k: string, outcome: unknown, cacheKey = userKey): string {
  return `${JSON.stringify({ v: 2, key: k, outcome, mac: cacheKey.mac(RESULTS_SUBDIRECTORY, k, JSON.stringify(outcome)) })}\n`;
}

function storeFiles(dir: string): string[] {
  return readdirSync(path.join(dir, RESULTS_SUBDIRECTORY)).sort();
}

test('a saved verdict is found by a second store on the same directory', async () => {
  const dir = tempDir();
  const first = createResultStore({ ...keyed, directory: dir });
  await first.save([{ key, outcome: verified }]);
  await first.save([{ key, outcome: verified }]);
  assert.equal(first.stats.writes, 1, 'a verdict already known is not written again');
  const second = createResultStore({ ...keyed, directory: dir });
  const found = await second.lookup([key, 'f'.repeat(64)]);
  assert.deepEqual(found.get(key), verified);
  assert.equal(found.size, 1);
  assert.deepEqual({ hits: second.stats.hits, misses: second.stats.misses }, { hits: 1, misses: 1 });
  // One journal per process, appended to; no temp files left behind.
  assert.equal(storeFiles(dir).length, 1);
  assert.match(storeFiles(dir)[0], /^journal-\d+-[0-9a-f]+\.jsonl$/);
});

test('many verdicts of one burst are one append', async () => {
  const dir = tempDir();
  const store = createResultStore({ ...keyed, directory: dir });
  const keys = Array.from({ length: 50 }, (_, i) => attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { i }));
  await store.save(keys.map((k) => ({ key: k, outcome: { ...verified, logIndex: keys.indexOf(k) } })));
  const text = readFileSync(path.join(dir, RESULTS_SUBDIRECTORY, storeFiles(dir)[0]), 'utf8');
  assert.equal(text.split('\n').filter(Boolean).length, 50);
  const again = await createResultStore({ ...keyed, directory: dir }).lookup(keys);
  assert.equal(again.size, 50);
  assert.equal(again.get(keys[7])?.logIndex, 7);
});

test('only verified outcomes are kept', async () => {
  const dir = tempDir();
  const store = createResultStore({ ...keyed, directory: dir });
  await store.save([{ key, outcome: { status: 'invalid' } }]);
  assert.equal((await store.lookup([key])).size, 0);
  assert.deepEqual(existsSync(path.join(dir, RESULTS_SUBDIRECTORY)) ? storeFiles(dir) : [], []);
});

test('corrupt, torn, foreign and forged lines are discarded; their file is folded into a snapshot and deleted', async () => {
  const dir = tempDir();
  await createResultStore({ ...keyed, directory: dir }).save([{ key, outcome: verified }]);
  const [journal] = storeFiles(dir);
  const file = path.join(dir, RESULTS_SUBDIRECTORY, journal);
  const good = readFileSync(file, 'utf8');
  const other = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { other: true });
  const bad = [
    good.slice(0, good.length / 2),
    'not json',
    JSON.stringify({ v: 1, key: 'not-a-key', outcome: verified }),
    JSON.stringify({ v: 2, key: other, outcome: verified }),
    JSON.stringify({ v: 1, key: other, outcome: { ...verified, status: 'invalid' } }),
    JSON.stringify({ v: 1, key: other, outcome: { ...verified, logIndex: '5' } }),
    JSON.stringify({ v: 1, key: other, outcome: { ...verified, claims: { issuer: 5 } } }),
    'null',
  ];
  writeFileSync(file, `${bad.join('\n')}\n${good}`);
  const store = createResultStore({ ...keyed, directory: dir });
  const found = await store.lookup([key, other]);
  assert.deepEqual([...found.keys()], [key]);
  assert.equal(store.stats.discarded, bad.length);
  assert.equal(existsSync(file), false, 'the corrupt journal is gone');
  const [snapshot] = storeFiles(dir);
  assert.match(snapshot, /^snapshot-[0-9a-f]+\.jsonl$/);
  assert.equal(readFileSync(path.join(dir, RESULTS_SUBDIRECTORY, snapshot), 'utf8'), good);
  // A file of pure garbage is dropped as well.
  writeFileSync(path.join(dir, RESULTS_SUBDIRECTORY, 'journal-1-garbage.jsonl'), Buffer.from([0xff, 0x00, 0x0a, 0x7b]));
  assert.equal((await createResultStore({ ...keyed, directory: dir }).lookup([key])).size, 1);
  assert.equal(existsSync(path.join(dir, RESULTS_SUBDIRECTORY, 'journal-1-garbage.jsonl')), false);
});

test('many old files are folded into one snapshot; a recent journal of another process is left alone', async () => {
  const dir = tempDir();
  const results = path.join(dir, RESULTS_SUBDIRECTORY);
  mkdirSync(results, { recursive: true });
  const keys: string[] = [];
  const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
  for (let i = 0; i < 10; i++) {
    const k = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { i });
    keys.push(k);
    const file = path.join(results, `journal-${1000 + i}-aaaa.jsonl`);
    writeFileSync(file, signedLine(k, verified));
    if (i > 0) utimesSync(file, old, old);
  }
  const store = createResultStore({ ...keyed, directory: dir });
  assert.equal((await store.lookup(keys)).size, 10);
  const left = storeFiles(dir);
  assert.equal(left.length, 2, left.join(', '));
  assert.ok(left.includes('journal-1000-aaaa.jsonl'), 'a recently written journal may still be appended to');
  assert.ok(left.some((name) => name.startsWith('snapshot-')));
  assert.equal((await createResultStore({ ...keyed, directory: dir }).lookup(keys)).size, 10);
});

test('without a directory the store remembers in memory only; an unusable directory is not fatal', async () => {
  const memory = createResultStore();
  await memory.save([{ key, outcome: verified }]);
  assert.equal((await memory.lookup([key])).size, 1);

  const logs: string[] = [];
  const file = path.join(tempDir(), 'a-file');
  writeFileSync(file, 'x');
  const broken = createResultStore({ ...keyed, directory: file, log: (m) => logs.push(m) });
  await broken.save([{ key, outcome: verified }]);
  assert.equal((await broken.lookup([key])).size, 1);
  assert.ok(logs.some((line) => /unusable|could not write/.test(line)), logs.join('\n'));
});

test('keys change with the trust scope, the file, the signer and every byte of the attestation', () => {
  const signer = { publisher: { kind: 'GitHub', repository: 'o/r', workflow: 'release.yml' } };
  const attestation = { version: 1, envelope: { statement: 'abc', signature: 'def' } };
  const base = attestationKey(PUBLIC_GOOD_SCOPE, dist, signer, attestation);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(attestationKey(PUBLIC_GOOD_SCOPE, { ...dist, sha256: dist.sha256.toUpperCase() }, signer, attestation), base);
  const variants = [
    attestationKey('root-x', dist, signer, attestation),
    attestationKey(PUBLIC_GOOD_SCOPE, { ...dist, filename: 'a-1.0-py3-none-any.whl' }, signer, attestation),
    attestationKey(PUBLIC_GOOD_SCOPE, { ...dist, sha256: 'cd'.repeat(32) }, signer, attestation),
    attestationKey(PUBLIC_GOOD_SCOPE, dist, { publisher: { ...signer.publisher, workflow: 'other.yml' } }, attestation),
    attestationKey(PUBLIC_GOOD_SCOPE, dist, signer, { ...attestation, envelope: { statement: 'abd', signature: 'def' } }),
  ];
  assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  assert.equal(trustScope('embedded', {}), PUBLIC_GOOD_SCOPE);
  assert.equal(trustScope('tuf', { other: 1 }), PUBLIC_GOOD_SCOPE);
  assert.notEqual(trustScope('file', { a: 1 }), trustScope('file', { a: 2 }));
});

test('provenanceKeys lists one key per attestation and tolerates hostile shapes', () => {
  const provenance = { version: 1, attestation_bundles: [{ publisher: { kind: 'GitHub' }, attestations: [{ a: 1 }, { a: 2 }] }, { publisher: { kind: 'GitLab' }, attestations: [{ a: 1 }] }] };
  const keys = provenanceKeys(PUBLIC_GOOD_SCOPE, provenance, dist);
  assert.equal(keys.length, 3);
  assert.equal(new Set(keys).size, 3);
  assert.equal(keys[0], attestationKey(PUBLIC_GOOD_SCOPE, dist, { publisher: { kind: 'GitHub' } }, { a: 1 }));
  for (const hostile of [null, 5, 'x', [], { attestation_bundles: 'x' }, { attestation_bundles: [null, { attestations: 'no' }, 7] }]) {
    assert.deepEqual(provenanceKeys(PUBLIC_GOOD_SCOPE, hostile, dist), []);
  }
});

test('the keyed digest of a provenance object changes with every attestation, publisher and bundle boundary, and is undefined for a malformed one', () => {
  const bundle = (publisher: unknown, ...attestations: unknown[]) => ({ publisher, attestations });
  const digest = (provenance: unknown, file = dist) => keyedProvenanceDigest(provenance, keyedAttestations(PUBLIC_GOOD_SCOPE, provenance, file));
  const base = { version: 1, attestation_bundles: [bundle({ kind: 'GitHub' }, { a: 1 }, { a: 2 })] };
  const same = digest(structuredClone(base));
  assert.match(same ?? '', /^[0-9a-f]{64}$/);
  assert.equal(digest(base), same, 'an equal object, another parse: the same digest');
  assert.equal(digest({ ...base, extra: 'ignored by the verifier' }), same);
  const variants = [
    { version: 1, attestation_bundles: [bundle({ kind: 'GitHub' }, { a: 1 }, { a: 3 })] },
    { version: 1, attestation_bundles: [bundle({ kind: 'GitHub' }, { a: 2 }, { a: 1 })] },
    { version: 1, attestation_bundles: [bundle({ kind: 'GitLab' }, { a: 1 }, { a: 2 })] },
    { version: 1, attestation_bundles: [bundle({ kind: 'GitHub' }, { a: 1 }), bundle({ kind: 'GitHub' }, { a: 2 })] },
    { version: 1, attestation_bundles: [bundle({ kind: 'GitHub' }, { a: 1 }, { a: 2 }, { a: 2 })] },
  ];
  const digests = new Set([same, ...variants.map((variant) => digest(variant)), digest(base, { ...dist, sha256: 'cd'.repeat(32) })]);
  assert.equal(digests.size, variants.length + 2, 'each change gives another digest');
  for (const malformed of [null, 'x', [], { version: 2, attestation_bundles: base.attestation_bundles }, { version: 1, attestation_bundles: [] }, { version: 1, attestation_bundles: [bundle({ kind: 'GitHub' })] }, { version: 1, attestation_bundles: [...base.attestation_bundles, 7] }]) {
    assert.equal(digest(malformed), undefined, JSON.stringify(malformed));
  }
});

test('a forged, truncated or foreign MAC is discarded, counted and said once per file; the old unauthenticated format is never read', async () => {
  const dir = tempDir();
  const results = path.join(dir, RESULTS_SUBDIRECTORY);
  mkdirSync(results, { recursive: true });
  const forged = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { forged: 'no mac' });
  const truncated = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { forged: 'truncated' });
  const foreign = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { forged: 'foreign' });
  const moved = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { forged: 'moved' });
  const edited = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { forged: 'edited' });
  const genuine = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { genuine: true });
  const good = JSON.parse(signedLine(truncated, verified)) as { mac: string };
  const lines = [
    JSON.stringify({ v: 2, key: forged, outcome: verified }),
    JSON.stringify({ v: 2, key: truncated, outcome: verified, mac: good.mac.slice(0, 40) }),
    // A line copied from a store made under another user's key.
    signedLine(foreign, verified, newCacheKey()).trim(),
    // A genuine MAC moved onto another attestation's key, and one whose verdict was edited.
    JSON.stringify({ v: 2, key: moved, outcome: verified, mac: good.mac }),
    JSON.stringify({ ...JSON.parse(signedLine(edited, verified)), outcome: { ...verified, logIndex: 1 } }),
    JSON.stringify({ v: 1, key: forged, outcome: verified }),
    signedLine(genuine, verified).trim(),
  ];
  writeFileSync(path.join(results, 'journal-1-forged.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(path.join(results, 'journal-2-forged.jsonl'), `${JSON.stringify({ v: 2, key: forged, outcome: verified, mac: 'f'.repeat(64) })}\n`);
  const logs: string[] = [];
  const store = createResultStore({ ...keyed, directory: dir, log: (m) => logs.push(m) });
  const found = await store.lookup([forged, truncated, foreign, moved, edited, genuine]);
  assert.deepEqual([...found.keys()], [genuine]);
  assert.equal(store.stats.discarded, 6 + 1);
  const said = logs.filter((m) => /discarding/.test(m));
  assert.equal(said.length, 2, 'once per file, not per line');
  assert.match(said.join('\n'), /discarding 6 verification results in journal-1-forged\.jsonl that are unreadable or not authenticated by this user's key; those attestations are verified again/);
  assert.ok(!logs.join('\n').includes(good.mac), 'no MAC (nor key) in a message');
});

test('no key (it cannot be made or was not given): memory only, nothing read from disk, nothing written, said once', async () => {
  const dir = tempDir();
  await createResultStore({ ...keyed, directory: dir }).save([{ key, outcome: verified }]);
  const before = storeFiles(dir);
  for (const source of [undefined, async () => undefined]) {
    const logs: string[] = [];
    const store = createResultStore({ directory: dir, key: source, log: (m) => logs.push(m) });
    assert.equal((await store.lookup([key])).size, 0, 'a verdict on disk is not believed without the key');
    const other = attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { other: 1 });
    await store.save([{ key: other, outcome: verified }]);
    await store.save([{ key: attestationKey(PUBLIC_GOOD_SCOPE, dist, null, { other: 2 }), outcome: verified }]);
    assert.equal((await store.lookup([other])).size, 1, 'kept in memory');
    assert.equal(store.stats.writes, 0);
    assert.deepEqual(storeFiles(dir), before);
    assert.ok(logs.length <= 1, logs.join('\n'));
  }
});

test('a publisher nested too deep for JSON keeps the file in the key, and its verdict is never reused', () => {
  let deep: Record<string, unknown> = { kind: 'GitHub' };
  for (let i = 0; i < 200_000; i++) deep = { kind: 'GitHub', nested: deep };
  const signer = { publisher: deep };
  const attestation = { version: 1 };
  const a = attestationKey(PUBLIC_GOOD_SCOPE, dist, signer, attestation);
  const b = attestationKey(PUBLIC_GOOD_SCOPE, { ...dist, filename: 'b-1.0.tar.gz', sha256: 'cd'.repeat(32) }, signer, attestation);
  assert.notEqual(a, b, 'another file is another key');
  assert.notEqual(attestationKey(PUBLIC_GOOD_SCOPE, dist, signer, attestation), a, 'nothing can look the verdict up again');
});

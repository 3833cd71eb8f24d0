/**
 * Split views (issue 11 item 6): the verifier exposes the checkpoint it verified; the checkpoint
 * memory remembers the root of every (log, size) and a verified checkpoint with another root is
 * `log-inconsistent`. The test Sigstore's log is append-only, and signs a split view on request.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newCacheKey, testCacheKey } from '../support/cacheKey';
import { createSigstoreKit } from '../support/sigstoreKit';
import { AttestationVerifier, type VerifiedAttestation } from '../../server/src/verify/index';
import { CHECKPOINT_SUBDIRECTORY, checkCheckpoints, createCheckpointMemory, logInconsistentFinding, type ObservedCheckpoint } from '../../server/src/zeroTrust/checkpointMemory';
import { TRUST_MEMORY_SUBDIRECTORIES, CACHE_SUBDIRECTORIES } from '../../server/src/pipeline/cacheLayout';

const made: string[] = [];
const key = testCacheKey(newCacheKey());
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'checkpoints-'));
  made.push(dir);
  return dir;
}
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } };

const kit = createSigstoreKit();
const verifier = AttestationVerifier.fromTrustedRoot(kit.trustedRoot);

function verifiedCheckpoint(made: ReturnType<typeof kit.attest>): ObservedCheckpoint {
  const outcome = verifier.verifyAttestation(made.attestation, made.distribution, { publisher: made.publisher });
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
  const verified = outcome as VerifiedAttestation;
  assert.ok(verified.checkpoint, 'a verified attestation carries its checkpoint');
  return { logId: verified.logId, ...verified.checkpoint };
}

const checkpoint = (rootHash: string, treeSize = 1001): ObservedCheckpoint => ({ logId: kit.rekorLogId.toString('base64'), origin: 'rekor.test.example - 2605736670972794746', treeSize, rootHash });

test('the verifier exposes the verified checkpoint: the log grows, one size has one root; a split view signs another root for the same size', () => {
  const first = verifiedCheckpoint(kit.attest({ filename: 'demo-1.0.tar.gz' }));
  const second = verifiedCheckpoint(kit.attest({ filename: 'demo-1.0-py3-none-any.whl' }));
  assert.equal(first.origin, 'rekor.test.example - 2605736670972794746');
  assert.equal(first.logId, kit.rekorLogId.toString('base64'));
  assert.match(first.rootHash, /^[0-9a-f]{64}$/);
  assert.equal(second.treeSize, first.treeSize + 1);
  const forked = verifiedCheckpoint(kit.attest({ filename: 'demo-1.0-py3-none-any.whl', splitView: true }));
  assert.equal(forked.treeSize, second.treeSize);
  assert.notEqual(forked.rootHash, second.rootHash);
  const v2 = verifiedCheckpoint(kit.attest({ rekor: 'v2' }));
  assert.equal(v2.origin, 'log2025-1.rekor.test.example');
});

test('a checkpoint memory records on first use, survives a restart, and lives in the trust memory (not the caches)', async () => {
  const dir = tempDir();
  const root = 'ab'.repeat(32);
  const first = await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint(root), 'demo 1.0');
  assert.equal(first.firstUse, true);
  const again = await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint(root), 'demo 2.0');
  assert.equal(again.firstUse, false);
  assert.equal(again.remembered.seenIn, 'demo 1.0');
  assert.deepEqual(await checkCheckpoints(createCheckpointMemory({ cacheDirectory: dir, key }), 'demo 1.0', [{ filename: 'demo-1.0.tar.gz', checkpoints: [checkpoint(root)] }]), []);
  assert.ok(TRUST_MEMORY_SUBDIRECTORIES.includes(CHECKPOINT_SUBDIRECTORY));
  assert.ok(!CACHE_SUBDIRECTORIES.includes(CHECKPOINT_SUBDIRECTORY));
  for (const name of readdirSync(path.join(dir, CHECKPOINT_SUBDIRECTORY))) assert.match(name, /^[0-9a-f]{64}\.json$/);
});

test('two verified checkpoints of one log and size with different roots are log-inconsistent, with both roots shortened in the message', async () => {
  const dir = tempDir();
  const honest = verifiedCheckpoint(kit.attest({ filename: 'demo-1.0.tar.gz' }));
  const forked = verifiedCheckpoint(kit.attest({ filename: 'demo-1.0.tar.gz', splitView: true }));
  await checkCheckpoints(createCheckpointMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2026, 7, 1) }), 'demo 1.0', [{ filename: 'demo-1.0.tar.gz', checkpoints: [honest] }]);
  const conflicts = await checkCheckpoints(createCheckpointMemory({ cacheDirectory: dir, key }), 'demo 1.0', [{ filename: 'demo-1.0-py3-none-any.whl', checkpoints: [forked] }]);
  assert.equal(conflicts.length, 1);
  const finding = logInconsistentFinding(conflicts, range, 3);
  assert.ok(finding);
  assert.equal(finding.code, 'log-inconsistent');
  assert.equal(finding.dependency, 3);
  assert.ok(finding.message.includes(`root ${forked.rootHash.slice(0, 16)}…`), finding.message);
  assert.ok(finding.message.includes(`root ${honest.rootHash.slice(0, 16)}…`), finding.message);
  assert.ok(!finding.message.includes(honest.rootHash), 'roots are shortened');
  assert.match(finding.message, /^Log inconsistent: the transparency log shows different histories to different clients \(a split view\): rekor\.test\.example - 2605736670972794746 signed a tree of 1,0\d\d entries/);
  assert.match(finding.message, /seen on 2026-08-01, for demo 1\.0/);
  assert.match(finding.message, /attestation of demo-1\.0-py3-none-any\.whl\)/);
  assert.equal(logInconsistentFinding([], range), undefined);
});

test('a forged, unsigned or corrupt entry is discarded with a warning and the checkpoint is seen afresh; another user\'s key believes nothing', async () => {
  const dir = tempDir();
  await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint('11'.repeat(32)), 'demo 1.0');
  const sub = path.join(dir, CHECKPOINT_SUBDIRECTORY);
  const [name] = readdirSync(sub);
  const file = path.join(sub, name);
  const entry = JSON.parse(readFileSync(file, 'utf8'));

  // Forged: the attacker's root, the old MAC.
  writeFileSync(file, JSON.stringify({ ...entry, rootHash: '22'.repeat(32) }));
  const logs: string[] = [];
  const forged = await createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(checkpoint('33'.repeat(32)), 'demo 1.0');
  assert.equal(forged.firstUse, true, 'a forged entry is never the remembered root');
  assert.match(logs.join('\n'), /discarding a remembered checkpoint of rekor\.test\.example - 2605736670972794746 at size 1001: the entry is corrupt or not authenticated/);

  // Unsigned: no MAC at all.
  const { mac: _mac, ...unsigned } = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...unsigned, rootHash: '44'.repeat(32) }));
  const bare = await createCheckpointMemory({ cacheDirectory: dir, key, log: () => undefined }).observe(checkpoint('55'.repeat(32)), 'demo 1.0');
  assert.equal(bare.firstUse, true);
  assert.equal(bare.remembered.rootHash, '55'.repeat(32));

  writeFileSync(file, '{"v": 1, "rootHash"');
  const corrupt = await createCheckpointMemory({ cacheDirectory: dir, key, log: () => undefined }).observe(checkpoint('66'.repeat(32)), 'demo 1.0');
  assert.equal(corrupt.firstUse, true);

  const stranger = await createCheckpointMemory({ cacheDirectory: dir, key: testCacheKey(newCacheKey()), log: () => undefined }).observe(checkpoint('77'.repeat(32)), 'demo 1.0');
  assert.equal(stranger.firstUse, true, "another user's key does not believe this user's entry");
});

test('two writers racing on one log and size record one root; the loser sees the split view', async () => {
  const dir = tempDir();
  const a = createCheckpointMemory({ cacheDirectory: dir, key });
  const b = createCheckpointMemory({ cacheDirectory: dir, key });
  const [one, two] = await Promise.all([a.observe(checkpoint('aa'.repeat(32)), 'demo 1.0'), b.observe(checkpoint('bb'.repeat(32)), 'demo 1.0')]);
  assert.equal([one.firstUse, two.firstUse].filter(Boolean).length, 1, 'exactly one records');
  assert.equal(one.remembered.rootHash, two.remembered.rootHash, 'both hold the one recorded root');
  const loser = one.firstUse ? 'bb' : 'aa';
  const conflicts = await checkCheckpoints(createCheckpointMemory({ cacheDirectory: dir, key }), 'demo 1.0', [{ filename: 'f', checkpoints: [checkpoint(loser.repeat(32))] }]);
  assert.equal(conflicts.length, 1);
  assert.equal(readdirSync(path.join(dir, CHECKPOINT_SUBDIRECTORY)).length, 1, 'no temp file left behind');
});

test('a clock set back keeps the first date and still catches the split view; without a disk the memory holds for the process', async () => {
  const dir = tempDir();
  await createCheckpointMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2030, 0, 1) }).observe(checkpoint('aa'.repeat(32)), 'demo 1.0');
  const back = createCheckpointMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2020, 0, 1) });
  const conflicts = await checkCheckpoints(back, 'demo 1.0', [{ filename: 'f', checkpoints: [checkpoint('bb'.repeat(32))] }]);
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0].remembered.firstSeen, '2030-01-01T00:00:00.000Z');

  const inMemory = createCheckpointMemory({});
  await inMemory.observe(checkpoint('aa'.repeat(32)), 'demo 1.0');
  assert.equal((await checkCheckpoints(inMemory, 'demo 1.0', [{ filename: 'f', checkpoints: [checkpoint('bb'.repeat(32))] }])).length, 1);
  // Another size, or another shard of the log, is another tree.
  assert.deepEqual(await checkCheckpoints(inMemory, 'demo 1.0', [{ filename: 'f', checkpoints: [checkpoint('bb'.repeat(32), 1002), { ...checkpoint('bb'.repeat(32)), origin: 'rekor.test.example - 1' }] }]), []);
});

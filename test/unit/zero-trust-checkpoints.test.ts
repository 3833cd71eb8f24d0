/**
 * Split views (issue 11 item 6): the verifier exposes the checkpoint it verified; the checkpoint
 * memory remembers the root of every (log, size) and a verified checkpoint with another root is
 * `log-inconsistent`. The test Sigstore's log is append-only, and signs a split view on request.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newCacheKey, testCacheKey } from '../support/cacheKey';
import { CacheKey } from '../../server/src/core/cacheKey';
import { randomBytes } from 'node:crypto';
import { createSigstoreKit } from '../support/sigstoreKit';
import { AttestationVerifier, type VerifiedAttestation } from '../../server/src/verify/index';
import { CHECKPOINT_SUBDIRECTORY, checkCheckpoints, createCheckpointMemory, logInconsistentFinding, type ObservedCheckpoint } from '../../server/src/zeroTrust/checkpointMemory';
import { TRUST_MEMORY_SUBDIRECTORIES, CACHE_SUBDIRECTORIES } from '../../server/src/pipeline/cacheLayout';
import { entryFileName } from '../../server/src/zeroTrust/signedEntries';
import { JOURNAL_FILE_NAME } from '../../server/src/zeroTrust/signedJournal';

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
  assert.deepEqual(readdirSync(path.join(dir, CHECKPOINT_SUBDIRECTORY)), [JOURNAL_FILE_NAME], 'one journal, whatever the number of checkpoints');
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

test('a forged, unsigned or corrupt line is skipped with a warning and the checkpoint is seen afresh; another user\'s key believes nothing', async () => {
  const dir = tempDir();
  await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint('11'.repeat(32)), 'demo 1.0');
  const journal = path.join(dir, CHECKPOINT_SUBDIRECTORY, JOURNAL_FILE_NAME);
  const entry = JSON.parse(readFileSync(journal, 'utf8').trim());

  // Forged: the attacker's root, the old MAC.
  writeFileSync(journal, `\n${JSON.stringify({ ...entry, rootHash: '22'.repeat(32) })}\n`);
  const logs: string[] = [];
  const forged = await createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(checkpoint('33'.repeat(32)), 'demo 1.0');
  assert.equal(forged.firstUse, true, 'a forged line is never the remembered root');
  assert.match(logs.join('\n'), /discarding a remembered checkpoint of rekor\.test\.example - 2605736670972794746 at size 1001: the entry is corrupt or not authenticated/);

  // Unsigned: no MAC at all.
  const { mac: _mac, ...unsigned } = entry;
  writeFileSync(journal, `\n${JSON.stringify({ ...unsigned, rootHash: '44'.repeat(32) })}\n`);
  const bare = await createCheckpointMemory({ cacheDirectory: dir, key, log: () => undefined }).observe(checkpoint('55'.repeat(32)), 'demo 1.0');
  assert.equal(bare.firstUse, true);
  assert.equal(bare.remembered.rootHash, '55'.repeat(32));

  const garbage: string[] = [];
  writeFileSync(journal, '\n{"v": 1, "rootHash"\nnull\n[]\n');
  const corrupt = await createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => garbage.push(m) }).observe(checkpoint('66'.repeat(32)), 'demo 1.0');
  assert.equal(corrupt.firstUse, true);
  assert.equal(garbage.length, 3);
  assert.match(garbage[0], /^skipping a line of the transparency-log checkpoints journal that is corrupt or not authenticated by this user's key \(1 so far\)$/);

  const stranger = await createCheckpointMemory({ cacheDirectory: dir, key: testCacheKey(newCacheKey()), log: () => undefined }).observe(checkpoint('77'.repeat(32)), 'demo 1.0');
  assert.equal(stranger.firstUse, true, "another user's key does not believe this user's line");

  // Another key's many lines: five are named, then one line says more are skipped.
  const mine = createCheckpointMemory({ cacheDirectory: dir, key });
  for (let size = 1; size <= 20; size++) await mine.observe(checkpoint('88'.repeat(32), size), 'demo 1.0');
  const words: string[] = [];
  await createCheckpointMemory({ cacheDirectory: dir, key: testCacheKey(newCacheKey()), log: (m) => words.push(m) }).observe(checkpoint('99'.repeat(32), 5000), 'demo 1.0');
  assert.equal(words.length, 6, words.join('\n'));
  assert.match(words[5], /^skipping more lines of the transparency-log checkpoints journal that are corrupt or not authenticated by this user's key; no more are named$/);
});

test('a forged line ahead of the authentic one does not shadow it; the first authentic line of a size is its root', async () => {
  const dir = tempDir();
  await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint('11'.repeat(32)), 'demo 1.0');
  await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint('99'.repeat(32), 2002), 'demo 2.0');
  const journal = path.join(dir, CHECKPOINT_SUBDIRECTORY, JOURNAL_FILE_NAME);
  const [honest, other] = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
  const forged = JSON.stringify({ ...JSON.parse(honest), rootHash: '22'.repeat(32) });
  // The attacker puts a forged line first, and the other size's authentic line again with another date.
  writeFileSync(journal, `\n${forged}\n\n${honest}\n\n${other}\n`);
  const logs: string[] = [];
  const memory = createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) });
  const seen = await memory.observe(checkpoint('33'.repeat(32)), 'demo 1.0');
  assert.equal(seen.firstUse, false);
  assert.equal(seen.remembered.rootHash, '11'.repeat(32));
  assert.equal((await memory.observe(checkpoint('99'.repeat(32), 2002), 'demo 3.0')).remembered.seenIn, 'demo 2.0');
  assert.equal(logs.length, 1, logs.join('\n'));
});

test('a line torn by a killed writer never swallows the next record', async () => {
  const dir = tempDir();
  await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint('11'.repeat(32)), 'demo 1.0');
  const journal = path.join(dir, CHECKPOINT_SUBDIRECTORY, JOURNAL_FILE_NAME);
  appendFileSync(journal, '\n{"v":1,"logId":"tor');
  const logs: string[] = [];
  assert.equal((await createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(checkpoint('aa'.repeat(32), 1002), 'demo 2.0')).firstUse, true);
  assert.equal(logs.length, 1, 'the torn line is skipped with a warning');
  logs.length = 0;
  const later = createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) });
  assert.equal((await later.observe(checkpoint('bb'.repeat(32), 1002), 'demo 2.0')).remembered.rootHash, 'aa'.repeat(32), 'the record after the torn line was read back');
  assert.equal((await later.observe(checkpoint('cc'.repeat(32)), 'demo 1.0')).remembered.rootHash, '11'.repeat(32));
  assert.equal(logs.length, 1, 'each memory reads the torn line once');
});

/** A cache directory whose checkpoint journal is a link (made by `link`) to another file of the user's. */
function plantedJournal(link: (target: string, path: string) => void): { dir: string; victim: string } {
  const dir = tempDir();
  const sub = path.join(dir, CHECKPOINT_SUBDIRECTORY);
  mkdirSync(sub, { recursive: true });
  const victim = path.join(dir, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  link(victim, path.join(sub, JOURNAL_FILE_NAME));
  return { dir, victim };
}

test('a symbolic link planted as the journal is neither written nor read: the checkpoints are kept in memory, said once', { skip: process.platform === 'win32' ? 'symbolic links need privileges on Windows' : false }, async () => {
  const { dir, victim } = plantedJournal(symlinkSync);
  const logs: string[] = [];
  const memory = createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) });
  assert.equal((await memory.observe(checkpoint('aa'.repeat(32)), 'demo 1.0')).firstUse, true);
  assert.equal((await memory.observe(checkpoint('bb'.repeat(32)), 'demo 1.0')).remembered.rootHash, 'aa'.repeat(32), 'held in memory for the process');
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(logs.length, 1);
  assert.match(logs[0], /^transparency-log checkpoints are kept in memory only: the checkpoint journal cannot be used \(a symbolic link stands where the journal belongs \(remove \/.*\/log-checkpoints-v1\/entries\.jsonl\)\)$/);
});

test('a hard link planted as the journal is neither written nor read', async () => {
  const { dir, victim } = plantedJournal(linkSync);
  const logs: string[] = [];
  assert.equal((await createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(checkpoint('aa'.repeat(32)), 'demo 1.0')).firstUse, true);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.match(logs.join('\n'), /a file with other hard links stands where the journal belongs/);
});

test('an entry file of an earlier version (one file per checkpoint) is still the remembered root; a forged one is discarded', async () => {
  const dir = tempDir();
  const sub = path.join(dir, CHECKPOINT_SUBDIRECTORY);
  mkdirSync(sub, { recursive: true });
  const cacheKey = (await key())!;
  const old = checkpoint('ab'.repeat(32), 777);
  const name = `${old.logId}\n${old.origin}\n${old.treeSize}`;
  const fields = { v: 1, ...old, firstSeen: '2026-01-01T00:00:00.000Z', seenIn: 'demo 0.9' };
  const file = path.join(sub, entryFileName(name));
  writeFileSync(file, JSON.stringify({ ...fields, mac: cacheKey.mac(CHECKPOINT_SUBDIRECTORY, name, JSON.stringify([fields.rootHash, fields.firstSeen, fields.seenIn])) }, null, 2));
  const seen = await createCheckpointMemory({ cacheDirectory: dir, key }).observe(checkpoint('cd'.repeat(32), 777), 'demo 1.0');
  assert.equal(seen.firstUse, false);
  assert.equal(seen.remembered.rootHash, 'ab'.repeat(32));
  assert.equal(seen.remembered.seenIn, 'demo 0.9');

  writeFileSync(file, JSON.stringify({ ...fields, rootHash: 'ef'.repeat(32), mac: '00'.repeat(32) }));
  const logs: string[] = [];
  const fresh = await createCheckpointMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(checkpoint('cd'.repeat(32), 777), 'demo 1.0');
  assert.equal(fresh.firstUse, true);
  assert.match(logs.join('\n'), /discarding a remembered checkpoint of .* at size 777/);
  assert.deepEqual(readdirSync(sub), [JOURNAL_FILE_NAME], 'the forged file is removed; the new root is a line of the journal');
});

test('processes appending at once lose no checkpoint and agree on every root', async () => {
  const dir = tempDir();
  const secret = randomBytes(32);
  const shared = testCacheKey(new CacheKey(secret));
  const script = path.join(dir, 'writer.mts');
  const sizes = 150;
  writeFileSync(
    script,
    [
      `import { createCheckpointMemory } from ${JSON.stringify(path.resolve(__dirname, '../../server/src/zeroTrust/checkpointMemory.ts'))};`,
      `import { CacheKey, fixedCacheKey } from ${JSON.stringify(path.resolve(__dirname, '../../server/src/core/cacheKey.ts'))};`,
      'const [dir, root, logId, keyHex, startAt] = process.argv.slice(2);',
      "const memory = createCheckpointMemory({ cacheDirectory: dir, key: fixedCacheKey(new CacheKey(Buffer.from(keyHex, 'hex'))) });",
      // Every process starts its appends at the same moment, so that they race.
      'await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));',
      'const held: Array<[string, boolean]> = [];',
      `for (let size = 1; size <= ${sizes}; size++) { const seen = await memory.observe({ logId, origin: 'rekor.test.example - 2605736670972794746', treeSize: size, rootHash: root }, 'demo'); held.push([seen.remembered.rootHash, seen.firstUse]); }`,
      'process.stdout.write(JSON.stringify(held));',
    ].join('\n'),
  );
  const startAt = Date.now() + 3_000;
  const run = (root: string) =>
    new Promise<Array<[string, boolean]>>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script, dir, root, kit.rekorLogId.toString('base64'), secret.toString('hex'), String(startAt)], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as Array<[string, boolean]>)));
    });
  const roots = ['a1', 'b2', 'c3'].map((byte) => byte.repeat(32));
  const held = await Promise.all(roots.map(run));
  const lines = readFileSync(path.join(dir, CHECKPOINT_SUBDIRECTORY, JOURNAL_FILE_NAME), 'utf8').split('\n').filter(Boolean);
  assert.ok(lines.length >= sizes && lines.length <= sizes * roots.length, `${lines.length} lines`);
  for (const line of lines) JSON.parse(line);
  for (let i = 0; i < sizes; i++) {
    assert.equal(new Set(held.map((h) => h[i][0])).size, 1, `the processes agree on the root of size ${i + 1}`);
    assert.equal(held.filter((h) => h[i][1]).length, 1, `exactly one process records size ${i + 1}`);
  }
  const after = createCheckpointMemory({ cacheDirectory: dir, key: shared });
  for (let i = 0; i < sizes; i++) {
    const seen = await after.observe(checkpoint('00'.repeat(32), i + 1), 'later');
    assert.equal(seen.firstUse, false);
  }
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
  assert.deepEqual(readdirSync(path.join(dir, CHECKPOINT_SUBDIRECTORY)), [JOURNAL_FILE_NAME], 'no temp file left behind');
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

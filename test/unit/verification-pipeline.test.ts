/**
 * One file through the pipeline (fileChecks.ts) with provenance signed by the test Sigstore: a
 * verified file, 404 and no URL (unattested), 403 (the feature is off: unattested, not a failure),
 * index errors (retried later), a tampered attestation (invalid, naming the check), results
 * remembered across instances (a second "process" verifies nothing), a provenance object that
 * gains an attestation (only the new one is verified), the worker-thread executor giving the same
 * answers as the inline one, and a worker that dies.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IndexError } from '../../server/src/index/errors';
import type { ProvenanceAnswer } from '../../server/src/index/indexClient';
import type { ProvenanceObject } from '../../server/src/index/provenanceApi';
import { keyedAttestations, provenanceKeys, trustScope } from '../../server/src/verification/attestationKey';
import { createInlineExecutor, type VerifyExecutor } from '../../server/src/verification/executor';
import { FileChecks, type FileChecksOptions, type VerificationTarget } from '../../server/src/verification/fileChecks';
import { RememberingVerifier } from '../../server/src/verification/fileVerifier';
import { VerificationQueue } from '../../server/src/verification/queue';
import { createResultStore, RESULTS_SUBDIRECTORY } from '../../server/src/verification/resultStore';
import { createWorkerExecutor } from '../../server/src/verification/workerExecutor';
import type { VerifiedAttestation } from '../../server/src/verify/index';
import { testCacheKey } from '../support/cacheKey';
import { SLSA_V1, createSigstoreKit } from '../support/sigstoreKit';

const REPO = path.resolve(__dirname, '..', '..');
const BUILT_WORKER = path.join(REPO, 'server', 'out', 'verification', 'worker.js');
const kit = createSigstoreKit();
const trust = { json: kit.trustedRoot, scope: trustScope('file', kit.trustedRoot) };
const dirs: string[] = [];
const userKey = testCacheKey();
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const found = (provenance: unknown): ProvenanceAnswer => ({ kind: 'found', provenance: provenance as ProvenanceObject, source: { from: 'network', fetchedAt: 0 } });

function setup(answers: Record<string, ProvenanceAnswer>, overrides: Partial<FileChecksOptions> & { directory?: string; executor?: VerifyExecutor } = {}) {
  const fetched: string[] = [];
  const executor = overrides.executor ?? createInlineExecutor(trust);
  const queue = new VerificationQueue(executor.capacity);
  const checks = new FileChecks({
    fetchProvenance: async (url) => {
      fetched.push(url);
      return answers[url] ?? { kind: 'none', source: { from: 'network', fetchedAt: 0 } };
    },
    store: createResultStore({ directory: overrides.directory, key: userKey }),
    executor: () => executor,
    trust,
    queue,
    ...overrides,
  });
  return { checks, fetched, executor, owner: queue.owner('file:///requirements.txt') };
}

function signed(filename: string, predicateTypes = [undefined as string | undefined]) {
  const leaf = kit.issueLeaf();
  const made = predicateTypes.map((predicateType) => kit.attest({ filename, certificate: leaf, predicateType }));
  const provenance = { version: 1, attestation_bundles: [{ publisher: made[0].publisher, attestations: made.map((m) => m.attestation) }] };
  const target: VerificationTarget = { filename, sha256: made[0].distribution.sha256, provenanceUrl: `https://index.test/integrity/${filename}/provenance`, uploadTime: '2024-11-06T22:37:07.000000Z' };
  return { provenance, target, made };
}

test('a signed file verifies once; asking again is answered from the memo without a fetch', async () => {
  const { provenance, target } = signed('octo_pkg-1.0.0.tar.gz', [undefined, SLSA_V1]);
  const { checks, fetched, owner } = setup({ [target.provenanceUrl!]: found(provenance) });
  const outcome = await checks.check(target, owner, 0);
  assert.equal(outcome.status, 'verified', outcome.message ?? '');
  assert.equal(outcome.verification?.provenance?.repository, 'octo-org/octo-pkg');
  assert.deepEqual(outcome.verification?.provenance?.predicateTypes.sort(), ['https://docs.pypi.org/attestations/publish/v1', SLSA_V1]);
  assert.equal(checks.stats.attestationsVerified, 2);
  assert.equal((await checks.check(target, owner, 0)).status, 'verified');
  assert.equal(checks.peek(target)?.status, 'verified');
  assert.equal(fetched.length, 1);
  assert.equal(checks.stats.attestationsVerified, 2);
});

test('no provenance URL, and a 404, are unattested; a 403 is unattested with the feature off, not a failure', async () => {
  const url403 = 'https://index.test/integrity/b/provenance';
  const { checks, fetched, owner } = setup({ [url403]: { kind: 'error', error: new IndexError('http-status', 'answered HTTP 403: access denied', 403) } });
  const none = await checks.check({ filename: 'a-1.0.tar.gz', sha256: 'aa'.repeat(32) }, owner, 0);
  assert.equal(none.status, 'unattested');
  assert.equal(fetched.length, 0);
  const notFound = await checks.check({ filename: 'c-1.0.tar.gz', sha256: 'cc'.repeat(32), provenanceUrl: 'https://index.test/integrity/c/provenance' }, owner, 0);
  assert.equal(notFound.status, 'unattested');
  assert.equal(notFound.provenanceDisabled, undefined);
  const disabled = await checks.check({ filename: 'b-1.0.tar.gz', sha256: 'bb'.repeat(32), provenanceUrl: url403 }, owner, 0);
  assert.equal(disabled.status, 'unattested');
  assert.equal(disabled.provenanceDisabled, true);
  assert.match(disabled.message ?? '', /403.*turned the provenance feature off/);
});

test('an index error is an error outcome with a retry time that backs off, and is asked again after it', async () => {
  let now = 1_000_000;
  const url = 'https://index.test/integrity/e/provenance';
  const { provenance, target } = signed('octo_pkg-1.0.1.tar.gz');
  const answers: Record<string, ProvenanceAnswer> = { [url]: { kind: 'error', error: new IndexError('timeout', 'https://index.test/… timed out') } };
  const { checks, fetched, owner } = setup(answers, { now: () => now, retryDelay: { first: 1000, max: 3000 } });
  const failing = { ...target, provenanceUrl: url };
  const first = await checks.check(failing, owner, 0);
  assert.equal(first.status, 'error');
  assert.match(first.message ?? '', /could not be fetched: .*timed out \(will retry\)/);
  assert.equal(first.retryAt, now + 1000);
  assert.equal((await checks.check(failing, owner, 0)).status, 'error');
  assert.equal(fetched.length, 1, 'not asked again before the retry time');
  now += 1001;
  const second = await checks.check(failing, owner, 0);
  assert.equal(second.retryAt, now + 2000, 'the delay doubles');
  answers[url] = found(provenance);
  now += 2001;
  assert.equal((await checks.check(failing, owner, 0)).status, 'verified');
});

test('a tampered attestation is invalid, naming the check, and never remembered as verified', async () => {
  const made = kit.attest({ filename: 'octo_pkg-2.0.0.tar.gz', signature: 'wrong-payload' });
  const target: VerificationTarget = { filename: 'octo_pkg-2.0.0.tar.gz', sha256: made.distribution.sha256, provenanceUrl: 'https://index.test/integrity/t/provenance' };
  const directory = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-pipeline-'));
  dirs.push(directory);
  const { checks, owner } = setup({ [target.provenanceUrl!]: found(made.provenance) }, { directory });
  const outcome = await checks.check(target, owner, 0);
  assert.equal(outcome.status, 'invalid');
  assert.equal(outcome.verification?.check, 'dsse-signature');
  assert.match(outcome.message ?? '', /DSSE signature check failed/);
  assert.equal(outcome.verification?.provenance, undefined);
  const results = path.join(directory, RESULTS_SUBDIRECTORY);
  assert.deepEqual(existsSync(results) ? readdirSync(results) : [], []);
});

test('a forged verdict line in the cache directory does not make a tampered attestation verified: it is verified again', async () => {
  const good = signed('octo_pkg-2.2.0.tar.gz');
  const made = kit.attest({ filename: 'octo_pkg-2.2.0.tar.gz', signature: 'wrong-payload' });
  const target: VerificationTarget = { filename: made.distribution.filename, sha256: made.distribution.sha256, provenanceUrl: 'https://index.test/integrity/forged/provenance' };
  const directory = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-pipeline-'));
  dirs.push(directory);
  // A genuine verdict of this user's, to copy the outcome (and its MAC) from.
  const first = setup({ [good.target.provenanceUrl!]: found(good.provenance) }, { directory });
  assert.equal((await first.checks.check(good.target, first.owner, 0)).status, 'verified');
  const results = path.join(directory, RESULTS_SUBDIRECTORY);
  const genuine = JSON.parse(readFileSync(path.join(results, readdirSync(results)[0]), 'utf8').split('\n')[0]) as { outcome: unknown; mac: string };
  const [tamperedKey] = provenanceKeys(trust.scope, made.provenance, made.distribution);
  // The old unauthenticated format (where the old code looked), and the new one with a MAC made for another line.
  const old = path.join(directory, 'verified-attestations-v1');
  mkdirSync(old, { recursive: true });
  appendFileSync(path.join(old, 'journal-9-forged-old.jsonl'), `${JSON.stringify({ v: 1, key: tamperedKey, outcome: genuine.outcome })}\n`);
  appendFileSync(path.join(results, 'journal-9-forged-new.jsonl'), `${JSON.stringify({ v: 2, key: tamperedKey, outcome: genuine.outcome, mac: genuine.mac })}\n`);

  const second = setup({ [target.provenanceUrl!]: found(made.provenance) }, { directory });
  const outcome = await second.checks.check(target, second.owner, 0);
  assert.equal(outcome.status, 'invalid', outcome.message ?? '');
  assert.equal(outcome.verification?.check, 'dsse-signature');
  assert.equal(second.checks.stats.attestationsVerified, 1, 'verified again, not taken from the forged line');
  assert.equal(second.checks.stats.attestationsRemembered, 0);
});

test('composing remembered verdicts takes a key already computed only for the very attestation and publisher objects it was computed from', () => {
  const { provenance, made } = signed('octo_pkg-2.3.0.tar.gz');
  const distribution = made[0].distribution;
  const verifier = RememberingVerifier.forRoot(kit.trustedRoot, trust.scope);
  const first = verifier.verifyFile({ provenance, distribution, known: {} });
  assert.equal(first.verified, 1);
  const verdict = first.fresh[0].outcome as VerifiedAttestation;
  const [computed] = keyedAttestations(trust.scope, provenance, distribution);
  assert.equal(computed.key, first.fresh[0].key, 'the same key the verifier computes');
  // A key handed over for these objects is taken as is (here one under which a verdict is known)…
  const marker = 'e'.repeat(64);
  const reused = verifier.verifyFile({ provenance, distribution, known: { [marker]: verdict }, keyed: [{ ...computed, key: marker }] });
  assert.deepEqual([reused.verification.status, reused.verified], ['verified', 0]);
  // …but not for an equal copy of the publisher, nor of the attestation: those are keyed afresh (and verified).
  const otherPublisher = verifier.verifyFile({ provenance, distribution, known: { [marker]: verdict }, keyed: [{ ...computed, key: marker, publisher: structuredClone(computed.publisher) }] });
  assert.deepEqual([otherPublisher.verification.status, otherPublisher.verified], ['verified', 1]);
  const otherAttestation = verifier.verifyFile({ provenance, distribution, known: { [marker]: verdict }, keyed: [{ ...computed, key: marker, attestation: structuredClone(computed.attestation) }] });
  assert.deepEqual([otherAttestation.verification.status, otherAttestation.verified], ['verified', 1]);
});

test('a file whose index entry has no sha256 cannot be tied to its attestation: invalid', async () => {
  const { provenance, target } = signed('octo_pkg-2.1.0.tar.gz');
  const { checks, owner } = setup({ [target.provenanceUrl!]: found(provenance) });
  const outcome = await checks.check({ ...target, sha256: undefined }, owner, 0);
  assert.equal(outcome.status, 'invalid');
  assert.match(outcome.message ?? '', /subject digest check failed/);
});

test('verdicts persist: a second pipeline on the same cache directory verifies nothing; a new attestation alone is verified', async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-pipeline-'));
  dirs.push(directory);
  const { provenance, target, made } = signed('octo_pkg-3.0.0.tar.gz');
  const answers = { [target.provenanceUrl!]: found(provenance) };
  const first = setup(answers, { directory });
  assert.equal((await first.checks.check(target, first.owner, 0)).status, 'verified');
  assert.equal(first.checks.stats.attestationsVerified, 1);

  const second = setup(answers, { directory });
  const outcome = await second.checks.check(target, second.owner, 0);
  assert.equal(outcome.status, 'verified');
  assert.equal(second.checks.stats.attestationsVerified, 0);
  assert.equal(second.checks.stats.attestationsRemembered, 1);
  assert.equal(outcome.verification?.provenance?.repository, 'octo-org/octo-pkg');

  // The index serves the provenance with one more attestation: only that one costs a verification.
  const extra = kit.attest({ filename: target.filename, certificate: made[0].leaf, predicateType: SLSA_V1 });
  const grown = { version: 1, attestation_bundles: [{ publisher: made[0].publisher, attestations: [made[0].attestation, extra.attestation] }] };
  const third = setup({ [target.provenanceUrl!]: found(grown) }, { directory });
  const regrown = await third.checks.check(target, third.owner, 0);
  assert.equal(regrown.status, 'verified');
  assert.equal(third.checks.stats.attestationsVerified, 1);
  assert.equal(third.checks.stats.attestationsRemembered, 1);
  assert.equal(regrown.verification?.provenance?.attestationCount, 2);
});

test('the worker-thread executor gives the inline executor\'s answers, and a broken worker fails one job, not the pool', { skip: existsSync(BUILT_WORKER) ? false : 'server/out is not built (npx tsc -b)' }, async () => {
  const executor = createWorkerExecutor(trust, { script: BUILT_WORKER, size: 2 });
  try {
    const good = signed('octo_pkg-4.0.0.tar.gz');
    const bad = kit.attest({ filename: 'octo_pkg-4.0.1.tar.gz', leaf: { sct: 'bad-signature' } });
    const [verified, invalid] = await Promise.all([
      executor.run({ provenance: good.provenance, distribution: { filename: good.target.filename, sha256: good.target.sha256! }, known: {} }),
      executor.run({ provenance: bad.provenance, distribution: bad.distribution, known: {} }),
    ]);
    assert.equal(verified.verification.status, 'verified');
    assert.equal(verified.verified, 1);
    assert.equal(verified.fresh[0].outcome.status, 'verified');
    assert.equal(invalid.verification.status, 'invalid');
    assert.equal(invalid.verification.check, 'sct');
    // A value that cannot cross to the worker fails that job only.
    await assert.rejects(executor.run({ provenance: { f: () => 1 }, distribution: bad.distribution, known: {} }));
    assert.equal((await executor.run({ provenance: null, distribution: bad.distribution, known: {} })).verification.status, 'unattested');
  } finally {
    await executor.close();
  }
  await assert.rejects(executor.run({ provenance: null, distribution: { filename: 'x', sha256: 'y' }, known: {} }), /closed/);
});

test('a worker thread runs only while there is work: none before the first job, none once idle, a new one for the next job', { skip: existsSync(BUILT_WORKER) ? false : 'server/out is not built (npx tsc -b)' }, async () => {
  const executor = createWorkerExecutor(trust, { script: BUILT_WORKER, size: 2, idleMs: 50 });
  try {
    assert.equal(executor.liveWorkers, 0);
    const good = signed('octo_pkg-4.0.0.tar.gz');
    const job = { provenance: good.provenance, distribution: { filename: good.target.filename, sha256: good.target.sha256! }, known: {} };
    assert.equal((await executor.run(job)).verification.status, 'verified');
    assert.equal(executor.liveWorkers, 1);
    for (let i = 0; i < 100 && executor.liveWorkers > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(executor.liveWorkers, 0, 'the idle worker was not stopped');
    assert.equal((await executor.run(job)).verification.status, 'verified');
  } finally {
    await executor.close();
  }
});

test('a worker started with an unusable trusted root fails its job with the reason', { skip: existsSync(BUILT_WORKER) ? false : 'server/out is not built (npx tsc -b)' }, async () => {
  const executor = createWorkerExecutor({ json: { mediaType: 'nonsense' }, scope: 'root-x' }, { script: BUILT_WORKER, size: 1 });
  try {
    await assert.rejects(executor.run({ provenance: null, distribution: { filename: 'x', sha256: 'y' }, known: {} }), /trusted root/);
  } finally {
    await executor.close();
  }
});

test('one worker holds the next job beside the one it verifies: capacity is two a worker, and jobs sent together all come back right', { skip: existsSync(BUILT_WORKER) ? false : 'server/out is not built (npx tsc -b)' }, async () => {
  const executor = createWorkerExecutor(trust, { script: BUILT_WORKER, size: 1 });
  try {
    assert.equal(executor.capacity, 2);
    const good = signed('octo_pkg-4.0.0.tar.gz');
    const bad = kit.attest({ filename: 'octo_pkg-4.0.1.tar.gz', leaf: { sct: 'bad-signature' } });
    const goodJob = { provenance: good.provenance, distribution: { filename: good.target.filename, sha256: good.target.sha256! }, known: {} };
    const results = await Promise.all([
      executor.run(goodJob),
      executor.run({ provenance: bad.provenance, distribution: bad.distribution, known: {} }),
      executor.run({ provenance: { f: () => 1 }, distribution: bad.distribution, known: {} }).then(
        () => 'cloned',
        () => 'refused',
      ),
      executor.run({ provenance: null, distribution: bad.distribution, known: {} }),
      executor.run(goodJob),
    ]);
    assert.deepEqual(
      results.map((r) => (typeof r === 'string' ? r : r.verification.status)),
      ['verified', 'invalid', 'refused', 'unattested', 'verified'],
    );
    assert.equal(executor.liveWorkers, 1);
  } finally {
    await executor.close();
  }
});

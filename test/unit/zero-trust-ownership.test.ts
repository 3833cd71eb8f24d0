/**
 * Ownership (issue 11 item 7): PyPI's `ownership` object (roles Owner/Maintainer by user, the
 * organization) read from the JSON API, remembered at first use in signed entries; a later change
 * is `owners-changed` naming who was added, removed or changed role; an index without the API is
 * not asked again while the process runs.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newCacheKey, testCacheKey } from '../support/cacheKey';
import { journalEntries, rewriteJournal } from '../support/trustMemory';
import { jsonApiUrl, parseOwnership, type ProjectOwnership } from '../../server/src/index/ownershipApi';
import type { OwnershipAnswer } from '../../server/src/index/indexClient';
import { IndexError } from '../../server/src/index/errors';
import { OWNERSHIP_SUBDIRECTORY, checkOwnership, compareOwnership, createOwnershipMemory, ownersChangedFinding } from '../../server/src/zeroTrust/ownershipMemory';
import { CACHE_SUBDIRECTORIES, TRUST_MEMORY_SUBDIRECTORIES } from '../../server/src/pipeline/cacheLayout';

const INDEX = 'https://user:s3cret@example.test/simple/';
const made: string[] = [];
const key = testCacheKey(newCacheKey());
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'owners-'));
  made.push(dir);
  return dir;
}
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } };
const THEN: ProjectOwnership = { roles: [{ role: 'Owner', user: 'alice' }, { role: 'Owner', user: 'bob' }, { role: 'Maintainer', user: 'charlie' }], organization: null };
const NOW: ProjectOwnership = { roles: [{ role: 'Owner', user: 'alice' }, { role: 'Owner', user: 'charlie' }, { role: 'Maintainer', user: 'mallory' }], organization: 'jia-tan-ltd' };

test('the JSON API URL is the simple URL without its final simple/; the ownership object is read and checked', () => {
  assert.equal(jsonApiUrl('https://pypi.org/simple/', 'demo'), 'https://pypi.org/pypi/demo/json');
  assert.equal(jsonApiUrl('https://host/mirror/simple', 'demo'), 'https://host/mirror/pypi/demo/json');
  assert.equal(jsonApiUrl('https://host/custom/', 'demo'), undefined, 'an index not ending in simple/ has no known JSON API');
  const url = 'https://pypi.org/pypi/demo/json';
  assert.deepEqual(parseOwnership(JSON.stringify({ info: {}, ownership: THEN }), 'application/json', url), THEN);
  assert.deepEqual(parseOwnership(JSON.stringify({ info: {}, ownership: { roles: [] } }), 'application/json', url), { roles: [], organization: null });
  assert.equal(parseOwnership(JSON.stringify({ info: {} }), 'application/json', url), undefined, 'no ownership key: the index has none');
  for (const hostile of [{ ownership: [] }, { ownership: { roles: 'alice' } }, { ownership: { roles: [{ role: 'Owner' }] } }, { ownership: { roles: [{ role: 'Owner', user: 'x'.repeat(500) }] } }, { ownership: { roles: [], organization: 7 } }, { ownership: { roles: Array.from({ length: 1001 }, (_, i) => ({ role: 'Owner', user: `u${i}` })) } }]) {
    assert.throws(() => parseOwnership(JSON.stringify(hostile), 'application/json', url), IndexError, JSON.stringify(hostile).slice(0, 80));
  }
  assert.throws(() => parseOwnership('{not json', 'application/json', url), IndexError);
  assert.throws(() => parseOwnership('<html>', 'text/html', url), IndexError);
});

test('added, removed, changed role and a new organization are named in owners-changed; the same owners raise nothing', async () => {
  const dir = tempDir();
  const first = await createOwnershipMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2026, 7, 1) }).observe(INDEX, 'Demo', THEN);
  assert.equal(first.firstUse, true);
  const again = await createOwnershipMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', NOW);
  assert.equal(again.firstUse, false, 'survives a restart');
  assert.deepEqual(compareOwnership(again.remembered, NOW), {
    added: [{ user: 'mallory', role: 'Maintainer' }],
    removed: [{ user: 'bob', role: 'Owner' }],
    changed: [{ user: 'charlie', was: 'Maintainer', now: 'Owner' }],
    organization: { was: null, now: 'jia-tan-ltd' },
  });
  const finding = ownersChangedFinding('demo', again.remembered, compareOwnership(again.remembered, NOW), range, 2);
  assert.ok(finding);
  assert.equal(finding.code, 'owners-changed');
  assert.equal(finding.dependency, 2);
  assert.equal(
    finding.message,
    'Owners changed: the owners of demo changed since first seen on 2026-08-01: added mallory (Maintainer); removed bob (Owner); charlie changed from Maintainer to Owner; now owned by the organization jia-tan-ltd. A change of maintainers is how a project takeover looks; make sure this one is expected.',
  );
  assert.equal(ownersChangedFinding('demo', again.remembered, compareOwnership(again.remembered, { ...THEN, roles: [...THEN.roles].reverse() }), range), undefined, 'order does not matter');
  assert.ok(TRUST_MEMORY_SUBDIRECTORIES.includes(OWNERSHIP_SUBDIRECTORY));
  assert.ok(!CACHE_SUBDIRECTORIES.includes(OWNERSHIP_SUBDIRECTORY));
  for (const name of readdirSync(path.join(dir, OWNERSHIP_SUBDIRECTORY))) assert.doesNotMatch(readFileSync(path.join(dir, OWNERSHIP_SUBDIRECTORY, name), 'utf8'), /s3cret/);
});

test('a forged, unsigned or corrupt entry is discarded with a warning: the owners now are a first use, never a false change', async () => {
  const dir = tempDir();
  await createOwnershipMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', THEN);
  const sub = path.join(dir, OWNERSHIP_SUBDIRECTORY);
  const [entry] = journalEntries(sub);
  rewriteJournal(sub, [{ ...entry, roles: NOW.roles }]);
  const logs: string[] = [];
  const forged = await createOwnershipMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(INDEX, 'demo', THEN);
  assert.equal(forged.firstUse, true);
  assert.match(logs.join('\n'), /discarding the remembered owners of demo on https:\/\/example\.test\/simple\/: the entry is corrupt or not authenticated/);
  const { mac: _mac, ...unsigned } = journalEntries(sub)[0];
  rewriteJournal(sub, [{ ...unsigned, roles: NOW.roles }]);
  assert.equal((await createOwnershipMemory({ cacheDirectory: dir, key, log: () => undefined }).observe(INDEX, 'demo', THEN)).firstUse, true);
  rewriteJournal(sub, ['\u0000garbage']);
  assert.equal((await createOwnershipMemory({ cacheDirectory: dir, key, log: () => undefined }).observe(INDEX, 'demo', THEN)).firstUse, true);
  assert.equal((await createOwnershipMemory({ cacheDirectory: dir, key: testCacheKey(newCacheKey()), log: () => undefined }).observe(INDEX, 'demo', NOW)).firstUse, true, "another user's key");
});

test('accepting owners makes them the reference, keeps the first date, and is authenticated: a forged `accepted` is discarded', async () => {
  const dir = tempDir();
  await createOwnershipMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2026, 7, 1) }).observe(INDEX, 'demo', THEN);
  await createOwnershipMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2026, 9, 2) }).accept(INDEX, 'Demo', NOW);
  const seen = await createOwnershipMemory({ cacheDirectory: dir, key }).observe(INDEX, 'demo', NOW);
  assert.equal(seen.firstUse, false);
  assert.deepEqual({ roles: seen.remembered.roles, organization: seen.remembered.organization }, NOW);
  assert.equal(seen.remembered.firstSeen, '2026-08-01T00:00:00.000Z', 'the first sighting keeps its date');
  assert.equal(seen.remembered.accepted, '2026-10-02T00:00:00.000Z');
  assert.equal(compareOwnership(seen.remembered, NOW).added.length, 0);
  const finding = ownersChangedFinding('demo', seen.remembered, compareOwnership(seen.remembered, THEN), range);
  assert.match(finding?.message ?? '', /changed since accepted on 2026-10-02: added bob \(Owner\)/);

  // Changing the acceptance date (or anything else) by hand breaks the MAC: the acceptance is not
  // believed, and the owners first seen (an authentic line) are the reference again.
  const sub = path.join(dir, OWNERSHIP_SUBDIRECTORY);
  const [first, accepted] = journalEntries(sub);
  assert.equal(accepted.replaces, true, 'the acceptance replaces the first sighting');
  rewriteJournal(sub, [first, { ...accepted, accepted: '2030-01-01T00:00:00.000Z' }]);
  const logs: string[] = [];
  const after = await createOwnershipMemory({ cacheDirectory: dir, key, log: (m) => logs.push(m) }).observe(INDEX, 'demo', NOW);
  assert.equal(after.firstUse, false);
  assert.equal(after.remembered.accepted, undefined);
  assert.deepEqual(after.remembered.roles, THEN.roles);
  assert.ok(compareOwnership(after.remembered, NOW).added.length > 0, 'NOW is a change again, never silently accepted');
  assert.match(logs.join('\n'), /discarding the remembered owners of demo/);
});

test('two writers racing on one project record one set of owners; a clock set back keeps the first date', async () => {
  const dir = tempDir();
  const [one, two] = await Promise.all([
    createOwnershipMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2030, 0, 1) }).observe(INDEX, 'demo', THEN),
    createOwnershipMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2030, 0, 1) }).observe(INDEX, 'demo', NOW),
  ]);
  assert.equal([one.firstUse, two.firstUse].filter(Boolean).length, 1);
  assert.deepEqual(one.remembered.roles, two.remembered.roles);
  assert.equal(readdirSync(path.join(dir, OWNERSHIP_SUBDIRECTORY)).length, 1);
  const back = await createOwnershipMemory({ cacheDirectory: dir, key, now: () => Date.UTC(2020, 0, 1) }).observe(INDEX, 'demo', THEN);
  assert.equal(back.remembered.firstSeen, '2030-01-01T00:00:00.000Z');
});

test('checkOwnership: an index without the API is asked once per process; an error says nothing and is asked again', async () => {
  const asked: string[] = [];
  let answer: OwnershipAnswer = { kind: 'none' };
  const check = { fetch: async (indexUrl: string, name: string) => (asked.push(`${indexUrl} ${name}`), answer), memory: createOwnershipMemory({}), unavailable: new Set<string>() };
  const input = { indexUrl: INDEX, project: 'demo', displayName: 'demo', range };
  assert.deepEqual(await checkOwnership(check, input), {});
  assert.deepEqual(await checkOwnership(check, { ...input, project: 'other' }), {});
  assert.equal(asked.length, 1, 'not asked again while the process runs');

  const elsewhere = { ...check, unavailable: new Set<string>() };
  answer = { kind: 'error', error: new IndexError('unreachable', 'https://example.test/pypi/demo/json: connection refused') };
  const failed = await checkOwnership(elsewhere, input);
  assert.equal(failed.finding, undefined);
  assert.match(failed.note ?? '', /could not be read: .*connection refused/);
  answer = { kind: 'found', ownership: THEN, source: { from: 'network', fetchedAt: 0 } };
  const first = await checkOwnership(elsewhere, input);
  assert.equal(first.state?.firstUse, true);
  assert.equal(first.finding, undefined);
  answer = { kind: 'found', ownership: NOW, source: { from: 'network', fetchedAt: 0 } };
  const changed = await checkOwnership(elsewhere, input);
  assert.equal(changed.finding?.code, 'owners-changed');
  assert.deepEqual(changed.state?.roles, THEN.roles, 'the state shows the owners as first seen');
});

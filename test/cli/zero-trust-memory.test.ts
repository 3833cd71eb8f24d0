// The zero-trust memories through the built CLI (issue 11 items 6–9), on a test index that changes
// its answers between two runs sharing --cache-dir: a split view of the transparency log
// (log-inconsistent, error, exit 1) and a change of owners in the JSON API (owners-changed,
// warning); the JSON report carries what is remembered; a clean release raises none of them; an
// index without the JSON API is asked once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { SignedIndex, TempDirs } from '../lsp/verificationSupport';
import { A, serveProject } from '../lsp/zeroTrustSupport';
import { makeTree, runCli, type JsonReport } from './cliRunner';

const NEW_CODES = ['log-inconsistent', 'owners-changed'];
const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
const projects: Record<string, TestProject> = {};
const OWNERS = { roles: [{ role: 'Owner', user: 'alice' }, { role: 'Maintainer', user: 'bob' }], organization: 'acme' };

before(async () => {
  // Every answer revalidates (ETag), so the second run sees what the index serves now.
  index = await startIndexServer({ cacheControl: 'max-age=0' });
  signed = new SignedIndex(index, dirs.make('cli-zt-memory'));
  projects.steady = serveProject(signed, 'zt-steady', [{ version: '1.0.0', identity: A }]);
  projects.steady.ownership = OWNERS;
  index.setProject(projects.steady);
  projects.owners = serveProject(signed, 'zt-owners', [{ version: '1.0.0', identity: A }]);
  projects.owners.ownership = OWNERS;
  index.setProject(projects.owners);
  // Last: its last file's attestation is the log's latest entry, which the split view forks.
  projects.split = serveProject(signed, 'zt-split', [{ version: '1.0.0', identity: A }]);
  // An index with the JSON API serves it for every project (a 404 means it has none at all).
  projects.split.ownership = { roles: [{ role: 'Owner', user: 'carol' }], organization: null };
  index.setProject(projects.split);
});

after(async () => {
  await index?.close();
  dirs.cleanup();
});

function freshCache(): string {
  return mkdtempSync(path.join(dirs.make('cli-zt-memory-cache'), 'c-'));
}

async function check(requirements: string, cache: string, indexUrl = index.url): Promise<{ code: number; text: string; json: JsonReport }> {
  const tree = makeTree({ 'requirements.txt': requirements });
  try {
    const flags = ['check', '--index-url', indexUrl, '--trusted-root', signed.trustedRootPath, '--cache-dir', cache];
    const text = await runCli([...flags, 'requirements.txt'], { cwd: tree.root });
    assert.equal(text.stderr, '', text.stderr);
    const json = await runCli([...flags, '--format', 'json', 'requirements.txt'], { cwd: tree.root });
    return { code: text.code, text: text.stdout, json: JSON.parse(json.stdout) as JsonReport };
  } finally {
    tree.remove();
  }
}

type Remembered = { release?: { firstSeen: string; files: { filename: string }[] }; owners?: { firstSeen: string; roles: unknown[]; organization: string | null }; logConflicts?: Array<{ rootHash: string; rememberedRootHash: string; treeSize: number }> };
const dependency = (json: JsonReport, name: string) => json.documents[0].dependencies.find((d) => d.name === name) as unknown as { status: string; diagnostics: string[]; remembered?: Remembered };
const findings = (json: JsonReport, code: string) => json.documents[0].findings.filter((f) => f.code === code);

test('two runs over a changing index: a split view is log-inconsistent (exit 1, invalid), new owners are owners-changed; the steady release raises nothing new', async () => {
  const cache = freshCache();
  const requirements = 'zt-steady==1.0.0\nzt-owners==1.0.0\nzt-split==1.0.0\n';
  const first = await check(requirements, cache);
  assert.equal(first.code, 0, first.text);
  for (const code of NEW_CODES) assert.ok(!first.text.includes(code), `${code} on first use:\n${first.text}`);
  const owners = dependency(first.json, 'zt-owners');
  assert.deepEqual({ ...owners.remembered?.owners, firstSeen: undefined }, { firstSeen: undefined, roles: OWNERS.roles, organization: 'acme' });
  assert.match(String((owners.remembered?.owners as { firstSeen?: unknown } | undefined)?.firstSeen), /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(owners.remembered?.release?.files.map((f) => f.filename).sort(), projects.owners.files.map((f) => f.filename).sort());

  // The index changes its answers: zt-owners gets a new maintainer and loses the organization;
  // the log shows zt-split's latest file in a forked tree of the same size.
  projects.owners.ownership = { roles: [{ role: 'Owner', user: 'alice' }, { role: 'Owner', user: 'bob' }, { role: 'Maintainer', user: 'mallory' }], organization: null };
  index.setProject(projects.owners);
  const last = projects.split.files[projects.split.files.length - 1];
  const forked = signed.kit.attest({ filename: last.filename, content: last.content, leaf: { identity: A }, splitView: true });
  last.provenance = { version: 1, attestation_bundles: [{ publisher: forked.publisher, attestations: [forked.attestation] }] };
  index.setProject(projects.split);

  const second = await check(requirements, cache);
  assert.equal(second.code, 1, second.text);
  assert.deepEqual(dependency(second.json, 'zt-steady').diagnostics, []);
  assert.equal(dependency(second.json, 'zt-steady').status, 'verified');

  const split = dependency(second.json, 'zt-split');
  assert.equal(split.status, 'invalid');
  assert.deepEqual(split.diagnostics, ['log-inconsistent']);
  const [inconsistent] = findings(second.json, 'log-inconsistent');
  assert.equal(inconsistent.severity, 'error');
  const conflict = split.remembered?.logConflicts?.[0];
  assert.ok(conflict, JSON.stringify(split.remembered));
  assert.notEqual(conflict.rootHash, conflict.rememberedRootHash);
  assert.ok(inconsistent.message.includes(`${conflict.rootHash.slice(0, 16)}…`) && inconsistent.message.includes(`${conflict.rememberedRootHash.slice(0, 16)}…`), inconsistent.message);
  assert.match(inconsistent.message, new RegExp(`^Log inconsistent: the transparency log shows different histories to different clients \\(a split view\\): rekor\\.test\\.example - \\d+ signed a tree of [\\d,]+ entries with root [0-9a-f]{16}… \\(in the attestation of ${last.filename.replace(/\./g, '\\.')}\\) and with root [0-9a-f]{16}… \\(seen on \\d{4}-\\d\\d-\\d\\d, for zt-split 1\\.0\\.0\\)\\.`));
  assert.ok(second.text.includes('log-inconsistent'), second.text);

  const changed = dependency(second.json, 'zt-owners');
  assert.deepEqual(changed.diagnostics, ['owners-changed']);
  assert.equal(changed.status, 'verified', 'owners-changed leaves the status as verification gives it');
  const [ownersFinding] = findings(second.json, 'owners-changed');
  assert.equal(ownersFinding.severity, 'warning');
  assert.match(ownersFinding.message, /^Owners changed: the owners of zt-owners changed since first seen on \d{4}-\d\d-\d\d: added mallory \(Maintainer\); bob changed from Maintainer to Owner; no longer owned by the organization acme\. A change of maintainers is how a project takeover looks; make sure this one is expected\.$/);
  assert.deepEqual(changed.remembered?.owners?.roles, OWNERS.roles, 'the report shows the owners as first seen');

  // First use stays the reference: a third run still says so.
  const third = await check(requirements, cache);
  assert.deepEqual(dependency(third.json, 'zt-owners').diagnostics, ['owners-changed']);
  assert.deepEqual(dependency(third.json, 'zt-split').diagnostics, ['log-inconsistent']);
  // Another cache directory is another machine: nothing to contradict.
  const elsewhere = await check(requirements, freshCache());
  assert.equal(elsewhere.code, 0, elsewhere.text);
  for (const code of NEW_CODES) assert.ok(!elsewhere.text.includes(code), `${code} on another machine:\n${elsewhere.text}`);
});

test('an index without the JSON API (404 for every project) is asked once per run and nothing is reported; the run is clean', async () => {
  const had = { steady: projects.steady.ownership, split: projects.split.ownership };
  projects.steady.ownership = undefined;
  projects.split.ownership = undefined;
  index.setProject(projects.steady);
  index.setProject(projects.split);
  try {
    const before = index.requests.length;
    const { code, text, json } = await check('zt-split==1.0.0\nzt-steady==1.0.0\n', freshCache());
    assert.equal(code, 0, text);
    const probes = index.requests.slice(before).filter((r) => r.path.startsWith('/pypi/'));
    // Two runs (text and json output), one question each: after the first 404 the run does not
    // ask the index again (this index makes every answer revalidate, the 404 too).
    assert.equal(probes.length, 2, JSON.stringify(probes.map((r) => r.path)));
    assert.equal(dependency(json, 'zt-steady').remembered?.owners, undefined);
    assert.deepEqual(dependency(json, 'zt-steady').diagnostics, []);
  } finally {
    projects.steady.ownership = had.steady;
    projects.split.ownership = had.split;
    index.setProject(projects.steady);
    index.setProject(projects.split);
  }
});

/**
 * The checks together, as the server composes them for one dependency: a clean release (same
 * publisher as before and as recorded, every file attested, files uploaded together) raises
 * nothing; then each state alone raises exactly its own code.
 */
import { after, test } from 'node:test';
import { testCacheKey } from '../support/cacheKey';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding } from '../../server/src/core/finding';
import type { Publisher } from '../../server/src/core/result';
import type { IndexFile, ProjectPage } from '../../server/src/index/simpleApi';
import { parsePylock } from '../../server/src/parsers/pylock';
import {
  checkHistory,
  checkLockedIdentities,
  createTrustStore,
  findLateUploads,
  lateUploadFinding,
  releaseFiles,
  checkTrustedPublishers,
  type ReleaseFileResult,
} from '../../server/src/zeroTrust';

const GOOD: Publisher = { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' };
const EVIL: Publisher = { kind: 'GitHub', repository: 'evil/sampleproject', workflow: 'release.yml', environment: '' };
const INDEX = 'https://pypi.example/simple/';

interface Scenario {
  /** Publisher of each release's files by version; null = no provenance. */
  publishers: Record<string, Publisher | null>;
  /** Days after the release's first file that the wheel was uploaded. */
  wheelDelay?: number;
  /** What the lock records. */
  recorded?: Publisher;
  /** The publisher trusted before (trust store), at version 1.0.0. */
  trusted?: Publisher;
}

async function analyse(scenario: Scenario): Promise<Finding[]> {
  const versions = Object.keys(scenario.publishers);
  const pinned = versions[versions.length - 1];
  const files: IndexFile[] = versions.flatMap((version, i) => {
    const day = Date.UTC(2024, 0, 1) + i * 30 * 86_400_000;
    const attested = scenario.publishers[version] !== null;
    return [`sampleproject-${version}.tar.gz`, `sampleproject-${version}-py3-none-any.whl`].map((filename, j) => ({
      filename,
      url: `https://files.example/${filename}`,
      hashes: { sha256: 'a'.repeat(64) },
      uploadTime: new Date(day + (j === 1 && version === pinned ? (scenario.wheelDelay ?? 0) * 86_400_000 : j * 60_000)).toISOString(),
      yanked: false,
      ...(attested ? { provenanceUrl: `https://pypi.example/integrity/${filename}/provenance` } : {}),
    }));
  });
  const page: ProjectPage = { name: 'sampleproject', apiVersion: '1.3', url: `${INDEX}sampleproject/`, files, warnings: [] };
  const verify = (file: IndexFile): ReleaseFileResult => {
    const version = versions.find((v) => file.filename.startsWith(`sampleproject-${v}`) && /^(\.tar\.gz|-py3)/.test(file.filename.slice(`sampleproject-${v}`.length)))!;
    const publisher = scenario.publishers[version];
    return { filename: file.filename, status: publisher ? 'verified' : 'unattested', publisher };
  };

  const recorded = scenario.recorded ? `[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "${scenario.recorded.repository}"\nworkflow = "${scenario.recorded.workflow}"\n` : '';
  const lock = `lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "sampleproject"\nversion = "${pinned}"\nsdist = { url = "https://files.example/sampleproject-${pinned}.tar.gz", hashes = { sha256 = "${'a'.repeat(64)}" } }\n${recorded}`;
  const dependency = parsePylock(lock).dependencies[0];

  const pinnedFiles = releaseFiles([page], 'sampleproject', pinned);
  const pinnedResults = pinnedFiles.map(verify);
  const findings: Finding[] = [];
  findings.push(...checkLockedIdentities(dependency, pinnedResults).findings);

  const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'zero-trust-clean-'));
  made.push(cacheDirectory);
  const store = createTrustStore({ cacheDirectory, key: testCacheKey() });
  if (scenario.trusted) await store.observe(INDEX, 'sampleproject', scenario.trusted, '1.0.0');
  // As the server does it: what was trusted before, the history against it, then observe.
  const trusted = await store.get(INDEX, 'sampleproject');
  const history = await checkHistory({
    project: 'sampleproject',
    pinnedVersion: pinned,
    pinnedFiles: pinnedResults,
    pages: [page],
    verifyRelease: async (_version, asked) => asked.map(verify),
    trusted: trusted && { version: trusted.version, publisher: trusted.publisher },
    range: dependency.ranges.requirement,
  });
  findings.push(...history.findings);
  const trust = await checkTrustedPublishers(store, { index: INDEX, dependency, version: pinned, files: pinnedResults, changedIn: history.trustedChange?.changedIn });
  findings.push(...trust.findings);
  const late = lateUploadFinding(findLateUploads(pinnedFiles, 14), dependency.ranges.requirement);
  if (late) findings.push(late);
  return findings;
}

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const codes = (findings: Finding[]) => findings.map((f) => f.code).sort();

test('a clean release raises nothing', async () => {
  assert.deepEqual(await analyse({ publishers: { '1.0.0': GOOD, '1.1.0': GOOD, '1.2.0': GOOD }, recorded: GOOD, trusted: GOOD, wheelDelay: 1 }), []);
  assert.deepEqual(await analyse({ publishers: { '1.0.0': GOOD, '1.1.0': GOOD } }), [], 'first use, nothing recorded');
  assert.deepEqual(await analyse({ publishers: { '1.0.0': null, '1.1.0': null } }), [], 'never attested is no-provenance, not a history state');
});

test('each state alone raises its own code', async () => {
  assert.deepEqual(codes(await analyse({ publishers: { '1.0.0': GOOD, '1.1.0': EVIL } })), ['publisher-changed']);
  assert.deepEqual(codes(await analyse({ publishers: { '1.0.0': GOOD, '1.1.0': null } })), ['provenance-lost']);
  assert.deepEqual(codes(await analyse({ publishers: { '1.0.0': GOOD, '1.1.0': GOOD }, wheelDelay: 60 })), ['late-upload']);
  assert.deepEqual(codes(await analyse({ publishers: { '1.0.0': GOOD, '1.1.0': GOOD }, recorded: EVIL })), ['identity-mismatch']);
  // Trusted at 1.0.0, changed in 1.1.0 and kept since: the trust store says so; 1.2.0 vs 1.1.0 is no change.
  const trusted = await analyse({ publishers: { '1.0.0': GOOD, '1.1.0': EVIL, '1.2.0': EVIL }, trusted: GOOD });
  assert.deepEqual(codes(trusted), ['identity-mismatch']);
  assert.equal(trusted[0].message, 'Publisher differs from the one trusted since 1.0.0: sampleproject 1.2.0 is published by github.com/evil/sampleproject (release.yml), not by github.com/pypa/sampleproject (release.yml); it changed in 1.1.0');
});

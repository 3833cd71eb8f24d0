/**
 * The `verification` stage over a fake resolution service (no network, no LSP): findings as
 * files settle, the synchronous answer once everything is known, the document's state for the
 * hover and report, an aborted analysis releasing its work, an unusable trusted root reported on
 * every file without a verdict, a refused worker script falling back to inline verification,
 * and `verifyFiles` for other releases.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../server/src/core/finding';
import type { ParsedDocument } from '../../server/src/core/model';
import { buildDocumentReport } from '../../server/src/pipeline/report';
import type { ProvenanceAnswer } from '../../server/src/index/indexClient';
import type { ProvenanceObject } from '../../server/src/index/provenanceApi';
import type { Resolution, ResolvedFile } from '../../server/src/index/resolve';
import { chooseIndex } from '../../server/src/index/whichIndex';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/pipeline/contract/settings';
import type { StageInput } from '../../server/src/pipeline/contract/stages';
import { parseDocument } from '../../server/src/parsers/index';
import type { ResolutionRequest } from '../../server/src/resolution/resolutionService';
import { VerificationServices } from '../../server/src/verification/service';
import { createVerificationStage, type ResolutionSource } from '../../server/src/verification/stage';
import { TempDirs } from '../lsp/resolutionSupport';
import { createSigstoreKit } from '../support/sigstoreKit';

const kit = createSigstoreKit();
const dirs = new TempDirs();
after(() => dirs.cleanup());
const rootPath = path.join(dirs.make('stage'), 'trusted_root.json');
writeFileSync(rootPath, JSON.stringify(kit.trustedRoot));

interface Release {
  files: ResolvedFile[];
  provenance: Map<string, unknown>;
}

function release(name: string, how: Array<'valid' | 'none' | 'tampered'>): Release {
  const leaf = kit.issueLeaf();
  const provenance = new Map<string, unknown>();
  const files = how.map((kind, i): ResolvedFile => {
    const filename = i === 0 ? `${name}-1.0.tar.gz` : `${name}-1.0-py3-none-any.whl`;
    const made = kit.attest({ filename, certificate: leaf, signature: kind === 'tampered' ? 'wrong-payload' : 'valid' });
    const url = `https://index.test/${filename}/provenance`;
    if (kind !== 'none') provenance.set(url, made.provenance);
    return { filename, url: `https://files.test/${filename}`, hashes: { sha256: made.distribution.sha256 }, sha256: made.distribution.sha256, yanked: false, pinned: false, provenanceUrl: kind === 'none' ? undefined : url, uploadTime: '2024-05-01T10:00:00Z' };
  });
  return { files, provenance };
}

class FakeSource implements ResolutionSource {
  fetches = 0;
  resolutions = 0;
  private readonly settled = new Map<string, Resolution>();
  constructor(private readonly releases: Record<string, Release>) {}

  resolve(request: ResolutionRequest): Promise<Resolution> {
    this.resolutions++;
    const found = this.releases[request.dependency.name];
    const resolution: Resolution = { status: found ? 'resolved' : 'not-found', name: request.dependency.name, version: request.dependency.pinnedVersion, index: chooseIndex({ workspaceTrusted: false }), files: found?.files ?? [], yanked: false, pages: [], findings: [], retryable: false, notes: [] };
    this.settled.set(request.dependency.name, resolution);
    return new Promise((resolve) => setTimeout(() => resolve(resolution), 5));
  }

  peek(request: ResolutionRequest): Resolution | undefined {
    return this.settled.get(request.dependency.name);
  }

  async getProvenance(url: string): Promise<ProvenanceAnswer> {
    this.fetches++;
    for (const entry of Object.values(this.releases)) {
      const provenance = entry.provenance.get(url);
      if (provenance) return { kind: 'found', provenance: provenance as ProvenanceObject, source: { from: 'network', fetchedAt: 0 } };
    }
    return { kind: 'none', source: { from: 'network', fetchedAt: 0 } };
  }
}

function input(parsed: ParsedDocument, settings: Settings, controller = new AbortController()): StageInput & { updates: Finding[][] } {
  const updates: Finding[][] = [];
  return { uri: 'file:///w/requirements.txt', version: 1, format: 'requirements', text: '', parsed, settings, signal: controller.signal, update: (findings) => updates.push(findings), updates };
}

const settings: Settings = { ...DEFAULT_SETTINGS, trustedRoot: rootPath, cacheDirectory: '' };

test('findings as files settle; the second run answers synchronously from what is known', async () => {
  const source = new FakeSource({ good: release('good', ['valid', 'valid']), half: release('half', ['valid', 'none']), bad: release('bad', ['valid', 'tampered']) });
  const services = new VerificationServices({ workerScript: null });
  try {
    const stage = createVerificationStage(services, { forSettings: () => source });
    const parsed = parseDocument('requirements', 'good==1.0\nhalf==1.0\nbad==1.0\nmissing==1.0\nloose>=1\n');
    const first = input(parsed, settings);
    const result = stage.run(first);
    assert.ok(result instanceof Promise, 'nothing known yet: a promise');
    const findings = await result;
    assert.deepEqual(findings.map((f) => [f.code, f.dependency]).sort(), [['attestation-invalid', 2], ['partial-provenance', 1]]);
    assert.ok(first.updates.length > 0, 'progressive updates');
    const report = buildDocumentReport('file:///w/requirements.txt', parsed, findings, services.results.dependencyResults(parsed));
    assert.deepEqual(report.dependencies.map((d) => d.status), ['verified', 'partial', 'invalid', 'not-found', 'unpinned']);
    assert.equal(services.stats.attestationsVerified, 5);

    const fetches = source.fetches;
    const again = parseDocument('requirements', 'good==1.0\nhalf==1.0\nbad==1.0\nmissing==1.0\nloose>=1\n');
    const second = stage.run(input(again, settings));
    assert.ok(Array.isArray(second), 'everything known: synchronous');
    assert.deepEqual((second as Finding[]).map((f) => f.code).sort(), ['attestation-invalid', 'partial-provenance']);
    assert.equal(source.fetches, fetches);
    assert.equal(services.results.dependency(again, 0)?.result.files?.every((f) => f.status === 'verified'), true);
  } finally {
    await services.dispose();
  }
});

test('an aborted analysis settles at once and its queued work is cancelled', async () => {
  const releases: Record<string, Release> = {};
  for (let i = 0; i < 20; i++) releases[`p${i}`] = release(`p${i}`, ['valid', 'valid']);
  const source = new FakeSource(releases);
  const services = new VerificationServices({ workerScript: null });
  try {
    const stage = createVerificationStage(services, { forSettings: () => source });
    const parsed = parseDocument('requirements', Object.keys(releases).map((name) => `${name}==1.0\n`).join(''));
    const controller = new AbortController();
    const running = stage.run(input(parsed, settings, controller)) as Promise<Finding[]>;
    // Abort as soon as work is queued (not after a fixed delay: a loaded machine may not have queued any yet).
    for (let turn = 0; services.queue.pending === 0 && turn < 100_000; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(services.queue.pending > 0, 'verification work was queued');
    controller.abort();
    await running;
    await new Promise<void>((resolve) => (services.queue.pending === 0 ? resolve() : services.queue.onIdle(resolve)));
    assert.ok(services.queue.stats.cancelled > 0, JSON.stringify(services.queue.stats));
    assert.ok(services.stats.attestationsVerified < 40);
  } finally {
    await services.dispose();
  }
});

test('an unusable trusted root: every file is an error saying why, nothing verified, and a fixed file is picked up', async () => {
  const broken = path.join(dirs.make('broken-root'), 'trusted_root.json');
  writeFileSync(broken, '{ not json');
  const logs: string[] = [];
  const source = new FakeSource({ good: release('good', ['valid']) });
  const services = new VerificationServices({ workerScript: null, log: (_level, message) => logs.push(message) });
  try {
    const stage = createVerificationStage(services, { forSettings: () => source });
    const parsed = parseDocument('requirements', 'good==1.0\n');
    const findings = await stage.run(input(parsed, { ...settings, trustedRoot: broken }));
    assert.deepEqual(findings.map((f) => f.code), ['verification-error'], 'an error status comes with a code');
    assert.match(findings[0].message, /^Not verified: the trusted root .* is not JSON \(good-1\.0\.tar\.gz\)$/);
    const report = buildDocumentReport('file:///w/r.txt', parsed, findings, services.results.dependencyResults(parsed));
    assert.equal(report.dependencies[0].status, 'error');
    assert.deepEqual(report.dependencies[0].diagnostics, ['verification-error']);
    assert.match(report.dependencies[0].files[0].message ?? '', /trusted root .* cannot be used: .*not JSON/);
    assert.ok(logs.some((line) => /trustedRoot/.test(line)));
    writeFileSync(broken, JSON.stringify(kit.trustedRoot));
    const fixed = parseDocument('requirements', 'good==1.0\n');
    await stage.run(input(fixed, { ...settings, trustedRoot: broken }));
    assert.equal(buildDocumentReport('file:///w/r.txt', fixed, [], services.results.dependencyResults(fixed)).dependencies[0].status, 'verified');
  } finally {
    await services.dispose();
  }
});

test('another kit\'s root rejects the attestations by name; verifyFiles checks files of any release', async () => {
  const other = createSigstoreKit();
  const otherRoot = path.join(dirs.make('other-root'), 'trusted_root.json');
  writeFileSync(otherRoot, JSON.stringify(other.trustedRoot));
  const good = release('good', ['valid', 'none']);
  const source = new FakeSource({ good });
  const services = new VerificationServices({ workerScript: null });
  try {
    const stage = createVerificationStage(services, { forSettings: () => source });
    const parsed = parseDocument('requirements', 'good==1.0\n');
    const findings = await stage.run(input(parsed, { ...settings, trustedRoot: otherRoot }));
    assert.deepEqual(findings.map((f) => f.code).sort(), ['attestation-invalid', 'partial-provenance']);
    assert.match(findings.find((f) => f.code === 'attestation-invalid')!.message, /(transparency log|certificate chain|signed certificate timestamp).* check failed/);

    const owner = services.queue.owner('file:///w/history');
    const files = await services.verifyFiles({ ...settings }, source, owner, good.files);
    assert.deepEqual(files.map((f) => [f.filename, f.status]), [['good-1.0.tar.gz', 'verified'], ['good-1.0-py3-none-any.whl', 'unattested']]);
    assert.equal(files[0].publisher?.repository, 'octo-org/octo-pkg');
    assert.equal(files[0].uploadTime, '2024-05-01T10:00:00Z');
  } finally {
    await services.dispose();
  }
});

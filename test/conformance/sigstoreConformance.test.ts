/**
 * The sigstore-conformance bundle-verify cases (../shared/conformance, see SOURCES.md there) run
 * through the PEP 740 path: each bundle converted to an attestation (bundleToAttestation), then
 * verified with the case's trusted root (else the public-good root), its identity and issuer
 * (else the suite's OIDC beacon workflow), and its artifact's SHA-256 among the statement's
 * subjects, as sigstore clients check a DSSE in-toto bundle against an artifact.
 *
 * Cases of the PEP 740 shape (a DSSE envelope with an in-toto payload, one Fulcio certificate, a
 * dsse transparency entry) must give the suite's verdict: a folder ending `_fail` rejected,
 * every other one accepted. The rest (message signatures, certificate chains, managed keys,
 * intoto or hashedrekord entries) cannot be a PEP 740 attestation; they are listed as skipped,
 * and every one of them that must fail must still be refused by the PEP 740 path. Skipped, with
 * a message, when the data is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AttestationVerifier } from '../../server/src/verify/verifier';
import { bundleToAttestation } from '../../server/src/verify/attestation';
import { embeddedTrustedRoot } from '../../server/src/verify/trustedRoot';
import { TrustMaterial } from '../../server/src/verify/trustMaterial';

const SUITE = path.resolve(__dirname, '../..', '../shared/conformance/sigstore-conformance/bundle-verify');
const skip = existsSync(SUITE) ? false : `sigstore-conformance data absent at ${SUITE}`;

const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';
const IN_TOTO = 'application/vnd.in-toto+json';
/** The transparency entry kinds a PEP 740 attestation carries: Rekor v1's dsse/0.0.1, Rekor v2's dsse/0.0.2. */
const PEP740_ENTRIES = new Set(['dsse/0.0.1', 'dsse/0.0.2']);

interface Case {
  name: string;
  mustFail: boolean;
  /** Why the bundle cannot be a PEP 740 attestation; undefined when it has the shape. */
  notPep740?: string;
}

function cases(): Case[] {
  if (skip) return [];
  return readdirSync(SUITE)
    .filter((name) => statSync(path.join(SUITE, name)).isDirectory())
    .sort()
    .map((name) => ({ name, mustFail: name.endsWith('_fail'), notPep740: whyNotPep740(name) }));
}

function file(name: string, entry: string): string | undefined {
  const at = path.join(SUITE, name, entry);
  return existsSync(at) ? readFileSync(at, 'utf8') : undefined;
}

function whyNotPep740(name: string): string | undefined {
  if (file(name, 'key.pub') !== undefined) return 'managed key';
  let bundle: any;
  try {
    bundle = JSON.parse(file(name, 'bundle.sigstore.json') ?? '');
  } catch {
    return 'not JSON';
  }
  if (!bundle?.dsseEnvelope) return 'message signature';
  if (bundle.dsseEnvelope.payloadType !== IN_TOTO) return `payload type ${bundle.dsseEnvelope.payloadType}`;
  if (!bundle.verificationMaterial?.certificate) return 'no single certificate (a chain or a key)';
  const kinds = (bundle.verificationMaterial.tlogEntries ?? []).map((entry: any) => `${entry?.kindVersion?.kind}/${entry?.kindVersion?.version}`);
  const other = kinds.find((kind: string) => !PEP740_ENTRIES.has(kind));
  if (kinds.length === 0 || other) return `transparency entry ${other ?? 'missing'}`;
  return undefined;
}

/** The PEP 740 path's verdict on one case: null when accepted, else why it was refused. */
function verdict(name: string): string | null {
  let attestation: unknown;
  try {
    attestation = bundleToAttestation(JSON.parse(file(name, 'bundle.sigstore.json') ?? ''));
  } catch (error) {
    return `conversion: ${(error as Error).message}`;
  }
  const rootText = file(name, 'trusted_root.json');
  let verifier: AttestationVerifier;
  try {
    verifier = AttestationVerifier.fromTrustedRoot(rootText === undefined ? embeddedTrustedRoot() : JSON.parse(rootText), { certificateCacheSize: 0 });
  } catch (error) {
    return `trusted root: ${(error as Error).message}`;
  }
  const identity = { subjectAlternativeName: file(name, 'identity')?.trim() ?? DEFAULT_IDENTITY, issuer: file(name, 'issuer')?.trim() ?? DEFAULT_ISSUER };
  const outcome = verifier.verifySignedStatement(attestation, { identity });
  if (outcome.status === 'invalid') return outcome.message;
  const artifactPath = existsSync(path.join(SUITE, name, 'artifact')) ? path.join(SUITE, name, 'artifact') : path.join(SUITE, 'a.txt');
  const digest = createHash('sha256').update(readFileSync(artifactPath)).digest('hex');
  let subjects: unknown;
  try {
    subjects = JSON.parse(outcome.statement.toString('utf8')).subject;
  } catch {
    return 'the statement is not JSON';
  }
  const matches = Array.isArray(subjects) && subjects.some((subject) => subject?.digest?.sha256 === digest);
  return matches ? null : 'no subject of the statement has the artifact\'s SHA-256';
}

const all = cases();

for (const item of all.filter((c) => c.notPep740 === undefined)) {
  test(`sigstore-conformance ${item.name}: ${item.mustFail ? 'rejected' : 'accepted'} as a PEP 740 attestation`, { skip }, () => {
    const why = verdict(item.name);
    if (item.mustFail) assert.notEqual(why, null, 'false accept');
    else assert.equal(why, null, `false reject: ${why}`);
  });
}

test('sigstore-conformance: every failing case outside the PEP 740 shape is still refused by the PEP 740 path', { skip }, () => {
  const accepted = all.filter((c) => c.notPep740 !== undefined && c.mustFail && verdict(c.name) === null).map((c) => c.name);
  assert.deepEqual(accepted, []);
});

test('sigstore-conformance trust-root-tlog-missing-validity-start_fail: the log key without a start is not used, and the message says so', { skip }, () => {
  const root = JSON.parse(file('trust-root-tlog-missing-validity-start_fail', 'trusted_root.json') ?? '');
  const material = TrustMaterial.fromJSON(root);
  const logId = Buffer.from('8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=', 'base64');
  assert.equal(material.tlogs.some((log) => log.logId.equals(logId)), false);
  assert.match(material.unusableLog(logId) ?? '', /validFor has no start/);
  assert.match(material.problems.join('\n'), /log2025-alpha1\.rekor\.sigstage\.dev\): validFor has no start/);
});

test('sigstore-conformance: counts', { skip }, (t) => {
  const shaped = all.filter((c) => c.notPep740 === undefined);
  const results = shaped.map((c) => ({ c, ok: (verdict(c.name) === null) !== c.mustFail }));
  const passed = results.filter((r) => r.ok).length;
  const reasons = new Map<string, number>();
  for (const c of all) if (c.notPep740 !== undefined) reasons.set(c.notPep740, (reasons.get(c.notPep740) ?? 0) + 1);
  t.diagnostic(`cases ${all.length}: PEP 740-shaped run ${shaped.length}, passed ${passed}, failed ${shaped.length - passed}; skipped as not PEP 740-shaped ${all.length - shaped.length} (${[...reasons].map(([why, n]) => `${why}: ${n}`).join(', ')})`);
  assert.ok(shaped.length > 0);
});

// ---- pypi-attestations' timestamp assets (draft PR #143): real RFC 3161 timestamps, one on Rekor v2 ----

const PYPI_ASSETS = path.resolve(__dirname, '../..', '../shared/conformance/pypi-attestations');
const ROOTS = path.resolve(__dirname, '../..', '../shared/fixtures/sigstore-python');
const DIST = path.resolve(__dirname, '../..', '../shared/fixtures/pypi-attestations/pypi_attestations-0.0.19.tar.gz');
const skipAssets = [PYPI_ASSETS, ROOTS, DIST].find((at) => !existsSync(at));
const skipTimestamps = skipAssets ? `pypi-attestations timestamp assets or fixtures absent at ${skipAssets}` : false;
const signer = { identity: { subjectAlternativeName: 'jku@goto.fi', issuer: 'https://github.com/login/oauth' } };

function verifyAsset(asset: string, root: 'production' | 'staging') {
  const trustedRoot = JSON.parse(readFileSync(path.join(ROOTS, `${root}.trusted_root.json`), 'utf8'));
  const attestation = JSON.parse(readFileSync(path.join(PYPI_ASSETS, asset), 'utf8'));
  const distribution = { filename: 'pypi_attestations-0.0.19.tar.gz', sha256: createHash('sha256').update(readFileSync(DIST)).digest('hex') };
  return { attestation, distribution, verifier: AttestationVerifier.fromTrustedRoot(trustedRoot, { certificateCacheSize: 0 }) };
}

test('real Rekor v2 attestation (staging dsse/0.0.2 with an RFC 3161 timestamp) verifies; its tampered twin does not', { skip: skipTimestamps }, () => {
  const { attestation, distribution, verifier } = verifyAsset('pypi_attestations-0.0.19.tar.gz.publish.attestation.with_rekor2_timestamp', 'staging');
  const outcome = verifier.verifyAttestation(attestation, distribution, signer);
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
  const twin = structuredClone(attestation);
  const stamp = Buffer.from(twin.verification_material.timestamps[0], 'base64');
  stamp[stamp.length - 10] ^= 1;
  twin.verification_material.timestamps[0] = stamp.toString('base64');
  const tampered = verifier.verifyAttestation(twin, distribution, signer);
  assert.equal(tampered.status === 'invalid' && tampered.check, 'timestamp', JSON.stringify(tampered));
  delete twin.verification_material.timestamps;
  const untimed = verifier.verifyAttestation(twin, distribution, signer);
  assert.equal(untimed.status === 'invalid' && untimed.check, 'timestamp', JSON.stringify(untimed));
});

test('real Rekor v1 attestation with an RFC 3161 timestamp verifies against the production root', { skip: skipTimestamps }, () => {
  const { attestation, distribution, verifier } = verifyAsset('pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp', 'production');
  const outcome = verifier.verifyAttestation(attestation, distribution, signer);
  assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
});

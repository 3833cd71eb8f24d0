/**
 * Issue 4's verifier figures: CPU milliseconds per attestation (median of rounds, warm JIT) of
 * AttestationVerifier beside bare @sigstore/verify on the same attestations in the same process,
 * and the signature-check floor (the five signature verifications an attestation needs, with
 * every key already created).
 *
 * Attestations: the real production ones in ../shared/fixtures when present, else ones made by
 * the test Sigstore (test/support/sigstoreKit). bench/verification.bench.ts runs it as its
 * `verification/attestation` section through `benchVerify()`.
 */
import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dsse } from '@sigstore/core';
import { parseAttestation } from '../server/src/verify/attestation';
import { SigstoreJsBaseline } from '../server/src/verify/baseline';
import { parseCertificate } from '../server/src/verify/certificate';
import { sctSignatureInputs } from '../server/src/verify/sct';
import { verifyIssuance } from '../server/src/verify/signingCertificate';
import { embeddedTrustedRoot } from '../server/src/verify/trustedRoot';
import { AttestationVerifier, type SignerPolicy } from '../server/src/verify/verifier';
import type { Distribution } from '../server/src/verify/statement';
import { createSigstoreKit } from '../test/support/sigstoreKit';
import { median, type BenchRow } from './harness';

interface Sample {
  attestation: unknown;
  distribution: Distribution;
  signer: SignerPolicy;
}

interface Workload {
  source: string;
  trustedRoot: unknown;
  samples: Sample[];
}

export interface BenchVerifyOptions {
  repoRoot?: string;
  quick?: boolean;
  log?: (message: string) => void;
}

/** The figures, flat: `{ 'native ms/attestation': 1.1, … }`. */
export async function benchVerify(options: BenchVerifyOptions = {}): Promise<Record<string, number | string>> {
  const rows = await measure(options);
  return Object.fromEntries(rows.map((row) => [`${row.metric}${row.unit ? ` (${row.unit})` : ''}`, row.value]));
}

async function measure({ repoRoot = path.resolve(__dirname, '..'), quick = false, log = () => undefined }: BenchVerifyOptions): Promise<BenchRow[]> {
  const workload = loadWorkload(repoRoot);
  const rounds = quick ? 5 : 15;
  const passes = quick ? 3 : 10;
  const count = workload.samples.length;
  log(`${count} attestations from ${workload.source}`);

  const cold = AttestationVerifier.fromTrustedRoot(workload.trustedRoot, { certificateCacheSize: 0 });
  const shared = AttestationVerifier.fromTrustedRoot(workload.trustedRoot);
  const baseline = new SigstoreJsBaseline(workload.trustedRoot);
  for (const sample of workload.samples) {
    const outcome = cold.verifyAttestation(sample.attestation, sample.distribution, sample.signer);
    if (outcome.status !== 'verified') throw new Error(`bench input does not verify: ${outcome.message}`);
    const second = baseline.verifyAttestation(sample.attestation);
    if (!second.ok) throw new Error(`bench input does not verify with @sigstore/verify: ${second.error}`);
  }
  const floorInputs = workload.samples.map((sample) => signatureChecks(sample, cold));

  const perAttestation = (body: (sample: Sample, index: number) => void) => cpuPerItem(rounds, passes, workload.samples, body);
  const native = perAttestation((sample) => cold.verifyAttestation(sample.attestation, sample.distribution, sample.signer));
  const nativeShared = perAttestation((sample) => shared.verifyAttestation(sample.attestation, sample.distribution, sample.signer));
  const bare = perAttestation((sample) => baseline.verifyAttestation(sample.attestation));
  const floor = perAttestation((_sample, index) => {
    for (const check of floorInputs[index]) if (!cryptoVerify(check.digest, check.data, check.key, check.signature)) throw new Error('floor input does not verify');
  });
  log(`native ${native.toFixed(3)} ms, @sigstore/verify ${bare.toFixed(3)} ms, floor ${floor.toFixed(3)} ms`);

  const how = `median of ${rounds} rounds × ${passes} passes over ${count} attestations (${workload.source}); process CPU time`;
  return [
    { metric: 'AttestationVerifier, every certificate checked', value: native, unit: 'ms CPU/attestation', note: how },
    { metric: 'AttestationVerifier, certificate already checked', value: nativeShared, unit: 'ms CPU/attestation', note: 'one certificate signs every file of a release (pypi-attestations)' },
    { metric: 'bare @sigstore/verify', value: bare, unit: 'ms CPU/attestation', note: 'attestation → bundle v0.3 → Verifier.verify; no statement or publisher checks' },
    { metric: 'speed-up over @sigstore/verify', value: bare / native, unit: '×', note: 'every certificate checked; goal ≥ 5' },
    { metric: 'signature-check floor', value: floor, unit: 'ms CPU/attestation', note: 'leaf, SCT, SET, checkpoint and DSSE signatures with keys created in advance' },
    { metric: 'AttestationVerifier / floor', value: native / floor, unit: '×', note: 'what is not signature verification' },
  ];
}

/** Process CPU ms per item: median over rounds, each round `passes` passes over the items. */
function cpuPerItem<T>(rounds: number, passes: number, items: readonly T[], body: (item: T, index: number) => void): number {
  for (let pass = 0; pass < 3; pass++) items.forEach(body); // warm the JIT
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    for (let pass = 0; pass < passes; pass++) items.forEach(body);
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000 / (passes * items.length));
  }
  return median(samples);
}

interface SignatureCheck {
  digest: string | null;
  data: Buffer;
  key: KeyObject;
  signature: Buffer;
}

/** The five signature verifications of one attestation, inputs prepared in advance. */
function signatureChecks(sample: Sample, verifier: AttestationVerifier): SignatureCheck[] {
  const parsed = parseAttestation(sample.attestation);
  const certificate = parseCertificate(parsed.certificate);
  const issued = verifyIssuance(certificate, verifier.trust);
  const issuer = issued.issuers[0];
  const entry = parsed.entry;
  const log = verifier.trust.tlogsFor(entry.logId, entry.integratedTime * 1000)[0];
  const checks: SignatureCheck[] = [{ digest: certificate.signatureDigest, data: certificate.tbs, key: issuer.publicKey, signature: certificate.signature }];
  for (const { sct, digest, signed } of sctSignatureInputs(certificate, issuer)) {
    checks.push({ digest, data: signed, key: verifier.trust.ctlogsFor(sct.logId, sct.timestamp)[0].publicKey, signature: sct.signature });
  }
  const setPayload = `{"body":"${entry.canonicalizedBody.toString('base64')}","integratedTime":${entry.integratedTime},"logID":"${entry.logId.toString('hex')}","logIndex":${entry.logIndex}}`;
  checks.push({ digest: log.digest, data: Buffer.from(setPayload), key: log.publicKey, signature: entry.signedEntryTimestamp as Buffer });
  const envelope = entry.inclusionProof?.checkpoint ?? '';
  const split = envelope.indexOf('\n\n');
  const signatureLine = /\u2014 \S+ (\S+)/.exec(envelope.slice(split + 2));
  checks.push({ digest: log.digest, data: Buffer.from(envelope.slice(0, split + 1)), key: log.publicKey, signature: Buffer.from(signatureLine?.[1] ?? '', 'base64').subarray(4) });
  checks.push({ digest: 'sha256', data: dsse.preAuthEncoding('application/vnd.in-toto+json', parsed.statement), key: issued.publicKey, signature: parsed.signature });
  return checks;
}

function loadWorkload(repoRoot: string): Workload {
  const fixtures = path.resolve(repoRoot, '../shared/fixtures');
  if (existsSync(path.join(fixtures, 'SOURCES.md'))) return fixtureWorkload(fixtures);
  return kitWorkload();
}

function fixtureWorkload(fixtures: string): Workload {
  const read = (file: string) => readFileSync(path.join(fixtures, file));
  const json = (file: string) => JSON.parse(read(file).toString('utf8'));
  const dist = (file: string) => ({ filename: path.basename(file), sha256: createHash('sha256').update(read(file)).digest('hex') });
  const samples: Sample[] = [];
  const provenance = (file: string, distribution: Distribution) => {
    for (const bundle of json(file).attestation_bundles) {
      for (const attestation of bundle.attestations) samples.push({ attestation, distribution, signer: { publisher: bundle.publisher } });
    }
  };
  provenance('warehouse/sampleproject-4.0.0.tar.gz.provenance', { filename: 'sampleproject-4.0.0.tar.gz', sha256: '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b' });
  provenance('warehouse/pep740-sampleproject-1.0.0.tar.gz.provenance', { filename: 'pep740_sampleproject-1.0.0.tar.gz', sha256: '6cdd4a1a0a49aeef47265e7bf8ec1667257b397d34d731dc7b7af349deca1cd8' });
  provenance('pypi-attestations/pypi_attestations-0.0.19.tar.gz.provenance', dist('pypi-attestations/pypi_attestations-0.0.19.tar.gz'));
  const github = (repository: string) => ({ publisher: { kind: 'GitHub', repository, workflow: 'release.yml' } });
  samples.push(
    { attestation: json('pypi-attestations/pypi_attestations-0.0.19.tar.gz.slsa.attestation'), distribution: dist('pypi-attestations/pypi_attestations-0.0.19.tar.gz'), signer: github('trailofbits/pypi-attestations') },
    { attestation: json('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz.attestation'), distribution: dist('pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz'), signer: github('trailofbits/pypi-attestation-models') },
    {
      attestation: json('pypi-attestations/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation'),
      distribution: dist('pypi-attestations/gitlab_oidc_project-0.0.3.tar.gz'),
      signer: { publisher: { kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project', workflow_filepath: '.gitlab-ci.yml' } },
    },
    {
      attestation: json('warehouse/sampleproject-3.0.0.tar.gz.publish.attestation'),
      distribution: dist('warehouse/sampleproject-3.0.0.tar.gz'),
      signer: { publisher: { kind: 'Google', email: '919436158236-compute@developer.gserviceaccount.com' } },
    },
  );
  return { source: 'real production attestations in ../shared/fixtures', trustedRoot: embeddedTrustedRoot(), samples };
}

function kitWorkload(): Workload {
  const kit = createSigstoreKit();
  const samples = Array.from({ length: 8 }, (_, index) => {
    const made = kit.attest({ filename: `octo_pkg-1.0.${index}-py3-none-any.whl` });
    return { attestation: made.attestation, distribution: made.distribution, signer: { publisher: made.publisher } };
  });
  return { source: 'test Sigstore attestations (fixtures absent)', trustedRoot: kit.trustedRoot, samples };
}

/**
 * Shared by the LSP tests of verification: projects whose provenance objects are signed by the
 * test Sigstore (test/support/sigstoreKit.ts), the kit's trusted root in a temporary file (the
 * `trustedRoot` setting), a test index serving them, and the report request.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DocumentReport } from '../../server/src/core/result';
import { makeProject, type IndexServer, type ReleaseSpec, type TestFile, type TestProject } from '../support/indexServer';
import type { LspClient } from '../support/lspClient';
import { createSigstoreKit, type AttestOptions, type KitIdentity, type KitLeaf, type SigstoreKit } from '../support/sigstoreKit';
import { FAST_INDEX_ENV, TempDirs } from './resolutionSupport';

export { FAST_INDEX_ENV, TempDirs };

/** The codes the verification stage gives. */
export const VERIFICATION_CODES: ReadonlySet<string> = new Set(['attestation-invalid', 'partial-provenance', 'no-provenance', 'index-error']);

export type Attest = 'valid' | 'none' | 'tampered' | ((file: TestFile) => AttestOptions);

export interface SignedRelease {
  version: string;
  /** Per file kind (default both): how its provenance is made. */
  sdist?: Attest;
  wheel?: Attest;
  /** More attestations per file (each with its own certificate, so none is cached). */
  attestationsPerFile?: number;
  identity?: KitIdentity;
}

export class SignedIndex {
  readonly kit: SigstoreKit = createSigstoreKit();
  readonly trustedRootPath: string;

  constructor(
    readonly index: IndexServer,
    dir: string,
  ) {
    this.trustedRootPath = path.join(dir, 'trusted_root.json');
    writeFileSync(this.trustedRootPath, JSON.stringify(this.kit.trustedRoot));
  }

  /** Serves a project whose files carry provenance made as the release says. */
  serve(name: string, releases: SignedRelease[]): TestProject {
    const specs: ReleaseSpec[] = releases.map((release) => {
      const leaf = this.kit.issueLeaf(release.identity ? { identity: release.identity } : {});
      return { version: release.version, provenance: (file: TestFile) => this.provenanceFor(file, release, leaf) };
    });
    const project = makeProject(name, { releases: specs });
    // makeProject sets `provenance` to undefined-returning makers too; undefined means none (404).
    for (const file of project.files) if (file.provenance === null) delete file.provenance;
    this.index.setProject(project);
    return project;
  }

  private provenanceFor(file: TestFile, release: SignedRelease, leaf: KitLeaf): unknown {
    const kind = file.filename.endsWith('.whl') ? release.wheel : release.sdist;
    const how = kind ?? 'valid';
    if (how === 'none') return null;
    const count = release.attestationsPerFile ?? 1;
    const attestations: unknown[] = [];
    let publisher: unknown;
    for (let i = 0; i < count; i++) {
      const options: AttestOptions =
        how === 'valid'
          ? { filename: file.filename, content: file.content }
          : how === 'tampered'
            ? { filename: file.filename, content: file.content, signature: 'wrong-payload' }
            : how(file);
      const made = this.kit.attest({ certificate: count > 1 ? undefined : leaf, ...options, leaf: release.identity ? { identity: release.identity } : options.leaf });
      attestations.push(made.attestation);
      publisher = made.publisher;
    }
    return { version: 1, attestation_bundles: [{ publisher, attestations }] };
  }
}

/** `pypiProvenance/report` with `wait`. */
export function report(client: LspClient, uri: string, wait = true, timeoutMs = 30_000): Promise<DocumentReport> {
  return client.request<DocumentReport>('pypiProvenance/report', { textDocument: { uri }, wait }, timeoutMs);
}

export interface HoverResult {
  contents: { kind: string; value: string };
  range?: unknown;
}

export function hover(client: LspClient, uri: string, line: number, character: number): Promise<HoverResult | null> {
  return client.request<HoverResult | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
}

const BURST = /^Provenance checked for (\d+) files: (\d+) attestations verified, (\d+) already verified/;

/** Attestations the server verified and found already verified, from its burst log lines so far. */
export function verificationCounts(client: LspClient): { verified: number; remembered: number } {
  let verified = 0;
  let remembered = 0;
  for (const log of client.logs) {
    const match = BURST.exec(log.message);
    if (match) {
      verified += Number(match[2]);
      remembered += Number(match[3]);
    }
  }
  return { verified, remembered };
}

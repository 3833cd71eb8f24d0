/**
 * The package indexes the real-editor tiers run against (VS Code in code-server, Neovim, the
 * screenshot script), on 127.0.0.1:
 * - the setting's index (`pypiProvenance.indexUrl`): the project's test index serving a release
 *   whose provenance is signed by the test Sigstore (the kit's trusted root is written to a file
 *   for the `trustedRoot` setting), a release without provenance, and a release to hash-pin;
 *   built with the LSP tests' SignedIndex (test/lsp/verificationSupport.ts), not a copy of it;
 * - a second, empty index that only a workspace file names (`--index-url`), so a test can show
 *   that restricted mode never contacts it (its request counter stays 0);
 * - optionally, a control endpoint, so that tests running in another process (the VS Code
 *   extension host) can read and reset both request counters.
 * With `sampleproject: true` (and ../shared/fixtures present) the setting's index also serves
 * pypa/sampleproject 4.0.0 with PyPI's real provenance object, which verifies against the
 * embedded public-good root (no `trustedRoot` setting) — for a screenshot of a real card.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeProject, startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { DEFAULT_IDENTITY } from '../support/sigstoreKit';
import { SignedIndex } from '../lsp/verificationSupport';

// From __filename: tsx's tsImport (how the .mjs runners load this file) gives a wrong __dirname.
export const REPO_ROOT = path.resolve(path.dirname(__filename), '../..');
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures');
const SAMPLEPROJECT_PROVENANCE = path.join(FIXTURES, 'warehouse', 'sampleproject-4.0.0.tar.gz.provenance');

const identity = DEFAULT_IDENTITY as Extract<typeof DEFAULT_IDENTITY, { kind: 'GitHub' }>;

/** What the setting's index serves, and what a verified card must show. */
export const EDITOR_PROJECTS = {
  /** Both files attested by the kit's GitHub identity. */
  verified: { name: 'octo-verified', version: '1.0.0', repository: identity.repository, workflow: identity.workflow },
  /** No file attested: `no-provenance`. */
  unattested: { name: 'octo-none', version: '1.0.0' },
  /** An sdist and a wheel to hash-pin (no provenance). */
  hashes: { name: 'octo-hashes', version: '2.0.0' },
  /**
   * A warned release: 1.1.0 verifies, but 1.0.0 came from another repository (`publisher-changed`)
   * and 1.1.0 is yanked with a reason in the maintainers' words (`yanked`).
   */
  warned: { name: 'octo-warned', version: '1.1.0', previousRepository: 'octo-org/octo-old', yankReason: 'Broken wheel, will not install' },
  /** Served with `sampleproject: true` when the fixtures are present. */
  sampleproject: { name: 'sampleproject', version: '4.0.0', repository: 'pypa/sampleproject', workflow: 'release.yml' },
} as const;

/** The environment names through which the runner hands the indexes to the extension host. */
export const EDITOR_INDEX_ENV = {
  indexUrl: 'PYPI_PROVENANCE_TEST_INDEX_URL',
  trustedRoot: 'PYPI_PROVENANCE_TEST_TRUSTED_ROOT',
  workspaceIndexUrl: 'PYPI_PROVENANCE_TEST_WORKSPACE_INDEX_URL',
  controlUrl: 'PYPI_PROVENANCE_TEST_INDEX_CONTROL',
  /** EDITOR_PROJECTS as JSON. */
  projects: 'PYPI_PROVENANCE_TEST_PROJECTS',
} as const;

/** What `GET {controlUrl}requests` answers. */
export interface IndexCounters {
  index: { total: number; paths: Record<string, number> };
  workspaceIndex: { total: number; paths: Record<string, number> };
}

export interface EditorIndex {
  /** The setting's index, `http://127.0.0.1:PORT/simple/`. */
  readonly url: string;
  /** The kit's trusted_root.json (the `trustedRoot` setting). */
  readonly trustedRootPath: string;
  /** The index only a workspace file names. */
  readonly workspaceIndexUrl: string;
  /** `http://127.0.0.1:PORT/` of the control endpoint, when asked for. */
  readonly controlUrl?: string;
  readonly index: IndexServer;
  readonly workspaceIndex: IndexServer;
  /** Whether pypa/sampleproject 4.0.0 with its real provenance is served. */
  readonly sampleproject: boolean;
  /** The variables of EDITOR_INDEX_ENV. */
  env(): Record<string, string>;
  counters(): IndexCounters;
  close(): Promise<void>;
}

export interface EditorIndexOptions {
  /** Where the trusted root file goes (a temporary folder of the caller). */
  dir: string;
  /** Start the control endpoint (for tests in another process). */
  control?: boolean;
  /** Also serve pypa/sampleproject 4.0.0 with PyPI's real provenance (skipped when the fixtures are absent). */
  sampleproject?: boolean;
}

export async function startEditorIndex(options: EditorIndexOptions): Promise<EditorIndex> {
  const index = await startIndexServer();
  const workspaceIndex = await startIndexServer();
  const signed = new SignedIndex(index, options.dir);
  signed.serve(EDITOR_PROJECTS.verified.name, [{ version: EDITOR_PROJECTS.verified.version }]);
  signed.serve(EDITOR_PROJECTS.unattested.name, [{ version: EDITOR_PROJECTS.unattested.version, sdist: 'none', wheel: 'none' }]);
  index.setProject(makeProject(EDITOR_PROJECTS.hashes.name, { releases: [EDITOR_PROJECTS.hashes.version] }));
  const { warned } = EDITOR_PROJECTS;
  const warnedProject = signed.serve(warned.name, [{ version: '1.0.0', identity: { ...identity, repository: warned.previousRepository } }, { version: warned.version }]);
  for (const file of warnedProject.files) if (file.version === warned.version) file.yanked = warned.yankReason;
  index.setProject(warnedProject);
  const sampleproject = options.sampleproject === true && existsSync(SAMPLEPROJECT_PROVENANCE);
  if (sampleproject) index.setProject(sampleprojectRelease());

  const counters = (): IndexCounters => ({
    index: { total: index.totalRequests, paths: index.counts },
    workspaceIndex: { total: workspaceIndex.totalRequests, paths: workspaceIndex.counts },
  });
  const control = options.control ? await startControl(counters, () => (index.resetCounts(), workspaceIndex.resetCounts())) : undefined;

  return {
    url: index.url,
    trustedRootPath: signed.trustedRootPath,
    workspaceIndexUrl: workspaceIndex.url,
    controlUrl: control?.url,
    index,
    workspaceIndex,
    sampleproject,
    env() {
      return {
        [EDITOR_INDEX_ENV.indexUrl]: index.url,
        [EDITOR_INDEX_ENV.trustedRoot]: signed.trustedRootPath,
        [EDITOR_INDEX_ENV.workspaceIndexUrl]: workspaceIndex.url,
        [EDITOR_INDEX_ENV.projects]: JSON.stringify(EDITOR_PROJECTS),
        ...(control ? { [EDITOR_INDEX_ENV.controlUrl]: control.url } : {}),
      };
    },
    counters,
    async close() {
      await Promise.all([index.close(), workspaceIndex.close(), control?.close()]);
    },
  };
}

/**
 * PyPI's provenance object of sampleproject-4.0.0.tar.gz (warehouse's fixture). The sdist is not
 * among the fixtures: only its sha256, the attestation's subject, is checked, so the index lists
 * the file with that hash.
 */
function sampleprojectRelease(): TestProject {
  return {
    name: 'sampleproject',
    files: [
      {
        filename: 'sampleproject-4.0.0.tar.gz',
        version: '4.0.0',
        content: Buffer.alloc(0),
        sha256: '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b',
        size: 0,
        uploadTime: '2024-11-06T22:37:20.000000Z',
        provenance: JSON.parse(readFileSync(SAMPLEPROJECT_PROVENANCE, 'utf8')),
      },
    ],
  };
}

/** `GET /requests` → IndexCounters; `POST /reset` zeroes them. Nothing else. */
async function startControl(counters: () => IndexCounters, reset: () => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/requests') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(counters()));
    } else if (req.method === 'POST' && req.url === '/reset') {
      reset();
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

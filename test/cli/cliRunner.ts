/**
 * Runs the BUILT command line (`node server/out/cli.js`) as a user or CI would, and a package
 * index on 127.0.0.1 that every run is pointed at (`--index-url`), so that no run ever reaches
 * for PyPI, whatever stages the engine has.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'server', 'out', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** The built CLI must exist: the tests check what users run, not the sources. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

/** Asynchronous, so that the index server in this process can answer while the CLI runs. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  requireBuiltCli();
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env: env as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : undefined) : 0;
      if (code === undefined) return reject(error);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A temporary directory with the given files (paths relative to it; a Buffer is written as bytes). */
export function makeTree(files: Record<string, string | Buffer>): { root: string; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-cli-'));
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(root, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * The test index, serving the projects the test files pin (no attestations), and the flags
 * that point a run at it with its own cache directory.
 */
export async function startTestIndex(): Promise<{ index: IndexServer; flags: string[]; close(): Promise<void> }> {
  const index = await startIndexServer();
  for (const [name, versions] of Object.entries({ attrs: ['25.1.0'], flask: ['3.0.0'], idna: ['3.10'], sampleproject: ['4.0.0'] })) {
    index.setProject(makeProject(name, { releases: versions }));
  }
  const cache = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-cli-cache-'));
  return {
    index,
    flags: ['--index-url', index.url, '--cache-dir', cache],
    close: async () => {
      await index.close();
      rmSync(cache, { recursive: true, force: true });
    },
  };
}

/** Everything after `--format json`, parsed. */
export interface JsonReport {
  documents: Array<{
    uri: string;
    dependencies: Array<{
      name: string;
      version: string | null;
      range: { start: { line: number; character: number }; end: { line: number; character: number } };
      status: string;
      publisher: unknown;
      files: unknown[];
      diagnostics: string[];
      lockedIn?: string;
    }>;
    findings: Array<{ code: string; severity: string; message: string; range: unknown; dependency?: number }>;
  }>;
}

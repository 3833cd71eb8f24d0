/**
 * Runs the BUILT command line (`node server/out/cli.js`) as a user or CI would, and a package
 * index on 127.0.0.1 that every run is pointed at (`--index-url`), so that no run ever reaches
 * for PyPI, whatever stages the engine has.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
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

/**
 * `check ARGS FILES` on files written into a temporary tree, once as text and once as json: answers
 * the exit code, the text output and the json report, and asserts that the text run wrote nothing
 * to stderr and that both formats exit alike.
 */
export async function checkInBothFormats(files: Record<string, string>, args: readonly string[]): Promise<{ code: number; text: string; json: JsonReport }> {
  const tree = makeTree(files);
  try {
    const names = Object.keys(files);
    const text = await runCli(['check', ...args, ...names], { cwd: tree.root });
    assert.equal(text.stderr, '', text.stderr);
    const json = await runCli(['check', ...args, '--format', 'json', ...names], { cwd: tree.root });
    assert.equal(json.code, text.code, 'the same exit code in both formats');
    return { code: text.code, text: text.stdout, json: JSON.parse(json.stdout) as JsonReport };
  } finally {
    tree.remove();
  }
}

/** Each dependency of the report as [name, status, its diagnostics' codes sorted]. */
export function dependencyRows(json: JsonReport): Array<[string, string, string[]]> {
  return json.documents.flatMap((document) => document.dependencies.map((d): [string, string, string[]] => [d.name, d.status, [...d.diagnostics].sort()]));
}

/** script(1) from util-linux: runs a command on a pseudo-terminal; undefined when not installed. */
export function scriptCommand(): string | undefined {
  return ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
}

export interface TerminalRunOptions extends RunOptions {
  /** The terminal's width (`stty cols`); script's own terminal has none. */
  columns?: number;
  /** Resolve as soon as the terminal's output satisfies this, and end the run. */
  until?: (output: string) => boolean;
}

/**
 * Runs the built CLI on a pseudo-terminal (stdout and stderr both a TTY, as in an interactive
 * shell) through script(1); answers everything the terminal received (stdout and stderr
 * interleaved, `\n` written as `\r\n`) and the exit code (undefined when ended by `until`).
 */
export function runUnderTerminal(args: readonly string[], options: TerminalRunOptions = {}): Promise<{ code: number | undefined; output: string }> {
  requireBuiltCli();
  const script = scriptCommand();
  if (!script) throw new Error('script(1) is not installed');
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm', ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `${options.columns !== undefined ? `stty cols ${options.columns} rows 50; ` : ''}exec ${quoted}`;
  return new Promise((resolve, reject) => {
    // Its own process group, so that `until` ends script and the CLI under it, and nothing else.
    const child = spawn(script, ['-qefc', command, '/dev/null'], { cwd: options.cwd ?? REPO_ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let ended = false;
    const timer = setTimeout(() => finish(new Error(`the CLI did not finish on the terminal within 120 s; output: ${JSON.stringify(output.slice(-2000))}`)), 120_000);
    const finish = (error?: Error, code?: number) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      if (error) reject(error);
      else resolve({ code, output });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (options.until?.(output)) finish();
    });
    child.on('error', (error) => finish(error));
    child.on('close', (code) => finish(undefined, code ?? undefined));
  });
}

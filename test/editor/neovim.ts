// Runs headless Neovim as a real LSP client of our server (through nvim-check.lua) and returns
// what the editor received. Shared by the editor tests; never hangs: every run is bounded and
// the whole process group (Neovim and the server it started) is killed when time is up.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const serverPath = path.join(repoRoot, 'server/out/server.js');
const checkScript = path.join(__dirname, 'nvim-check.lua');

/** Neovim's severities (vim.diagnostic.severity), the same numbers as LSP's. */
export const NvimSeverity = { error: 1, warning: 2, information: 3, hint: 4 } as const;

export interface NvimDiagnostic {
  /** Zero-based line and byte column, as vim.diagnostic stores them. */
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  severity: number;
  code: string | null;
  source: string | null;
  message: string;
}

/** A diagnostic as the server sent it in textDocument/publishDiagnostics. */
export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}

export interface NeovimResult {
  ok: boolean;
  neovim?: string;
  diagnostics: NvimDiagnostic[];
  /** The last publishDiagnostics for the opened file, as sent. */
  published: LspDiagnostic[];
  hover: unknown;
  logs: string[];
  error: string | null;
  /** Neovim's own exit code and output, for failure messages. */
  exitCode: number | null;
  stderr: string;
}

export interface NeovimRun {
  /** Files of the temporary workspace, by relative path. */
  files: Record<string, string>;
  /** The file Neovim opens (relative to the workspace). */
  open: string;
  settings: Record<string, unknown>;
  /** Wait until diagnostics with all of these codes have arrived. */
  expectCodes: string[];
  hover?: { line: number; character: number };
  /** Ask the hover again until its contents contain this text (within timeoutMs). */
  hoverWaitFor?: string;
  /** Bound for each wait inside Neovim; the process is killed a little after it. */
  timeoutMs?: number;
  settleMs?: number;
  languageId?: string;
  /** The server command line; our built server by default. */
  serverCommand?: string[];
}

/** The first line of `nvim --version`, or undefined when there is no usable `nvim` on PATH. */
export function findNeovim(): string | undefined {
  const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) return undefined;
  return probe.stdout.split('\n')[0];
}

export async function runNeovim(run: NeovimRun): Promise<NeovimResult> {
  const timeoutMs = run.timeoutMs ?? 15_000;
  const temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-nvim-'));
  try {
    const workspace = path.join(temp, 'workspace');
    for (const [relative, content] of Object.entries(run.files)) {
      const target = path.join(workspace, relative);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const home = path.join(temp, 'home');
    for (const dir of ['config', 'data', 'state', 'cache', 'runtime']) mkdirSync(path.join(home, dir), { recursive: true });
    const output = path.join(temp, 'result.json');
    const configPath = path.join(temp, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        cmd: run.serverCommand ?? [process.execPath, serverPath, '--stdio'],
        rootDir: workspace,
        file: path.join(workspace, run.open),
        languageId: run.languageId ?? 'pip-requirements',
        settings: { cacheDirectory: path.join(temp, 'provenance-cache'), ...run.settings },
        expectCodes: run.expectCodes,
        settleMs: run.settleMs ?? 300,
        timeoutMs,
        hover: run.hover ?? null,
        hoverWaitFor: run.hoverWaitFor ?? null,
        output,
      }),
    );

    const child = spawn('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${checkScript}`], {
      cwd: workspace,
      detached: true, // its own process group, so a timeout can end the server child too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYPI_PROVENANCE_NVIM_CONFIG: configPath,
        XDG_CONFIG_HOME: path.join(home, 'config'),
        XDG_DATA_HOME: path.join(home, 'data'),
        XDG_STATE_HOME: path.join(home, 'state'),
        XDG_CACHE_HOME: path.join(home, 'cache'),
        XDG_RUNTIME_DIR: path.join(home, 'runtime'),
        NVIM_LOG_FILE: path.join(home, 'nvim.log'),
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.resume();

    // Neovim waits at most timeoutMs for diagnostics, then settles and asks for a hover (again
    // and again with hoverWaitFor) with the same bound; past that (plus shutdown time) something
    // is stuck.
    const hardLimit = 3 * timeoutMs + 5_000;
    let killed = false;
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        killed = true;
        killGroup(child.pid);
      }, hardLimit);
      child.on('error', (error) => {
        stderr += String(error);
        clearTimeout(timer);
        resolve(null);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    // The server should exit with Neovim; make sure nothing of this run outlives it.
    killGroup(child.pid);

    if (!existsSync(output)) {
      return {
        ok: false,
        diagnostics: [],
        published: [],
        hover: null,
        logs: [],
        error: killed ? `Neovim was killed after ${hardLimit} ms without a result` : `Neovim wrote no result (exit code ${exitCode})`,
        exitCode,
        stderr,
      };
    }
    const parsed = JSON.parse(readFileSync(output, 'utf8')) as Omit<NeovimResult, 'exitCode' | 'stderr'>;
    // json_encode writes an empty Lua table as [] or {}; normalise the lists.
    const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
    return { ...parsed, diagnostics: list(parsed.diagnostics), published: list(parsed.published), logs: list(parsed.logs), exitCode, stderr };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

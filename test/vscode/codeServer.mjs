// Drives a real VS Code here: code-server (VS Code 1.100.3, a Node extension host) in headless
// Debian Chromium through playwright-core. Shared by the extension-host runner
// (runCodeServer.mjs) and the screenshot script (scripts/screenshot.mjs).
//
// Every process it starts carries a marker in its environment; stop() ends code-server's process
// group and then every process still carrying the marker (code-server leaves a file watcher
// behind otherwise), by PID. Nothing is ever killed by name.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CODE_SERVER_VERSION = '4.100.3';
const MARKER = 'PYPI_PROVENANCE_CODE_SERVER_RUN';

/** Where scripts/install-code-server.sh puts it (same formula), or $CODE_SERVER_BIN, or PATH. */
export function findCodeServer() {
  const candidates = [];
  if (process.env.CODE_SERVER_BIN) candidates.push(process.env.CODE_SERVER_BIN);
  const dir = process.env.PYPI_PROVENANCE_CODE_SERVER_DIR ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pypi-provenance', `code-server-${CODE_SERVER_VERSION}`);
  candidates.push(path.join(dir, 'node_modules', '.bin', 'code-server'));
  for (const entry of (process.env.PATH ?? '').split(path.delimiter)) if (entry) candidates.push(path.join(entry, 'code-server'));
  return candidates.find((candidate) => existsSync(candidate));
}

export function findChromium() {
  return [process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => candidate && existsSync(candidate));
}

export function loadPlaywright() {
  try {
    return createRequire(path.join(repoRoot, 'package.json'))('playwright-core');
  } catch {
    return undefined;
  }
}

/** Why the real-VS-Code tier cannot run here, or undefined when it can. */
export function missingPrerequisite() {
  if (!findCodeServer()) return `code-server ${CODE_SERVER_VERSION} is not installed (bash scripts/install-code-server.sh)`;
  if (!findChromium()) return 'Chromium is not installed (apt-get install chromium)';
  if (!loadPlaywright()) return 'playwright-core is not installed (npm ci)';
  return undefined;
}

/**
 * A temporary home for one run: fresh user-data and extensions folders, XDG folders (code-server
 * writes a password config under the home folder otherwise) and user settings.
 */
export function makeProfile(tempDir, settings) {
  const profile = {
    userDataDir: path.join(tempDir, 'user-data'),
    extensionsDir: path.join(tempDir, 'extensions'),
    xdg: path.join(tempDir, 'xdg'),
    log: path.join(tempDir, 'code-server.log'),
  };
  for (const dir of [profile.extensionsDir, path.join(profile.userDataDir, 'User'), profile.xdg]) mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(profile.userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'git.enabled': false,
        ...settings,
      },
      null,
      2,
    ),
  );
  return profile;
}

function profileEnv(profile, runId, extraEnv) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(profile.xdg, 'config'),
    XDG_DATA_HOME: path.join(profile.xdg, 'data'),
    XDG_CACHE_HOME: path.join(profile.xdg, 'cache'),
    XDG_STATE_HOME: path.join(profile.xdg, 'state'),
    // The extension gallery (open-vsx.org) is unreachable and not needed: keep its lookups local.
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
    [MARKER]: runId,
    ...extraEnv,
  };
}

/** `code-server --install-extension FILE` into the profile (for the packaged .vsix). */
export async function installExtension(profile, vsix) {
  const bin = findCodeServer();
  const runId = randomBytes(8).toString('hex');
  const child = spawn(bin, ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--install-extension', vsix], {
    env: profileEnv(profile, runId, {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  killMarked(runId);
  if (code !== 0) throw new Error(`code-server --install-extension failed (${code}):\n${output}`);
  return output;
}

/**
 * Starts code-server on 127.0.0.1 with a port the OS picks, opening `workspace`. Resolves once
 * it listens, with its base URL and stop().
 */
export async function startCodeServer({ profile, workspace, env = {}, timeoutMs = 60_000 }) {
  const bin = findCodeServer();
  if (!bin) throw new Error(missingPrerequisite());
  const runId = randomBytes(8).toString('hex');
  const log = createWriteStream(profile.log);
  const child = spawn(
    bin,
    [
      '--bind-addr', '127.0.0.1:0',
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir', profile.userDataDir,
      '--extensions-dir', profile.extensionsDir,
      workspace,
    ],
    { env: profileEnv(profile, runId, env), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let exited = false;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => ((exited = true), resolve({ code, signal }))));
  const stop = async () => {
    if (!exited) {
      signalGroup(child.pid, 'SIGTERM');
      await Promise.race([exit, delay(5000)]);
      signalGroup(child.pid, 'SIGKILL');
    }
    killMarked(runId);
    log.end();
  };
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not listen within ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    const onData = (chunk) => {
      log.write(chunk);
      seen += chunk;
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${seen}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  // After the listening line, keep logging (the extension host's output lands here too).
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.on('data', (chunk) => log.write(chunk));
  child.stderr.on('data', (chunk) => log.write(chunk));
  return { url, port: Number(new URL(url).port), runId, stop };
}

/** The URL that opens `workspace` and runs the extension under development, and its tests if given. */
export function workbenchUrl(base, { workspace, extensionDevelopmentPath, extensionTestsPath }) {
  const authority = new URL(base).host;
  const remote = (file) => `vscode-remote://${authority}${file}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  // A .code-workspace file opens as a (multi-root) workspace, anything else as a folder.
  const query = new URLSearchParams(workspace.endsWith('.code-workspace') ? { workspace } : { folder: workspace });
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${base}/?${query}`;
}

/** Headless Chromium with a fresh profile (playwright's own temp user-data-dir), marked as ours. */
export async function launchChromium(runId) {
  const { chromium } = loadPlaywright();
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    env: { ...process.env, [MARKER]: runId },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Ends every process whose environment carries this run's marker (by PID; never by name). */
export function killMarked(runId) {
  const needle = `${MARKER}=${runId}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.split('\0').includes(needle)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

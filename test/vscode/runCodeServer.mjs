// Runs the extension-host suite (test/vscode/suite) in a real VS Code: code-server + headless
// Chromium. The suite's run() is loaded through the `payload` of the workbench URL
// (extensionDevelopmentPath = this repository, extensionTestsPath = the compiled suite), and
// VS Code calls window.codeAutomationExit(code) when it is done.
//
//   node test/vscode/runCodeServer.mjs [--skip-if-missing] [--grep TEXT]
//
// Exit code: the suite's (0 = passed); 2 when code-server, Chromium or playwright-core is
// missing (0 with --skip-if-missing). Bounded: PYPI_PROVENANCE_VSCODE_TIMEOUT_MS (default 300 s).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchChromium, makeProfile, missingPrerequisite, repoRoot, startCodeServer, workbenchUrl } from './codeServer.mjs';

const args = process.argv.slice(2);
const grepIndex = args.indexOf('--grep');
const grep = grepIndex >= 0 ? args[grepIndex + 1] : undefined;
const timeoutMs = Number(process.env.PYPI_PROVENANCE_VSCODE_TIMEOUT_MS ?? 300_000);

const missing = missingPrerequisite();
if (missing) {
  console.log(`vscode: skipped, ${missing}`);
  process.exit(args.includes('--skip-if-missing') ? 0 : 2);
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function step(what, command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`vscode: ${what} failed`);
    process.exit(1);
  }
}
// The client bundle is what package.json's `main` names; the suite is compiled TypeScript. In
// Test mode the client starts server/out/server.js (the `tsc -b` build) when it exists.
step('bundling the extension', process.execPath, [path.join(repoRoot, 'scripts/bundle.mjs')]);
step('compiling the suite', process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(repoRoot, 'test/vscode')]);
if (!existsSync(path.join(repoRoot, 'server/out/server.js'))) console.log('vscode: server/out/server.js is missing (npm run build): the bundled server is used');

const temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-vscode-'));
const workspace = path.join(temp, 'workspace');
cpSync(path.join(repoRoot, 'test/vscode/workspace'), workspace, { recursive: true });
const resultsFile = path.join(temp, 'results.txt');
const profile = makeProfile(temp, {
  // Trusted, so the workspace's settings apply; the restricted-mode run will turn this on.
  'security.workspace.trust.enabled': false,
  // No index is reachable here: a closed local port answers at once (until the tests start the project's test index).
  'pypiProvenance.indexUrl': process.env.PYPI_PROVENANCE_TEST_INDEX_URL ?? 'http://127.0.0.1:9/simple/',
});

let server;
let browser;
let exitCode = 1;
const pageLog = [];
try {
  server = await startCodeServer({
    profile,
    workspace,
    env: { PYPI_PROVENANCE_VSCODE_RESULTS: resultsFile, ...(grep ? { PYPI_PROVENANCE_VSCODE_GREP: grep } : {}) },
  });
  console.log(`vscode: code-server listening on ${server.url} (${elapsed()})`);
  browser = await launchChromium(server.runId);
  const page = await browser.newPage();
  page.on('console', (message) => pageLog.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => pageLog.push(`[pageerror] ${error.message}`));
  const finished = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code))));
  await page.goto(
    workbenchUrl(server.url, {
      workspace,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'test/vscode/out/suite/index.js'),
    }),
  );
  const timedOut = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  const outcome = await Promise.race([finished, timedOut]);
  if (outcome === 'timeout') {
    console.error(`vscode: the suite did not finish within ${timeoutMs / 1000} s`);
    exitCode = 1;
  } else {
    exitCode = outcome;
  }
} catch (error) {
  console.error(`vscode: ${error instanceof Error ? error.stack : error}`);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => undefined);
  await server?.stop();
}

const results = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
if (results) process.stdout.write(results);
if (exitCode !== 0 || !results) {
  console.error('--- browser console (last 40 lines)');
  console.error(pageLog.slice(-40).join('\n'));
  if (existsSync(profile.log)) {
    console.error('--- code-server log (last 60 lines)');
    console.error(readFileSync(profile.log, 'utf8').split('\n').slice(-60).join('\n'));
  }
}
console.log(`vscode: extension-host suite in code-server ${exitCode === 0 ? 'passed' : `failed (exit ${exitCode})`} in ${elapsed()}`);
rmSync(temp, { recursive: true, force: true });
process.exit(exitCode);

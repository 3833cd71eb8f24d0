// Runs the extension-host suite (test/vscode/suite) in a real VS Code: code-server + headless
// Chromium. The suite's run() is loaded through the `payload` of the workbench URL
// (extensionDevelopmentPath = this repository, extensionTestsPath = the compiled suite), and
// VS Code calls window.codeAutomationExit(code) when it is done.
//
//   node test/vscode/runCodeServer.mjs [--skip-if-missing] [--grep TEXT]
//
// Two passes (passes.mjs), each a fresh code-server and profile: trusted (every test) and
// restricted (Restricted Mode: the restricted-mode test). Both run against the editor test index
// (test/editor/editorIndex.ts), started here in the runner's own process:
// `pypiProvenance.indexUrl` and `trustedRoot` are user settings, and the extension host gets the
// URLs through PYPI_PROVENANCE_TEST_* variables.
//
// Exit code: 0 when every pass passed; 2 when code-server, Chromium or playwright-core is
// missing (0 with --skip-if-missing). Each pass is bounded by PYPI_PROVENANCE_VSCODE_TIMEOUT_MS
// (default 300 s).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchChromium, missingPrerequisite, repoRoot, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { checkedExitCode, passesFor, preparePass, startTestIndex } from './passes.mjs';

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
const editorIndex = await startTestIndex(temp);
console.log(`vscode: test index ${editorIndex.url}, workspace-named index ${editorIndex.workspaceIndexUrl} (${elapsed()})`);

/** One code-server session running the suite; resolves with its exit code and result lines. */
async function runPass(pass) {
  const { name } = pass;
  const { workspace, profile, resultsFile, env } = preparePass(temp, pass, editorIndex);

  let server;
  let browser;
  let exitCode = 1;
  const pageLog = [];
  try {
    server = await startCodeServer({ profile, workspace, env });
    console.log(`vscode: ${name} pass: code-server listening on ${server.url} (${elapsed()})`);
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
      console.error(`vscode: the ${name} pass did not finish within ${timeoutMs / 1000} s`);
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
  if (results) process.stdout.write(results.replace(/^vscode: /m, `vscode: ${name} pass: `));
  if (exitCode !== 0 || !results) {
    console.error(`--- ${name} pass: browser console (last 40 lines)`);
    console.error(pageLog.slice(-40).join('\n'));
    if (existsSync(profile.log)) {
      console.error(`--- ${name} pass: code-server log (last 60 lines)`);
      console.error(readFileSync(profile.log, 'utf8').split('\n').slice(-60).join('\n'));
    }
  }
  return { exitCode: checkedExitCode(pass, exitCode, results), results };
}

const outcomes = [];
try {
  for (const pass of passesFor(grep)) outcomes.push({ name: pass.name, ...(await runPass(pass)) });
} finally {
  await editorIndex.close();
  rmSync(temp, { recursive: true, force: true });
}

const failed = outcomes.filter((outcome) => outcome.exitCode !== 0);
const summary = outcomes.map((outcome) => `${outcome.name} pass ${outcome.exitCode === 0 ? 'passed' : `failed (exit ${outcome.exitCode})`}`).join(', ');
console.log(`vscode: extension-host suite in code-server ${failed.length === 0 ? 'passed' : 'failed'} in ${elapsed()}: ${summary}`);
process.exit(failed.length === 0 ? 0 : 1);

// Runs the extension-host suite (test/vscode/suite) in desktop VS Code through
// @vscode/test-electron: for machines that can download VS Code or already have one. Here (no
// internet) use runCodeServer.mjs; both load the same suite through the same run(), in the same
// two passes (passes.mjs) against the same editor test index, started in this process.
//
//   node test/vscode/runElectron.mjs [--grep TEXT]
//   VSCODE_EXECUTABLE_PATH=/usr/share/code/code node test/vscode/runElectron.mjs   # a local VS Code
//   VSCODE_TEST_VERSION=1.100.3 node test/vscode/runElectron.mjs                    # a downloaded one
//
// The restricted pass cannot go through runTests(): it always adds --disable-workspace-trust
// (so every window is trusted). That pass starts the same executable with the same arguments
// minus that flag.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { repoRoot } from './codeServer.mjs';
import { checkedExitCode, passesFor, preparePass, startTestIndex } from './passes.mjs';

const args = process.argv.slice(2);
const grepIndex = args.indexOf('--grep');
const grep = grepIndex >= 0 ? args[grepIndex + 1] : undefined;

for (const [what, commandArgs] of [
  ['bundling the extension', [path.join(repoRoot, 'scripts/bundle.mjs')]],
  ['compiling the suite', [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(repoRoot, 'test/vscode')]],
]) {
  if (spawnSync(process.execPath, commandArgs, { cwd: repoRoot, stdio: 'inherit' }).status !== 0) {
    console.error(`vscode: ${what} failed`);
    process.exit(1);
  }
}

const extensionDevelopmentPath = repoRoot;
const extensionTestsPath = path.join(repoRoot, 'test/vscode/out/suite/index.js');
const temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-electron-'));
const editorIndex = await startTestIndex(temp);

function windowArgs(workspace, profile) {
  return [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];
}

/** What runTests() does, without --disable-workspace-trust. */
function runUntrusted(executable, launchArgs, env) {
  const child = spawn(
    executable,
    [...launchArgs, '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', `--extensionTestsPath=${extensionTestsPath}`, `--extensionDevelopmentPath=${extensionDevelopmentPath}`],
    { env: { ...process.env, ...env }, stdio: 'inherit' },
  );
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`vscode: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const outcomes = [];
try {
  const executable = process.env.VSCODE_EXECUTABLE_PATH ?? (await downloadAndUnzipVSCode(process.env.VSCODE_TEST_VERSION ?? 'stable'));
  for (const pass of passesFor(grep)) {
    const { workspace, profile, resultsFile, env } = preparePass(temp, pass, editorIndex);
    let exitCode = 1;
    try {
      exitCode =
        pass.name === 'restricted'
          ? await runUntrusted(executable, windowArgs(workspace, profile), env)
          : await runTests({ vscodeExecutablePath: executable, extensionDevelopmentPath, extensionTestsPath, launchArgs: windowArgs(workspace, profile), extensionTestsEnv: env });
    } catch (error) {
      console.error(`vscode: the ${pass.name} pass did not pass in VS Code: ${error instanceof Error ? error.message : error}`);
    }
    const results = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
    if (results) process.stdout.write(results.replace(/^vscode: /m, `vscode: ${pass.name} pass: `));
    outcomes.push({ name: pass.name, exitCode: checkedExitCode(pass, exitCode, results) });
  }
} catch (error) {
  console.error(`vscode: the suite did not run in VS Code: ${error instanceof Error ? error.message : error}`);
  outcomes.push({ name: 'setup', exitCode: 1 });
} finally {
  await editorIndex.close();
  rmSync(temp, { recursive: true, force: true });
}
const failed = outcomes.filter((outcome) => outcome.exitCode !== 0);
console.log(`vscode: extension-host suite in VS Code ${failed.length === 0 ? 'passed' : 'failed'}: ${outcomes.map((o) => `${o.name} ${o.exitCode === 0 ? 'passed' : 'failed'}`).join(', ')}`);
process.exit(failed.length === 0 ? 0 : 1);

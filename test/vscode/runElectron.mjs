// Runs the extension-host suite (test/vscode/suite) in desktop VS Code through
// @vscode/test-electron: for machines that can download VS Code or already have one. Here (no
// internet) use runCodeServer.mjs; both load the same suite through the same run().
//
//   node test/vscode/runElectron.mjs
//   VSCODE_EXECUTABLE_PATH=/usr/share/code/code node test/vscode/runElectron.mjs   # a local VS Code
//   VSCODE_TEST_VERSION=1.100.3 node test/vscode/runElectron.mjs                    # a downloaded one
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeProfile, repoRoot } from './codeServer.mjs';

for (const [what, args] of [
  ['bundling the extension', [path.join(repoRoot, 'scripts/bundle.mjs')]],
  ['compiling the suite', [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(repoRoot, 'test/vscode')]],
]) {
  if (spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' }).status !== 0) {
    console.error(`vscode: ${what} failed`);
    process.exit(1);
  }
}

const temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-electron-'));
const workspace = path.join(temp, 'workspace');
cpSync(path.join(repoRoot, 'test/vscode/workspace'), workspace, { recursive: true });
const profile = makeProfile(temp, {
  'security.workspace.trust.enabled': false,
  'pypiProvenance.indexUrl': process.env.PYPI_PROVENANCE_TEST_INDEX_URL ?? 'http://127.0.0.1:9/simple/',
});

let exitCode = 1;
try {
  exitCode = await runTests({
    ...(process.env.VSCODE_EXECUTABLE_PATH ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH } : { version: process.env.VSCODE_TEST_VERSION ?? 'stable' }),
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'test/vscode/out/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir],
    extensionTestsEnv: { PYPI_PROVENANCE_VSCODE_RESULTS: path.join(temp, 'results.txt') },
  });
} catch (error) {
  console.error(`vscode: the suite did not run in VS Code: ${error instanceof Error ? error.message : error}`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exit(exitCode);

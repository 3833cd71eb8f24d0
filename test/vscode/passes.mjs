// What both runners of the extension-host suite (runCodeServer.mjs, runElectron.mjs) share: the
// editor test index, started in the runner's own process, and the two passes over the suite.
// - trusted: workspace trust off (the folder is trusted), every test;
// - restricted: workspace trust on and never granted (Restricted Mode), only the restricted-mode
//   test, with a workspace setting that names the second index (a restricted configuration
//   VS Code must ignore there). An extension host keeps the trust it started with, so this
//   needs its own window.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { makeProfile, repoRoot } from './codeServer.mjs';

/** The title of the test only the restricted pass runs (test/vscode/suite/verification.test.ts). */
export const RESTRICTED_TEST = 'restricted mode contacts no index named by the workspace';
/** The title of the test only the multi-root pass runs (test/vscode/suite/multiRoot.test.ts). */
export const MULTI_ROOT_TEST = "each folder's indexUrl is the index of its files";
/** The passes that exist to run one test, which they must not skip. */
const SINGLE_TEST_PASSES = new Set(['restricted', 'multi-root']);

/** test/editor/editorIndex.ts's indexes, with the control endpoint the extension host reads the counters from. */
export async function startTestIndex(dir) {
  const { startEditorIndex } = await tsImport(path.join(repoRoot, 'test/editor/editorIndex.ts'), import.meta.url);
  return startEditorIndex({ dir, control: true });
}

/** The passes to run; --grep (a substring, as mocha takes a string) may leave the restricted one out. */
export function passesFor(grep) {
  const passes = [{ name: 'trusted', trustEnabled: false, grep }];
  if (!grep || RESTRICTED_TEST.includes(grep)) passes.push({ name: 'restricted', trustEnabled: true, grep: RESTRICTED_TEST, workspaceIndexSetting: true });
  if (!grep || MULTI_ROOT_TEST.includes(grep)) passes.push({ name: 'multi-root', trustEnabled: false, grep: MULTI_ROOT_TEST, multiRoot: true });
  return passes;
}

/** A pass's folder: a copy of test/vscode/workspace, a fresh profile, and the extension host's environment. */
export function preparePass(temp, pass, index) {
  const dir = path.join(temp, pass.name);
  const workspace = path.join(dir, 'workspace');
  cpSync(path.join(repoRoot, 'test/vscode/workspace'), workspace, { recursive: true });
  if (pass.workspaceIndexSetting) {
    mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'pypiProvenance.indexUrl': index.workspaceIndexUrl }, null, 2));
  }
  // Two folders in one .code-workspace, each naming its own index in .vscode/settings.json:
  // `first` the setting's index (it serves the test projects), `second` the empty one.
  let opened = workspace;
  if (pass.multiRoot) {
    const folders = { first: index.url, second: index.workspaceIndexUrl };
    for (const [name, indexUrl] of Object.entries(folders)) {
      mkdirSync(path.join(dir, name, '.vscode'), { recursive: true });
      writeFileSync(path.join(dir, name, '.vscode', 'settings.json'), JSON.stringify({ 'pypiProvenance.indexUrl': indexUrl }, null, 2));
    }
    opened = path.join(dir, 'two-folders.code-workspace');
    writeFileSync(opened, JSON.stringify({ folders: [{ path: 'first' }, { path: 'second' }], settings: {} }, null, 2));
  }
  const resultsFile = path.join(dir, 'results.txt');
  const profile = makeProfile(dir, {
    'security.workspace.trust.enabled': pass.trustEnabled,
    // Never ask: a folder nobody trusted stays in Restricted Mode.
    'security.workspace.trust.startupPrompt': 'never',
    'pypiProvenance.indexUrl': index.url,
    'pypiProvenance.trustedRoot': index.trustedRootPath,
  });
  const env = {
    PYPI_PROVENANCE_VSCODE_RESULTS: resultsFile,
    PYPI_PROVENANCE_VSCODE_PASS: pass.name,
    ...index.env(),
    ...(pass.grep ? { PYPI_PROVENANCE_VSCODE_GREP: pass.grep } : {}),
  };
  return { dir, workspace: opened, profile, resultsFile, env };
}

/** A pass's exit code, made a failure when a single-test pass ran no test (it would pass silently). */
export function checkedExitCode(pass, exitCode, results) {
  if (exitCode === 0 && SINGLE_TEST_PASSES.has(pass.name) && !/^ok - /m.test(results)) {
    console.error(`vscode: the ${pass.name} pass ran no test`);
    return 1;
  }
  return exitCode;
}

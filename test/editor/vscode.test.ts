// The extension-host suite (test/vscode/suite) in a real VS Code, as part of `npm test`: runs
// test/vscode/runCodeServer.mjs (code-server + headless Chromium) and passes when the suite does,
// in each of its passes: the trusted one (every test), the restricted one (Restricted Mode) and the
// multi-root one (two folders, each with its own indexUrl).
// Skipped, with the reason, where code-server or Chromium is not installed (.ci/run installs them).
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';

const repoRoot = path.resolve(__dirname, '../..');
const runner = path.join(repoRoot, 'test/vscode/runCodeServer.mjs');

test('the extension-host suite passes in code-server', async (t) => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [runner, '--skip-if-missing'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
  const skipped = /^vscode: skipped, (.*)$/m.exec(output);
  if (skipped) {
    t.skip(skipped[1]);
    return;
  }
  t.diagnostic(output.split('\n').filter((line) => /^(ok|not ok|skip) - |^vscode: /.test(line)).join('\n'));
  assert.equal(code, 0, `the extension-host suite failed:\n${output}`);
  assert.match(output, /^vscode: trusted pass: \d+ passed, 0 failed/m);
  // The restricted pass must have run its test, not skipped it.
  assert.match(output, /^vscode: restricted pass: [1-9]\d* passed, 0 failed/m);
  assert.match(output, /^ok - .*restricted mode contacts no index named by the workspace/m);
  assert.match(output, /^vscode: multi-root pass: [1-9]\d* passed, 0 failed/m);
  assert.match(output, /^ok - .*each folder's indexUrl is the index of its files/m);
});

/**
 * The extension-host test entry (`extensionTestsPath`): the `run()` that VS Code calls in the
 * extension host, the same under @vscode/test-electron and under code-server. It runs every
 * `*.test.js` beside it with mocha and rejects when a test fails. The plain result lines also go
 * to the file named by PYPI_PROVENANCE_VSCODE_RESULTS, for runners that cannot read the
 * extension host's stdout (code-server).
 */
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const resultsFile = process.env.PYPI_PROVENANCE_VSCODE_RESULTS;
  const record = (line: string) => {
    console.log(line);
    if (resultsFile) appendFileSync(resultsFile, `${line}\n`);
  };
  if (resultsFile) writeFileSync(resultsFile, '');

  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.PYPI_PROVENANCE_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, file));

  return new Promise((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const runner = mocha.run((failures) => {
      record(`vscode: ${passed} passed, ${failed} failed, ${skipped} skipped`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => {
      passed++;
      record(`ok - ${test.fullTitle()} (${test.duration ?? 0} ms)`);
    });
    runner.on('fail', (test, error: Error) => {
      failed++;
      record(`not ok - ${test.fullTitle()}\n  ${String(error?.stack ?? error).split('\n').join('\n  ')}`);
    });
    runner.on('pending', (test) => {
      skipped++;
      record(`skip - ${test.fullTitle()}`);
    });
  });
}

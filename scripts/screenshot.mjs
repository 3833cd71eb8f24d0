// Screenshots the extension as a user sees it: the packaged .vsix installed into code-server
// (`code-server --install-extension`), a file of a workspace opened, the cursor put at a position,
// the hover shown there, and the window captured by headless Chromium.
//
//   node scripts/screenshot.mjs [--out docs/diagnostics.png] [--file requirements.txt]
//       [--at LINE:COLUMN] [--workspace DIR] [--vsix FILE] [--problems] [--settings JSON]
//       [--wait-for TEXT]
//
// Defaults: a copy of test/vscode/workspace, requirements.txt, the hover at 5:30 (the weak-hash
// finding), the Problems panel open, a freshly packaged .vsix. --at is 1-based, as VS Code's
// "Go to Line" takes it. --wait-for waits until the hover shows TEXT (for a verified dependency's
// card: the publisher repository). Exits non-zero when no diagnostic, hover or status item shows.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { delay, installExtension, launchChromium, makeProfile, missingPrerequisite, repoRoot, startCodeServer, workbenchUrl } from '../test/vscode/codeServer.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/diagnostics.png' },
    file: { type: 'string', default: 'requirements.txt' },
    at: { type: 'string', default: '5:30' },
    workspace: { type: 'string' },
    vsix: { type: 'string' },
    problems: { type: 'boolean', default: true },
    'no-problems': { type: 'boolean', default: false },
    settings: { type: 'string', default: '{}' },
    'wait-for': { type: 'string' },
    timeout: { type: 'string', default: '120000' },
  },
});

const missing = missingPrerequisite();
if (missing) {
  console.error(`screenshot: ${missing}`);
  process.exit(2);
}
const timeoutMs = Number(values.timeout);
const started = Date.now();
const log = (message) => console.log(`screenshot: ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

function packagedVsix() {
  if (values.vsix) return path.resolve(values.vsix);
  const packaged = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, encoding: 'utf8' });
  if (packaged.status !== 0) throw new Error(`npm run package failed:\n${packaged.stdout}\n${packaged.stderr}`);
  const { name, version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  return path.join(repoRoot, `${name}-${version}.vsix`);
}

const temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-screenshot-'));
const workspace = path.join(temp, 'workspace');
cpSync(values.workspace ? path.resolve(values.workspace) : path.join(repoRoot, 'test/vscode/workspace'), workspace, { recursive: true });
const profile = makeProfile(temp, {
  'security.workspace.trust.enabled': false,
  'pypiProvenance.indexUrl': 'http://127.0.0.1:9/simple/',
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
  'chat.commandCenter.enabled': false,
  ...JSON.parse(values.settings),
});

let server;
let browser;
let failure;
try {
  const vsix = packagedVsix();
  await installExtension(profile, vsix);
  log(`installed ${path.relative(repoRoot, vsix)}`);
  server = await startCodeServer({ profile, workspace });
  browser = await launchChromium(server.runId);
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.setDefaultTimeout(timeoutMs);
  await page.goto(workbenchUrl(server.url, { workspace }));
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('.statusbar').waitFor();

  const command = async (text) => {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill(`>${text}`);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await page.keyboard.press('Enter');
  };
  // Open the file with Quick Open, as a user would.
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(values.file);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-info').first().waitFor();
  log('diagnostics shown');

  // The grammar at work: the first requirement's line is rendered in more than one colour.
  const colours = await page.evaluate(() => {
    const lines = [...document.querySelectorAll('.monaco-editor .view-line')];
    return Math.max(0, ...lines.map((line) => new Set([...line.querySelectorAll('span[class^="mtk"]')].map((s) => s.className)).size));
  });
  if (colours < 3) throw new Error(`the grammar does not seem applied: at most ${colours} token colours on a line`);

  if (values.problems && !values['no-problems']) {
    await command('View: Focus Problems');
    await page.locator('.markers-panel .monaco-list-row').first().waitFor();
    await page.locator('.monaco-editor .view-lines').first().click();
  }
  await command('Notifications: Clear All Notifications');
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').fill(`:${values.at}`);
  await page.keyboard.press('Enter');
  await command('Show or Focus Hover');
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  await hover.waitFor();
  if (values['wait-for']) await hover.getByText(values['wait-for']).first().waitFor();
  await delay(500); // the hover fades in
  const status = await page.locator('.statusbar-item').filter({ hasText: /PyPI Provenance|missing-hashes|verified|No problems|checked/ }).first().innerText();
  log(`status bar: ${status.replace(/\s+/g, ' ').trim()}`);
  log(`hover: ${(await hover.innerText()).replace(/\s+/g, ' ').trim().slice(0, 200)}`);

  const out = path.resolve(repoRoot, values.out);
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  log(`wrote ${path.relative(repoRoot, out)}`);
} catch (error) {
  failure = error;
} finally {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  if (failure && existsSync(profile.log)) console.error(readFileSync(profile.log, 'utf8').split('\n').slice(-30).join('\n'));
  rmSync(temp, { recursive: true, force: true });
}
if (failure) {
  console.error(`screenshot: ${failure instanceof Error ? failure.stack : failure}`);
  process.exit(1);
}

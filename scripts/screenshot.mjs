// Screenshots the extension as a user sees it: the packaged .vsix installed into code-server
// (`code-server --install-extension`), a file of a workspace opened, the cursor put at a position,
// the hover shown there, and the window captured by headless Chromium.
//
//   node scripts/screenshot.mjs [--out docs/diagnostics.png] [--file requirements.txt]
//       [--at LINE:COLUMN] [--workspace DIR] [--vsix FILE] [--problems] [--settings JSON]
//       [--wait-for TEXT] [--test-index kit|sampleproject] [--full-hover] [--report] [--status-bar]
//
// Defaults: a copy of test/vscode/workspace, requirements.txt, the hover at 5:30 (the weak-hash
// finding), the Problems panel open, a freshly packaged .vsix. --at is 1-based, as VS Code's
// "Go to Line" takes it. --wait-for waits until the hover shows TEXT (for a verified dependency's
// card: the publisher repository). Exits non-zero when no diagnostic, hover or status item shows.
//
// --test-index starts the editor test index (test/editor/editorIndex.ts) in this process, points
// `pypiProvenance.indexUrl` at it and, unless --workspace is given, writes a workspace whose
// requirements.txt pins a verified release (line 2, where the hover goes) and an unattested one:
// - kit: octo-verified 1.0.0, signed by the test Sigstore (`trustedRoot` is set to its root);
// - sampleproject: pypa/sampleproject 4.0.0 with PyPI's real provenance object from
//   ../shared/fixtures, verified against the embedded public-good root, as a user sees it.
// --wait-for then defaults to the publisher repository. --full-hover drags the hover's bottom
// edge down until the whole card shows. docs/hover.png was made with
//   node scripts/screenshot.mjs --test-index sampleproject --full-hover --no-problems --out docs/hover.png
// --warned (with --test-index kit) hovers octo-warned 1.1.0 instead: verified, but yanked and
// published from another repository than 1.0.0 (docs/hover-warned.png).
// --more clicks the card's "More" fold open before the capture.
// --report shows the provenance report panel instead of a hover (the workspace of --test-index then
// also pins a project the index lacks and names an unpinned one); --status-bar shows the status
// bar item's tooltip and captures the bottom right of the window. docs/report.png and
// docs/statusbar.png were made with
//   node scripts/screenshot.mjs --test-index kit --report --no-problems --out docs/report.png
//   node scripts/screenshot.mjs --test-index kit --status-bar --no-problems --out docs/statusbar.png
// --accept-publisher (with --test-index kit) writes a pylock.toml that records another publisher
// for the verified release, opens it, runs the "Accept … as the publisher of …" quick fix from the
// lightbulb menu and captures its confirmation dialog. docs/accept-publisher.png was made with
//   node scripts/screenshot.mjs --test-index kit --accept-publisher --no-problems --out docs/accept-publisher.png
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';
import { delay, installExtension, launchChromium, makeProfile, missingPrerequisite, repoRoot, startCodeServer, workbenchUrl } from '../test/vscode/codeServer.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/diagnostics.png' },
    file: { type: 'string', default: 'requirements.txt' },
    at: { type: 'string' },
    workspace: { type: 'string' },
    vsix: { type: 'string' },
    problems: { type: 'boolean', default: true },
    'no-problems': { type: 'boolean', default: false },
    settings: { type: 'string', default: '{}' },
    'wait-for': { type: 'string' },
    timeout: { type: 'string', default: '120000' },
    'test-index': { type: 'string' },
    'full-hover': { type: 'boolean', default: false },
    report: { type: 'boolean', default: false },
    'status-bar': { type: 'boolean', default: false },
    'accept-publisher': { type: 'boolean', default: false },
    warned: { type: 'boolean', default: false },
    more: { type: 'boolean', default: false },
  },
});
if (values['accept-publisher'] && values['test-index'] !== 'kit') {
  console.error('screenshot: --accept-publisher needs --test-index kit');
  process.exit(2);
}
if (values['test-index'] !== undefined && !['kit', 'sampleproject'].includes(values['test-index'])) {
  console.error(`screenshot: --test-index takes kit or sampleproject, not ${values['test-index']}`);
  process.exit(2);
}

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

/** The editor test index and the settings and workspace that show its verified release. */
async function startTestIndex(kind) {
  const { startEditorIndex, EDITOR_PROJECTS } = await tsImport(path.join(repoRoot, 'test/editor/editorIndex.ts'), import.meta.url);
  const index = await startEditorIndex({ dir: temp, sampleproject: kind === 'sampleproject' });
  if (kind === 'sampleproject' && !index.sampleproject) {
    await index.close();
    throw new Error('--test-index sampleproject needs ../shared/fixtures/warehouse/sampleproject-4.0.0.tar.gz.provenance');
  }
  const verified = kind === 'sampleproject' ? EDITOR_PROJECTS.sampleproject : EDITOR_PROJECTS.verified;
  const { unattested, warned } = EDITOR_PROJECTS;
  // --warned: the hover goes to a release that verifies but is yanked and changed publisher (kit only).
  const hovered = values.warned ? warned : verified;
  const requirements = [
    '# Pinned dependencies: hover a name to see who published it (PEP 740 provenance)',
    `${hovered.name}==${hovered.version}`,
    `${unattested.name}==${unattested.version}`,
    ...(values.report || values['status-bar'] ? ['internal-tools==2.1.0', 'requests>=2.31'] : []),
    '',
  ].join('\n');
  return {
    index,
    requirements,
    lock: values['accept-publisher'] ? await changedPublisherLock(index, verified) : undefined,
    at: `2:${Math.ceil(hovered.name.length / 2)}`,
    // Warned: wait until VS Code's problem block shows both diagnostics (zero trust publishes the second a little later).
    waitFor: values.warned ? 'Publisher changed from' : verified.repository,
    settings: { 'pypiProvenance.indexUrl': index.url, ...(kind === 'kit' ? { 'pypiProvenance.trustedRoot': index.trustedRootPath } : {}) },
  };
}

/** A pylock.toml locking the verified release's files and recording `old-org/…` as its publisher: an identity-mismatch. */
async function changedPublisherLock(index, verified) {
  const pageUrl = new URL(`${verified.name}/`, index.url);
  const response = await fetch(pageUrl, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  const page = await response.json();
  const files = page.files.filter((file) => file.filename.startsWith(`${verified.name.replace(/-/g, '_')}-${verified.version}`));
  const entry = (file) => `{ name = "${file.filename}", url = "${new URL(file.url, pageUrl).href}", hashes = { sha256 = "${file.hashes.sha256}" } }`;
  const sdist = files.find((file) => file.filename.endsWith('.tar.gz'));
  const wheels = files.filter((file) => file.filename.endsWith('.whl'));
  return [
    'lock-version = "1.0"',
    'created-by = "uv"',
    '',
    '[[packages]]',
    `name = "${verified.name}"`,
    `version = "${verified.version}"`,
    ...(sdist ? [`sdist = ${entry(sdist)}`] : []),
    ...(wheels.length > 0 ? ['wheels = [', ...wheels.map((wheel) => `  ${entry(wheel)},`), ']'] : []),
    '',
    '[[packages.attestation-identities]]',
    'kind = "GitHub"',
    `repository = "${verified.repository.replace(/^[^/]+/, 'old-org')}"`,
    `workflow = "${verified.workflow}"`,
    '',
  ].join('\n');
}

/**
 * Makes the hover tall enough for its whole card, as a user does: by dragging its bottom edge
 * (VS Code's hover is resizable; it opens at most 250 px tall here).
 */
async function growHover(page) {
  const missingHeight = await page.evaluate(() => {
    const hover = document.querySelector('.monaco-hover:not(.hidden)');
    const content = hover?.querySelector('.monaco-hover-content');
    return hover && content ? content.scrollHeight - hover.clientHeight : 0;
  });
  if (missingHeight <= 0) return;
  const sash = page.locator('.monaco-resizable-hover .monaco-sash.horizontal:not(.disabled)').first();
  const box = await sash.boundingBox();
  if (!box) return;
  const editor = await page.locator('.monaco-editor .overflow-guard').first().boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  // Not past the editor: the hover cannot grow over the panel, and a release there hides it.
  const target = Math.min(y + missingHeight + 8, editor ? editor.y + editor.height - 12 : y + missingHeight + 8);
  if (target <= y) return;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, target, { steps: 10 });
  await page.mouse.up();
  // Off the edge (it is highlighted under the pointer), into the card, which keeps it shown.
  const card = await page.locator('.monaco-hover:not(.hidden)').first().boundingBox();
  if (card) await page.mouse.move(card.x + 40, card.y + card.height / 2);
  await delay(300);
}

/** The status bar item's texts (client/src/status/summary.ts, words.ts). */
const STATUS_TEXT = /PyPI Provenance|verified|invalid|not found|not checked|unattested|unpinned|checked|no problems|errors?\b|warnings?\b/;

/** The report panel's page, once it has drawn its tables (a webview is an iframe in an iframe). */
async function reportFrame(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if ((await frame.locator('#documents table').count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error('the report panel did not show its tables');
    await delay(300);
  }
}

let testIndex;
if (values['test-index']) {
  try {
    testIndex = await startTestIndex(values['test-index']);
  } catch (error) {
    console.error(`screenshot: ${error instanceof Error ? error.message : error}`);
    rmSync(temp, { recursive: true, force: true });
    process.exit(1);
  }
}
if (values.workspace) cpSync(path.resolve(values.workspace), workspace, { recursive: true });
else if (testIndex) {
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'requirements.txt'), testIndex.requirements);
  if (testIndex.lock) writeFileSync(path.join(workspace, 'pylock.toml'), testIndex.lock);
} else cpSync(path.join(repoRoot, 'test/vscode/workspace'), workspace, { recursive: true });
const at = values.at ?? testIndex?.at ?? '5:30';
const waitFor = values['wait-for'] ?? testIndex?.waitFor;
const profile = makeProfile(temp, {
  'security.workspace.trust.enabled': false,
  'pypiProvenance.indexUrl': 'http://127.0.0.1:9/simple/',
  ...testIndex?.settings,
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
  const page = await browser.newPage({ viewport: values.report ? { width: 1700, height: 820 } : { width: 1280, height: 760 } });
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
  await page.locator('.quick-input-widget input').fill(values['accept-publisher'] ? 'pylock.toml' : values.file);
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
  if (colours < 3 && !values['accept-publisher']) throw new Error(`the grammar does not seem applied: at most ${colours} token colours on a line`);

  if (values.problems && !values['no-problems']) {
    await command('View: Focus Problems');
    await page.locator('.markers-panel .monaco-list-row').first().waitFor();
    await page.locator('.monaco-editor .view-lines').first().click();
  }
  await command('Notifications: Clear All Notifications');
  let clip;
  if (values['accept-publisher']) {
    await command('View: Close Primary Side Bar');
    // The package's name line, then the lightbulb menu (Ctrl+.), asked again until the checks have settled.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(':5:10');
    await page.keyboard.press('Enter');
    const row = page.locator('.action-widget .monaco-list-row').filter({ hasText: /^Accept / }).first();
    const menuDeadline = Date.now() + timeoutMs;
    for (;;) {
      await page.keyboard.press('Control+.');
      const shown = await row.waitFor({ timeout: 3000 }).then(() => true, () => false);
      if (shown) break;
      if (Date.now() > menuDeadline) throw new Error('the accept-publisher quick fix was not offered');
      await page.keyboard.press('Escape');
      await delay(500);
    }
    log(`quick fix: ${(await row.innerText()).trim()}`);
    // By keyboard, as the menu is meant to be used (a pointer block covers it while it opens).
    const items = await page.locator('.action-widget .monaco-list-row').evaluateAll((rows) => rows.filter((r) => !r.classList.contains('group-header') && !r.classList.contains('separator')).map((r) => r.textContent ?? ''));
    const position = items.findIndex((text) => text.trim().startsWith('Accept '));
    for (let i = 0; i < position; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box').first();
    await dialog.waitFor();
    await delay(400);
    log(`dialog: ${(await dialog.innerText()).replace(/\s+/g, ' ').trim().slice(0, 300)}`);
  } else if (values.report) {
    await command('View: Close Primary Side Bar');
    await command('PyPI Provenance: Show Provenance Report');
    // The panel opens beside the file, as for a user; the window is wider for it (see the viewport).
    const frame = await reportFrame(page, timeoutMs);
    await delay(600);
    log(`report: ${(await frame.locator('#meta').innerText()).slice(0, 200)}`);
  } else if (values['status-bar']) {
    // Once the file's report is in: a count per status, no "3/4 checked" any more.
    const item = page.locator('.statusbar-item').filter({ hasText: /\d+ (invalid|not found|not checked|partly attested|unattested|unpinned|verified)/ }).first();
    await item.waitFor();
    await item.hover();
    await page.locator('.monaco-hover:not(.hidden), .workbench-hover').first().waitFor();
    await delay(600);
    const viewport = page.viewportSize();
    clip = { x: viewport.width - 720, y: viewport.height - 300, width: 720, height: 300 };
    log(`status bar: ${(await item.innerText()).replace(/\s+/g, ' ').trim()}`);
  } else {
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${at}`);
    await page.keyboard.press('Enter');
    const hover = page.locator('.monaco-hover:not(.hidden)').first();
    // A shown hover is not asked again: while the card still says "pending", close it and ask anew.
    const hoverDeadline = Date.now() + timeoutMs;
    for (;;) {
      await command('Show or Focus Hover');
      await hover.waitFor();
      if (!waitFor) break;
      const shown = await hover
        .getByText(waitFor)
        .first()
        .waitFor({ timeout: 3000 })
        .then(() => true, () => false);
      if (shown) break;
      if (Date.now() > hoverDeadline) throw new Error(`the hover did not show ${waitFor}: ${(await hover.innerText()).slice(0, 300)}`);
      await page.keyboard.press('Escape');
    }
    await delay(500); // the hover fades in
    // --more opens the card's folded details, as a click on "More" does.
    if (values.more) {
      await hover.locator('summary').first().click();
      await delay(400);
    }
    if (values['full-hover']) await growHover(page);
    const status = await page.locator('.statusbar-item').filter({ hasText: STATUS_TEXT }).first().innerText();
    log(`status bar: ${status.replace(/\s+/g, ' ').trim()}`);
    log(`hover: ${(await hover.innerText()).replace(/\s+/g, ' ').trim().slice(0, 200)}`);
    // How tall the card is (the whole hover, the problem block of a diagnostic included), and how tall its content would be.
    const size = await page.evaluate(() => {
      const shown = document.querySelector('.monaco-hover:not(.hidden)');
      const content = shown?.querySelector('.monaco-hover-content');
      return shown ? { width: shown.clientWidth, height: shown.clientHeight, content: content?.scrollHeight ?? 0 } : undefined;
    });
    if (size) log(`hover size: ${size.width} x ${size.height} px (content ${size.content} px)`);
  }
  const out = path.resolve(repoRoot, values.out);
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, clip });
  log(`wrote ${path.relative(repoRoot, out)}`);
} catch (error) {
  failure = error;
} finally {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  await testIndex?.index.close();
  if (failure && existsSync(profile.log)) console.error(readFileSync(profile.log, 'utf8').split('\n').slice(-30).join('\n'));
  rmSync(temp, { recursive: true, force: true });
}
if (failure) {
  console.error(`screenshot: ${failure instanceof Error ? failure.stack : failure}`);
  process.exit(1);
}

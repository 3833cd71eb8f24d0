// The CLI in a terminal and in CI (issue 10 items 14, 15, 17), through the built CLI: the text
// output fits COLUMNS / the terminal's width (nothing cut: every message's words are there),
// the progress line on a pseudo-terminal names what it waits for and is erased, nothing of it off
// a terminal, colours per --color / FORCE_COLOR / NO_COLOR, and the JSON summary (its totals
// agree with the documents, and the README's example has its shape).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import { useColour } from '../../server/src/cli/output/style';
import { outputWidth } from '../../server/src/cli/output/layout';
import { startIndexServer, type IndexServer, type TestProject } from '../support/indexServer';
import { SignedIndex, TempDirs } from '../lsp/verificationSupport';
import { A, serveProject } from '../lsp/zeroTrustSupport';
import { REPO_ROOT, makeTree, runCli, runUnderTerminal, scriptCommand, type JsonReport } from './cliRunner';

const ESC = '\u001b';
const CLEAR_LINE = '\r\u001b[2K';
const dirs = new TempDirs();
let index: IndexServer;
let signed: SignedIndex;
let attested: TestProject;
let tree: ReturnType<typeof makeTree>;

// A verified dependency (a publisher in the table), an unattested one, one the index lacks (a
// long name), an unpinned one and a syntax error: every column and several long messages.
const REQUIREMENTS = [
  'term-attested==1.0.0',
  'attrs==25.1.0',
  'a-rather-long-dependency-name-nobody-published==1.0.0',
  'Flask_Login>=0.6',
  'bad name!',
].join('\n') + '\n';

before(async () => {
  index = await startIndexServer();
  signed = new SignedIndex(index, dirs.make('cli-terminal'));
  attested = serveProject(signed, 'term-attested', [{ version: '1.0.0', identity: A }]);
  serveProject(signed, 'attrs', [{ version: '25.1.0', identity: null }]);
  tree = makeTree({ 'requirements.txt': REQUIREMENTS, 'one/requirements.txt': 'attrs==25.1.0\n' });
});

after(async () => {
  tree?.remove();
  await index?.close();
  dirs.cleanup();
});

function flags(): string[] {
  return ['--index-url', index.url, '--trusted-root', signed.trustedRootPath, '--cache-dir', dirs.make('cli-terminal-cache')];
}

/** Every word of the text, in order: what a reader gets back whatever the wrapping. */
function words(text: string): string {
  return text.split(/\s+/).filter((w) => w !== '').join(' ');
}

test('text fits COLUMNS: 60, 120 and 250 columns, nothing cut (every message whole once the lines are joined)', async () => {
  const json = JSON.parse((await runCli(['check', ...flags(), '--format', 'json', 'requirements.txt'], { cwd: tree.root })).stdout) as JsonReport;
  const messages = json.documents[0].findings.map((f) => f.message);
  assert.ok(messages.some((m) => m.length > 60), 'some messages are longer than the narrowest width');
  const publisherOf = json.documents[0].dependencies.find((d) => d.name === 'term-attested')?.publisher as { repository?: string } | null;
  assert.ok(publisherOf?.repository, 'the attested dependency has a publisher');

  const layouts: Record<number, string> = {};
  for (const columns of [60, 120, 250]) {
    const { code, stdout, stderr } = await runCli(['check', ...flags(), 'requirements.txt'], { cwd: tree.root, env: { COLUMNS: String(columns) } });
    assert.equal(code, 1, stderr);
    assert.equal(stderr, '', 'no progress off a terminal');
    layouts[columns] = stdout;
    if (process.env.SHOW_LAYOUTS) console.log(stdout);
    for (const line of stdout.split('\n')) assert.ok(stringWidth(line) <= columns, `${columns} columns: a line of ${stringWidth(line)}: ${JSON.stringify(line)}`);
    const all = words(stdout);
    for (const message of messages) assert.ok(all.includes(words(message)), `${columns} columns: the message is whole: ${message}\n${stdout}`);
    for (const name of ['term-attested', 'attrs', 'a-rather-long-dependency-name-nobody-published', 'flask-login']) assert.ok(stdout.includes(name), `${columns}: ${name} is shown unbroken`);
    assert.ok(all.includes(publisherOf.repository), `${columns}: the publisher is shown`);
  }
  // 250 columns is room enough: one line per finding, and the table's columns line up.
  const wide = layouts[250].split('\n');
  for (const message of messages) assert.ok(wide.some((line) => line.endsWith(message)), `one line at 250 columns: ${message}`);
  const header = wide.find((line) => line.includes('DEPENDENCY'));
  assert.ok(header, layouts[250]);
  const statusColumn = header.indexOf('STATUS');
  assert.equal(wide.find((line) => line.startsWith('  flask-login'))?.indexOf('unpinned'), statusColumn);
  // 120: the table still has its header; long messages wrap under their own column.
  const medium = layouts[120].split('\n');
  assert.ok(medium.some((line) => /^ {2}DEPENDENCY\s+VERSION\s+STATUS\s+PUBLISHER\s+FINDINGS$/.test(line)), layouts[120]);
  const findingLine = medium.findIndex((line) => line.startsWith('  requirements.txt:3:1'));
  const messageColumn = medium[findingLine].indexOf('project-not-found') + 'project-not-found'.length + 2;
  assert.match(medium[findingLine + 1], new RegExp(`^ {${messageColumn}}\\S`), 'a wrapped message goes on in its column');
  // 60: too narrow for the table with this long name: one entry per dependency, messages below their location.
  const narrow = layouts[60].split('\n');
  assert.ok(!narrow.some((line) => line.includes('DEPENDENCY')), layouts[60]);
  const entry = narrow.indexOf('  a-rather-long-dependency-name-nobody-published 1.0.0');
  assert.ok(entry > 0, layouts[60]);
  assert.match(narrow[entry + 1], /^ {6}not found$/, 'the status goes on, indented');
  assert.match(narrow[entry + 2], /^ {4}findings project-not-found$/);
  const syntax = narrow.findIndex((line) => /^ {2}requirements\.txt:5:5\s+error\s+syntax$/.test(line));
  assert.ok(syntax > 0, layouts[60]);
  assert.match(narrow[syntax + 1], /^ {6}Invalid requirement: /, 'the message below its location');
});

test('off a terminal with no COLUMNS there is no limit: each finding whole on one line (CI logs, grep)', async () => {
  const { stdout } = await runCli(['check', ...flags(), 'requirements.txt'], { cwd: tree.root, env: { COLUMNS: undefined } });
  const json = JSON.parse((await runCli(['check', ...flags(), '--format', 'json', 'requirements.txt'], { cwd: tree.root })).stdout) as JsonReport;
  for (const finding of json.documents[0].findings) assert.ok(stdout.split('\n').some((line) => line.endsWith(finding.message)), finding.message);
  assert.equal(outputWidth({ isTTY: false }, {}), Number.POSITIVE_INFINITY);
  assert.equal(outputWidth({ isTTY: false }, { COLUMNS: '100' }), 100);
  assert.equal(outputWidth({ isTTY: false }, { COLUMNS: 'wide' }), Number.POSITIVE_INFINITY, 'a COLUMNS that is not a number is ignored');
  assert.equal(outputWidth({ isTTY: true, columns: 132 }, { COLUMNS: '100' }), 132, "a terminal's own width wins over a stale COLUMNS");
  assert.equal(outputWidth({ isTTY: true, columns: 0 }, {}), 80, 'a terminal that does not say: 80');
  assert.equal(outputWidth({ isTTY: false }, { COLUMNS: '5' }), 20, 'never narrower than 20');
});

test('on a terminal: the width is the terminal’s, the progress line is drawn, then erased before the results', async (t) => {
  if (!scriptCommand()) return t.skip('script(1) is not installed: no pseudo-terminal to run under');
  const { code, output } = await runUnderTerminal(['check', ...flags(), 'requirements.txt'], { cwd: tree.root, columns: 70, env: { COLUMNS: '250' } });
  assert.equal(code, 1);
  assert.ok(output.includes('Checking '), `a progress line: ${JSON.stringify(output.slice(0, 400))}`);
  assert.match(output, /Checking \d+\/3 dependencies · (waiting for index|verifying attestations|finishing) …/);
  // Colours off the text (not the erasing sequence, which is no colour).
  const screen = output.replace(/\u001b\[[0-9;]*m/g, '');
  const lastDrawn = screen.lastIndexOf('Checking ');
  const cleared = screen.indexOf(CLEAR_LINE, lastDrawn);
  const results = screen.indexOf('requirements.txt (');
  assert.ok(cleared > lastDrawn && results > cleared, `the line is erased before the results are printed: ${JSON.stringify(screen.slice(0, 600))}`);
  const plain = screen.slice(results);
  for (const line of plain.split('\r\n')) assert.ok(stringWidth(line) <= 70, `the terminal's 70 columns, not COLUMNS: ${JSON.stringify(line)}`);
});

test('progress names what it waits for: the index, then the attestations (a pseudo-terminal; answers held back)', async (t) => {
  if (!scriptCommand()) return t.skip('script(1) is not installed: no pseudo-terminal to run under');
  const held = makeTree({ 'requirements.txt': 'term-attested==1.0.0\nattrs==25.1.0\n' });
  try {
    // The project page never answers: both dependencies wait for the index.
    index.setMode('term-attested', 'hang');
    const waiting = await runUnderTerminal(['check', ...flags(), 'requirements.txt'], { cwd: held.root, columns: 100, until: (out) => out.includes('waiting for index') });
    index.setMode('term-attested', undefined);
    assert.match(waiting.output, /\r\u001b\[2KChecking [01]\/2 dependencies · waiting for index …/);

    // The page answers, the provenance does not: resolution is done, verification waits.
    for (const file of attested.files) index.setPathMode(new URL(index.provenanceUrl('term-attested', file)).pathname, 'hang');
    const verifying = await runUnderTerminal(['check', ...flags(), 'requirements.txt'], { cwd: held.root, columns: 100, until: (out) => out.includes('verifying attestations') });
    assert.match(verifying.output, /\r\u001b\[2KChecking 1\/2 dependencies · verifying attestations …/);
  } finally {
    for (const file of attested.files) index.setPathMode(new URL(index.provenanceUrl('term-attested', file)).pathname, undefined);
    index.setMode('term-attested', undefined);
    held.remove();
  }
});

test('colour: --color, FORCE_COLOR (Node/chalk) and NO_COLOR (no-color.org), strongest first; JSON never coloured', async () => {
  const coloured = async (env: Record<string, string | undefined>, ...extra: string[]) => (await runCli(['check', ...flags(), ...extra, 'one'], { cwd: tree.root, env })).stdout.includes(ESC);
  assert.equal(await coloured({}), false, 'a pipe: no colour');
  assert.equal(await coloured({ FORCE_COLOR: '1' }), true, 'FORCE_COLOR=1 colours a pipe');
  assert.equal(await coloured({ FORCE_COLOR: '' }), true, 'FORCE_COLOR set but empty: on, as in Node and chalk');
  assert.equal(await coloured({ FORCE_COLOR: '1', NO_COLOR: '1' }), true, 'FORCE_COLOR wins over NO_COLOR');
  assert.equal(await coloured({}, '--color=always'), true);
  assert.equal(await coloured({ NO_COLOR: '1' }, '--color', 'always'), true, 'the flag wins over NO_COLOR');
  assert.equal(await coloured({ FORCE_COLOR: '3' }, '--color=never'), false, 'the flag wins over FORCE_COLOR');
  assert.equal((await runCli(['check', ...flags(), '--color=always', '--format', 'json', 'one'], { cwd: tree.root })).stdout.includes(ESC), false, 'JSON is never coloured');

  const tty = { isTTY: true };
  assert.equal(useColour(tty, {}), true);
  assert.equal(useColour(tty, { NO_COLOR: '1' }), false);
  assert.equal(useColour(tty, { NO_COLOR: '' }), true, 'an empty NO_COLOR is no NO_COLOR (no-color.org)');
  assert.equal(useColour(tty, { FORCE_COLOR: '0' }), false, 'FORCE_COLOR=0 turns colour off, even on a terminal');
  assert.equal(useColour(tty, { FORCE_COLOR: 'false' }), false);
  assert.equal(useColour({ isTTY: false }, { FORCE_COLOR: 'true' }), true);
  assert.equal(useColour(tty, { TERM: 'dumb' }), false, 'a dumb terminal gets no colour');
  assert.equal(useColour({ isTTY: false }, { FORCE_COLOR: '0' }, 'always'), true);
});

test('colour on a terminal: off with NO_COLOR or --color=never', async (t) => {
  if (!scriptCommand()) return t.skip('script(1) is not installed: no pseudo-terminal to run under');
  const sgr = /\u001b\[(?:3\d|1|2|22|39)m/;
  assert.match((await runUnderTerminal(['check', ...flags(), 'one'], { cwd: tree.root, columns: 100 })).output, sgr);
  assert.doesNotMatch((await runUnderTerminal(['check', ...flags(), '--color=never', 'one'], { cwd: tree.root, columns: 100 })).output, sgr);
  assert.doesNotMatch((await runUnderTerminal(['check', ...flags(), 'one'], { cwd: tree.root, columns: 100, env: { NO_COLOR: '1' } })).output, sgr);
});

interface Summary {
  tool: { name: string; version: string };
  files: number;
  dependencies: number;
  statuses: Record<string, number>;
  severities: Record<string, number>;
  exitCode: number;
}

test('json summary: the tool version, totals per status and per severity that agree with the documents, the exit code', async () => {
  const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const result = await runCli(['check', ...flags(), '--format', 'json', 'requirements.txt', 'one'], { cwd: tree.root });
  const output = JSON.parse(result.stdout) as JsonReport & { summary: Summary };
  const { summary } = output;
  assert.deepEqual(summary.tool, { name: 'pypi-provenance', version });
  assert.equal(summary.files, 2);
  const dependencies = output.documents.flatMap((d) => d.dependencies);
  assert.equal(summary.dependencies, dependencies.length);
  assert.deepEqual(Object.keys(summary.statuses).sort(), ['error', 'invalid', 'not-found', 'partial', 'pending', 'unattested', 'unpinned', 'verified'], 'every status, 0 included');
  for (const [status, n] of Object.entries(summary.statuses)) assert.equal(n, dependencies.filter((d) => d.status === status).length, status);
  assert.equal(summary.statuses.verified, 1);
  assert.equal(summary.statuses['not-found'], 1);
  const findings = output.documents.flatMap((d) => d.findings);
  assert.deepEqual(Object.keys(summary.severities), ['error', 'warning', 'information', 'hint']);
  for (const [severity, n] of Object.entries(summary.severities)) assert.equal(n, findings.filter((f) => f.severity === severity).length, severity);
  assert.equal(summary.exitCode, result.code);
  assert.equal(result.code, 1);

  // Codes set to off are not counted (as for the exit code), and the exit code follows.
  const relaxed = await runCli(['check', ...flags(), '--format', 'json', '--severity', 'syntax=off', '--severity', 'project-not-found=off', 'requirements.txt'], { cwd: tree.root });
  const relaxedSummary = (JSON.parse(relaxed.stdout) as { summary: Summary }).summary;
  assert.equal(relaxedSummary.severities.error, 0);
  assert.equal(relaxed.code, 0);
  assert.equal(relaxedSummary.exitCode, 0);
});

/** The shape of a JSON value: every key, each value's type (null counts as any object). */
function assertSameShape(example: unknown, actual: unknown, where: string, exactKeys: boolean): void {
  if (example === null || actual === null) return;
  assert.equal(Array.isArray(actual), Array.isArray(example), `${where}: array or not`);
  assert.equal(typeof actual, typeof example, `${where}: type`);
  if (Array.isArray(example)) {
    const sample = (actual as unknown[])[0];
    if (example.length > 0 && sample !== undefined) assertSameShape(example[0], sample, `${where}[0]`, exactKeys);
    return;
  }
  if (typeof example !== 'object') return;
  const exampleKeys = Object.keys(example as object);
  const actualKeys = Object.keys(actual as object);
  if (exactKeys) assert.deepEqual(actualKeys, exampleKeys, `${where}: the keys`);
  else for (const key of exampleKeys) assert.ok(actualKeys.includes(key), `${where}: ${key} is in the output`);
  for (const key of exampleKeys) assertSameShape((example as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${where}.${key}`, exactKeys);
}

test("the README's JSON example has the output's shape (the summary key for key)", async () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Command line and CI'), readme.indexOf('### GitHub Action'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);
  assert.ok(block, 'the CLI section has a JSON example');
  const example = JSON.parse(block[1]) as { documents: Array<Record<string, unknown>>; summary: Summary };
  const verified = makeTree({ 'requirements.txt': 'term-attested==1.0.0\nattrs==25.1.0\n' });
  try {
    const result = await runCli(['check', ...flags(), '--format', 'json', 'requirements.txt'], { cwd: verified.root });
    const actual = JSON.parse(result.stdout) as { documents: Array<Record<string, unknown>>; summary: Summary };
    assert.deepEqual(Object.keys(actual), Object.keys(example));
    assertSameShape(example.documents, actual.documents, 'documents', false);
    assertSameShape(example.summary, actual.summary, 'summary', true);
    assert.equal(example.summary.tool.version, actual.summary.tool.version, 'the version shown is the current one');
    // The example's numbers are those of such a run: one verified, one unattested, one information.
    assert.deepEqual(actual.summary.statuses, example.summary.statuses);
    assert.deepEqual(actual.summary.severities, example.summary.severities);
    assert.equal(actual.summary.exitCode, example.summary.exitCode);
  } finally {
    verified.remove();
  }
});

// package.json, .vscodeignore and the client agree: commands, file names, entry points.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Commands } from '../../client/src/constants';
import { DEPENDENCY_FILES_GLOB, DOCUMENT_SELECTOR } from '../../client/src/documentSelector';
import { DEFAULT_SEVERITY } from '../../server/src/core/codes';

const repoRoot = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

test('every command the client registers is contributed with a title in the PyPI Provenance category, and no other', () => {
  const contributed = manifest.contributes.commands as Array<{ command: string; title: string; category: string }>;
  assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(Commands).sort());
  for (const c of contributed) assert.equal(c.category, 'PyPI Provenance');
  assert.deepEqual(contributed.map((c) => c.title).sort(), [
    'Accept a Changed Publisher',
    'Clear Cache',
    'Forget Release File Sets',
    'Forget Trusted Publishers',
    'Show Output',
    'Show Provenance Report',
    'Verify Dependencies in Workspace',
  ]);
  // Run by the server's code action with its arguments: not from the palette.
  const hidden = (manifest.contributes.menus.commandPalette as Array<{ command: string; when: string }>).find((m) => m.command === 'pypiProvenance.confirmAcceptPublisher');
  assert.equal(hidden?.when, 'false');
});

test('the workspace search finds every file name the pip-requirements language claims, and the TOML files', () => {
  const names = DEPENDENCY_FILES_GLOB.replace(/^\*\*\/\{|\}$/g, '').split(',');
  const language = manifest.contributes.languages.find((l: { id: string }) => l.id === 'pip-requirements');
  for (const pattern of language.filenamePatterns as string[]) assert.ok(names.includes(pattern.replace(/^\*\*\//, '')), `${pattern} is searched`);
  for (const name of ['pyproject.toml', 'pylock.toml', 'pylock.*.toml', 'uv.lock', 'poetry.lock']) assert.ok(names.includes(name), name);
  assert.ok(!(language.filenamePatterns as string[]).includes('*.in'), 'MANIFEST.in and other .in files are not requirements');
});

test('the server gets requirements documents, the three TOML names and the two lock names, never every TOML file', () => {
  const patterns = DOCUMENT_SELECTOR.flatMap((f) => (f.pattern ? [f.pattern] : []));
  assert.deepEqual(patterns.sort(), ['**/poetry.lock', '**/pylock.*.toml', '**/pylock.toml', '**/pyproject.toml', '**/uv.lock']);
  assert.ok(DOCUMENT_SELECTOR.every((f) => f.language === 'pip-requirements' || f.pattern !== undefined));
  const activation = manifest.activationEvents as string[];
  assert.ok(activation.includes('onLanguage:pip-requirements'));
  assert.ok(!activation.some((event) => /onLanguage:toml|\*\*\/\*\.toml/.test(event)));
});

test('main is the client bundle, and .vscodeignore ships it and the server bundle', () => {
  assert.equal(manifest.main, './dist/extension.js');
  const ignore = readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8').split('\n');
  assert.equal(ignore.find((line) => line.trim() && !line.startsWith('#')), '**', 'everything is excluded first');
  for (const shipped of ['!dist/extension.js', '!dist/server/server.js', '!package.json', '!syntaxes/*.json']) assert.ok(ignore.includes(shipped), shipped);
});

const CONTRACT = path.resolve(repoRoot, '../shared/CONTRACT.md');
const properties = manifest.contributes.configuration.properties as Record<string, { markdownDescription?: string; properties?: Record<string, { enum: string[]; default: string; markdownDescription: string }> }>;

/** CONTRACT.md §4's table: code → default severity. */
function contractCodes(): Map<string, string> {
  const text = readFileSync(CONTRACT, 'utf8');
  const section = text.slice(text.indexOf('## 4.'), text.indexOf('## 5.'));
  return new Map([...section.matchAll(/^\| `([a-z-]+)` \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!]));
}

test('settings: titled "PyPI Provenance", and VS Code shows no "Pypi Provenance:" prefix on a setting', () => {
  assert.equal(manifest.contributes.configuration.title, 'PyPI Provenance');
  // VS Code drops a setting's category when it is the extension's id without hyphens (settingsTreeModels trimCategoryForGroup).
  const idPart = `${manifest.publisher}.${manifest.name}`.split('.').map((part: string) => part.replace(/-/g, ''));
  for (const key of Object.keys(properties)) {
    const category = key.slice(0, key.lastIndexOf('.'));
    assert.ok(idPart.some((part: string) => new RegExp(`^${part}(\\.|$)`, 'i').test(category)), `${key}: its category ${category} loses the extension's name`);
  }
});

test('settings: workspaceTrusted is not a user setting (the client fills it from workspace trust)', () => {
  assert.ok(!('pypiProvenance.workspaceTrusted' in properties));
  for (const [key, value] of Object.entries(properties)) assert.ok(value.markdownDescription, `${key} is described`);
});

test('settings: severity has a choice per code, with the default severity and a description', (t) => {
  const severity = properties['pypiProvenance.severity']!.properties!;
  const expected = new Map<string, string>(Object.entries(DEFAULT_SEVERITY));
  if (existsSync(CONTRACT)) for (const [code, level] of contractCodes()) expected.set(code, level);
  else t.diagnostic(`${CONTRACT} is absent: only the server's codes are checked`);
  assert.ok(expected.size >= Object.keys(DEFAULT_SEVERITY).length);
  assert.deepEqual(Object.keys(severity).sort(), [...expected.keys()].sort());
  for (const [code, level] of expected) {
    const entry = severity[code]!;
    assert.deepEqual(entry.enum, ['error', 'warning', 'information', 'hint', 'off'], code);
    assert.equal(entry.default, level, `${code} defaults to ${level}`);
    assert.ok(entry.markdownDescription.length > 20, `${code} is described`);
  }
});

test('the report panel wakes the extension after a reload (onWebviewPanel: of its view type)', () => {
  const source = readFileSync(path.join(repoRoot, 'client/src/report/reportPanel.ts'), 'utf8');
  const viewType = /REPORT_VIEW_TYPE = '([^']+)'/.exec(source)?.[1];
  assert.ok(viewType);
  assert.ok((manifest.activationEvents as string[]).includes(`onWebviewPanel:${viewType}`));
});

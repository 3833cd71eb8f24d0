// package.json, .vscodeignore and the client agree: commands, file names, entry points.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Commands } from '../../client/src/constants';
import { DEPENDENCY_FILES_GLOB, DOCUMENT_SELECTOR } from '../../client/src/documentSelector';

const repoRoot = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

test('every command the client registers is contributed with a title in the PyPI Provenance category, and no other', () => {
  const contributed = manifest.contributes.commands as Array<{ command: string; title: string; category: string }>;
  assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(Commands).sort());
  for (const c of contributed) assert.equal(c.category, 'PyPI Provenance');
  assert.deepEqual(contributed.map((c) => c.title).sort(), ['Clear Cache', 'Show Output', 'Show Provenance Report', 'Verify Dependencies in Workspace']);
});

test('the workspace search finds every file name the pip-requirements language claims, and the TOML files', () => {
  const names = DEPENDENCY_FILES_GLOB.replace(/^\*\*\/\{|\}$/g, '').split(',');
  const language = manifest.contributes.languages.find((l: { id: string }) => l.id === 'pip-requirements');
  for (const pattern of language.filenamePatterns as string[]) assert.ok(names.includes(pattern.replace(/^\*\*\//, '')), `${pattern} is searched`);
  for (const name of ['pyproject.toml', 'pylock.toml', 'pylock.*.toml']) assert.ok(names.includes(name));
  assert.ok(!(language.filenamePatterns as string[]).includes('*.in'), 'MANIFEST.in and other .in files are not requirements');
});

test('the server gets requirements documents and the three TOML names, never every TOML file', () => {
  const patterns = DOCUMENT_SELECTOR.flatMap((f) => (f.pattern ? [f.pattern] : []));
  assert.deepEqual(patterns.sort(), ['**/pylock.*.toml', '**/pylock.toml', '**/pyproject.toml']);
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

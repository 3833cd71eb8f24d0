/** The `pip-requirements` language and its grammar are applied to requirements files, and only to them. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, openFile } from './helpers';

const TOKENIZE_COMMAND = '_workbench.colorizeTextMateTokens';

suite('Language and grammar', () => {
  suiteSetup(activateExtension);

  test('requirements.txt and requirements/*.in are pip-requirements', async () => {
    assert.equal((await openFile('requirements.txt')).languageId, 'pip-requirements');
    assert.equal((await openFile('requirements/dev.in')).languageId, 'pip-requirements');
  });

  test('MANIFEST.in is not a requirements file', async () => {
    assert.notEqual((await openFile('MANIFEST.in')).languageId, 'pip-requirements');
  });

  test('a TextMate grammar tokenizes pip-requirements documents', async function () {
    const document = await openFile('requirements.txt');
    // VS Code's tokenization benchmark command: it throws "Cannot resolve tokenizer" for a
    // language without a grammar, and times the grammar over the document otherwise. (Scopes and
    // colours are checked on the rendered page by scripts/screenshot.mjs, and by test/unit's grammar tests.)
    const commands = await vscode.commands.getCommands(false);
    if (!commands.includes(TOKENIZE_COMMAND)) return this.skip();
    const timing = await vscode.commands.executeCommand<{ tokenizeTime: number }>(TOKENIZE_COMMAND, document.uri);
    assert.equal(typeof timing.tokenizeTime, 'number');
    const plain = await openFile('MANIFEST.in');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand(TOKENIZE_COMMAND, plain.uri)), /tokenizer/i);
  });
});

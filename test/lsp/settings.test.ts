// Settings over stdio: workspace/configuration (pull, re-read on didChangeConfiguration) and
// initializationOptions (for clients without configuration), with the severity setting's effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { MessageType, Severity, fileUri, withClient } from '../support/lspClient';

// Line 3: unpinned (hint by default); line 4: not a requirement (syntax, error by default).
const PYPROJECT = '[project]\nname = "demo"\ndependencies = [\n  "requests>=2",\n  "bad name!",\n]\n';
let counter = 0;
const uri = () => fileUri(`/tmp/pypi-provenance-settings/${++counter}/pyproject.toml`);

function severities(diagnostics: Diagnostic[]): Record<string, number | undefined> {
  return Object.fromEntries(diagnostics.map((d) => [String(d.code), d.severity]));
}

test('defaults: syntax is an error, unpinned a hint', async () => {
  await withClient({}, async (client) => {
    const doc = uri();
    client.open(doc, PYPROJECT);
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { unpinned: Severity.Hint, syntax: Severity.Error });
  });
});

test('workspace/configuration: severity override and off, re-read on didChangeConfiguration', async () => {
  await withClient({ settings: { severity: { syntax: 'warning', unpinned: 'off' } } }, async (client) => {
    const doc = uri();
    client.open(doc, PYPROJECT);
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { syntax: Severity.Warning });
    assert.ok(client.configurationRequests >= 1);

    await client.setSettings({ severity: { unpinned: 'error' } });
    const after = await client.waitForPublish(doc);
    assert.equal(after.version, 1, 'same document version, republished for the new settings');
    assert.deepEqual(severities(after.diagnostics), { unpinned: Severity.Error, syntax: Severity.Error });

    await client.setSettings(undefined);
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { unpinned: Severity.Hint, syntax: Severity.Error });
  });
});

test('initializationOptions for a client without workspace/configuration; pushed changes', async () => {
  const initializationOptions = { settings: { pypiProvenance: { severity: { syntax: 'hint', unpinned: 'information' } } } };
  await withClient({ configuration: false, initializationOptions }, async (client) => {
    const doc = uri();
    client.open(doc, PYPROJECT);
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { unpinned: Severity.Information, syntax: Severity.Hint });
    assert.equal(client.configurationRequests, 0, 'the server does not ask a client that cannot answer');

    // Pushed values lie over initializationOptions: syntax changes, unpinned stays.
    await client.setSettings({ severity: { syntax: 'off' } });
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { unpinned: Severity.Information });
  });
});

test('workspace/configuration lies over initializationOptions, key by key', async () => {
  const initializationOptions = { settings: { pypiProvenance: { severity: { syntax: 'hint', unpinned: 'off' } } } };
  await withClient({ initializationOptions, settings: { severity: { syntax: 'warning' } } }, async (client) => {
    const doc = uri();
    client.open(doc, PYPROJECT);
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { syntax: Severity.Warning });
  });
});

test('a client that answers null for the section gets the defaults', async () => {
  await withClient({ settings: undefined }, async (client) => {
    const doc = uri();
    client.open(doc, PYPROJECT);
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { unpinned: Severity.Hint, syntax: Severity.Error });
    assert.deepEqual(client.logs.filter((l) => l.type <= MessageType.Warning), []);
  });
});

test('bad setting values are logged as warnings (without credentials) and the server carries on', async () => {
  const settings = { indexUrl: 'ftp://alice:hunter2@mirror.example/simple/', severity: { syntax: 'loud', unpinned: 'error', 'no-such-code': 'hint' }, offline: 'yes' };
  await withClient({ settings }, async (client) => {
    const doc = uri();
    client.open(doc, PYPROJECT);
    assert.deepEqual(severities(await client.waitForDiagnostics(doc)), { unpinned: Severity.Error, syntax: Severity.Error });
    const warnings = client.logs.filter((l) => l.type === MessageType.Warning).map((l) => l.message);
    for (const key of ['indexUrl', 'severity.syntax', 'no-such-code', 'offline']) assert.ok(warnings.some((w) => w.includes(key)), `warned about ${key}: ${warnings.join(' / ')}`);
    assert.ok(warnings.every((w) => !w.includes('hunter2') && !w.includes('alice')), 'no credentials in the log');
    assert.deepEqual(client.errors(), []);
  });
});

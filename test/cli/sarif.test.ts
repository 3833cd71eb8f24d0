// `--format sarif` through the built CLI, validated against the SARIF 2.1.0 JSON schema.
//
// The schema is the one Microsoft's SARIF SDK publishes in the npm package @microsoft/jest-sarif
// (lib/schemas/sarif-2.1.0-rtm.5.json, JSON Schema draft-04): the official file cannot be
// downloaded here, and that package is the only one on the npm registry found to ship it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { DEFAULT_SEVERITY } from '../../server/src/core/codes';
import { makeTree, runCli, startTestIndex, REPO_ROOT } from './cliRunner';

const SCHEMA_PATH = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

let testIndex: Awaited<ReturnType<typeof startTestIndex>>;
let validate: ReturnType<Ajv['compile']>;
before(async () => {
  testIndex = await startTestIndex();
  // unicodeRegExp off: the rtm.5 schema's `language` pattern has a stray `]` that only the `u` flag rejects.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
});
after(() => testIndex.close());

function assertValidSarif(log: unknown): asserts log is Sarif.Log {
  const valid = validate(log);
  assert.ok(valid, `not valid SARIF 2.1.0: ${JSON.stringify(validate.errors, null, 2)}`);
}

test('the schema check itself rejects what is not SARIF', () => {
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }), false);
  assert.equal(validate({ version: '2.0.0', runs: [] }), false);
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'a driver needs a name');
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] }), false, 'lines are 1-based');
  assert.equal(validate({ version: '2.1.0', runs: [] }), true);
});

test('sarif: valid SARIF 2.1.0; every code a rule with help; results at file, line and column', async () => {
  const tree = makeTree({
    'requirements.txt': 'idna>=3  # comment\nattrs==25.1.0\nbad name!\n',
    'dir with space/pyproject.toml': '[project]\nname = "app"\ndependencies = ["idna"]\n',
  });
  try {
    const { code, stdout, stderr } = await runCli(['check', ...testIndex.flags, '--format', 'sarif', '.'], { cwd: tree.root });
    assert.equal(code, 1);
    assert.equal(stderr, '');
    const log = JSON.parse(stdout) as unknown;
    assertValidSarif(log);
    assert.equal(log.version, '2.1.0');
    const [run] = log.runs;
    const driver = run.tool.driver;
    assert.equal(driver.name, 'pypi-provenance');
    assert.deepEqual(driver.rules?.map((rule) => rule.id), Object.keys(DEFAULT_SEVERITY));
    for (const rule of driver.rules ?? []) {
      assert.ok(rule.shortDescription?.text, rule.id);
      assert.ok(rule.help?.text, rule.id);
      assert.equal(rule.helpUri, `https://github.com/pypi-provenance/pypi-provenance#${rule.id}`);
      const expected = { error: 'error', warning: 'warning', information: 'note', hint: 'note' }[DEFAULT_SEVERITY[rule.id as keyof typeof DEFAULT_SEVERITY]];
      assert.equal(rule.defaultConfiguration?.level, expected, rule.id);
    }
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.equal(run.originalUriBaseIds?.['%SRCROOT%']?.uri, `file://${tree.root}/`);

    const results = (run.results ?? []).map((r) => {
      const location = r.locations?.[0]?.physicalLocation;
      const region = location?.region;
      return [r.ruleId, r.level, location?.artifactLocation?.uri, location?.artifactLocation?.uriBaseId, region?.startLine, region?.startColumn, region?.endLine, region?.endColumn];
    });
    assert.deepEqual(results, [
      ['unpinned', 'note', 'dir%20with%20space/pyproject.toml', '%SRCROOT%', 3, 18, 3, 22],
      ['unpinned', 'note', 'requirements.txt', '%SRCROOT%', 1, 1, 1, 8],
      ['no-provenance', 'note', 'requirements.txt', '%SRCROOT%', 2, 1, 2, 14],
      ['syntax', 'error', 'requirements.txt', '%SRCROOT%', 3, 5, 3, 10],
    ]);
    for (const result of run.results ?? []) {
      assert.equal(driver.rules?.[result.ruleIndex ?? -1]?.id, result.ruleId, 'ruleIndex points at the rule');
      assert.ok(result.message.text);
    }
    assert.deepEqual(run.results?.[1].properties?.dependency, { name: 'idna', version: null, status: 'unpinned' });
    assert.equal(run.invocations?.[0]?.executionSuccessful, true);
  } finally {
    tree.remove();
  }
});

test('sarif: off codes are left out, overridden levels used; a file outside the working directory gets an absolute URI', async () => {
  const tree = makeTree({ 'work/requirements.txt': 'idna\nbad name!\n', 'other/requirements.txt': 'idna\n' });
  try {
    const { code, stdout } = await runCli(['check', ...testIndex.flags, '--format', 'sarif', '--severity', 'syntax=off', '--severity', 'unpinned=warning', '.', '../other'], {
      cwd: path.join(tree.root, 'work'),
    });
    assert.equal(code, 0);
    const log = JSON.parse(stdout) as unknown;
    assertValidSarif(log);
    const results = log.runs[0].results ?? [];
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.level, r.locations?.[0]?.physicalLocation?.artifactLocation]),
      [
        ['unpinned', 'warning', { uri: 'requirements.txt', uriBaseId: '%SRCROOT%' }],
        ['unpinned', 'warning', { uri: `file://${path.join(tree.root, 'other', 'requirements.txt')}` }],
      ],
    );
  } finally {
    tree.remove();
  }
});

test('sarif: a failing stage makes the invocation unsuccessful, with a notification; still valid', async () => {
  const tree = makeTree({ 'requirements.txt': 'attrs==25.1.0  # pypi-provenance-test-fault:throw\n' });
  try {
    const { code, stdout } = await runCli(['check', ...testIndex.flags, '--format', 'sarif', 'requirements.txt'], { cwd: tree.root, env: { PYPI_PROVENANCE_TEST_FAULTS: '1' } });
    assert.equal(code, 1);
    const log = JSON.parse(stdout) as unknown;
    assertValidSarif(log);
    const invocation = log.runs[0].invocations?.[0];
    assert.equal(invocation?.executionSuccessful, false);
    assert.match(invocation?.toolExecutionNotifications?.[0]?.message.text ?? '', /'test-faults' check failed/);
  } finally {
    tree.remove();
  }
});

test('sarif of junk input is still valid SARIF', async () => {
  const junk = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256));
  const tree = makeTree({ 'requirements.txt': junk, 'pylock.toml': junk, 'pyproject.toml': junk });
  try {
    const { stdout } = await runCli(['check', ...testIndex.flags, '--format', 'sarif', '.'], { cwd: tree.root });
    const log = JSON.parse(stdout) as unknown;
    assertValidSarif(log);
    assert.ok((log.runs[0].results ?? []).length > 0);
  } finally {
    tree.remove();
  }
});

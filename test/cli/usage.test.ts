// The built CLI's help, version and every way of using it wrongly (exit 2, a message on stderr, nothing on stdout).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SEVERITY } from '../../server/src/core/codes';
import { REPO_ROOT, makeTree, runCli } from './cliRunner';

let tree: ReturnType<typeof makeTree>;
before(() => {
  tree = makeTree({
    'requirements.txt': 'attrs==25.1.0\n',
    'empty/README.md': '# nothing to check\n',
    'empty/.venv/requirements.txt': 'attrs==25.1.0\n',
    'empty/node_modules/x/requirements.txt': 'attrs==25.1.0\n',
    'empty/MANIFEST.in': 'include *.txt\n',
    'config.toml': '[tool]\n',
    'uv.lock': 'version = 1\nrevision = 3\nrequires-python = ">=3.9"\n\n[[package]]\nname = "attrs"\nversion = "25.1.0"\nsource = { registry = "https://pypi.org/simple" }\n',
    'poetry.lock': '[[package]]\nname = "attrs"\nversion = "25.1.0"\nfiles = []\n\n[metadata]\nlock-version = "2.1"\npython-versions = ">=3.9"\ncontent-hash = "0"\n',
    'pdm.lock': '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "attrs"\nversion = "25.1.0"\n',
  });
});
after(() => tree.remove());

test('--help and check --help print the usage with every flag and code, exit 0', async () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const { code, stdout, stderr } = await runCli(args);
    assert.equal(code, 0, args.join(' '));
    assert.match(stdout, /Usage:\s+pypi-provenance check/);
    assert.equal(stderr, '');
  }
  for (const args of [['check', '--help'], ['check', '-h'], ['help', 'check'], ['check', 'requirements.txt', '--help']]) {
    const { code, stdout, stderr } = await runCli(args, { cwd: tree.root });
    assert.equal(code, 0, args.join(' '));
    assert.equal(stderr, '');
    for (const flag of ['--format', '--index-url', '--trusted-root', '--cache-dir', '--offline', '--late-upload-days', '--trust-workspace', '--severity']) {
      assert.ok(stdout.includes(flag), `${args.join(' ')}: ${flag} missing from the help`);
    }
    for (const [code, severity] of Object.entries(DEFAULT_SEVERITY)) assert.match(stdout, new RegExp(`${code}\\s+${severity}`));
    assert.match(stdout, /Exit codes: 0 .*1 .*2 /);
  }
});

test('--version prints the package version', async () => {
  const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const { code, stdout } = await runCli(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout, `${version}\n`);
});

const USAGE_ERRORS: Array<[string[], RegExp]> = [
  [[], /no command given/],
  [['verify', 'requirements.txt'], /unknown command "verify"/],
  [['check'], /no files given/],
  [['check', '--bogus', 'requirements.txt'], /^pypi-provenance: unknown option --bogus; a file whose name starts with '-' goes after `--`/],
  [['check', '--fromat', 'json', 'requirements.txt'], /^pypi-provenance: unknown option --fromat \(did you mean --format\?\)$/m],
  [['check', '-x', 'requirements.txt'], /^pypi-provenance: unknown option -x;/],
  [['check', '--index-ur=https://alice:s3cr3t@example.org/simple/', 'requirements.txt'], /^pypi-provenance: unknown option --index-ur \(did you mean --index-url\?\)$/m],
  [['--format', 'json', 'check', 'requirements.txt'], /^pypi-provenance: options come after the command, as in `pypi-provenance check \[options\] FILE…`; got --format first$/m],
  [['check', '--color', 'sometimes', 'requirements.txt'], /--color must be one of auto, always, never; got "sometimes"/],
  [['check', '--color'], /^pypi-provenance: --color needs a value \(auto, always or never\)$/m],
  [['check', '-f'], /^pypi-provenance: -f \(--format\) needs a value \(text, json or sarif\)$/m],
  [['check', '--format', '--offline', 'requirements.txt'], /^pypi-provenance: --format needs a value \(text, json or sarif\); the next argument starts with '-'/],
  [['check', '--format', 'xml', 'requirements.txt'], /--format must be one of text, json, sarif; got "xml"/],
  [['check', '--format'], /^pypi-provenance: --format needs a value \(text, json or sarif\)$/m],
  [['check', '--offline=yes', 'requirements.txt'], /^pypi-provenance: --offline takes no value; write just --offline$/m],
  [['check', '--severity', 'no-such-code=error', 'requirements.txt'], /unknown diagnostic code "no-such-code"/],
  [['check', '--severity', 'syntax=loud', 'requirements.txt'], /the level must be error, warning, information, hint or off; got "loud"/],
  [['check', '--severity', 'syntax', 'requirements.txt'], /expects CODE=LEVEL/],
  [['check', '--late-upload-days', '-1', 'requirements.txt'], /--late-upload-days needs a value \(a number of days\); the next argument starts with '-' \(for a value that does, write --late-upload-days=-…\)/],
  [['check', '--late-upload-days=-1', 'requirements.txt'], /whole number of days/],
  [['check', '--late-upload-days', 'soon', 'requirements.txt'], /whole number of days/],
  [['check', '--late-upload-days', '1.5', 'requirements.txt'], /whole number of days/],
  [['check', '--index-url', 'ftp://example.org/simple/', 'requirements.txt'], /--index-url must be an http\(s\) URL/],
  [['check', '--index-url', 'not a url', 'requirements.txt'], /--index-url must be an http\(s\) URL/],
  [['check', '--index-url=', 'requirements.txt'], /--index-url needs a URL/],
  [['check', '--cache-dir=', 'requirements.txt'], /--cache-dir needs a path/],
  [['check', 'requirements.txt', ''], /an empty file name was given/],
];

for (const [args, message] of USAGE_ERRORS) {
  test(`usage error: ${JSON.stringify(args)} → exit 2`, async () => {
    const { code, stdout, stderr } = await runCli(args, { cwd: tree.root });
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, message);
    assert.match(stderr, /^pypi-provenance: /);
    // Our words, then the way to the help; never Node's parseArgs wording, never a value given with an unknown option.
    assert.match(stderr, /\nRun `pypi-provenance check --help` for usage\.\n$/);
    assert.doesNotMatch(stderr, /To specify a positional argument|ERR_PARSE_ARGS|argument is ambiguous|argument missing|does not take an argument|Unknown option '/);
    assert.ok(!stderr.includes('s3cr3t'), stderr);
  });
}

test('a bad --index-url never shows its credentials', async () => {
  for (const url of ['https://alice:s3cr3t-token@example.org/simple/?x=1', 'ftp://alice:s3cr3t-token@example.org/simple/']) {
    const { code, stdout, stderr } = await runCli(['check', '--index-url', url, 'requirements.txt'], { cwd: tree.root });
    assert.equal(code, 2);
    assert.ok(!`${stdout}${stderr}`.includes('s3cr3t-token'), stderr);
  }
});

test('unreadable input: a missing file, a directory without dependency files, a TOML file of no known kind → exit 2', async () => {
  const missing = await runCli(['check', 'requirements.txt', 'nope/requirements.txt'], { cwd: tree.root });
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, '', 'nothing is checked when an input cannot be read');
  assert.match(missing.stderr, /nope\/requirements\.txt: no such file or directory/);

  // .venv, node_modules and MANIFEST.in are not dependency files of this project.
  const empty = await runCli(['check', 'empty'], { cwd: tree.root });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty: no dependency files found in this directory/);

  const toml = await runCli(['check', 'config.toml'], { cwd: tree.root });
  assert.equal(toml.code, 2);
  assert.match(toml.stderr, /config\.toml: not a dependency file/);
});

test('a PDM lock named on the command line is refused with what to do instead, never read as requirements → exit 2; uv.lock and poetry.lock are read as locks', async () => {
  for (const name of ['uv.lock', 'poetry.lock']) {
    const result = await runCli(['check', '--offline', '--format', 'json', name], { cwd: tree.root });
    assert.notEqual(result.code, 2, `${name}: ${result.stderr}`);
    assert.doesNotMatch(result.stdout, /"syntax"/, `${name}: read as a lock, not as requirements`);
    assert.match(result.stdout, /"name": ?"attrs"/);
  }
  for (const [name, tool] of [['pdm.lock', 'PDM']]) {
    const result = await runCli(['check', name], { cwd: tree.root });
    assert.equal(result.code, 2, name);
    assert.equal(result.stdout, '', `${name}: nothing is checked`);
    assert.match(result.stderr, new RegExp(`${name.replace('.', '\\.')}: ${name.replace('.', '\\.')} is a ${tool} lock file; this tool does not read ${tool} lock files yet: check the pyproject\\.toml beside it`));
    assert.doesNotMatch(result.stderr, /syntax/);
  }
});

test('a dangling symbolic link named on the command line is unreadable input → exit 2', async () => {
  const link = path.join(tree.root, 'dangling-requirements.txt');
  symlinkSync(path.join(tree.root, 'gone.txt'), link);
  const result = await runCli(['check', 'dangling-requirements.txt'], { cwd: tree.root });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /dangling-requirements\.txt: no such file or directory/);
});

test('--trusted-root that is not JSON, or not a Sigstore trusted root → exit 2, saying which', async () => {
  writeFileSync(path.join(tree.root, 'bad-root.json'), '{bad');
  writeFileSync(path.join(tree.root, 'other.json'), '{"mediaType": "application/json"}');
  const notJson = await runCli(['check', '--trusted-root', 'bad-root.json', 'requirements.txt'], { cwd: tree.root });
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /--trusted-root .*bad-root\.json: is not JSON/);
  const notRoot = await runCli(['check', '--trusted-root', 'other.json', 'requirements.txt'], { cwd: tree.root });
  assert.equal(notRoot.code, 2);
  assert.match(notRoot.stderr, /--trusted-root .*other\.json: is not a usable Sigstore trusted root: .*media type/);
});

test('--trusted-root that cannot be read → exit 2', async () => {
  const result = await runCli(['check', '--trusted-root', 'no-root.json', 'requirements.txt'], { cwd: tree.root });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--trusted-root .*no-root\.json: cannot be read/);
});

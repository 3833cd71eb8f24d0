// `pypi-provenance check` end to end through the built CLI: text and json output, exit codes,
// severity overrides, directory discovery, bytes that are not UTF-8, failing stages, secrets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STAGE_REJECT_MARKER, STAGE_THROW_MARKER, TEST_FAULTS_ENV } from '../../server/src/pipeline/testFaults';
import { CLI, makeTree, runCli, startTestIndex, type JsonReport } from './cliRunner';

let testIndex: Awaited<ReturnType<typeof startTestIndex>>;
let flags: string[];
before(async () => {
  testIndex = await startTestIndex();
  flags = testIndex.flags;
});
after(() => testIndex.close());

const ESC = '\u001b';

const REQUIREMENTS = [
  'Flask_Login>=0.6  # comment', // 0: unpinned (name normalized in the report)
  'attrs==25.1.0', // 1: pinned; the test index serves it without attestations: no-provenance (information)
  'bad name!', // 2: syntax (error)
].join('\n') + '\n';

test('text: a table per file, findings as path:line:col, the summary line; no colour or progress off a terminal', async () => {
  const tree = makeTree({ 'requirements.txt': REQUIREMENTS, 'app/pyproject.toml': '[project]\nname = "app"\ndependencies = ["idna==3.10"]\n' });
  try {
    const { code, stdout, stderr } = await runCli(['check', ...flags, 'requirements.txt', 'app'], { cwd: tree.root });
    assert.equal(code, 1, 'the syntax error is at error severity');
    assert.equal(stderr, '', 'no progress line when stderr is not a terminal');
    assert.ok(!stdout.includes(ESC), 'no escape sequences when stdout is not a terminal');
    const lines = stdout.split('\n');
    assert.equal(lines[0], 'requirements.txt (2 dependencies)');
    assert.match(lines[1], /^ {2}DEPENDENCY\s+VERSION\s+STATUS\s+PUBLISHER\s+FINDINGS$/);
    assert.match(lines[2], /^ {2}flask-login\s+—\s+unpinned\s+—\s+unpinned$/);
    assert.match(lines[3], /^ {2}attrs\s+25\.1\.0\s+\S+\s+/);
    assert.ok(stdout.includes('  requirements.txt:1:1  hint         unpinned       Flask_Login is not pinned'), stdout);
    assert.ok(stdout.includes('  requirements.txt:2:1  information  no-provenance  No provenance: no file of attrs 25.1.0 has attestations'), stdout);
    assert.match(stdout, /^ {2}requirements\.txt:3:5 {2}error {8}syntax {9}\S/m);
    assert.ok(stdout.includes(`${path.join('app', 'pyproject.toml')} (1 dependency)`));
    assert.match(stdout, /^ {2}idna\s+3\.10\s/m);
    const summary = lines.filter((l) => l !== '').at(-1);
    assert.match(summary ?? '', /^3 dependencies: 2 unattested · 1 unpinned; 1 error, 0 warnings, 2 information, 1 hint$/);
    // The columns line up: each header starts where its values start.
    const statusColumn = lines[1].indexOf('STATUS');
    assert.equal(lines[2].indexOf('unpinned'), statusColumn);
  } finally {
    tree.remove();
  }
});

test('exit codes: 0 with nothing at error severity, 1 with an error, and --severity moves a code across', async () => {
  const tree = makeTree({
    'clean/requirements.txt': 'attrs==25.1.0\nidna==3.10\n',
    'unpinned/requirements.txt': 'attrs==25.1.0\nidna\n',
    'broken/requirements.txt': 'attrs==25.1.0\nbad name!\n',
  });
  const check = async (dir: string, ...extra: string[]) => (await runCli(['check', ...flags, ...extra, dir], { cwd: tree.root })).code;
  try {
    assert.equal(await check('clean'), 0);
    assert.equal(await check('unpinned'), 0, 'unpinned is a hint by default');
    assert.equal(await check('unpinned', '--severity', 'unpinned=error'), 1);
    assert.equal(await check('unpinned', '--severity=unpinned=ERROR'), 1, 'levels are case-insensitive, as in the settings');
    assert.equal(await check('broken'), 1);
    assert.equal(await check('broken', '--severity', 'syntax=warning'), 0);
    assert.equal(await check('broken', '--severity', 'syntax=off'), 0);
    assert.equal(await check('broken', '--severity', 'syntax=off', '--severity', 'syntax=error'), 1, 'the last --severity for a code wins');
    assert.equal(await check('.'), 1, 'all three together');
  } finally {
    tree.remove();
  }
});

test('a code set to off is not shown or counted in text, but the report still lists it', async () => {
  const tree = makeTree({ 'requirements.txt': REQUIREMENTS });
  try {
    const text = await runCli(['check', ...flags, '--severity', 'syntax=off', 'requirements.txt'], { cwd: tree.root });
    assert.equal(text.code, 0);
    assert.ok(!text.stdout.includes('syntax'), text.stdout);
    assert.match(text.stdout, /; 0 errors, 0 warnings, 1 information, 1 hint\n$/);

    const json = await runCli(['check', ...flags, '--format', 'json', '--severity', 'syntax=off', '--severity', 'unpinned=warning', 'requirements.txt'], { cwd: tree.root });
    assert.equal(json.code, 0);
    const report = JSON.parse(json.stdout) as JsonReport;
    const findings = report.documents[0].findings.map((f) => [f.code, f.severity]);
    assert.deepEqual(findings, [
      ['syntax', 'off'],
      ['unpinned', 'warning'],
      ['no-provenance', 'information'],
    ]);
  } finally {
    tree.remove();
  }
});

test('json: { documents: [report…] } as CONTRACT §5, uri the absolute path', async () => {
  const tree = makeTree({
    'requirements.txt': REQUIREMENTS,
    'pyproject.toml': '[project]\nname = "app"\ndependencies = ["idna==3.10", "sampleproject >= 4"]\n',
  });
  try {
    const { code, stdout, stderr } = await runCli(['check', ...flags, '--format', 'json', 'requirements.txt', 'pyproject.toml'], { cwd: tree.root });
    assert.equal(code, 1);
    assert.equal(stderr, '');
    const report = JSON.parse(stdout) as JsonReport;
    assert.deepEqual(Object.keys(report), ['documents', 'summary'], 'the summary is added beside the documents (CONTRACT §5: add, never rename)');
    assert.deepEqual(
      report.documents.map((d) => d.uri),
      [path.join(tree.root, 'requirements.txt'), path.join(tree.root, 'pyproject.toml')],
    );
    const [requirements, pyproject] = report.documents;
    for (const document of report.documents) {
      for (const dependency of document.dependencies) {
        // `remembered` is additive (the trust memories' facts, issue 11).
        assert.deepEqual(Object.keys(dependency).filter((key) => key !== 'remembered').sort(), ['diagnostics', 'files', 'name', 'publisher', 'range', 'status', 'version']);
        assert.ok(['verified', 'unattested', 'partial', 'invalid', 'unpinned', 'not-found', 'error', 'pending'].includes(dependency.status));
      }
    }
    const [flaskLogin, attrs] = requirements.dependencies;
    assert.deepEqual(flaskLogin, {
      name: 'flask-login',
      version: null,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 16 } },
      status: 'unpinned',
      publisher: null,
      files: [],
      diagnostics: ['unpinned'],
    });
    assert.equal(attrs.name, 'attrs');
    assert.equal(attrs.version, '25.1.0');
    assert.deepEqual(attrs.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 13 } });
    assert.notEqual(attrs.status, 'unpinned');
    assert.ok(!attrs.diagnostics.includes('unpinned'));
    // The syntax error belongs to no dependency: it is in the document's findings.
    const syntax = requirements.findings.find((f) => f.code === 'syntax');
    assert.deepEqual(syntax?.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } });
    assert.equal(syntax?.severity, 'error');
    assert.equal(syntax?.dependency, undefined);
    assert.equal(requirements.findings.find((f) => f.code === 'unpinned')?.dependency, 0);

    // pyproject: the range is the text inside the string's quotes.
    const [idna, sample] = pyproject.dependencies;
    assert.deepEqual(idna.range, { start: { line: 2, character: 17 }, end: { line: 2, character: 27 } });
    assert.equal(sample.name, 'sampleproject');
    assert.equal(sample.status, 'unpinned');
  } finally {
    tree.remove();
  }
});

test('directories: every dependency file found, sorted; .git, node_modules, virtualenvs, caches and MANIFEST.in skipped', async () => {
  const pin = 'attrs==25.1.0\n';
  const tree = makeTree({
    'requirements.txt': pin,
    'requirements/dev.txt': pin,
    'requirements/dev.in': 'attrs\n',
    'constraints.txt': pin,
    'requirements-test.in': 'attrs\n',
    'pyproject.toml': '[project]\nname = "app"\ndependencies = []\n',
    'pylock.toml': 'lock-version = "1.0"\ncreated-by = "test"\npackages = []\n',
    'pylock.dev.toml': 'lock-version = "1.0"\ncreated-by = "test"\npackages = []\n',
    'services/api/requirements.txt': pin,
    'MANIFEST.in': 'include *.txt\n',
    'Makefile.in': 'all:\n',
    'notes.txt': 'not a dependency file\n',
    '.git/requirements.txt': 'bad name!\n',
    'node_modules/pkg/requirements.txt': 'bad name!\n',
    '.venv/requirements.txt': 'bad name!\n',
    'venv/lib/requirements.txt': 'bad name!\n',
    'custom-env/pyvenv.cfg': 'home = /usr/bin\n',
    'custom-env/lib/requirements.txt': 'bad name!\n',
    '__pycache__/requirements.txt': 'bad name!\n',
    '.tox/py3/requirements.txt': 'bad name!\n',
  });
  // A link back up the tree must not make the walk go round.
  symlinkSync(tree.root, path.join(tree.root, 'services', 'loop'));
  try {
    const { code, stdout, stderr } = await runCli(['check', ...flags, '--format', 'json', '.', 'requirements.txt'], { cwd: tree.root });
    assert.equal(stderr, '');
    assert.equal(code, 0, 'the broken files in skipped directories were not read');
    const uris = (JSON.parse(stdout) as JsonReport).documents.map((d) => path.relative(tree.root, d.uri));
    assert.deepEqual(uris, [
      'constraints.txt',
      'pylock.dev.toml',
      'pylock.toml',
      'pyproject.toml',
      path.join('requirements', 'dev.in'),
      path.join('requirements', 'dev.txt'),
      'requirements-test.in',
      'requirements.txt',
      path.join('services', 'api', 'requirements.txt'),
    ]);
  } finally {
    tree.remove();
  }
});

test('a file named on the command line is read whatever its name (as pip -r reads it)', async () => {
  const tree = makeTree({ 'deps/base.txt': 'attrs==25.1.0\nbad name!\n' });
  try {
    const { code, stdout } = await runCli(['check', ...flags, '--format', 'json', 'deps/base.txt'], { cwd: tree.root });
    assert.equal(code, 1);
    const [document] = (JSON.parse(stdout) as JsonReport).documents;
    assert.deepEqual(document.dependencies.map((d) => d.name), ['attrs']);
    assert.ok(document.findings.some((f) => f.code === 'syntax'));
  } finally {
    tree.remove();
  }
});

test('bytes that are not UTF-8: a syntax finding at the first bad byte, the rest still checked', async () => {
  const bytes = Buffer.concat([Buffer.from('attrs==25.1.0\nidna==3.10  # caf'), Buffer.from([0xe9, 0x20, 0xff]), Buffer.from('\nflask\n')]);
  const tree = makeTree({ 'requirements.txt': bytes, 'bom/requirements.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('attrs==25.1.0\n')]) });
  try {
    const { code, stdout, stderr } = await runCli(['check', ...flags, '--format', 'json', 'requirements.txt'], { cwd: tree.root });
    assert.equal(code, 1, 'a syntax error is at error severity');
    assert.equal(stderr, '');
    const [document] = (JSON.parse(stdout) as JsonReport).documents;
    assert.deepEqual(document.dependencies.map((d) => [d.name, d.version]), [
      ['attrs', '25.1.0'],
      ['idna', '3.10'],
      ['flask', null],
    ]);
    const syntax = document.findings.filter((f) => f.code === 'syntax');
    assert.equal(syntax.length, 1);
    assert.deepEqual(syntax[0].range, { start: { line: 1, character: 17 }, end: { line: 1, character: 18 } });
    assert.match(syntax[0].message, /not valid UTF-8: the byte 0xE9 at byte offset 31 .*\(2 places in all\)/);

    const text = await runCli(['check', ...flags, 'requirements.txt'], { cwd: tree.root });
    assert.match(text.stdout, /requirements\.txt:2:18 {2}error {8}syntax/);

    // A UTF-8 byte-order mark is no error, and positions count from after it.
    const bom = await runCli(['check', ...flags, '--format', 'json', 'bom/requirements.txt'], { cwd: tree.root });
    assert.equal(bom.code, 0);
    const [bomDocument] = (JSON.parse(bom.stdout) as JsonReport).documents;
    assert.deepEqual(bomDocument.findings.map((f) => f.code), ['no-provenance'], 'no syntax finding: only what the index says');
    assert.deepEqual(bomDocument.dependencies[0].range.start, { line: 0, character: 0 });
  } finally {
    tree.remove();
  }
});

test('binary junk is checked without a crash', async () => {
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
  const tree = makeTree({ 'requirements.txt': junk, 'pyproject.toml': junk, 'pylock.toml': junk });
  try {
    for (const format of ['text', 'json', 'sarif']) {
      const { code, stdout, stderr } = await runCli(['check', ...flags, '--format', format, '.'], { cwd: tree.root });
      assert.equal(code, 1, format);
      assert.ok(!stderr.includes('internal error'), stderr);
      assert.ok(stdout.length > 0);
      if (format === 'text') assert.ok(!stdout.includes(ESC), 'control bytes from the file are shown escaped');
    }
  } finally {
    tree.remove();
  }
});

test('a stage that throws or rejects: its file still reported, a message on stderr, exit 1 (the check did not run)', async () => {
  const tree = makeTree({
    'a/requirements.txt': `attrs==25.1.0  # ${STAGE_THROW_MARKER}\nidna\n`,
    'b/requirements.txt': `attrs==25.1.0  # ${STAGE_REJECT_MARKER}\n`,
  });
  try {
    const env = { [TEST_FAULTS_ENV]: '1' };
    const { code, stdout, stderr } = await runCli(['check', ...flags, '--format', 'json', '.'], { cwd: tree.root, env });
    assert.equal(code, 1);
    assert.match(stderr, /internal error: the 'test-faults' check failed on a\/requirements\.txt: Error: test fault: stage threw/);
    assert.match(stderr, /internal error: the 'test-faults' check failed on b\/requirements\.txt: Error: test fault: stage rejected/);
    const report = JSON.parse(stdout) as JsonReport;
    assert.deepEqual(report.documents[0].findings.map((f) => f.code), ['unpinned', 'no-provenance'], "the other stages' findings stand");

    const text = await runCli(['check', ...flags, '.'], { cwd: tree.root, env });
    assert.match(text.stdout, /the 'test-faults' check failed on this file/);

    // The same files without the fault stage pass.
    assert.equal((await runCli(['check', ...flags, '.'], { cwd: tree.root })).code, 0);
  } finally {
    tree.remove();
  }
});

test('credentials in --index-url are never printed', async () => {
  const tree = makeTree({ 'requirements.txt': REQUIREMENTS });
  try {
    const url = testIndex.index.url.replace('http://', 'http://alice:s3cr3t-token@');
    for (const format of ['text', 'json', 'sarif']) {
      const { stdout, stderr } = await runCli(['check', '--index-url', url, '--cache-dir', path.join(tree.root, 'cache'), '--format', format, 'requirements.txt'], { cwd: tree.root });
      assert.ok(!stdout.includes('s3cr3t-token') && !stderr.includes('s3cr3t-token'), `${format}: ${stdout}${stderr}`);
      if (format === 'text') assert.ok(stdout.includes(`index: ${testIndex.index.url.replace("://", "://***@")}`), stdout);
    }
  } finally {
    tree.remove();
  }
});

test('paths are relative to the working directory; a file outside it is shown absolute', async () => {
  const tree = makeTree({ 'work/requirements.txt': 'idna\n', 'elsewhere/requirements.txt': 'idna\n' });
  try {
    const { stdout } = await runCli(['check', ...flags, '.', '../elsewhere'], { cwd: path.join(tree.root, 'work') });
    assert.match(stdout, /^requirements\.txt \(1 dependency\)$/m);
    assert.ok(stdout.includes(`${path.join(tree.root, 'elsewhere', 'requirements.txt')} (1 dependency)`), stdout);
  } finally {
    tree.remove();
  }
});

test('on a terminal: colours and a progress line; NO_COLOR turns the colours off', async (t) => {
  const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
  if (!script) return t.skip('script(1) is not installed: no pseudo-terminal to run under');
  const tree = makeTree({ 'requirements.txt': REQUIREMENTS });
  mkdirSync(path.join(tree.root, 'bin'));
  const command = [process.execPath, CLI, 'check', ...flags, 'requirements.txt'].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  writeFileSync(path.join(tree.root, 'bin', 'run.sh'), `${command}\n`);
  const underTerminal = (env: Record<string, string | undefined>) =>
    new Promise<string>((resolve, reject) => {
      const fullEnv = { ...process.env, ...env } as Record<string, string | undefined>;
      for (const key of Object.keys(fullEnv)) if (fullEnv[key] === undefined) delete fullEnv[key];
      execFile(script, ['-qec', `sh ${path.join(tree.root, 'bin', 'run.sh')}`, '/dev/null'], { cwd: tree.root, env: fullEnv as NodeJS.ProcessEnv }, (error, stdout) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve(stdout);
      });
    });
  try {
    const coloured = await underTerminal({ NO_COLOR: undefined, TERM: 'xterm' });
    assert.ok(coloured.includes(`${ESC}[31merror${ESC}[39m`), JSON.stringify(coloured));
    assert.ok(coloured.includes(`${ESC}[1mrequirements.txt${ESC}[22m`));
    assert.ok(coloured.includes('\r\u001b[2KChecking '), 'the progress line is drawn on the terminal');
    const plain = await underTerminal({ NO_COLOR: '1', TERM: 'xterm' });
    assert.ok(!/\u001b\[(?:3\d|1|2|22|39)m/.test(plain), JSON.stringify(plain));
    assert.match(plain, /requirements\.txt:3:5 {2}error {8}syntax/);
  } finally {
    tree.remove();
  }
});

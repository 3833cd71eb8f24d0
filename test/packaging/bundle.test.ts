// The esbuild bundles run on their own, without node_modules: what the .vsix ships. The bundles
// are built into a temporary folder with the package's layout (dist/ beside package.json).
import { spawn, spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';

const repoRoot = path.resolve(__dirname, '../..');
let temp = '';
let dist = '';

before(() => {
  // Outside the repository, so that no node_modules is found by walking up.
  temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-bundle-'));
  dist = path.join(temp, 'dist');
  const built = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/bundle.mjs'), '--production', '--outdir', dist], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  copyFileSync(path.join(repoRoot, 'package.json'), path.join(temp, 'package.json'));
});

after(() => rmSync(temp, { recursive: true, force: true }));

test('the client bundle requires nothing but vscode and Node built-ins', () => {
  const source = readFileSync(path.join(dist, 'extension.js'), 'utf8');
  const required = new Set([...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
  assert.ok(required.has('vscode'));
  const builtins = new Set(builtinModules);
  const others = [...required].filter((name) => name !== 'vscode' && !builtins.has(name.replace(/^node:/, '')));
  assert.deepEqual(others, []);
});

test('the server and the CLI load @sigstore/tuf and undici on first need, from the bundles beside them', async () => {
  const builtins = new Set(builtinModules);
  for (const bundle of ['server.js', 'cli.js']) {
    const source = readFileSync(path.join(dist, 'server', bundle), 'utf8');
    const loaded = new Set([...source.matchAll(/\b(?:require|import)\("([^"]+)"\)/g)].map((m) => m[1]!).filter((name) => !builtins.has(name.replace(/^node:/, ''))));
    assert.deepEqual([...loaded].sort(), ['./sigstoreTuf.js', './undici.js'], `${bundle} loads nothing else outside Node`);
    assert.doesNotMatch(source, /make-fetch-happen|tuf-js|undici\/lib/, `${bundle} does not carry them itself`);
  }
  // What the two call: `import('@sigstore/tuf')` (trustedRoot.ts) and `require('undici')` (httpClient.ts).
  const tuf = (await import(pathToFileURL(path.join(dist, 'server', 'sigstoreTuf.js')).href)) as { initTUF?: unknown };
  assert.equal(typeof tuf.initTUF, 'function');
  const undici = require(path.join(dist, 'server', 'undici.js')) as Record<string, unknown>;
  for (const name of ['Agent', 'Client', 'Pool', 'buildConnector']) assert.equal(typeof undici[name], 'function', name);
  const ignore = readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8').split('\n');
  for (const shipped of ['dist/server/sigstoreTuf.js', 'dist/server/undici.js', 'dist/server/tufWorker.js']) assert.ok(ignore.includes(`!${shipped}`), `.vscodeignore ships ${shipped}`);
});

test('the shipped bundles are ASCII only, so that V8 keeps their source as one-byte strings (a single “ doubles it)', () => {
  for (const bundle of ['extension.js', ...['server.js', 'cli.js', 'sigstoreTuf.js', 'undici.js', 'verificationWorker.js', 'tufWorker.js', 'parseWorker.js', 'pageWorker.js'].map((name) => path.join('server', name))]) {
    const bytes = readFileSync(path.join(dist, bundle));
    const at = bytes.findIndex((byte) => byte > 0x7f);
    assert.equal(at, -1, `${bundle} has a non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 10).toString('utf8')}`);
  }
});

test('the bundled server answers initialize with the package version and publishes diagnostics', async () => {
  const child = spawn(process.execPath, [path.join(dist, 'server', 'server.js'), '--stdio'], { cwd: temp, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification('textDocument/publishDiagnostics', resolve));
  connection.listen();
  try {
    const initialized = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    assert.deepEqual((initialized as { serverInfo?: unknown }).serverInfo, { name: 'pypi-provenance', version });
    await connection.sendNotification('initialized', {});
    const uri = pathToFileURL(path.join(temp, 'requirements.txt')).toString();
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pip-requirements', version: 1, text: 'requests\n==broken\n' } });
    const diagnostics = await published;
    assert.equal(diagnostics.uri, uri);
    assert.deepEqual(diagnostics.diagnostics.map((d) => d.code).sort(), ['syntax', 'unpinned']);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
  } finally {
    connection.dispose();
    child.kill();
  }
});

test('the bundled CLI runs', { skip: !existsSync(path.join(repoRoot, 'server/src/cli.ts')) && 'server/src/cli.ts does not exist yet' }, () => {
  const run = spawnSync(process.execPath, [path.join(dist, 'server', 'cli.js'), '--help'], { cwd: temp, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /check/);
});

test('the .vsix: the user README (not the developer one), CHANGELOG, a 128x128 icon and every image the README shows', async () => {
  const out = path.join(temp, 'package.vsix');
  const packaged = spawnSync('npm', ['run', '--silent', 'package', '--', '--out', out], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
  assert.equal(packaged.status, 0, `${packaged.stdout}\n${packaged.stderr}`);
  const { readZip } = require('@vscode/vsce/out/zip') as { readZip(file: string, filter: (name: string) => boolean): Promise<Map<string, Buffer>> };
  const files = await readZip(out, () => true);
  const readme = files.get('extension/readme.md')?.toString('utf8') ?? '';
  assert.equal(readme, readFileSync(path.join(repoRoot, 'README.vsix.md'), 'utf8'));
  assert.doesNotMatch(readme, /npm ci|npm test|server\/src/, 'not the developer README');
  assert.ok([...files.keys()].filter((name) => /^extension\/readme\.md$/i.test(name)).length === 1, 'one readme');
  assert.ok(files.get('extension/changelog.md')?.toString('utf8').startsWith('# Changelog'));
  const manifest = JSON.parse(files.get('extension/package.json')!.toString('utf8')) as { icon: string; contributes: { configuration: { properties: Record<string, { properties?: Record<string, unknown> }> } } };
  const icon = files.get(`extension/${manifest.icon}`);
  assert.ok(icon, `the icon ${manifest.icon} is packaged`);
  assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'a 128x128 PNG');
  for (const [, image] of readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(files.has(`extension/${image!.toLowerCase()}`), `${image} is packaged (relative links are kept: VS Code shows them from the extension folder)`);
  for (const code of Object.keys(manifest.contributes.configuration.properties['pypiProvenance.severity']!.properties!)) assert.ok(readme.includes(`| \`${code}\` |`), `the README explains ${code}`);
});

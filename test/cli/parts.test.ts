// The CLI's pure parts in process: flags → settings, UTF-8 decoding, rendering helpers, paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { parseCommandLine, UsageError } from '../../server/src/cli/args';
import type { CheckRun } from '../../server/src/cli/check';
import { decodeUtf8, invalidUtf8Finding } from '../../server/src/cli/decode';
import { isDiscoverable } from '../../server/src/cli/discover';
import { kindOfNamedFile } from '../../server/src/parsers/fileKind';
import { artifactLocationOf } from '../../server/src/cli/output/sarif';
import { describePublisher, renderText, safe } from '../../server/src/cli/output/text';
import { progressLine, progressText } from '../../server/src/cli/progress';
import type { DependencyPhase, ReportSubject } from '../../server/src/pipeline/engine';
import { exitCodeOf, summaryLine, tally, uncheckedLine } from '../../server/src/cli/summary';
import { STATUS_LABEL } from '../../server/src/cli/statusWords';
import { WILL_RETRY, withoutRetryNote } from '../../server/src/core/format';
import { DEFAULT_SEVERITY } from '../../server/src/core/codes';
import { buildDocumentReport } from '../../server/src/pipeline/report';
import { CODE_DOCS, DOCS_URL } from '../../server/src/pipeline/codeDocs';
import { toDiagnostic } from '../../server/src/lsp/diagnostics';
import { localFindings } from '../../server/src/checks/local';
import { parseDocument } from '../../server/src/parsers/index';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/pipeline/contract/settings';

const CWD = '/work/project';

test('flags map onto the same settings object the server uses', () => {
  const command = parseCommandLine(
    [
      'check',
      '--format=sarif',
      '--index-url', 'https://user:pw@mirror.example/simple',
      '--trusted-root', 'roots/trusted_root.json',
      '--cache-dir', '/var/cache/pp',
      '--offline',
      '--late-upload-days', '30',
      '--trust-workspace',
      '--severity', 'no-provenance=error',
      '--severity', 'unpinned=info',
      '--severity', 'yanked=WARN',
      'requirements.txt',
      'sub',
    ],
    CWD,
  );
  assert.equal(command.kind, 'check');
  if (command.kind !== 'check') return;
  assert.equal(command.format, 'sarif');
  assert.deepEqual(command.inputs, ['requirements.txt', 'sub']);
  const expected: Settings = {
    indexUrl: 'https://user:pw@mirror.example/simple/',
    trustedRoot: path.join(CWD, 'roots', 'trusted_root.json'),
    cacheDirectory: '/var/cache/pp',
    offline: true,
    lateUploadDays: 30,
    minReleaseAgeDays: 7,
    workspaceTrusted: true,
    severity: { 'no-provenance': 'error', 'unpinned': 'information', 'yanked': 'warning' },
  };
  assert.deepEqual(command.settings, expected);
});

test('no flags: the defaults of the settings; -- ends the options', () => {
  const command = parseCommandLine(['check', '--', '--odd-name.txt'], CWD);
  assert.equal(command.kind, 'check');
  if (command.kind !== 'check') return;
  assert.deepEqual(command.settings, DEFAULT_SETTINGS);
  assert.equal(command.format, 'text');
  assert.deepEqual(command.inputs, ['--odd-name.txt']);
});

test('property: any argument list either parses or is a UsageError, never another throw', () => {
  const token = fc.oneof(
    fc.constantFrom('check', '--format', 'json', '--severity', 'syntax=off', '--index-url', 'http://x/', '--offline', '--late-upload-days', '7', '-h', '--', 'f.txt', '='),
    fc.string({ maxLength: 12 }),
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 8 }), (args) => {
      try {
        parseCommandLine(args, CWD);
      } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

/** The offset of the first bad byte by the standard decoder alone: the longest prefix that is valid UTF-8. */
function referenceFirstInvalid(bytes: Uint8Array): number | undefined {
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const valid = (end: number) => {
    try {
      fatal.decode(bytes.subarray(0, end));
      return true;
    } catch {
      return false;
    }
  };
  if (valid(bytes.length)) return undefined;
  let longest = 0;
  for (let end = 0; end <= bytes.length; end++) if (valid(end)) longest = end;
  return longest;
}

/** How many U+FFFD the decoder made out of bad bytes (the file's own EF BF BD excluded). */
function referenceBadCount(bytes: Uint8Array): number {
  const replacements = [...new TextDecoder('utf-8').decode(bytes)].filter((c) => c === '\uFFFD').length;
  return replacements - (Buffer.from(bytes).toString('latin1').split('\u00ef\u00bf\u00bd').length - 1);
}

test('property: decodeUtf8 is the standard decoder, and finds the first bad byte where the decoder does', () => {
  // Whole characters, fragments of them, a literal U+FFFD, surrogates and overlongs, and plain bytes.
  const chunk = fc.oneof(
    fc.constantFrom([0xef, 0xbf, 0xbd], [0xe2, 0x82, 0xac], [0xe2, 0x82], [0xf0, 0x9f, 0x98, 0x80], [0xf0, 0x9f], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xc3, 0xa9], [0x0a]),
    fc.integer({ min: 0, max: 0xff }).map((b) => [b]),
    fc.integer({ min: 0x20, max: 0x7e }).map((b) => [b]),
  );
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 24 }).map((chunks) => Uint8Array.from(chunks.flat())), (bytes) => {
      const decoded = decodeUtf8(bytes);
      assert.equal(decoded.text, new TextDecoder('utf-8').decode(bytes));
      const expected = referenceFirstInvalid(bytes);
      assert.equal(decoded.invalid?.byteOffset, expected);
      const finding = invalidUtf8Finding(decoded);
      assert.equal(finding === undefined, expected === undefined);
      if (decoded.invalid) {
        assert.equal(decoded.text.charCodeAt(decoded.invalid.textOffset), 0xfffd);
        assert.equal(decoded.invalid.byte, bytes[decoded.invalid.byteOffset]);
        assert.equal(decoded.invalid.count, referenceBadCount(bytes));
        assert.equal(finding?.code, 'syntax');
      }
    }),
    { numRuns: fuzzRuns(1000) },
  );
});

test('decodeUtf8: a literal U+FFFD in the file is not an error; a BOM is dropped', () => {
  assert.deepEqual(decodeUtf8(Buffer.from('a==1  # \uFFFD\n')), { text: 'a==1  # \uFFFD\n' });
  assert.deepEqual(decodeUtf8(Buffer.from('\uFEFFa==1\n')), { text: 'a==1\n' });
  const mixed = decodeUtf8(Buffer.concat([Buffer.from('\uFFFD'), Buffer.from([0xc3]), Buffer.from('\n\uFFFD'), Buffer.from([0x80])]));
  assert.deepEqual(mixed.invalid, { byteOffset: 3, byte: 0xc3, textOffset: 1, count: 2 });
  assert.deepEqual(invalidUtf8Finding(mixed)?.range, { start: { line: 0, character: 1 }, end: { line: 0, character: 2 } });
});

test('describePublisher: GitHub, GitLab, Google, unknown kinds, in the words of the diagnostics and the hover', () => {
  assert.equal(describePublisher({ kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' }), 'github.com/pypa/sampleproject (release.yml)');
  assert.equal(describePublisher({ kind: 'GitHub', repository: 'o/r', workflow: 'ci.yml', environment: 'pypi' }), 'github.com/o/r (ci.yml)');
  assert.equal(describePublisher({ kind: 'GitLab', repository: 'g/p', workflow_filepath: '.gitlab-ci.yml', environment: null }), 'gitlab.com/g/p (.gitlab-ci.yml)');
  assert.equal(describePublisher({ kind: 'Google', email: 'sa@proj.iam.gserviceaccount.com' }), 'sa@proj.iam.gserviceaccount.com (Google)');
  assert.equal(describePublisher({ kind: 'ActiveState' }), 'ActiveState publisher');
});

test('safe: control characters are shown escaped, the rest kept', () => {
  assert.equal(safe('a\u001b[31mb\u0007c\u009bd é ✓'), 'a\\x1b[31mb\\x07c\\x9bd é ✓');
});

function runOf(texts: Record<string, string>, settings: Settings = DEFAULT_SETTINGS): CheckRun {
  return {
    cwd: CWD,
    settings,
    documents: Object.entries(texts).map(([name, text]) => {
      const parsed = parseDocument('requirements', text);
      const findings = localFindings(parsed);
      return { path: path.join(CWD, name), displayPath: name, text, parsed, findings, report: buildDocumentReport(path.join(CWD, name), parsed, findings), failures: [] };
    }),
  };
}

test('text: colours only when asked; hostile names cannot reach the terminal raw', () => {
  const run = runOf({ 'requirements.txt': 'attrs==25.1.0\nbad name!\nidna\n', 'x\u001b]0;pwned\u0007.txt': 'idna\n' });
  const plain = renderText(run, { colour: false });
  assert.ok(!plain.includes('\u001b'), plain);
  assert.ok(plain.includes('x\\x1b]0;pwned\\x07.txt'));
  const coloured = renderText(run, { colour: true });
  assert.ok(coloured.includes('\u001b[31merror\u001b[39m'));
  assert.ok(coloured.includes('\u001b[90munpinned\u001b[39m'), 'the unpinned status in grey');
  assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain, 'colour changes nothing but colour');
});

test('summary line and exit code', () => {
  const run = runOf({ 'a.txt': 'attrs==25.1.0\nbad name!\nidna\nsix\n' });
  const counts = tally(run);
  assert.equal(summaryLine(counts), '3 dependencies: 1 being checked · 2 unpinned; 1 error, 0 warnings, 2 hints');
  assert.equal(exitCodeOf(counts), 1);
  const relaxed = tally({ ...run, settings: { ...DEFAULT_SETTINGS, severity: { syntax: 'off', unpinned: 'warning' } } });
  assert.equal(summaryLine(relaxed), '3 dependencies: 1 being checked · 2 unpinned; 0 errors, 2 warnings');
  assert.equal(exitCodeOf(relaxed), 0);
  assert.equal(summaryLine(tally(runOf({ 'b.txt': 'idna==3.10\n' }))), '1 dependency: 1 being checked; 0 errors, 0 warnings');
  assert.equal(exitCodeOf({ ...tally(runOf({ 'b.txt': 'idna==3.10\n' })), failures: 1 }), 1, 'a failed stage fails the run');
});

test('--strict: an index-error fails the run; without it, or with index-error off, it does not', () => {
  const clean = tally(runOf({ 'b.txt': 'idna==3.10\n' }));
  assert.equal(exitCodeOf({ ...clean, indexErrors: 1 }), 0);
  assert.equal(exitCodeOf({ ...clean, indexErrors: 1 }, true), 1);
  assert.equal(exitCodeOf(clean, true), 0);
  const command = parseCommandLine(['check', '--strict', 'a.txt'], '/');
  assert.ok(command.kind === 'check' && command.strict);
  const plain = parseCommandLine(['check', 'a.txt'], '/');
  assert.ok(plain.kind === 'check' && !plain.strict);
});

test('progress: nothing off a terminal; on one, per dependency, what it waits for, redrawn in place and erased', () => {
  const subject = (name: string): ReportSubject => ({ uri: `file:///p/${name}`, parsed: parseDocument('requirements', ''), settings: DEFAULT_SETTINGS });
  const a = subject('a.txt');
  const b = subject('b.txt');
  const phases = new Map<ReportSubject, DependencyPhase[]>();
  const options = { files: 2, phases: (s: ReportSubject) => phases.get(s), intervalMs: 3_600_000 };

  const written: string[] = [];
  const off = progressLine({ isTTY: false, write: (t: string) => written.push(t) }, options);
  off.document('started', a);
  off.stop();
  assert.equal(written.length, 0, 'nothing on a stream that is not a terminal');

  const on = progressLine({ isTTY: true, columns: 200, write: (t: string) => written.push(t) }, options);
  assert.equal(written.at(-1), '\r\u001b[2KChecking 0/2 dependency files · reading …');
  phases.set(a, ['index', 'index', 'done']);
  on.document('started', a);
  assert.equal(written.at(-1), '\r\u001b[2KChecking 1/3 dependencies · waiting for index …');
  phases.set(a, ['attestations', 'done', 'done']);
  phases.set(b, ['done']);
  on.document('started', b);
  assert.equal(written.at(-1), '\r\u001b[2KChecking 3/4 dependencies · verifying attestations …');
  const count = written.length;
  const c = subject('c.txt');
  phases.set(c, []);
  on.document('started', c);
  assert.equal(written.length, count, 'a document without dependencies changes nothing: the same line is not drawn again');
  on.document('done', a);
  on.document('done', b);
  assert.equal(written.at(-1), '\r\u001b[2KChecking 4/4 dependencies · finishing …');
  on.clear();
  assert.equal(written.at(-1), '\r\u001b[2K', 'erased before a message');
  on.stop();
  on.document('started', a);
  assert.equal(written.at(-1), '\r\u001b[2K', 'nothing drawn after the end');

  assert.equal(progressText(1, [a], new Set(), () => ['index']), 'Checking 0/1 dependency · waiting for index …');
  assert.equal(progressText(1, [a], new Set(), () => undefined), 'Checking 0/1 dependency file …', 'an engine that cannot tell counts files');
  assert.equal(progressText(2, [a], new Set(), () => []), 'Checking 0/2 dependency files · finishing …');

  const narrow: string[] = [];
  const cut = progressLine({ isTTY: true, columns: 30, write: (t: string) => narrow.push(t) }, { ...options, phases: () => ['index'] });
  cut.document('started', a);
  cut.stop();
  assert.ok(narrow[1].startsWith('\r\u001b[2KChecking 0/1 dependency'), narrow[1]);
  assert.ok(narrow[1].length <= '\r\u001b[2K'.length + 29 && narrow[1].endsWith('…'), 'cut to the terminal width');
});

test('SARIF locations: relative, percent-encoded, under %SRCROOT%; absolute file URIs outside', () => {
  assert.deepEqual(artifactLocationOf('/work/project/a b/requirements#1.txt', CWD), { uri: 'a%20b/requirements%231.txt', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(artifactLocationOf('/elsewhere/requirements.txt', CWD), { uri: 'file:///elsewhere/requirements.txt' });
  assert.deepEqual(artifactLocationOf('/work/project/..x/requirements.txt', CWD), { uri: '..x/requirements.txt', uriBaseId: '%SRCROOT%' });
});

test('discovery names: requirements-like .in files only; explicit files read as requirements unless an unknown TOML', () => {
  assert.equal(isDiscoverable('/p/requirements.in'), true);
  assert.equal(isDiscoverable('/p/requirements/dev.in'), true);
  assert.equal(isDiscoverable('/p/dev-requirements.in'), true);
  assert.equal(isDiscoverable('/p/MANIFEST.in'), false);
  assert.equal(isDiscoverable('/p/Makefile.in'), false);
  assert.equal(isDiscoverable('/p/pylock.web.toml'), true);
  assert.equal(isDiscoverable('/p/notes.txt'), false);
  assert.deepEqual(kindOfNamedFile('/p/deps.txt'), { ok: true, kind: 'requirements', format: 'requirements' });
  assert.deepEqual(kindOfNamedFile('/p/pylock.toml'), { ok: true, kind: 'pylock', format: 'pylock' });
  assert.equal(kindOfNamedFile('/p/Cargo.toml').ok, false);
  // uv and Poetry locks are formats of their own; a lock of a tool not read yet is never requirements.
  assert.deepEqual(kindOfNamedFile('/p/uv.lock'), { ok: true, kind: 'uvlock', format: 'uvlock' });
  assert.deepEqual(kindOfNamedFile('/p/poetry.lock'), { ok: true, kind: 'poetrylock', format: 'poetrylock' });
  const pdm = kindOfNamedFile('/p/pdm.lock');
  assert.equal(pdm.ok, false);
  assert.equal(pdm.kind, 'pdm-lock');
  assert.equal(kindOfNamedFile('/p/constructor').ok, true, 'a file named like an Object property is just a file');
});

test('every code is documented, and the docs link is the one the server publishes', () => {
  assert.deepEqual(Object.keys(CODE_DOCS).sort(), Object.keys(DEFAULT_SEVERITY).sort());
  for (const doc of Object.values(CODE_DOCS)) assert.ok(doc.summary.length > 10 && doc.help.length > 10 && /^[A-Z][A-Za-z]+$/.test(doc.name));
  const published = toDiagnostic({ code: 'weak-hash', message: 'm', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }, {});
  assert.equal(published?.codeDescription?.href, `${DOCS_URL}#weak-hash`);
});

test('words: a status never reads as a severity; a run that could not check everything says so', () => {
  for (const label of Object.values(STATUS_LABEL)) assert.doesNotMatch(label, /\b(errors?|warnings?|hints?|info(rmation)?)\b/, label);
  const counts = tally(runOf({ 'a.txt': 'idna==3.10\n' }));
  assert.equal(uncheckedLine(counts), undefined, 'nothing unchecked: no closing line');
  const unchecked = { ...counts, byStatus: new Map([['error', 2], ['verified', 1]] as const), dependencies: 3, indexErrors: 2 };
  assert.equal(uncheckedLine(unchecked), '2 of 3 dependencies could not be checked against the index. Use --strict to make that fail the run.');
  assert.equal(summaryLine(unchecked), '3 dependencies: 1 verified · 2 not checked; 0 errors, 0 warnings');
  assert.equal(withoutRetryNote(`x could not be checked${WILL_RETRY}`), 'x could not be checked');
});

// The settings' values and their validation, in process (the stdio round trips are in settings.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { redactUrl } from '../../server/src/index/redact';
import { DEFAULT_SETTINGS, parseSettings, parseSeverityLevel, type Settings } from '../../server/src/pipeline/contract/settings';

function parse(raw: unknown, base?: Settings): { settings: Settings; warnings: string[] } {
  const warnings: string[] = [];
  const settings = parseSettings(raw, (message) => warnings.push(message), base);
  return { settings, warnings };
}

test('every contract setting has its default', () => {
  assert.deepEqual(parse(undefined).settings, {
    indexUrl: 'https://pypi.org/simple/',
    trustedRoot: '',
    cacheDirectory: '',
    offline: false,
    lateUploadDays: 14,
    minReleaseAgeDays: 7,
    workspaceTrusted: false,
    severity: {},
  });
  assert.deepEqual(parse(null), { settings: { ...DEFAULT_SETTINGS, severity: {} }, warnings: [] });
});

test('good values are taken as given', () => {
  const { settings, warnings } = parse({
    indexUrl: 'http://127.0.0.1:8080/simple',
    trustedRoot: '/etc/trusted_root.json',
    cacheDirectory: '/var/cache/pp',
    offline: true,
    lateUploadDays: 3,
    minReleaseAgeDays: 0,
    workspaceTrusted: true,
    severity: { unpinned: 'off', 'no-provenance': 'Warning', yanked: 'info', 'missing-file': 'hint' },
    trace: { server: 'verbose' },
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(settings, {
    indexUrl: 'http://127.0.0.1:8080/simple/',
    trustedRoot: '/etc/trusted_root.json',
    cacheDirectory: '/var/cache/pp',
    offline: true,
    lateUploadDays: 3,
    minReleaseAgeDays: 0,
    workspaceTrusted: true,
    severity: { unpinned: 'off', 'no-provenance': 'warning', yanked: 'information', 'missing-file': 'hint' },
  });
});

test('bad values are warned about one by one and keep the value underneath', () => {
  const { settings, warnings } = parse({
    indexUrl: 'ftp://mirror/simple/',
    trustedRoot: 42,
    cacheDirectory: ['a'],
    offline: 'yes',
    lateUploadDays: -1,
    workspaceTrusted: 1,
    severity: { unpinned: 'loud', 'not-a-code': 'error', syntax: 'warning' },
    indexURL: 'https://typo/',
  });
  assert.deepEqual(settings, { ...DEFAULT_SETTINGS, severity: { syntax: 'warning' } });
  for (const key of ['indexUrl', 'trustedRoot', 'cacheDirectory', 'offline', 'lateUploadDays', 'workspaceTrusted', 'severity.unpinned', 'not-a-code', 'indexURL']) {
    assert.ok(warnings.some((w) => w.includes(key)), `a warning names ${key}: ${warnings.join(' / ')}`);
  }
  assert.equal(warnings.length, 9);
});

test('a non-object section or severity map is a warning, not a crash', () => {
  assert.equal(parse('nonsense').warnings.length, 1);
  assert.equal(parse([1, 2]).warnings.length, 1);
  assert.equal(parse({ severity: 'off' }).warnings.length, 1);
  assert.equal(parse({ lateUploadDays: Number.NaN }).warnings.length, 1);
  assert.equal(parse({ lateUploadDays: Number.POSITIVE_INFINITY }).settings.lateUploadDays, 14);
});

test('credentials in an index URL never appear in a warning', () => {
  const { warnings } = parse({ indexUrl: 'ftp://alice:hunter2@mirror.example/simple/' });
  assert.equal(warnings.length, 1);
  assert.ok(!warnings[0].includes('hunter2') && !warnings[0].includes('alice'), warnings[0]);
  // The kept value is shown redacted too.
  const base = parse({ indexUrl: 'https://bob:s3cret@private.example/simple/' }).settings;
  const again = parse({ indexUrl: 'nope' }, base);
  assert.equal(again.settings.indexUrl, 'https://bob:s3cret@private.example/simple/');
  assert.ok(!again.warnings[0].includes('s3cret'), again.warnings[0]);
  assert.equal(redactUrl('https://bob:s3cret@private.example/simple/'), 'https://***@private.example/simple/');
});

test('layers: keys absent from the upper layer keep the lower one; severity merges per code', () => {
  const lower = parse({ offline: true, severity: { unpinned: 'off', yanked: 'error' } }).settings;
  const { settings } = parse({ lateUploadDays: 30, severity: { yanked: 'hint' } }, lower);
  assert.equal(settings.offline, true);
  assert.equal(settings.lateUploadDays, 30);
  assert.deepEqual(settings.severity, { unpinned: 'off', yanked: 'hint' });
  assert.deepEqual(lower.severity, { unpinned: 'off', yanked: 'error' }, 'the lower layer is not mutated');
  assert.equal(parse({ indexUrl: '' }, parse({ indexUrl: 'https://x.example/' }).settings).settings.indexUrl, 'https://pypi.org/simple/');
});

test('severity levels: the five words, any case, and two short forms', () => {
  assert.equal(parseSeverityLevel('ERROR'), 'error');
  assert.equal(parseSeverityLevel(' off '), 'off');
  assert.equal(parseSeverityLevel('warn'), 'warning');
  assert.equal(parseSeverityLevel('fatal'), undefined);
  assert.equal(parseSeverityLevel(3), undefined);
});

test('any JSON value as the section gives valid settings and never throws', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('indexUrl', 'offline', 'severity', 'lateUploadDays', 'trustedRoot'), fc.jsonValue())), (raw) => {
      const { settings } = parse(raw);
      assert.equal(typeof settings.offline, 'boolean');
      assert.ok(Number.isFinite(settings.lateUploadDays) && settings.lateUploadDays >= 0);
      assert.match(settings.indexUrl, /^https?:\/\/.*\/$/);
      for (const level of Object.values(settings.severity)) assert.ok(['error', 'warning', 'information', 'hint', 'off'].includes(level as string));
    }),
    { numRuns: fuzzRuns() },
  );
});

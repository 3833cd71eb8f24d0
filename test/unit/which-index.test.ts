import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseIndex } from '../../server/src/index/whichIndex';

const SETTING = 'https://mirror.example/simple/';
const FILE = 'https://files-index.example/simple/';
const LOCK = 'https://lock-index.example/simple';
const ENV = 'https://env-index.example/simple/';

test('the default is PyPI when nothing names an index', () => {
  const choice = chooseIndex({ workspaceTrusted: false });
  assert.equal(choice.indexUrl, 'https://pypi.org/simple/');
  assert.equal(choice.source, 'default');
  assert.deepEqual(choice.ignored, []);
});

test('the setting wins over PIP_INDEX_URL; PIP_INDEX_URL over the default', () => {
  assert.equal(chooseIndex({ workspaceTrusted: false, settingIndexUrl: SETTING, env: { PIP_INDEX_URL: ENV } }).source, 'setting');
  const fromEnv = chooseIndex({ workspaceTrusted: false, settingIndexUrl: '', env: { PIP_INDEX_URL: ENV } });
  assert.equal(fromEnv.indexUrl, ENV);
  assert.equal(fromEnv.source, 'environment');
});

test('trusted: the pylock package index, then the file --index-url, win over the setting', () => {
  const base = { workspaceTrusted: true, settingIndexUrl: SETTING, env: { PIP_INDEX_URL: ENV } };
  assert.deepEqual(pick(chooseIndex({ ...base, documentIndexUrl: FILE })), [FILE, 'document']);
  assert.deepEqual(pick(chooseIndex({ ...base, documentIndexUrl: FILE, packageIndexUrl: LOCK })), [LOCK, 'package']);
  assert.deepEqual(pick(chooseIndex({ ...base, documentIndexUrl: FILE, documentExtraIndexUrls: ['https://extra.example/simple/'] })), [FILE, 'document']);
  assert.deepEqual(chooseIndex({ ...base, documentExtraIndexUrls: ['https://extra.example/simple/', 'https://extra.example/simple/', SETTING] }).extraIndexUrls, [
    'https://extra.example/simple/',
  ]);
});

test('untrusted: workspace-named indexes are ignored, said so, and redacted', () => {
  const choice = chooseIndex({
    workspaceTrusted: false,
    settingIndexUrl: SETTING,
    documentIndexUrl: 'https://me:hunter2@evil.example/simple/',
    documentExtraIndexUrls: ['https://extra.example/simple/'],
    packageIndexUrl: LOCK,
  });
  assert.deepEqual(pick(choice), [SETTING, 'setting']);
  assert.deepEqual(choice.extraIndexUrls, []);
  assert.deepEqual(choice.ignored, [
    { url: 'https://lock-index.example/simple', reason: 'the pylock package index is ignored: the workspace is not trusted' },
    { url: 'https://***@evil.example/simple/', reason: '--index-url is ignored: the workspace is not trusted' },
    { url: 'https://extra.example/simple/', reason: '--extra-index-url is ignored: the workspace is not trusted' },
  ]);
  assert.doesNotMatch(JSON.stringify(choice), /hunter2/);
});

test('credentials stay in indexUrl (to be sent) but never in displayUrl', () => {
  const choice = chooseIndex({ workspaceTrusted: false, settingIndexUrl: 'https://u:p4ss@private.example/simple/' });
  assert.equal(choice.indexUrl, 'https://u:p4ss@private.example/simple/');
  assert.equal(choice.displayUrl, 'https://***@private.example/simple/');
});

test('URLs that are not http(s) are skipped with a reason', () => {
  const choice = chooseIndex({ workspaceTrusted: true, documentIndexUrl: 'file:///srv/index', settingIndexUrl: 'not a url', env: { PIP_INDEX_URL: ENV } });
  assert.deepEqual(pick(choice), [ENV, 'environment']);
  assert.deepEqual(
    choice.ignored.map((i) => i.reason),
    ['--index-url is not an http(s) URL', 'the indexUrl setting is not an http(s) URL'],
  );
});

function pick(choice: ReturnType<typeof chooseIndex>): [string, string] {
  return [choice.indexUrl, choice.source];
}

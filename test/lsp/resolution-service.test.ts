// The pieces under the resolution stage, in process with a scripted index client and clock:
// sharing and relocation, back-off of index errors, freshness, which index, the stage's
// synchronous/progressive/aborted answers, the retry schedule, and the OS cache directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IndexError } from '../../server/src/index/errors';
import type { IndexClient, ProjectAnswer } from '../../server/src/index/indexClient';
import type { Finding } from '../../server/src/core/finding';
import type { ParsedDocument } from '../../server/src/core/model';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/pipeline/contract/settings';
import { RetrySchedule } from '../../server/src/lsp/retrySchedule';
import type { StageInput } from '../../server/src/pipeline/contract/stages';
import { parseDocument } from '../../server/src/parsers/index';
import { defaultCacheDirectory, effectiveCacheDirectory } from '../../server/src/resolution/cacheDirectory';
import { MAX_RESOLUTIONS_UNDER_WAY, ResolutionService, settingIndexUrl, type ResolutionRequest } from '../../server/src/resolution/resolutionService';
import { ResolutionServices } from '../../server/src/resolution/resolutionServices';
import { createResolutionStage } from '../../server/src/resolution/resolutionStage';
import { DEFAULT_RETRY_DELAY_MS, tuningFromEnv } from '../../server/src/resolution/tuning';

const INDEX = 'https://index.example/simple/';
const SHA = (c: string) => c.repeat(64);

/** An index client answering from a script; counts what it is asked. */
class ScriptedClient implements IndexClient {
  asked: Array<{ indexUrl: string; name: string }> = [];
  answer: (name: string) => ProjectAnswer | Promise<ProjectAnswer> = (name) => found(name);
  getProject(indexUrl: string, name: string): Promise<ProjectAnswer> {
    this.asked.push({ indexUrl, name });
    return Promise.resolve(this.answer(name));
  }
  getProvenance(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  getOwnership(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  stats = { cacheHits: 0, revalidated: 0, stale: 0, sent: 0, deduplicated: 0 };
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

function found(name: string, yanked: string | undefined = undefined): ProjectAnswer {
  const file = (filename: string, hex: string) => ({ filename, url: `https://files.example/${filename}`, hashes: { sha256: hex }, sha256: hex, yanked: yanked !== undefined, yankedReason: yanked });
  return {
    kind: 'found',
    source: { from: 'network', fetchedAt: 0 },
    page: { name, apiVersion: '1.3', url: `${INDEX}${name}/`, warnings: [], files: [file(`${name}-1.0.tar.gz`, SHA('a')), file(`${name}-1.0-py3-none-any.whl`, SHA('b'))] },
  };
}

function setup(options: { offline?: boolean; env?: Record<string, string> } = {}) {
  const clock = { now: 1_000_000 };
  const client = new ScriptedClient();
  const service = new ResolutionService({ offline: options.offline ?? false, env: options.env ?? {}, client, now: () => clock.now, retryDelay: { first: 1000, max: 4000 }, freshMs: 60_000 });
  return { clock, client, service };
}

function requestsOf(text: string, settings: Partial<Settings> = {}): ResolutionRequest[] {
  const parsed = parseDocument('requirements', text);
  return parsed.dependencies.map((dependency, index) => ({ dependency, dependencyIndex: index, documentOptions: parsed.options, settings: { ...DEFAULT_SETTINGS, indexUrl: INDEX, ...settings } }));
}

test('the same pin on other lines and in other documents shares one resolution; findings move to each one\'s range and index', async () => {
  const { client, service } = setup();
  client.answer = (name) => found(name, 'broken');
  const [a] = requestsOf('demo==1.0\n');
  const [, b] = requestsOf('other==2.0\ndemo==1.0  # again\n');
  const [first, second] = await Promise.all([service.resolve(a), service.resolve(b)]);
  assert.equal(client.asked.length, 1, 'one resolution in flight for both');
  assert.deepEqual(first.findings.map((f) => [f.code, f.range.start.line, f.dependency]), [['yanked', 0, 0]]);
  assert.deepEqual(second.findings.map((f) => [f.code, f.range.start.line, f.dependency]), [['yanked', 1, 1]]);
  assert.deepEqual(service.peek(b)?.findings[0].range, b.dependency.ranges.requirement);
  assert.equal(service.stats.started, 1);
  assert.equal(service.stats.shared, 1);
});

test('pinned hashes are part of what is shared: a hash-not-on-index moves to the other document\'s hash', async () => {
  const { client, service } = setup();
  const [a] = requestsOf(`demo==1.0 --hash=sha256:${SHA('c')}\n`);
  const [b] = requestsOf(`\ndemo==1.0 \\\n    --hash=sha256:${SHA('c')}\n`);
  const [c] = requestsOf(`demo==1.0 --hash=sha256:${SHA('a')}\n`);
  const ra = await service.resolve(a);
  const rb = await service.resolve(b);
  const rc = await service.resolve(c);
  assert.deepEqual(ra.findings.map((f) => f.range), [a.dependency.hashes[0].range]);
  assert.deepEqual(rb.findings.map((f) => f.range), [b.dependency.hashes[0].range]);
  assert.deepEqual(rc.findings, [], 'another hash is another resolution');
  assert.equal(service.stats.started, 2);
  assert.equal(client.asked.length, 2);
});

test('pylock: locked files and their hash ranges move with the shared resolution', async () => {
  const { service } = setup();
  const lock = (pad: string) =>
    parseDocument('pylock', `lock-version = '1.0'\ncreated-by = 't'\n${pad}[[packages]]\nname = 'demo'\nversion = '1.0'\nwheels = [{ name = 'demo-1.0-py3-none-any.whl', hashes = { sha256 = '${SHA('f')}' } }]\n`);
  const toRequest = (parsed: ParsedDocument): ResolutionRequest => ({ dependency: parsed.dependencies[0], dependencyIndex: 0, documentOptions: parsed.options, settings: { ...DEFAULT_SETTINGS, indexUrl: INDEX } });
  const a = toRequest(lock(''));
  const b = toRequest(lock('\n\n\n'));
  await service.resolve(a);
  const rb = await service.resolve(b);
  assert.equal(service.stats.started, 1);
  assert.deepEqual(rb.findings.map((f) => [f.code, f.range]), [['hash-not-on-index', b.dependency.files![0].hashes[0].range]]);
  assert.equal(rb.files[0].locked, b.dependency.files![0]);
});

test('an index error is kept only until its retry time, which doubles up to the maximum; a good answer resets it', async () => {
  const { clock, client, service } = setup();
  const [request] = requestsOf('demo==1.0\n');
  client.answer = () => ({ kind: 'error', error: new IndexError('http-status', 'https://index.example/simple/demo/ answered HTTP 503', 503) });

  const failing = await service.resolve(request);
  assert.equal(failing.status, 'error');
  assert.match(failing.findings[0].message, /answered HTTP 503 \(will retry\)/);
  assert.equal(service.retryAt(request), clock.now + 1000);
  await service.resolve(request);
  assert.equal(client.asked.length, 1, 'not asked again before the retry time');

  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    clock.now = service.retryAt(request)!;
    await service.resolve(request);
    delays.push(service.retryAt(request)! - clock.now);
  }
  assert.deepEqual(delays, [2000, 4000, 4000, 4000]);
  assert.equal(client.asked.length, 5);

  client.answer = (name) => found(name);
  clock.now = service.retryAt(request)!;
  assert.equal((await service.resolve(request)).status, 'resolved');
  assert.equal(service.retryAt(request), undefined);
  assert.deepEqual(service.peek(request)?.findings, []);
});

test('offline: an answer that says offline is not retried (a new service comes with the setting)', async () => {
  const { client, service } = setup({ offline: true });
  const [request] = requestsOf('demo==1.0\n');
  client.answer = () => ({ kind: 'error', error: new IndexError('offline', 'offline: https://index.example/simple/demo/ is not in the cache') });
  const resolution = await service.resolve(request);
  assert.equal(resolution.findings[0].code, 'index-error');
  assert.equal(service.retryAt(request), undefined);
});

test('a settled answer is reused for its freshness only; the client (and its HTTP cache) is asked after', async () => {
  const { clock, client, service } = setup();
  const [request] = requestsOf('demo==1.0\n');
  await service.resolve(request);
  clock.now += 59_000;
  assert.ok(service.peek(request));
  await service.resolve(request);
  assert.equal(client.asked.length, 1);
  clock.now += 2_000;
  assert.equal(service.peek(request), undefined);
  await service.resolve(request);
  assert.equal(client.asked.length, 2);
});

test('which index: the setting; PIP_INDEX_URL when the setting is the default; a file\'s --index-url only when trusted', async () => {
  const env = { PIP_INDEX_URL: 'https://env.example/simple/' };
  const cases: Array<[text: string, settings: Partial<Settings>, expected: string]> = [
    ['demo==1.0\n', { indexUrl: INDEX }, INDEX],
    ['demo==1.0\n', { indexUrl: DEFAULT_SETTINGS.indexUrl }, env.PIP_INDEX_URL],
    ['-i https://file.example/simple/\ndemo==1.0\n', { indexUrl: INDEX, workspaceTrusted: false }, INDEX],
    ['-i https://file.example/simple/\ndemo==1.0\n', { indexUrl: INDEX, workspaceTrusted: true }, 'https://file.example/simple/'],
  ];
  for (const [text, settings, expected] of cases) {
    const { client, service } = setup({ env });
    const [request] = requestsOf(text, settings);
    await service.resolve(request);
    assert.equal(client.asked[0].indexUrl, expected, `${JSON.stringify(settings)} ${text}`);
  }
  assert.equal(settingIndexUrl({ indexUrl: DEFAULT_SETTINGS.indexUrl }), undefined);
  assert.equal(settingIndexUrl({ indexUrl: INDEX }), INDEX);
});

test('ResolutionServices: a new service when offline, the cache directory or indexUrl change; the old one is closed', async () => {
  const made: Array<{ options: unknown; closed: boolean }> = [];
  const services = new ResolutionServices({
    env: {},
    defaultCacheDirectory: '/default/cache',
    create: (options) => {
      const entry = { options, closed: false };
      made.push(entry);
      const service = new ResolutionService({ ...options, client: new ScriptedClient() });
      service.close = async () => void (entry.closed = true);
      return service;
    },
  });
  const base = { ...DEFAULT_SETTINGS };
  const first = services.forSettings(base);
  assert.equal(services.forSettings({ ...base, lateUploadDays: 3 } as Settings), first, 'other settings keep the service');
  services.forSettings({ ...base, offline: true });
  services.forSettings({ ...base, offline: true, cacheDirectory: '/elsewhere' });
  services.forSettings({ ...base, offline: true, cacheDirectory: '/elsewhere', indexUrl: INDEX });
  await services.dispose();
  assert.equal(made.length, 4);
  assert.deepEqual(made.map((m) => (m.options as { cacheDirectory?: string }).cacheDirectory), ['/default/cache', '/default/cache', '/elsewhere', '/elsewhere']);
  assert.ok(made.every((m) => m.closed));
});

function stageInput(text: string, update: (findings: Finding[]) => void, signal = new AbortController().signal): StageInput {
  const parsed = parseDocument('requirements', text);
  return { uri: 'file:///w/requirements.txt', version: 1, format: 'requirements', text, parsed, settings: { ...DEFAULT_SETTINGS, indexUrl: INDEX }, signal, update };
}

function stageOver(client: ScriptedClient, now = () => Date.now()) {
  const retries: Array<[string, number]> = [];
  const services = new ResolutionServices({ env: {}, retryDelay: { first: 1000, max: 4000 }, create: (options) => new ResolutionService({ ...options, client, now }) });
  const stage = createResolutionStage(services, { scheduleRetry: (uri, delay) => retries.push([uri, delay]), now });
  return { stage, retries, services };
}

test('the stage: progressive updates, then all findings; known answers come synchronously; a retry is asked for index errors', async () => {
  const client = new ScriptedClient();
  const gates = new Map<string, () => void>();
  client.answer = (name) =>
    new Promise((resolve) => gates.set(name, () => resolve(name === 'broken' ? { kind: 'error', error: new IndexError('timeout', 'slow') } : found(name, name === 'old' ? 'old' : undefined))));
  const { stage, retries } = stageOver(client);
  const text = 'old==1.0\nbroken==1.0\nfine==1.0\nunpinned>=1\n';
  const updates: string[][] = [];
  const result = stage.run(stageInput(text, (findings) => updates.push(findings.map((f) => f.code))));
  assert.ok(result instanceof Promise, 'nothing known yet: asynchronous');
  await new Promise((r) => setImmediate(r));
  gates.get('old')!();
  for (let i = 0; i < 100 && updates.length === 0; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(updates.at(-1), ['yanked'], 'the first answer shows before the others');
  gates.get('broken')!();
  gates.get('fine')!();
  assert.deepEqual((await result).map((f) => [f.code, f.dependency]), [['yanked', 0], ['index-error', 1]]);
  assert.deepEqual(retries.map(([uri]) => uri), ['file:///w/requirements.txt']);
  assert.ok(retries[0][1] > 0 && retries[0][1] <= 1000);

  // The same pins again (after an edit, say): answered synchronously from what is known.
  const again = stage.run(stageInput(`\n${text}`, () => undefined));
  assert.ok(Array.isArray(again));
  assert.deepEqual(again.map((f) => [f.code, f.range.start.line]), [['yanked', 1], ['index-error', 2]]);
});

test('the stage stops waiting when its analysis is replaced', async () => {
  const client = new ScriptedClient();
  client.answer = () => new Promise(() => undefined); // the index never answers
  const { stage, retries } = stageOver(client);
  const controller = new AbortController();
  const result = stage.run(stageInput('demo==1.0\n', () => assert.fail('no update after abort'), controller.signal));
  controller.abort();
  assert.deepEqual(await result, []);
  assert.deepEqual(retries, []);
  assert.deepEqual(stage.run(stageInput('# nothing pinned\nrequests\n', () => undefined)), []);
});

test('RetrySchedule: one timer per document, the earliest wins; cancel and dispose clear it', async () => {
  const ran: string[] = [];
  const schedule = new RetrySchedule((uri) => ran.push(uri), { error: () => undefined, warn: () => undefined, info: () => undefined });
  schedule.schedule('a', 60_000);
  schedule.schedule('a', 5);
  schedule.schedule('a', 30_000);
  schedule.schedule('b', 5);
  schedule.cancel('b');
  schedule.schedule('c', 10);
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(ran, ['a', 'c']);
  schedule.schedule('d', 5);
  schedule.dispose();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(ran, ['a', 'c']);
});

test('the default cache directory per OS, and the setting over it', () => {
  assert.equal(defaultCacheDirectory({}, 'linux', '/home/u'), '/home/u/.cache/pypi-provenance');
  assert.equal(defaultCacheDirectory({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u'), '/xdg/pypi-provenance');
  assert.equal(defaultCacheDirectory({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u'), '/home/u/.cache/pypi-provenance');
  assert.equal(defaultCacheDirectory({ XDG_CACHE_HOME: '/xdg' }, 'darwin', '/Users/u'), '/Users/u/Library/Caches/pypi-provenance');
  assert.equal(defaultCacheDirectory({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local\\pypi-provenance\\Cache');
  assert.equal(defaultCacheDirectory({}, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local\\pypi-provenance\\Cache');
  assert.equal(effectiveCacheDirectory('', '/default'), '/default');
  assert.equal(effectiveCacheDirectory('  /mine ', '/default'), '/mine');
  assert.equal(effectiveCacheDirectory('', undefined), undefined);
});

test('tuning knobs: read when sane, never above the defaults', () => {
  assert.deepEqual(tuningFromEnv({}), { http: {}, retryDelay: { ...DEFAULT_RETRY_DELAY_MS } });
  const tuned = tuningFromEnv({ PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '1500', PYPI_PROVENANCE_HTTP_RETRIES: '1', PYPI_PROVENANCE_RETRY_DELAY_MS: '400,2000' });
  assert.deepEqual(tuned.http.timeouts, { connectMs: 1500, headersMs: 1500, bodyMs: 1500, totalMs: 1500 });
  assert.deepEqual(tuned.http.retry, { maxRetries: 1 });
  assert.deepEqual(tuned.retryDelay, { first: 400, max: 2000 });
  const capped = tuningFromEnv({ PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '999999', PYPI_PROVENANCE_HTTP_RETRIES: '50', PYPI_PROVENANCE_RETRY_DELAY_MS: '9999999' });
  assert.equal(capped.http.timeouts?.totalMs, 30_000);
  assert.equal(capped.http.retry?.maxRetries, 3);
  assert.deepEqual(capped.retryDelay, { ...DEFAULT_RETRY_DELAY_MS });
  assert.deepEqual(tuningFromEnv({ PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '-5', PYPI_PROVENANCE_HTTP_RETRIES: 'many', PYPI_PROVENANCE_RETRY_DELAY_MS: 'soon' }), { http: {}, retryDelay: { ...DEFAULT_RETRY_DELAY_MS } });
});

// Issue 15 item 2: a 20,000-pin document started 20,000 resolutions at once — a cache read, a
// request and their promises each — and the server grew by hundreds of megabytes before its first
// publish. The rest now wait their turn; every one still settles.
test('a document of thousands of pins has at most MAX_RESOLUTIONS_UNDER_WAY resolutions under way, and every one settles', async () => {
  const { client, service } = setup();
  const held: Array<() => void> = [];
  client.answer = (name) => new Promise((resolve) => held.push(() => resolve(found(name))));
  const pins = 2 * MAX_RESOLUTIONS_UNDER_WAY + 10;
  const requests = requestsOf(Array.from({ length: pins }, (_, i) => `p${i}==1.0\n`).join(''));
  const all = Promise.all(requests.map((request) => service.resolve(request)));
  const asked = async (count: number) => {
    while (client.asked.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  await asked(MAX_RESOLUTIONS_UNDER_WAY);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.asked.length, MAX_RESOLUTIONS_UNDER_WAY, 'the others wait');
  // Each answer lets one more start, until all have been asked and answered.
  while (client.asked.length < pins || held.length > 0) {
    held.splice(0).forEach((release) => release());
    await new Promise((resolve) => setImmediate(resolve));
  }
  const resolutions = await all;
  assert.equal(client.asked.length, pins);
  assert.ok(resolutions.every((resolution) => resolution.status === 'resolved'));
});

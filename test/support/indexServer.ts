/**
 * A package index for tests, on 127.0.0.1 at a random port. It speaks what PyPI speaks to us:
 * PEP 691 JSON project pages (with PEP 700 keys and PEP 740 `provenance` URLs) under content
 * negotiation, the PEP 740 Integrity API, ETag/304 and Cache-Control — and, per project or path,
 * the hostile answers a real network gives (garbage, HTML, 50 MB bodies, slow drips, 429, 5xx,
 * off-host redirects, reset connections). Every request is counted and recorded.
 *
 *   const index = await startIndexServer();               // or start()
 *   index.setProject(makeProject('sampleproject', { releases: ['3.0.0', '4.0.0'] }));
 *   index.setMode('sampleproject', 'garbage-json');         // or { kind: 'rate-limit', retryAfter: '2', times: 1 }
 *   // … point a client at index.url (`http://127.0.0.1:PORT/simple/`) …
 *   index.projectCount('sampleproject'); index.requests;     // what was asked, with headers
 *   await index.close();
 *
 * Paths: `/simple/` (project list), `/simple/{name}/` (a non-normalized name gets a 301 as on
 * PyPI; `/mirror/simple/{name}/` serves the same page, a same-origin redirect target),
 * `/integrity/{name}/{version}/{filename}/provenance` (PEP 740), `/files/{filename}` (the bytes).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
export const INTEGRITY_JSON = 'application/vnd.pypi.integrity.v1+json';

export interface TestFile {
  filename: string;
  /** The release this file belongs to (for the Integrity API path). */
  version: string;
  content: Buffer;
  sha256: string;
  size: number;
  /** `yyyy-mm-ddThh:mm:ss.ffffffZ`; omitted from the page when undefined. */
  uploadTime?: string;
  yanked?: boolean | string;
  requiresPython?: string;
  /** The PEP 740 provenance object the Integrity API serves; none (page says null, API says 404) when undefined. */
  provenance?: unknown;
  /** Hashes beyond sha256 to list (e.g. blake2b_256), or to override sha256 with a lie. */
  extraHashes?: Record<string, string>;
  /** The provenance URL the page gives instead of this server's own (another host, say). */
  provenanceUrl?: string;
}

export interface TestProject {
  name: string;
  files: TestFile[];
  /** PEP 700 `versions`; by default the versions of the files. Set null to omit the key. */
  versions?: string[] | null;
  /** `meta.api-version` (default 1.3). */
  apiVersion?: string;
  /** Cache-Control of this project's page (default: the server's). */
  cacheControl?: string;
  /** Write file and provenance URLs relative to the page instead of absolute. */
  relativeUrls?: boolean;
  /**
   * PEP 792: the page's top-level `project-status` value as given (any JSON, hostile too), e.g.
   * `{ status: 'quarantined', reason: '…' }`; its string `status`/`reason` also become the HTML
   * page's `pypi:project-status` meta tags. Omitted when undefined.
   */
  projectStatus?: unknown;
  /**
   * PyPI's `ownership` object in the JSON API (`/pypi/{name}/json`): roles (Owner before
   * Maintainer, then by user) and the organization's name or null. Undefined: that API answers 404;
   * null: it answers without an `ownership` key (an index that predates it).
   */
  ownership?: { roles: { role: string; user: string }[]; organization: string | null } | null;
}

export type HostileMode =
  /** `{not json` with the PEP 691 content type. */
  | { kind: 'garbage-json' }
  /** An HTML page with 200, whatever was asked. */
  | { kind: 'html' }
  /** A huge body (default 50 MB), streamed with backpressure; `declareLength` sends Content-Length. */
  | { kind: 'huge'; bytes?: number; declareLength?: boolean }
  /** Headers, then one byte every intervalMs (default 100) for as long as the client listens. */
  | { kind: 'slow-drip'; intervalMs?: number }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** 429 with Retry-After (default "1") for the first `times` requests (default: always). */
  | { kind: 'rate-limit'; retryAfter?: string; times?: number }
  /** A 5xx (default 500) for the first `times` requests (default: always). */
  | { kind: 'server-error'; status?: number; times?: number }
  /** A redirect to `location` (default 302). */
  | { kind: 'redirect'; location: string; status?: number }
  /** A 302 to the same path on another host (http://localhost:PORT) — plain http, other origin. */
  | { kind: 'redirect-other-host' }
  /** Redirects to itself forever. */
  | { kind: 'redirect-loop' }
  /** The TCP connection is reset for the first `times` requests (default: always). */
  | { kind: 'connection-reset'; times?: number }
  /** Any status, content type and body. */
  | { kind: 'raw'; status: number; contentType?: string; body: string | Buffer; headers?: Record<string, string> }
  /** A 200 whose response headers are larger than any client accepts (64 KB of one header). */
  | { kind: 'header-overflow' };

export type HostileKind = HostileMode['kind'];

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** performance.now() when the request arrived, and when its answer was finished (the bench's waterfall). */
  arrivedAt: number;
  answeredAt?: number;
}

export interface IndexServerOptions {
  /** Delay before every answer (default 0). */
  latencyMs?: number;
  /** Cache-Control of pages and provenance (default `max-age=600, public`, as PyPI). */
  cacheControl?: string;
  /**
   * Serve over TLS with this key and certificate, offering HTTP/2 and HTTP/1.1 by ALPN (as PyPI's
   * CDN does); the URLs are then `https://127.0.0.1:PORT/…`. See test/support/testTls.ts.
   */
  tls?: { key: string; cert: string; /** Offer HTTP/1.1 only (an index without HTTP/2). */ http1Only?: boolean };
}

export interface IndexServer {
  /** The simple index base URL, `http://127.0.0.1:PORT/simple/`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly port: number;
  /** Serves a project (replacing one of the same normalized name): `setProject(makeProject(…))` or `setProject(name, { files })`. */
  setProject(project: TestProject): void;
  setProject(name: string, data: Omit<TestProject, 'name'>): void;
  removeProject(name: string): void;
  /** A hostile answer for a project's page (by any spelling of its name); undefined restores normal service. */
  setMode(name: string, mode: HostileMode | HostileKind | undefined): void;
  /** A hostile answer for one exact path (e.g. a provenance URL's path). */
  setPathMode(path: string, mode: HostileMode | HostileKind | undefined): void;
  /**
   * Serves everything under `/{token}/` too, as private indexes that take a token in the path do
   * (`{origin}/{token}/simple/`); the pages they serve then name their files and provenance under
   * the token as well. Returns that index URL.
   */
  acceptPathToken(token: string): string;
  /** Delay before every answer from now on. */
  setLatency(ms: number): void;
  /** Requests received so far, by path. */
  readonly counts: Readonly<Record<string, number>>;
  /** Requests received for a path (`/simple/sampleproject/`). */
  count(path: string): number;
  /** Requests received for a project's page. */
  projectCount(name: string): number;
  readonly totalRequests: number;
  /** Every request, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Most requests being answered at one time since the last reset. */
  readonly maxInFlight: number;
  /** Body bytes the server managed to write for a path (the huge mode stops when the client does). */
  bytesWritten(path: string): number;
  resetCounts(): void;
  /** The provenance URL the page gives for a file. */
  provenanceUrl(project: string, file: TestFile): string;
  close(): Promise<void>;
}

export function normalize(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Same as startIndexServer. */
export function start(options: IndexServerOptions = {}): Promise<IndexServer> {
  return startIndexServer(options);
}

export async function startIndexServer(options: IndexServerOptions = {}): Promise<IndexServer> {
  const projects = new Map<string, TestProject>();
  const projectModes = new Map<string, HostileMode>();
  const pathModes = new Map<string, HostileMode>();
  const modeHits = new Map<HostileMode, number>();
  const counts = new Map<string, number>();
  const written = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let latencyMs = options.latencyMs ?? 0;
  const defaultCacheControl = options.cacheControl ?? 'max-age=600, public';
  const pathTokens = new Set<string>();
  let inFlight = 0;
  let maxInFlight = 0;
  let origin = '';
  let port = 0;

  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    let path = (req.url ?? '/').split('?')[0];
    const token = /^\/([^/]+)\//.exec(path)?.[1];
    if (token !== undefined && pathTokens.has(token)) {
      path = path.slice(token.length + 1);
      (req as { tokenPrefix?: string }).tokenPrefix = `/${token}`;
    }
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, arrivedAt: performance.now() };
    requests.push(recorded);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        recorded.answeredAt = performance.now();
        inFlight--;
      }
    };
    res.on('close', finish);
    res.on('finish', finish);
    const answer = () => {
      try {
        route(req, res, path);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    };
    if (latencyMs > 0) later(latencyMs, answer);
    else answer();
  };
  // The HTTP/2 compatibility API gives the handler the same request and response surface.
  const server: http.Server | https.Server | http2.Http2SecureServer =
    options.tls === undefined
      ? http.createServer(handle)
      : options.tls.http1Only
        ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handle)
        : http2.createSecureServer({ key: options.tls.key, cert: options.tls.cert, allowHTTP1: true }, handle as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  server.on(options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function route(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    // `/mirror/simple/…` serves the same pages: a same-origin redirect target.
    const projectMatch = /^(?:\/mirror)?\/simple\/([^/]+)\/$/.exec(path);
    const mode = pathModes.get(path) ?? (projectMatch ? projectModes.get(normalize(decodeURIComponent(projectMatch[1]))) : undefined);
    if (mode && hostile(mode, req, res, path)) return;

    if (path === '/simple/') return projectList(req, res);
    if (projectMatch) return projectPage(req, res, decodeURIComponent(projectMatch[1]));
    const integrity = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance$/.exec(path);
    if (integrity) return provenance(req, res, ...(integrity.slice(1).map(decodeURIComponent) as [string, string, string]));
    const jsonApi = /^\/pypi\/([^/]+)\/json$/.exec(path);
    if (jsonApi) return projectJson(req, res, decodeURIComponent(jsonApi[1]));
    const download = /^\/files\/([^/]+)$/.exec(path);
    if (download) return fileDownload(res, decodeURIComponent(download[1]));
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  /** Answers with the hostile mode; false when the mode has run out (`times`) and normal service applies. */
  function hostile(mode: HostileMode, req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean {
    const hits = (modeHits.get(mode) ?? 0) + 1;
    modeHits.set(mode, hits);
    const limited = 'times' in mode && mode.times !== undefined;
    if (limited && hits > (mode as { times: number }).times) return false;
    switch (mode.kind) {
      case 'garbage-json':
        res.writeHead(200, { 'content-type': SIMPLE_JSON });
        res.end('{not json');
        return true;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><body><h1>Welcome to our index</h1></body></html>');
        return true;
      case 'huge':
        streamHuge(res, path, mode.bytes ?? 50 * 1024 * 1024, mode.declareLength ?? false);
        return true;
      case 'slow-drip': {
        res.writeHead(200, { 'content-type': SIMPLE_JSON });
        const drip = () => {
          if (res.destroyed || res.writableEnded) return;
          res.write(' ');
          written.set(path, (written.get(path) ?? 0) + 1);
          later(mode.intervalMs ?? 100, drip);
        };
        drip();
        return true;
      }
      case 'hang':
        return true;
      case 'rate-limit':
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': mode.retryAfter ?? '1' });
        res.end('Too Many Requests');
        return true;
      case 'server-error':
        res.writeHead(mode.status ?? 500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
        return true;
      case 'redirect':
        res.writeHead(mode.status ?? 302, { location: mode.location });
        res.end();
        return true;
      case 'redirect-other-host':
        res.writeHead(302, { location: `http://localhost:${port}${path}` });
        res.end();
        return true;
      case 'redirect-loop':
        res.writeHead(302, { location: path });
        res.end();
        return true;
      case 'connection-reset': {
        const socket = req.socket as Socket & { resetAndDestroy?: () => void };
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return true;
      }
      case 'raw':
        res.writeHead(mode.status, { ...(mode.contentType ? { 'content-type': mode.contentType } : {}), ...mode.headers });
        res.end(mode.body);
        return true;
      case 'header-overflow':
        res.writeHead(200, { 'content-type': SIMPLE_JSON, 'x-filler': 'x'.repeat(64 * 1024) });
        res.end('{}');
        return true;
    }
  }

  function streamHuge(res: http.ServerResponse, path: string, total: number, declareLength: boolean): void {
    res.writeHead(200, { 'content-type': SIMPLE_JSON, ...(declareLength ? { 'content-length': String(total) } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total && !res.destroyed) {
        const size = Math.min(chunk.length, total - sent);
        sent += size;
        written.set(path, (written.get(path) ?? 0) + size);
        if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  }

  function accepts(req: http.IncomingMessage, type: string): number {
    const header = req.headers.accept;
    if (header === undefined) return type === '*/*' ? 1 : 0;
    let best = 0;
    for (const part of header.split(',')) {
      const [media, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      const m = media.trim().toLowerCase();
      if (m === type || (type === '*/*' && m === '*/*')) best = Math.max(best, Number.isFinite(quality) ? quality : 0);
    }
    return best;
  }

  function negotiateSimple(req: http.IncomingMessage): 'json' | 'html' | undefined {
    if (accepts(req, SIMPLE_JSON) > 0) return 'json';
    if (req.headers.accept === undefined || accepts(req, SIMPLE_HTML) > 0 || accepts(req, 'text/html') > 0 || accepts(req, '*/*') > 0) return 'html';
    return undefined;
  }

  function sendCacheable(req: http.IncomingMessage, res: http.ServerResponse, contentType: string, body: string, cacheControl: string): void {
    const etag = `"${createHash('sha256').update(contentType).update(body).digest('hex').slice(0, 32)}"`;
    const headers = { etag, 'cache-control': cacheControl, vary: 'Accept, Accept-Encoding' };
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').map((t) => t.trim()).includes(etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  function projectList(req: http.IncomingMessage, res: http.ServerResponse): void {
    const format = negotiateSimple(req);
    const names = [...projects.values()].map((p) => p.name);
    if (format === 'json') {
      sendCacheable(req, res, SIMPLE_JSON, JSON.stringify({ meta: { 'api-version': '1.3' }, projects: names.map((name) => ({ name })) }), defaultCacheControl);
    } else if (format === 'html') {
      const links = names.map((name) => `<a href="/simple/${normalize(name)}/">${escapeHtml(name)}</a>`).join('\n');
      sendCacheable(req, res, SIMPLE_HTML, `<!DOCTYPE html><html><body>\n${links}\n</body></html>`, defaultCacheControl);
    } else notAcceptable(res);
  }

  function projectPage(req: http.IncomingMessage, res: http.ServerResponse, requested: string): void {
    const name = normalize(requested);
    if (requested !== name) {
      // PyPI redirects non-normalized names to the normalized URL.
      res.writeHead(301, { location: `${req.url?.startsWith('/mirror/') ? '/mirror' : ''}/simple/${name}/` });
      res.end();
      return;
    }
    const project = projects.get(name);
    if (!project) {
      res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': defaultCacheControl });
      res.end('404 Not Found');
      return;
    }
    const format = negotiateSimple(req);
    if (format === undefined) return notAcceptable(res);
    const cacheControl = project.cacheControl ?? defaultCacheControl;
    const base = `${origin}${(req as { tokenPrefix?: string }).tokenPrefix ?? ''}`;
    if (format === 'html') return sendCacheable(req, res, SIMPLE_HTML, pageHtml(project, base), cacheControl);
    sendCacheable(req, res, SIMPLE_JSON, JSON.stringify(pageJson(project, base)), cacheControl);
  }

  function fileUrl(project: TestProject, file: TestFile, base: string): string {
    return project.relativeUrls ? `../../files/${encodeURIComponent(file.filename)}` : `${base}/files/${encodeURIComponent(file.filename)}`;
  }

  function provenancePath(projectName: string, file: TestFile): string {
    return `/integrity/${normalize(projectName)}/${encodeURIComponent(file.version)}/${encodeURIComponent(file.filename)}/provenance`;
  }

  function pageJson(project: TestProject, base: string): unknown {
    const versions = project.versions === null ? undefined : project.versions ?? [...new Set(project.files.map((f) => f.version))];
    return {
      meta: { 'api-version': project.apiVersion ?? '1.3', '_last-serial': 1 },
      name: normalize(project.name),
      files: project.files.map((file) => ({
        filename: file.filename,
        url: fileUrl(project, file, base),
        hashes: { sha256: file.sha256, ...file.extraHashes },
        'requires-python': file.requiresPython ?? null,
        'core-metadata': false,
        size: file.size,
        ...(file.uploadTime !== undefined ? { 'upload-time': file.uploadTime } : {}),
        yanked: file.yanked ?? false,
        provenance:
          file.provenance === undefined
            ? null
            : file.provenanceUrl !== undefined
              ? file.provenanceUrl
              : project.relativeUrls
                ? `../..${provenancePath(project.name, file)}`
                : `${base}${provenancePath(project.name, file)}`,
      })),
      ...(versions !== undefined ? { versions } : {}),
      ...(project.projectStatus !== undefined ? { 'project-status': project.projectStatus } : {}),
    };
  }

  function pageHtml(project: TestProject, base: string): string {
    const links = project.files
      .map((file) => {
        const yanked = file.yanked ? ` data-yanked="${typeof file.yanked === 'string' ? escapeHtml(file.yanked) : ''}"` : '';
        return `<a href="${escapeHtml(fileUrl(project, file, base))}#sha256=${file.sha256}"${yanked}>${escapeHtml(file.filename)}</a><br/>`;
      })
      .join('\n');
    const status = project.projectStatus as { status?: unknown; reason?: unknown } | undefined;
    const statusTags = [
      typeof status?.status === 'string' ? `<meta name="pypi:project-status" content="${escapeHtml(status.status)}">` : '',
      typeof status?.reason === 'string' ? `<meta name="pypi:project-status-reason" content="${escapeHtml(status.reason)}">` : '',
    ].join('');
    return `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="${project.apiVersion ?? '1.3'}">${statusTags}</head><body>\n<h1>Links for ${escapeHtml(normalize(project.name))}</h1>\n${links}\n</body></html>`;
  }

  function provenance(req: http.IncomingMessage, res: http.ServerResponse, name: string, version: string, filename: string): void {
    const file = projects.get(normalize(name))?.files.find((f) => f.filename === filename && f.version === version);
    if (!file || file.provenance === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'No provenance available' }));
      return;
    }
    sendCacheable(req, res, INTEGRITY_JSON, JSON.stringify(file.provenance), defaultCacheControl);
  }

  /** PyPI's JSON API for a project: the part these tests read (`info`, `ownership`). */
  function projectJson(req: http.IncomingMessage, res: http.ServerResponse, name: string): void {
    const project = projects.get(normalize(name));
    if (!project || project.ownership === undefined) {
      res.writeHead(404, { 'content-type': 'application/json', 'cache-control': defaultCacheControl });
      res.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const body = { info: { name: project.name }, last_serial: 1, ...(project.ownership !== null ? { ownership: project.ownership } : {}) };
    sendCacheable(req, res, 'application/json', JSON.stringify(body), project.cacheControl ?? defaultCacheControl);
  }

  function fileDownload(res: http.ServerResponse, filename: string): void {
    for (const project of projects.values()) {
      const file = project.files.find((f) => f.filename === filename);
      if (file) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.content.length });
        res.end(file.content);
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  function notAcceptable(res: http.ServerResponse): void {
    res.writeHead(406, { 'content-type': 'text/plain' });
    res.end('Not Acceptable');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  origin = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;

  const toMode = (mode: HostileMode | HostileKind | undefined): HostileMode | undefined => {
    if (mode === undefined || typeof mode === 'object') return mode;
    switch (mode) {
      case 'redirect':
        return { kind: 'redirect', location: '/' };
      case 'raw':
        return { kind: 'raw', status: 200, body: '' };
      default:
        return { kind: mode } as HostileMode;
    }
  };

  return {
    url: `${origin}/simple/`,
    origin,
    port,
    setProject(projectOrName: TestProject | string, data?: Omit<TestProject, 'name'>) {
      const project = typeof projectOrName === 'string' ? { ...(data as Omit<TestProject, 'name'>), name: projectOrName } : projectOrName;
      projects.set(normalize(project.name), project);
    },
    removeProject(name) {
      projects.delete(normalize(name));
    },
    setMode(name, mode) {
      const resolved = toMode(mode);
      if (resolved) projectModes.set(normalize(name), resolved);
      else projectModes.delete(normalize(name));
    },
    setPathMode(path, mode) {
      const resolved = toMode(mode);
      if (resolved) pathModes.set(path, resolved);
      else pathModes.delete(path);
    },
    acceptPathToken(token) {
      pathTokens.add(token);
      return `${origin}/${token}/simple/`;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    get counts() {
      return Object.fromEntries(counts);
    },
    count(path) {
      return counts.get(path) ?? 0;
    },
    projectCount(name) {
      return counts.get(`/simple/${normalize(name)}/`) ?? 0;
    },
    get totalRequests() {
      return requests.length;
    },
    get requests() {
      return requests;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    bytesWritten(path) {
      return written.get(path) ?? 0;
    },
    resetCounts() {
      counts.clear();
      requests.length = 0;
      written.clear();
      maxInFlight = inFlight;
    },
    provenanceUrl(project, file) {
      return `${origin}${provenancePath(project, file)}`;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeAllConnections' in server) server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---------------------------------------------------------------------------------------------
// Realistic project data

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** PEP 691 upload-time format with microseconds, as PyPI writes it. */
export function uploadTimeOf(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A file from real bytes (a fixture, say). */
export function fileFrom(filename: string, version: string, content: Buffer, extra: Partial<Omit<TestFile, 'filename' | 'version' | 'content'>> = {}): TestFile {
  return { filename, version, content, sha256: sha256Hex(content), size: content.length, ...extra };
}

export interface ReleaseSpec {
  version: string;
  /** `sdist`, `wheel`, or literal file names (default: both an sdist and a py3 wheel). */
  files?: string[];
  /** Yank every file of the release (a string is the reason). */
  yanked?: boolean | string;
  /** Upload time of the first file; later files follow a minute apart. */
  uploadTime?: Date;
  /** Provenance object (or a maker of one per file) for the release's files. */
  provenance?: unknown | ((file: TestFile) => unknown);
}

export interface ProjectSpec {
  /** Releases in upload order (plain strings for defaults). */
  releases: Array<string | ReleaseSpec>;
  /** Upload time of the first release (default 2024-01-01); later ones follow a day apart. */
  start?: Date;
  apiVersion?: string;
  cacheControl?: string;
}

/**
 * A project with realistic files: each file's bytes are generated from its name, so its sha256
 * and size are real; upload times are in PyPI's format.
 */
export function makeProject(name: string, spec: ProjectSpec): TestProject {
  const stem = normalize(name).replace(/-/g, '_');
  const start = spec.start ?? new Date('2024-01-01T12:00:00Z');
  const files: TestFile[] = [];
  spec.releases.forEach((entry, index) => {
    const release: ReleaseSpec = typeof entry === 'string' ? { version: entry } : entry;
    const first = release.uploadTime ?? new Date(start.getTime() + index * 24 * 3600 * 1000);
    const names = (release.files ?? ['sdist', 'wheel']).map((kind) =>
      kind === 'sdist' ? `${stem}-${release.version}.tar.gz` : kind === 'wheel' ? `${stem}-${release.version}-py3-none-any.whl` : kind,
    );
    names.forEach((filename, i) => {
      const content = generatedBytes(filename);
      const file: TestFile = {
        filename,
        version: release.version,
        content,
        sha256: sha256Hex(content),
        size: content.length,
        uploadTime: uploadTimeOf(new Date(first.getTime() + i * 60 * 1000)),
        yanked: release.yanked,
      };
      if (release.provenance !== undefined) {
        file.provenance = typeof release.provenance === 'function' ? (release.provenance as (f: TestFile) => unknown)(file) : release.provenance;
      }
      files.push(file);
    });
  });
  return { name, files, apiVersion: spec.apiVersion, cacheControl: spec.cacheControl };
}

/** Deterministic pseudo-archive bytes (1–4 KB) derived from the file name. */
function generatedBytes(filename: string): Buffer {
  const seed = createHash('sha256').update(filename).digest();
  const length = 1024 + (seed.readUInt16BE(0) % 3072);
  const out = Buffer.alloc(length);
  let block = seed;
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

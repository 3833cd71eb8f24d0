/**
 * The editor test index as the extension host sees it (test/editor/editorIndex.ts runs in the
 * runner's process): its URLs from the environment, the request counters of both indexes from
 * the control endpoint, and project pages read the way the server reads them (PEP 691 JSON).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

interface Release {
  name: string;
  version: string;
}

/** What the index serves: test/editor/editorIndex.ts EDITOR_PROJECTS, handed over as JSON. */
export interface Projects {
  verified: Release & { repository: string; workflow: string };
  unattested: Release;
  hashes: Release;
}

export interface TestIndex {
  url: string;
  trustedRoot: string;
  workspaceIndexUrl: string;
  controlUrl: string;
  projects: Projects;
}

/** The indexes the runner started; undefined under a runner that started none. */
export function testIndex(): TestIndex | undefined {
  const env = process.env;
  const url = env.PYPI_PROVENANCE_TEST_INDEX_URL;
  const trustedRoot = env.PYPI_PROVENANCE_TEST_TRUSTED_ROOT;
  const workspaceIndexUrl = env.PYPI_PROVENANCE_TEST_WORKSPACE_INDEX_URL;
  const controlUrl = env.PYPI_PROVENANCE_TEST_INDEX_CONTROL;
  const projects = env.PYPI_PROVENANCE_TEST_PROJECTS;
  if (!url || !trustedRoot || !workspaceIndexUrl || !controlUrl || !projects) return undefined;
  return { url, trustedRoot, workspaceIndexUrl, controlUrl, projects: JSON.parse(projects) as Projects };
}

export function requireTestIndex(): TestIndex {
  const index = testIndex();
  assert.ok(index, 'the runner did not start the editor test index (PYPI_PROVENANCE_TEST_* variables)');
  return index;
}

export interface IndexCounters {
  index: { total: number; paths: Record<string, number> };
  workspaceIndex: { total: number; paths: Record<string, number> };
}

export async function counters(index: TestIndex): Promise<IndexCounters> {
  const response = await fetch(new URL('requests', index.controlUrl));
  assert.equal(response.status, 200, 'the control endpoint answers');
  return (await response.json()) as IndexCounters;
}

export async function resetCounters(index: TestIndex): Promise<void> {
  const response = await fetch(new URL('reset', index.controlUrl), { method: 'POST' });
  assert.equal(response.status, 204, 'the control endpoint resets the counters');
}

/** The sha256 of every file of a release, from the project's PEP 691 page. */
export async function releaseHashes(indexUrl: string, name: string, version: string): Promise<string[]> {
  const response = await fetch(new URL(`${name}/`, indexUrl), { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  assert.equal(response.status, 200, `the index serves ${name}`);
  const page = (await response.json()) as { files: Array<{ filename: string; hashes: { sha256: string } }> };
  const stem = name.replace(/-/g, '_');
  return page.files.filter((file) => file.filename.startsWith(`${stem}-${version}`)).map((file) => file.hashes.sha256);
}

/** Writes a file of the workspace (the tests' own, removed by removeWorkspaceFolder). */
export async function writeWorkspaceFile(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
}

/** The hover's Markdown at a position, polled until `done` holds (verification runs in the background). */
export async function waitForHover(uri: vscode.Uri, position: vscode.Position, done: (markdown: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
    last = hovers.flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n---\n');
    if (done(last)) return last;
    if (Date.now() > deadline) assert.fail(`the hover at ${position.line + 1}:${position.character + 1} did not show what was expected within ${timeoutMs} ms; last:\n${last || '(no hover)'}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

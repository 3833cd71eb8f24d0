/**
 * What the hardening tests (issue 15) share: everything a directory holds, as text (to grep a
 * cache directory for a secret), hostile JSON, and FIFOs where the system can make them.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeProject, type IndexServer } from './indexServer';

/** Every regular file under `dir`: its path and its text. */
export function filesUnder(dir: string): Array<{ name: string; text: string }> {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));
}

/** The names and contents of every file under `dir`, as one text. */
export function textUnder(dir: string): string {
  return filesUnder(dir)
    .map(({ name, text }) => `${name}\n${text}`)
    .join('\n');
}

/** A JSON object nested `levels` deep: `{"a":{"a":…"x"…}}`. */
export function deepJson(levels: number, leaf = '"x"'): string {
  return `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
}

/** Makes a FIFO; false where mkfifo is not available (the test then skips). */
export function makeFifo(file: string): boolean {
  try {
    execFileSync('mkfifo', [file]);
    return true;
  } catch {
    return false;
  }
}

/** A PEP 740 provenance object whose GitHub publisher carries a field nested `levels` deep. */
export function deepPublisherProvenance(levels: number): string {
  const publisher = `{"kind":"GitHub","repository":"o/r","workflow":"w.yml","environment":null,"extra":${deepJson(levels)}}`;
  return `{"version":1,"attestation_bundles":[{"publisher":${publisher},"attestations":[{}]}]}`;
}

/** Serves project `name` 1.0 (one sdist) whose provenance is deepPublisherProvenance(levels). */
export function serveDeepPublisher(index: IndexServer, name: string, levels: number): void {
  const project = makeProject(name, { releases: [{ version: '1.0', files: ['sdist'], provenance: { version: 1, attestation_bundles: [] } }] });
  index.setProject(project);
  index.setPathMode(new URL(index.provenanceUrl(name, project.files[0])).pathname, {
    kind: 'raw',
    status: 200,
    contentType: 'application/vnd.pypi.integrity.v1+json',
    body: deepPublisherProvenance(levels),
  });
}

/**
 * A parsed project page as it crosses from the page worker to the main thread. Structured
 * cloning tens of thousands of file objects would block the main thread for as long as parsing
 * them did; strings are copied as bytes. So the worker sends the validated files as JSON text in
 * slices, and the main thread revives one slice at a time, yielding between them.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { IndexError, type IndexErrorReason } from './errors';
import type { IndexFile, ProjectPage } from './simpleApi';

/** Files a slice holds: a slice revives in a few milliseconds. */
const FILES_PER_SLICE = 1000;

export interface PackedPage {
  name: string;
  apiVersion: string;
  url: string;
  versions?: string[];
  warnings: string[];
  /** JSON arrays of IndexFile, in page order. */
  fileSlices: string[];
}

export type PageJobAnswer = { id: number; page: PackedPage } | { id: number; error: { reason: IndexErrorReason; message: string; status?: number } };

export function packPage(page: ProjectPage): PackedPage {
  const fileSlices: string[] = [];
  for (let i = 0; i < page.files.length; i += FILES_PER_SLICE) fileSlices.push(JSON.stringify(page.files.slice(i, i + FILES_PER_SLICE)));
  return { name: page.name, apiVersion: page.apiVersion, url: page.url, versions: page.versions, warnings: page.warnings, fileSlices };
}

/** The page as parseProjectPage returned it in the worker: the same keys in the same order, hashes without a prototype. */
export async function unpackPage(packed: PackedPage): Promise<ProjectPage> {
  const files: IndexFile[] = [];
  for (const slice of packed.fileSlices) {
    for (const file of JSON.parse(slice) as IndexFile[]) files.push(reviveFile(file));
    await nextTurn();
  }
  return { name: packed.name, apiVersion: packed.apiVersion, url: packed.url, files, versions: packed.versions, warnings: packed.warnings };
}

function reviveFile(file: IndexFile): IndexFile {
  const hashes = Object.assign(Object.create(null) as Record<string, string>, file.hashes);
  return {
    filename: file.filename,
    url: file.url,
    hashes,
    sha256: file.sha256,
    size: file.size,
    uploadTime: file.uploadTime,
    yanked: file.yanked,
    yankedReason: file.yankedReason,
    provenanceUrl: file.provenanceUrl,
    requiresPython: file.requiresPython,
  };
}

export function errorAnswer(id: number, error: unknown): PageJobAnswer {
  if (error instanceof IndexError) return { id, error: { reason: error.reason, message: error.message, status: error.status } };
  throw error;
}

export function errorOf(answer: Extract<PageJobAnswer, { error: unknown }>): IndexError {
  return new IndexError(answer.error.reason, answer.error.message, answer.error.status);
}

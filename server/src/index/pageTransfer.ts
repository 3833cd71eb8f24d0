/**
 * A parsed project page as it crosses from the page worker to the main thread. Structured
 * cloning tens of thousands of file objects would block the main thread for as long as parsing
 * them did, and even cloning their JSON as strings copies megabytes in one go. So the worker
 * writes the validated files as JSON slices into one byte buffer, which is transferred (moved,
 * not copied), and the main thread decodes and revives one slice at a time, yielding between.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { IndexError, type IndexErrorReason } from './errors';
import { hashRecord, type IndexFile, type ProjectPage } from './simpleApi';

/** Files a slice holds: a slice revives in a few milliseconds. */
const FILES_PER_SLICE = 1000;

export interface PackedPage {
  name: string;
  apiVersion: string;
  url: string;
  versions?: string[];
  projectStatus?: ProjectPage['projectStatus'];
  warnings: string[];
  /** UTF-8 JSON arrays of IndexFile, in page order, one after another (transferred). */
  files: Uint8Array;
  /** Where each slice of `files` ends. */
  sliceEnds: number[];
}

export type PageJobAnswer =
  | { id: number; page: PackedPage; body: Uint8Array }
  | { id: number; error: { reason: IndexErrorReason; message: string; status?: number }; body: Uint8Array };

export function packPage(page: ProjectPage): PackedPage {
  const slices: Buffer[] = [];
  const sliceEnds: number[] = [];
  let length = 0;
  for (let i = 0; i < page.files.length; i += FILES_PER_SLICE) {
    const slice = Buffer.from(JSON.stringify(page.files.slice(i, i + FILES_PER_SLICE)), 'utf8');
    slices.push(slice);
    length += slice.length;
    sliceEnds.push(length);
  }
  // One buffer of its own (never Node's shared pool), so that it can be transferred.
  const files = new Uint8Array(new ArrayBuffer(length));
  let at = 0;
  for (const slice of slices) {
    files.set(slice, at);
    at += slice.length;
  }
  return {
    name: page.name,
    apiVersion: page.apiVersion,
    url: page.url,
    versions: page.versions,
    ...(page.projectStatus ? { projectStatus: page.projectStatus } : {}),
    warnings: page.warnings,
    files,
    sliceEnds,
  };
}

/** The page as parseProjectPage returned it in the worker: the same keys in the same order, hashes without a prototype. */
export async function unpackPage(packed: PackedPage): Promise<ProjectPage> {
  const bytes = Buffer.from(packed.files.buffer, packed.files.byteOffset, packed.files.byteLength);
  const files: IndexFile[] = [];
  let start = 0;
  for (const end of packed.sliceEnds) {
    for (const file of JSON.parse(bytes.toString('utf8', start, end)) as IndexFile[]) files.push(reviveFile(file));
    start = end;
    await nextTurn();
  }
  return {
    name: packed.name,
    apiVersion: packed.apiVersion,
    url: packed.url,
    files,
    versions: packed.versions,
    warnings: packed.warnings,
    ...(packed.projectStatus ? { projectStatus: packed.projectStatus } : {}),
  };
}

function reviveFile(file: IndexFile): IndexFile {
  const hashes = hashRecord(Object.entries(file.hashes));
  return {
    filename: file.filename,
    url: file.url,
    hashes,
    // One string, as parseProjectPage has it (JSON gave two copies): 30,000 files hold 2 MB less.
    sha256: file.sha256 === undefined ? undefined : hashes.sha256,
    size: file.size,
    uploadTime: file.uploadTime,
    yanked: file.yanked,
    yankedReason: file.yankedReason,
    provenanceUrl: file.provenanceUrl,
    requiresPython: file.requiresPython,
  };
}

export function errorAnswer(id: number, error: unknown, body: Uint8Array): PageJobAnswer {
  if (error instanceof IndexError) return { id, error: { reason: error.reason, message: error.message, status: error.status }, body };
  throw error;
}

export function errorOf(answer: Extract<PageJobAnswer, { error: unknown }>): IndexError {
  return new IndexError(answer.error.reason, answer.error.message, answer.error.status);
}

/**
 * A `check` run: read every input file, then put each through the engine's stages (the same as
 * the language server's) and build its report. Reading comes first and all of it: an unreadable
 * input stops the run before anything is checked (exit code 2), so CI never gets a partial pass.
 */
import { withoutRetryNote } from '../core/format';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { severityFor, type SeverityOrOff } from '../core/codes';
import type { Finding } from '../core/finding';
import type { ParsedDocument } from '../core/model';
import type { DocumentReport } from '../core/result';
import type { Engine, ReportSubject } from '../pipeline/engine';
import { parseDocumentSafely } from '../pipeline/parse';
import { buildDocumentReport } from '../pipeline/report';
import { runStages, type StageFailure } from '../pipeline/runStages';
import { withLockedVersions } from '../pipeline/lockStep';
import type { Settings } from '../pipeline/contract/settings';
import { decodeUtf8, invalidUtf8Finding } from './decode';
import { describeFsError, type InputFile } from './discover';
import { MAX_DOCUMENT_BYTES, readRegularFile } from '../core/regularFile';

export interface ReadFile extends InputFile {
  text: string;
  /** The `syntax` finding for bytes that are not UTF-8, when there are any. */
  decodeFinding?: Finding;
}

export interface CheckedDocument {
  /** Absolute path. */
  path: string;
  /** The path relative to the working directory (absolute when outside it), for people. */
  displayPath: string;
  text: string;
  parsed: ParsedDocument;
  /** Every finding, in stage order (the decode problem first), whatever its severity. */
  findings: Finding[];
  /** CONTRACT.md §5; `uri` is the absolute path. */
  report: DocumentReport;
  failures: StageFailure[];
}

export interface CheckRun {
  documents: CheckedDocument[];
  settings: Readonly<Settings>;
  cwd: string;
}

export async function readInputs(files: readonly InputFile[]): Promise<{ read: ReadFile[]; errors: string[] }> {
  const read: ReadFile[] = [];
  const errors: string[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(file.path, MAX_DOCUMENT_BYTES);
    } catch (error) {
      errors.push(`${file.path}: cannot be read: ${describeFsError(error)}`);
      continue;
    }
    const decoded = decodeUtf8(bytes);
    read.push({ ...file, text: decoded.text, decodeFinding: invalidUtf8Finding(decoded) });
  }
  return { read, errors };
}

export interface CheckOptions {
  engine: Engine;
  settings: Readonly<Settings>;
  cwd: string;
  /** For `${VAR}` expansion in requirements files, as pip does it. */
  env: Readonly<Record<string, string | undefined>>;
  /** How many documents are checked at once (the index client limits its own requests). */
  concurrency?: number;
  /** Told when a document is parsed (its stages start) and when it is done (progress.ts). */
  onDocument?: (event: 'started' | 'done', subject: ReportSubject) => void;
}

export async function checkDocuments(files: readonly ReadFile[], options: CheckOptions): Promise<CheckRun> {
  const documents: CheckedDocument[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      documents[index] = await checkDocument(files[index], options);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, files.length)) }, worker));
  return { documents, settings: options.settings, cwd: options.cwd };
}

async function checkDocument(file: ReadFile, options: CheckOptions): Promise<CheckedDocument> {
  const safe = parseDocumentSafely(file.format, file.text, { env: options.env });
  const error = safe.error;
  const uri = pathToFileURL(file.path).href;
  const parsed = await withLockedVersions(safe.parsed, uri);
  const subject: ReportSubject = { uri, parsed, settings: options.settings };
  options.onDocument?.('started', subject);
  const run = await runStages({ uri, format: file.format, text: file.text, parsed, settings: options.settings }, options.engine.stages);
  options.onDocument?.('done', subject);
  const failures = error === undefined ? run.failures : [{ stage: 'parse', error }, ...run.failures];
  const findings = (file.decodeFinding ? [file.decodeFinding, ...run.findings] : run.findings).map((finding) => ({ ...finding, message: withoutRetryNote(finding.message) }));
  const results = options.engine.dependencyResults({ uri, parsed, settings: options.settings });
  return {
    path: file.path,
    displayPath: displayPath(file.path, options.cwd),
    text: file.text,
    parsed,
    findings,
    report: withoutRetryNotes(buildDocumentReport(file.path, parsed, findings, results)),
    failures,
  };
}

/** A CLI run ends: nothing it reports will be tried again, so no message may say so. */
function withoutRetryNotes(report: DocumentReport): DocumentReport {
  for (const dependency of report.dependencies) {
    for (const file of dependency.files) if (typeof file.message === 'string') file.message = withoutRetryNote(file.message);
  }
  return report;
}

export function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative) ? absolute : relative;
}

/** The severity a finding is shown with under the run's `severity` settings. */
export function severityOf(finding: Finding, settings: Readonly<Settings>): SeverityOrOff {
  return severityFor(finding.code, settings.severity, finding.defaultSeverity);
}

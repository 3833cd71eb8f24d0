/**
 * What a stage (resolution, verification, zero trust) hands the report about each dependency;
 * pipeline/report.ts decides the dependency's status from it and the findings.
 */
import type { Dependency } from '../../core/model';
import type { FileReport, Publisher, RememberedFacts, Status } from '../../core/result';

/** What the later stages know about one dependency; every field optional. */
export interface DependencyResult {
  /** A status the stage decided for the dependency as a whole (`not-found`, `error`, `pending` while it works, …). */
  status?: Status;
  /** The dependency's publisher; when absent, the publisher of its first verified file. */
  publisher?: Publisher | null;
  /** The files of the pinned release (or the locked files), as far as they are checked. */
  files?: FileReport[];
  /** What the zero-trust memories remember of it (first seen, files then, owners, split views). */
  remembered?: RememberedFacts;
}

/** The later stages' result for the dependency at `index` of ParsedDocument.dependencies, if any. */
export type DependencyResults = (index: number, dependency: Dependency) => DependencyResult | undefined;

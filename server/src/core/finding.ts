import type { DiagnosticCode, Severity } from './codes';
import type { Range } from './model';

/**
 * One thing found about a document: what diagnostics, the report and the CLI are made from.
 * `dependency` is the index into ParsedDocument.dependencies when the finding is about one.
 */
export interface Finding {
  code: DiagnosticCode;
  message: string;
  range: Range;
  dependency?: number;
  /** A default severity of its own, other than its code's (a `syntax` warning, a late upload PyPI refuses); the `severity` setting still wins. */
  defaultSeverity?: Severity;
}

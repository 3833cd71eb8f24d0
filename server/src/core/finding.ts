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
  /** The severity when this finding is graver than its code's default (a `severity` setting still wins). */
  defaultSeverity?: Severity;
}

/**
 * What the verification stage learned about each dependency of an analysed document, kept by the
 * parsed document it was learned for (the analysis' ParsedDocument object), so that the hover
 * and the report read exactly the state of the text they describe, and a replaced analysis' state
 * goes away with it.
 */
import type { ParsedDocument } from '../core/model';
import type { DependencyResults } from '../pipeline/contract/dependencyResult';
import type { Resolution } from '../index/resolve';
import type { DependencyVerification } from './dependencyVerification';

export interface DependencyState extends DependencyVerification {
  resolution?: Resolution;
}

export interface DocumentVerification {
  dependencies: Map<number, DependencyState>;
  /** Which trusted root the verdicts are against (for the hover). */
  trust?: string;
  /** The root is the Sigstore public-good one: log entries can be linked on search.sigstore.dev. */
  publicGood?: boolean;
  /** Set when verification could not run at all (an unusable trusted root). */
  failure?: string;
}

export class DocumentResults {
  private readonly byDocument = new WeakMap<ParsedDocument, DocumentVerification>();

  /** The state of a document's analysis, made empty on first use. */
  of(parsed: ParsedDocument): DocumentVerification {
    let state = this.byDocument.get(parsed);
    if (!state) {
      state = { dependencies: new Map() };
      this.byDocument.set(parsed, state);
    }
    return state;
  }

  get(parsed: ParsedDocument): DocumentVerification | undefined {
    return this.byDocument.get(parsed);
  }

  dependency(parsed: ParsedDocument, index: number): DependencyState | undefined {
    return this.byDocument.get(parsed)?.dependencies.get(index);
  }

  /** For pipeline/report.ts buildDocumentReport. */
  dependencyResults(parsed: ParsedDocument): DependencyResults {
    return (index) => this.dependency(parsed, index)?.result;
  }
}

// STUB — replaced by the PEP 508 requirement parser (owner: requirements engineer). The types are the agreed API.

/** Offsets into the string given to parsePep508; end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface Pep508Requirement {
  /** The name as written. */
  name: string;
  nameSpan: Span;
  extras: string[];
  /** Version specifier as written, whitespace trimmed (parentheses removed); '' when none. */
  specifier: string;
  specifierSpan?: Span;
  /** The exact version when the specifier is a single `==X` (no `.*`) or `===X`. */
  pinnedVersion?: string;
  /** The version text after `==`/`===` of the pin. */
  versionSpan?: Span;
  marker?: string;
  markerSpan?: Span;
  /** `name @ URL` direct reference. */
  url?: string;
  urlSpan?: Span;
  /** Span of the whole requirement: name start to the end of the specifier/URL/marker, trailing whitespace excluded. */
  span: Span;
}

export type Pep508Result = { ok: true; requirement: Pep508Requirement } | { ok: false; message: string; span: Span };

export function parsePep508(text: string): Pep508Result {
  return { ok: false, message: 'PEP 508 parser not implemented yet', span: { start: 0, end: text.length } };
}

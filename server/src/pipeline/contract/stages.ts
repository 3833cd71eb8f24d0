/**
 * The seam through which everything that finds problems in a document plugs into the server.
 *
 * A document's analysis is a list of FindingStages run in order over one parsed version of the
 * document. Each stage owns a slot of findings; the published diagnostics are all slots put
 * together, converted with the current `severity` setting.
 *
 * - A stage that answers synchronously (local checks) is part of the first publish, which the
 *   server sends as soon as a document opens (edits are debounced first). For a large document
 *   the first publish has the leading `local` stages only; the others start right after it.
 * - A stage that answers with a Promise (resolution against the index, verification) publishes
 *   when it settles; it may also call `update` any number of times before then to show partial
 *   results (e.g. each dependency as it verifies). Publishes are coalesced per document.
 * - When the document changes, closes, or the settings change, the analysis is replaced: the old
 *   one's `signal` aborts and anything it still returns or `update`s is dropped (stale version).
 *   Slots of the new analysis start empty, so no finding ever points at ranges of an old text.
 * - A stage that throws or rejects is logged; the other stages' findings are still published.
 *
 * Stages do not see each other's findings. A stage needing another's work (verification needs
 * resolution) shares a service with it (e.g. a resolver that caches by name and version, so
 * "each file once however many documents pin it" holds across documents), and both await it.
 * Shared data for hovers, code actions and the report request lives in such services too,
 * keyed by what it describes; `DocumentAnalyses.get(uri)` gives the parsed document and
 * `settled(uri)` waits until no stage of the current analysis is pending.
 */
import type { Finding } from '../../core/finding';
import type { DocumentFormat, ParsedDocument } from '../../core/model';
import type { Settings } from './settings';

export interface StageInput {
  uri: string;
  version: number;
  format: DocumentFormat;
  text: string;
  parsed: ParsedDocument;
  settings: Readonly<Settings>;
  /** Aborted once this analysis is replaced (document edited or closed, settings changed). */
  signal: AbortSignal;
  /** Replace this stage's findings before it settles. A no-op once the analysis is stale. */
  update(findings: Finding[]): void;
}

export interface FindingStage {
  /** Names the stage's slot and its log lines; unique among the server's stages. */
  readonly name: string;
  /**
   * The stage reads the document (and files beside it) only and answers synchronously. A large
   * document publishes these stages' findings before the other stages start, since their set-up
   * for thousands of dependencies (cache look-ups, requests) takes hundreds of milliseconds.
   */
  readonly local?: boolean;
  run(input: StageInput): Finding[] | Promise<Finding[]>;
}

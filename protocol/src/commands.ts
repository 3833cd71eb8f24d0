/**
 * The accept-publisher command (issue 10 item 3), shared by the server, which offers it as a code
 * action's command, and the VS Code client, which asks the user before the server applies it.
 * Types only; the command names are in the server's lsp/zeroTrustActions.ts and the client's
 * constants.ts:
 * - `pypiProvenance.acceptPublisher` (server): applies the acceptance, only with `mode`;
 * - `pypiProvenance.confirmAcceptPublisher` (client): shows a modal naming both publishers, then
 *   calls the server command with the mode the user chose. A client announces that it has it with
 *   the experimental capability `{ "commands": { "commands": ["pypiProvenance.confirmAcceptPublisher"] } }`
 *   (the convention rust-analyzer's clients use); without it the server offers one action per mode.
 */
import type { Publisher } from './report';

/** `replace`: the accepted publisher replaces the recorded or trusted ones; `keep-both`: it joins them. */
export type AcceptMode = 'replace' | 'keep-both';

export interface AcceptPublisherArguments {
  /** `lock`: the pylock.toml's `attestation-identities` (an edit of the file); `trust-store`: the publisher trusted on this machine. */
  target: 'lock' | 'trust-store';
  uri: string;
  /** The document version the action was offered for: a lock that changed since is not edited. */
  documentVersion: number;
  /** The dependency's index in the document. */
  dependency: number;
  /** PEP 503 normalized project name. */
  project: string;
  version: string;
  /** `trust-store`: the index as the trust store keys it (no credentials). */
  index?: string;
  /** The verified publisher to accept. */
  publisher: Publisher;
  /** The words of a confirmation, publishers named so they can be told apart. */
  labels: {
    project: string;
    publisher: string;
    /** The recorded (lock) or trusted (trust store) publishers it would replace. */
    previous: string[];
  };
  /** Required by the server command; absent when the client is to ask. */
  mode?: AcceptMode;
}

/** What `pypiProvenance.acceptPublisher` answers. */
export type AcceptPublisherResult = { accepted: true; mode: AcceptMode } | { accepted: false; reason: string };

/**
 * `pypiProvenance.acceptOwners` (server): makes the owners the index reports now the reference of
 * the owners memory, after an `owners-changed` the user has checked. Offered as a code action's
 * command; applied only when the current analysis still finds exactly this change.
 */
export interface AcceptOwnersArguments {
  uri: string;
  /** The dependency's index in the document. */
  dependency: number;
  /** PEP 503 normalized project name. */
  project: string;
  /** The index as the owners memory keys it (no credentials). */
  index: string;
  /** The owners reported now, as the action offered them. */
  ownership: { roles: { role: string; user: string }[]; organization: string | null };
}

/** What `pypiProvenance.acceptOwners` answers. */
export type AcceptOwnersResult = { accepted: true } | { accepted: false; reason: string };

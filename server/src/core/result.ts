/**
 * The one result model of resolution and verification (CONTRACT.md §5), shared by diagnostics,
 * hover, code actions, the report request and the CLI. The types are the protocol project's
 * (protocol/src/report.ts, which the client reads too), with the server's diagnostic codes.
 */
import type { DiagnosticCode } from './codes';
import type * as protocol from '../../../protocol/src/report';

export type { FileReport, ProvenanceDetails, Publisher, RememberedFacts, Status } from '../../../protocol/src/report';

export type DependencyReport = protocol.DependencyReport<DiagnosticCode>;
export type DocumentReport = protocol.DocumentReport<DiagnosticCode>;

/** Precedence when several statuses apply (CONTRACT.md §5): the first wins. */
export const STATUS_PRECEDENCE: readonly protocol.Status[] = ['invalid', 'error', 'not-found', 'partial', 'unattested', 'verified'];

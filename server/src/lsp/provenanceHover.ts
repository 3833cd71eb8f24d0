/**
 * textDocument/hover on a dependency: the provenance card (hover/card.ts) from what the document's
 * current analysis knows at this moment — a dependency still being verified says so; the hover
 * never waits for verification. A range requirement with no lock adds its newest match (newestMatchHover.ts). Hovering also tells the verification queue that this document is
 * the one being looked at, so its work goes first.
 */
import { MarkupKind, type ClientCapabilities, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { dependencyHover } from '../hover/dependencyHover';
import { renderHover, type HoverFormat, type RenderOptions } from '../hover/card';
import type { ResolutionServices } from '../resolution/resolutionServices';
import { newestMatchLine } from './newestMatchHover';
import type { VerificationServices } from '../verification/service';
import type { ZeroTrustResults } from '../zeroTrust/service';
import { allFindings, type DocumentAnalyses } from './documentAnalyses';

/**
 * Whether the client renders HTML inside hover Markdown: the VS Code client says so in its
 * initializationOptions (`hoverHtml: true`, with `supportHtml` on its side); no LSP capability does.
 */
export function hoverRenderOptions(initializationOptions: unknown): RenderOptions {
  const options = initializationOptions as { hoverHtml?: unknown } | null | undefined;
  return { html: typeof options === 'object' && options !== null && options.hoverHtml === true };
}

/** Markdown when the client's hover contentFormat lists it (or says nothing, as most editors render it); else plain text. */
export function hoverFormat(capabilities: ClientCapabilities | undefined): HoverFormat {
  const formats = capabilities?.textDocument?.hover?.contentFormat;
  if (!Array.isArray(formats) || formats.length === 0) return 'markdown';
  return formats.includes(MarkupKind.Markdown) ? 'markdown' : 'plaintext';
}

export async function provenanceHover(
  params: HoverParams,
  analyses: DocumentAnalyses,
  verification: VerificationServices | undefined,
  format: HoverFormat,
  zeroTrust?: ZeroTrustResults,
  resolution?: ResolutionServices,
  render: RenderOptions = {},
): Promise<Hover | null> {
  const uri = params?.textDocument?.uri;
  const position = params?.position;
  if (typeof uri !== 'string' || typeof position?.line !== 'number' || typeof position.character !== 'number') return null;
  const analysis = analyses.get(uri);
  if (!analysis) return null;
  const subject = { uri, parsed: analysis.parsed, findings: allFindings(analysis), severity: analysis.settings.severity };
  const hover = dependencyHover(subject, position, verification?.results, format, zeroTrust, render);
  if (!hover) return null;
  verification?.queue.focus(uri);
  let text = hover.text;
  const newest = resolution && hover.card.versionLine === undefined ? await newestMatchLine(analysis, hover.dependency, resolution) : undefined;
  if (newest !== undefined) text = renderHover({ ...hover.card, versionLine: newest }, format, render);
  return {
    contents: { kind: format === 'markdown' ? MarkupKind.Markdown : MarkupKind.PlainText, value: text },
    range: analysis.parsed.dependencies[hover.dependency].ranges.requirement,
  };
}

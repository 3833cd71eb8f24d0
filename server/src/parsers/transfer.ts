/**
 * How a ParsedDocument crosses from the parse worker to the server's thread. A large lock's
 * document is some 150,000 small objects (every dependency, file and hash has its own ranges),
 * and the structured clone postMessage does copies them one by one on both threads: for a 3 MB
 * uv.lock about three times the CPU of JSON.stringify, a transfer of the UTF-8 bytes (no copy)
 * and JSON.parse. JSON is exact only for plain data, so a document that holds anything else (an
 * `undefined` value, a number JSON cannot write, a Map…) goes by structured clone as before.
 */
import type { ParsedDocument } from '../core/model';

/** What the worker posts: the document as UTF-8 JSON (its buffer transferred), or the document itself. */
export type PackedDocument = { json: Uint8Array } | { document: ParsedDocument };

/** The document packed for postMessage, and the buffers to transfer with it. */
export function packDocument(document: ParsedDocument): { message: PackedDocument; transfer: ArrayBuffer[] } {
  if (!isJsonData(document)) return { message: { document }, transfer: [] };
  const json = new TextEncoder().encode(JSON.stringify(document));
  return { message: { json }, transfer: [json.buffer as ArrayBuffer] };
}

export function unpackDocument(message: PackedDocument): ParsedDocument {
  if ('document' in message) return message.document;
  return JSON.parse(new TextDecoder().decode(message.json)) as ParsedDocument;
}

/**
 * Whether JSON.parse(JSON.stringify(value)) is deep-equal to `value`: strings, finite numbers,
 * booleans, null, arrays and plain objects, with no property whose value is `undefined`. (Two
 * references to one object arrive as two equal objects; nothing mutates a parsed document's ranges.)
 */
export function isJsonData(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      // Parsed documents nest a few levels; a deep value is not worth a stack overflow here.
      if (depth > 64) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonData(value[i], depth + 1)) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key in value) if (!isJsonData((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

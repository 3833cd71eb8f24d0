/**
 * How a document's text crosses to the parse worker, and its ParsedDocument back.
 *
 * The text: postMessage copies a string of a few megabytes in tens of milliseconds on the
 * server's thread; its UTF-8 bytes take about one to make and none to transfer (the worker
 * decodes them). A string with a lone surrogate would not survive UTF-8, so it is posted as is.
 *
 * The document: a large lock's is some 150,000 small objects (every dependency, file and hash has
 * its own ranges), which the structured clone copies one by one on both threads. As UTF-8 JSON
 * (JSON.stringify, the bytes transferred, JSON.parse) a 3 MB uv.lock's costs the server's thread
 * about half as much, and the worker less too. JSON is exact only for plain data, so a document
 * holding anything else (an `undefined` value, a number JSON cannot write, a Map…) is cloned.
 */
import type { ParsedDocument } from '../core/model';

/** The text as the worker is sent it: UTF-8 bytes (their buffer transferred), or the string. */
export type PackedText = { bytes: Uint8Array } | { text: string };

export function packText(text: string): { packed: PackedText; transfer: ArrayBuffer[] } {
  // String.prototype.isWellFormed: in every Node this server runs on (20+), not yet in the ES2022 lib.
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return { packed: { text }, transfer: [] };
  const bytes = new TextEncoder().encode(text);
  return { packed: { bytes }, transfer: [bytes.buffer as ArrayBuffer] };
}

export function unpackText(packed: PackedText): string {
  return 'text' in packed ? packed.text : new TextDecoder().decode(packed.bytes);
}

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

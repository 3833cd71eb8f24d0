// Issue 9 item 6: the text goes to the parse worker as UTF-8 bytes (a string UTF-8 cannot carry
// goes as it is), and the parse worker posts its document as JSON bytes (transferred, not copied),
// which is exact only for plain data; anything else goes by structured clone as before. Either
// way the server's thread gets the document the parser made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { emptyOptions, type ParsedDocument } from '../../server/src/core/model';
import { parseDocument } from '../../server/src/parsers/index';
import { isJsonData, packDocument, packText, unpackDocument, unpackText, type PackedDocument, type PackedText } from '../../server/src/parsers/transfer';
import { LARGE_DOCUMENTS } from '../support/largeDocuments';

/** The document through a real MessagePort, as the worker posts it. */
function throughPort(document: ParsedDocument): { received: ParsedDocument; packed: PackedDocument } {
  const { port1, port2 } = new MessageChannel();
  try {
    const { message, transfer } = packDocument(document);
    port1.postMessage(message, transfer);
    const packed = receiveMessageOnPort(port2)?.message as PackedDocument;
    return { received: unpackDocument(packed), packed };
  } finally {
    port1.close();
  }
}

test('every generated large document crosses as JSON bytes and arrives equal', () => {
  for (const [kind, { format, generate }] of Object.entries(LARGE_DOCUMENTS)) {
    const parsed = parseDocument(format, generate(60_000), { env: {}, workspaceTrusted: true });
    const { received, packed } = throughPort(parsed);
    assert.ok('json' in packed, `${kind}: sent as JSON`);
    assert.deepStrictEqual(received, parsed, kind);
  }
});

test('a broken lock (a problem, no dependencies) arrives equal too', () => {
  const text = LARGE_DOCUMENTS['uv.lock'].generate(20_000).replace('version = 1', 'version = [1');
  const parsed = parseDocument('uvlock', text, { env: {}, workspaceTrusted: false });
  assert.equal(parsed.problems[0]?.code, 'syntax');
  assert.deepStrictEqual(throughPort(parsed).received, parsed);
});

test('a document JSON cannot carry exactly goes by structured clone', () => {
  const start = { line: 0, character: 0 };
  const base: ParsedDocument = { format: 'requirements', dependencies: [], problems: [{ code: 'syntax', message: 'x', range: { start, end: start } }], options: emptyOptions(), includes: [] };
  const odd: Array<[string, ParsedDocument]> = [
    ['an undefined value', { ...base, lock: { lockVersion: undefined } }],
    ['NaN', { ...base, lock: { revision: Number.NaN } }],
    ['-0', { ...base, lock: { revision: -0 } }],
    ['a Map', { ...base, options: { ...base.options, other: new Map() as unknown as Record<string, string[]> } }],
    ['a sparse array', { ...base, includes: new Array(2) }],
  ];
  for (const [what, document] of odd) {
    assert.equal(isJsonData(document), false, what);
    const { received, packed } = throughPort(document);
    assert.ok('document' in packed, `${what}: sent by structured clone`);
    assert.deepStrictEqual(received, document, what);
  }
  assert.equal(isJsonData(base), true);
});

test('a text crosses as UTF-8 bytes, or as itself when UTF-8 cannot carry it, and arrives equal', () => {
  const texts: Array<[string, string, 'bytes' | 'text']> = [
    ['ASCII', 'name = "requests"\n', 'bytes'],
    ['non-ASCII and an astral character', 'description = "naïve café 😀"\r\n', 'bytes'],
    ['a lone high surrogate', 'x = "\uD800"\n', 'text'],
    ['a lone low surrogate', 'x = "a\uDC00b"\n', 'text'],
    ['empty', '', 'bytes'],
  ];
  for (const [what, text, how] of texts) {
    const { port1, port2 } = new MessageChannel();
    try {
      const { packed, transfer } = packText(text);
      assert.ok(how in packed, `${what}: sent as ${how}`);
      port1.postMessage(packed, transfer);
      assert.equal(unpackText(receiveMessageOnPort(port2)?.message as PackedText), text, what);
    } finally {
      port1.close();
    }
  }
});

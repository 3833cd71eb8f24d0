/**
 * Bytes from disk → text. Dependency files are UTF-8 (pip, TOML and PEP 751 say so). Bytes that
 * are not become U+FFFD (the WHATWG decoder's replacement, as an editor shows them) and the
 * first of them is reported as a `syntax` finding, so a file never fails to be checked and the
 * user learns where it is broken. A UTF-8 byte-order mark is dropped, as editors drop it.
 */
import type { Finding } from '../core/finding';
import { LineIndex } from '../core/lineIndex';

export interface DecodedText {
  text: string;
  /** The first undecodable byte, when there is one. */
  invalid?: { byteOffset: number; byte: number; textOffset: number; count: number };
}

const REPLACEMENT = 0xfffd;

export function decodeUtf8(bytes: Uint8Array): DecodedText {
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
  if (!text.includes(String.fromCharCode(REPLACEMENT))) return { text };
  // Walk the text and the bytes together: a U+FFFD whose bytes are not EF BF BD is where the bytes went wrong.
  let byteOffset = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let first: DecodedText['invalid'];
  let count = 0;
  for (let i = 0; i < text.length; ) {
    const codePoint = text.codePointAt(i)!;
    const width = codePoint > 0xffff ? 2 : 1;
    if (codePoint === REPLACEMENT && !(bytes[byteOffset] === 0xef && bytes[byteOffset + 1] === 0xbf && bytes[byteOffset + 2] === 0xbd)) {
      count++;
      if (first === undefined) first = { byteOffset, byte: bytes[byteOffset] ?? 0, textOffset: i, count: 0 };
      byteOffset += invalidSequenceLength(bytes, byteOffset);
    } else {
      byteOffset += utf8Length(codePoint);
    }
    i += width;
  }
  return first === undefined ? { text } : { text, invalid: { ...first, count } };
}

/** The `syntax` finding for a decoded text's first undecodable byte; undefined when there is none. */
export function invalidUtf8Finding(decoded: DecodedText): Finding | undefined {
  const invalid = decoded.invalid;
  if (invalid === undefined) return undefined;
  const range = new LineIndex(decoded.text).rangeOf(invalid.textOffset, invalid.textOffset + 1);
  const byte = `0x${invalid.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const more = invalid.count > 1 ? ` (${invalid.count} places in all)` : '';
  return {
    code: 'syntax',
    message: `This file is not valid UTF-8: the byte ${byte} at byte offset ${invalid.byteOffset} cannot be decoded${more}; it is read as U+FFFD. Save the file as UTF-8.`,
    range,
  };
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * How many bytes the decoder turned into one U+FFFD at `offset`: the WHATWG decoder replaces a
 * maximal prefix of a valid sequence (a truncated multi-byte character) as one, and any other
 * bad byte on its own.
 */
function invalidSequenceLength(bytes: Uint8Array, offset: number): number {
  const lead = bytes[offset];
  let needed = 0;
  let lower = 0x80;
  let upper = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
  else if (lead >= 0xe0 && lead <= 0xef) {
    needed = 2;
    if (lead === 0xe0) lower = 0xa0;
    if (lead === 0xed) upper = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    needed = 3;
    if (lead === 0xf0) lower = 0x90;
    if (lead === 0xf4) upper = 0x8f;
  } else return 1;
  let length = 1;
  for (let k = 0; k < needed; k++) {
    const next = bytes[offset + length];
    if (next === undefined || next < lower || next > upper) break;
    lower = 0x80;
    upper = 0xbf;
    length++;
  }
  return length;
}

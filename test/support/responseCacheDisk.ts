/**
 * The response cache's directory as a test sees it (server/src/index/responseCache.ts): a small
 * answer is the latest line of its key in one of the packs (responsePacks.ts), a large one (or an
 * earlier version's entry) a `<key>.json` file. Reading, rewriting and counting entries whatever
 * their layout, so that a test says what it means (an entry corrupt, expired, forged).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PACK = /^pack-.*\.jsonl$/;
const ENTRY_FILE = /^[0-9a-f]{64}\.json$/;

/** The packs of a cache subdirectory (index-http-v1), oldest first: the order a loading cache reads them. */
export function packsIn(subdirectory: string): string[] {
  if (!existsSync(subdirectory)) return [];
  return readdirSync(subdirectory)
    .filter((name) => PACK.test(name))
    .map((name) => path.join(subdirectory, name))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

function packLines(pack: string): Array<{ key: string; text: string }> {
  return readFileSync(pack, 'utf8')
    .split('\n')
    .filter((line) => line.length > 65 && line[64] === ' ')
    .map((line) => ({ key: line.slice(0, 64), text: line.slice(65) }));
}

/** Every key's latest stored text (packed lines, then entry files the packs do not name or send to). */
export function storedEntries(subdirectory: string): Map<string, string> {
  const latest = new Map<string, string>();
  for (const pack of packsIn(subdirectory)) for (const { key, text } of packLines(pack)) latest.set(key, text);
  if (existsSync(subdirectory)) {
    for (const name of readdirSync(subdirectory).filter((n) => ENTRY_FILE.test(n))) {
      const key = name.slice(0, 64);
      if (!latest.has(key) || latest.get(key) === 'null') latest.set(key, readFileSync(path.join(subdirectory, name), 'utf8'));
    }
  }
  for (const [key, text] of latest) if (text === 'null') latest.delete(key);
  return latest;
}

/** The stored text of `key` (as storedEntries has it); undefined when there is none. */
export function storedEntryText(subdirectory: string, key: string): string | undefined {
  return storedEntries(subdirectory).get(key);
}

/**
 * Makes `text` what a cache loaded afterwards reads for `key`: the key's lines leave the packs and
 * `text` becomes its entry file (a corrupt text is then a corrupt entry file).
 */
export function setStoredEntryText(subdirectory: string, key: string, text: string): void {
  for (const pack of packsIn(subdirectory)) {
    const kept = readFileSync(pack, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith(`${key} `));
    writeFileSync(pack, kept.map((line) => `${line}\n`).join(''));
  }
  writeFileSync(path.join(subdirectory, `${key}.json`), text);
}

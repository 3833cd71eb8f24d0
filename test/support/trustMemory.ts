/** What a trust-memory directory holds, read as a test sees it: the entry files and the journal's lines. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JOURNAL_FILE_NAME } from '../../server/src/zeroTrust/signedJournal';

/** The lines of the store's journal (`entries.jsonl`), parsed; none when there is no journal. */
export function journalEntries(directory: string): Array<Record<string, unknown>> {
  const journal = path.join(directory, JOURNAL_FILE_NAME);
  if (!existsSync(journal)) return [];
  return readFileSync(journal, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** One string per stored entry: each entry file's name, and `project version` of each journal line. */
export function storedEntryNames(directory: string): string[] {
  if (!existsSync(directory)) return [];
  const files = readdirSync(directory).filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
  return [...files, ...journalEntries(directory).map((entry) => `${String(entry.project)} ${String(entry.version)}`)];
}

/**
 * Each (index, project) entry of a trust store or an owners memory, as the journal's lines make
 * it (the first line of a name, or the last line that replaces it). MACs are not checked here.
 */
export function currentEntries(directory: string): Map<string, Record<string, unknown>> {
  const current = new Map<string, Record<string, unknown>>();
  for (const entry of journalEntries(directory)) {
    const name = `${String(entry.index)}\n${String(entry.project)}`;
    if (entry.replaces === true || !current.has(name)) current.set(name, entry);
  }
  return current;
}

/** Makes the store's journal hold exactly these lines (objects are written as JSON). */
export function rewriteJournal(directory: string, lines: ReadonlyArray<Record<string, unknown> | string>): void {
  writeFileSync(path.join(directory, JOURNAL_FILE_NAME), lines.map((line) => `\n${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join(''));
}

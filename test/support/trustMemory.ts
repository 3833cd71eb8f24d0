/** What a trust-memory directory holds, read as a test sees it: the entry files and the journal's lines. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
export function storedEntries(directory: string): string[] {
  if (!existsSync(directory)) return [];
  const files = readdirSync(directory).filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
  return [...files, ...journalEntries(directory).map((entry) => `${String(entry.project)} ${String(entry.version)}`)];
}

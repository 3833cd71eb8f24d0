/**
 * The files a `check` run reads: each named file, and the dependency files under each named
 * directory (core/format.ts decides what is one). Directories that hold other people's code or
 * tool state (.git, node_modules, virtualenvs, caches) are not searched, and symbolic links to
 * directories are not followed, so a walk always ends.
 */
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { formatOfPath } from '../core/format';
import { kindOfNamedFile } from '../parsers/fileKind';
import type { DocumentFormat } from '../core/model';
import { MAX_DOCUMENT_BYTES } from '../core/regularFile';

export interface InputFile {
  /** Absolute path. */
  path: string;
  format: DocumentFormat;
}

export interface Discovery {
  files: InputFile[];
  /** One sentence per input that cannot be used (exit code 2). */
  errors: string[];
}

/** Directory names never searched. A directory holding `pyvenv.cfg` (a virtualenv of any name) neither. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  '.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', '.eggs', 'site-packages', '__pypackages__',
]);

/**
 * Whether a file found in a directory walk is a dependency file. `*.in` files are taken only
 * when they look like pip-tools inputs: formatOfPath takes every `.in` (a file the user opens as
 * requirements), but a tree also holds MANIFEST.in, Makefile.in and other autotools templates.
 */
export function isDiscoverable(filePath: string): boolean {
  if (formatOfPath(filePath) === undefined) return false;
  const base = path.basename(filePath);
  if (!base.endsWith('.in')) return true;
  return /requirements|constraints/i.test(base) || path.basename(path.dirname(filePath)) === 'requirements';
}

export async function discoverInputs(inputs: readonly string[], cwd: string): Promise<Discovery> {
  const files: InputFile[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const add = (file: InputFile) => {
    if (seen.has(file.path)) return;
    seen.add(file.path);
    files.push(file);
  };

  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let stat;
    try {
      stat = await fs.stat(absolute);
    } catch (error) {
      errors.push(`${input}: ${describeFsError(error)}`);
      continue;
    }
    if (stat.isDirectory()) {
      const found: InputFile[] = [];
      await walk(absolute, found, errors);
      if (found.length === 0 && !errors.some((e) => e.startsWith(absolute))) {
        errors.push(`${input}: no dependency files found in this directory (requirements*.txt, requirements/*.txt, constraints*.txt, *requirements*.in, pyproject.toml, pylock.toml, pylock.*.toml, uv.lock, poetry.lock)`);
      }
      found.forEach(add);
    } else if (stat.isFile()) {
      const kind = kindOfNamedFile(absolute);
      if (kind.ok) add({ path: absolute, format: kind.format });
      else errors.push(`${input}: ${kind.message}`);
    } else {
      errors.push(`${input}: not a regular file or directory`);
    }
  }
  return { files, errors };
}

async function walk(directory: string, found: InputFile[], errors: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    errors.push(`${directory}: ${describeFsError(error)}`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.some((entry) => entry.name === 'pyvenv.cfg' && !entry.isDirectory())) return;
  for (const entry of entries) {
    const child = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(child, found, errors);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isDiscoverable(child)) {
      // A link is taken when it leads to a file; links to directories are not followed.
      if (entry.isSymbolicLink() && !(await isFile(child))) continue;
      found.push({ path: child, format: formatOfPath(child)! });
    }
  }
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    return false;
  }
}

/** A file system error in words, without the stack or the errno number. */
export function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENOTREG':
      return 'not a regular file';
    case 'EFBIG':
      return `larger than ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MB`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

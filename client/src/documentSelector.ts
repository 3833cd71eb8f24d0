/**
 * Which documents are Python dependency files: what the server is given, what activates the
 * extension (package.json mirrors these) and what "Verify Dependencies in Workspace" looks for.
 * Never every TOML file: only pyproject.toml, the pylock names of PEP 751, uv.lock and poetry.lock.
 */
import { REQUIREMENTS_LANGUAGE_ID } from './constants';

const TOML_PATTERNS = ['**/pyproject.toml', '**/pylock.toml', '**/pylock.*.toml', '**/uv.lock', '**/poetry.lock'];

/** A text-document filter (vscode.DocumentFilter and LSP's, both). */
export interface DependencyFileFilter {
  scheme: string;
  language?: string;
  pattern?: string;
}

export const DOCUMENT_SELECTOR: readonly DependencyFileFilter[] = [
  { scheme: 'file', language: REQUIREMENTS_LANGUAGE_ID },
  { scheme: 'untitled', language: REQUIREMENTS_LANGUAGE_ID },
  ...TOML_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

/**
 * Every dependency file by name, for workspace.findFiles. The requirements names are those the
 * `pip-requirements` language claims in package.json (its `filenamePatterns`).
 */
export const DEPENDENCY_FILES_GLOB =
  '**/{requirements*.txt,*requirements.txt,constraints*.txt,requirements/*.txt,requirements*.in,*requirements.in,constraints*.in,requirements/*.in,pyproject.toml,pylock.toml,pylock.*.toml,uv.lock,poetry.lock}';

/** Folders that hold other people's dependency files (virtual environments, vendored trees). */
export const EXCLUDED_FOLDERS_GLOB = '**/{node_modules,.git,.hg,.svn,.venv,venv,.tox,.nox,__pypackages__,site-packages,.mypy_cache}/**';

/** Bounds one workspace pass: a monorepo with thousands of files is verified in part, not hung. */
export const MAX_WORKSPACE_FILES = 2000;

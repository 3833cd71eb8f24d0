/** The `--help` texts. */
import { DEFAULT_SEVERITY } from '../core/codes';
import { ALL_CODES } from '../pipeline/codeDocs';
import { DEFAULT_INDEX_URL, DEFAULT_SETTINGS } from '../pipeline/contract/settings';

export const MAIN_HELP = `pypi-provenance: checks the provenance (PEP 740 attestations) of Python dependencies

Usage:
  pypi-provenance check [options] FILE|DIRECTORY...
  pypi-provenance check --help      options of check
  pypi-provenance --version

Run \`pypi-provenance check .\` to check every dependency file under the current directory.
`;

export function checkHelp(): string {
  const codes = ALL_CODES.map((code) => `    ${code.padEnd(20)}${DEFAULT_SEVERITY[code]}`).join('\n');
  return `Usage: pypi-provenance check [options] FILE|DIRECTORY...

Checks requirements files, pyproject.toml, pylock.toml, uv.lock and poetry.lock files. A
directory is searched for them (requirements*.txt, requirements/*.txt, constraints*.txt,
*requirements*.in, pyproject.toml, pylock.toml, pylock.*.toml, uv.lock, poetry.lock), skipping .git, node_modules, virtualenvs
and caches.

Options:
  -f, --format FORMAT        text (default), json or sarif (SARIF 2.1.0, for code scanning)
  --index-url URL            the PEP 503/691 simple index (default ${DEFAULT_INDEX_URL})
  --trusted-root FILE        a Sigstore trusted_root.json to verify against
                             (default: the embedded Sigstore public-good root)
  --cache-dir DIR            where index answers and verification results persist
                             (default: the OS cache directory)
  --offline                  never touch the network; use the cache only
  --late-upload-days N       report files uploaded N days after their release's first
                             file as late (default ${DEFAULT_SETTINGS.lateUploadDays})
  --min-release-age-days N   note pinned releases younger than N days (fresh-release;
                             default ${DEFAULT_SETTINGS.minReleaseAgeDays}, 0 off)
  --trust-workspace          use index URLs named inside the files (-i, --extra-index-url,
                             pylock \`index\`, uv.lock/poetry.lock source); without it only --index-url is asked
  --severity CODE=LEVEL      the severity of a diagnostic code: error, warning,
                             information, hint or off (repeatable)
  --strict                   an index-error (a dependency that could not be checked)
                             fails the run (exit 1)
  --color WHEN               auto (default: on a terminal, unless NO_COLOR is set;
                             FORCE_COLOR forces it on or, with 0, off), always or never
  -h, --help                 this text

Codes and their default severity:
${codes}

Exit codes: 0 nothing at error severity, 1 at least one error, 2 bad usage or unreadable input;
with --strict an index-error counts as an error.
The text output fits the terminal's width (COLUMNS when it is not a terminal; no limit when
neither says): long cells and messages wrap. --format json has every text whole, and a summary
(totals per status and severity, the tool version, the exit code).
`;
}

/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF readers. Every
 * diagnostic code is a rule (with its description, help and a link to its README section); each
 * published finding is a result at its file, line and column. Paths are relative to the working
 * directory under `%SRCROOT%` (what code scanning resolves against the checkout); a file outside
 * it gets an absolute file URI. Columns are UTF-16 code units, as in LSP (`columnKind`).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { DEFAULT_SEVERITY, type DiagnosticCode, type Severity } from '../../core/codes';
import { ALL_CODES, CODE_DOCS, DOCS_URL, codeDocsUrl } from '../../pipeline/codeDocs';
import { severityOf, type CheckRun } from '../check';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = '%SRCROOT%';
export const TOOL_NAME = 'pypi-provenance';

const LEVEL: Readonly<Record<Severity, Sarif.Result.level>> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

export function rules(): Sarif.ReportingDescriptor[] {
  return ALL_CODES.map((code) => {
    const doc = CODE_DOCS[code];
    return {
      id: code,
      name: doc.name,
      shortDescription: { text: doc.summary },
      fullDescription: { text: doc.summary },
      help: { text: doc.help, markdown: `${doc.help}\n\n[More about \`${code}\`](${codeDocsUrl(code)})` },
      helpUri: codeDocsUrl(code),
      defaultConfiguration: { level: LEVEL[DEFAULT_SEVERITY[code]] },
      properties: { tags: ['supply-chain'] },
    };
  });
}

export function toSarif(run: CheckRun, toolVersion: string): Sarif.Log {
  const ruleList = rules();
  const ruleIndex = new Map<DiagnosticCode, number>(ruleList.map((rule, index) => [rule.id as DiagnosticCode, index]));
  const results: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  for (const document of run.documents) {
    const artifactLocation = artifactLocationOf(document.path, run.cwd);
    // In document order, as a reader goes through the file.
    const ordered = [...document.findings].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const finding of ordered) {
      const severity = severityOf(finding, run.settings);
      if (severity === 'off') continue;
      const { start, end } = finding.range;
      const dependency = finding.dependency !== undefined ? document.report.dependencies[finding.dependency] : undefined;
      results.push({
        ruleId: finding.code,
        ruleIndex: ruleIndex.get(finding.code),
        level: LEVEL[severity],
        message: { text: finding.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation,
              region: { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
            },
          },
        ],
        properties: {
          severity,
          ...(dependency ? { dependency: { name: dependency.name, version: dependency.version, status: dependency.status } } : {}),
        },
      });
    }
    for (const failure of document.failures) {
      notifications.push({
        level: 'error',
        message: { text: `The '${failure.stage}' check failed on this file (internal error); its findings are missing.` },
        locations: [{ physicalLocation: { artifactLocation } }],
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: toolVersion, semanticVersion: toolVersion, informationUri: DOCS_URL, rules: ruleList } },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(run.cwd) } },
        columnKind: 'utf16CodeUnits',
        invocations: [{ executionSuccessful: notifications.length === 0, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
        results,
      },
    ],
  };
}

export function renderSarif(run: CheckRun, toolVersion: string): string {
  return `${JSON.stringify(toSarif(run, toolVersion), null, 2)}\n`;
}

/** `requirements/dev.txt` under %SRCROOT%, each segment percent-encoded; an absolute URI outside the working directory. */
export function artifactLocationOf(absolute: string, cwd: string): Sarif.ArtifactLocation {
  const relative = path.relative(cwd, absolute);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    return { uri: pathToFileURL(absolute).href };
  }
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function directoryUri(directory: string): string {
  const href = pathToFileURL(directory).href;
  return href.endsWith('/') ? href : `${href}/`;
}

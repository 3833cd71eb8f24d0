/**
 * The report panel's page: a strict Content-Security-Policy (nothing but this page's own nonced
 * style and script; no remote resource, no image, no eval), the model as inert JSON, and a script
 * that draws it with textContent (never innerHTML), sorts it, filters it by status and asks the
 * extension to open a requirement's line (postMessage). Pure: the script is a constant, and the
 * only values put into the page are the nonce and the JSON, escaped for a script element.
 */
import type { ReportModel } from './model';

export interface PageOptions {
  nonce: string;
  /** `webview.cspSource` (unused by the policy: the page loads no resource, but kept for a future stylesheet). */
  cspSource?: string;
}

/** What the page posts to the extension. */
export type PageMessage = { type: 'open'; uri: string; line: number } | { type: 'refresh' } | { type: 'ready' };

export function renderReportHtml(model: ReportModel, { nonce }: PageOptions): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('a nonce must be at least 16 base64 characters');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'none'; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PyPI Provenance report</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1>PyPI Provenance report</h1>
  <p id="meta"></p>
  <div id="toolbar">
    <label>Sort by <select id="sort"><option value="severity">severity</option><option value="name">name</option><option value="line">place in the file</option></select></label>
    <span id="filters" role="group" aria-label="Show statuses"></span>
    <button id="refresh" type="button">Check again</button>
  </div>
</header>
<main id="documents"></main>
<script type="application/json" id="report-model" nonce="${nonce}">${scriptSafeJson(model)}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

/** JSON that cannot end its script element or open a comment in it. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; }
h1 { font-size: 1.5em; margin: 16px 0 4px; }
h2 { font-size: 1.15em; margin: 24px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); padding-bottom: 4px; }
#meta { color: var(--vscode-descriptionForeground); margin: 0 0 10px; }
#toolbar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-bottom: 8px; }
#filters label { margin-right: 10px; white-space: nowrap; }
select, button { font: inherit; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 6px; }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: 600; color: var(--vscode-descriptionForeground); padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
td { vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8882); }
a { color: var(--vscode-textLink-foreground); text-decoration: none; cursor: pointer; }
a:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground); }
.status { white-space: nowrap; font-weight: 600; }
.status::before { display: inline-block; width: 1.3em; }
.s-verified::before { content: "✓"; color: var(--vscode-testing-iconPassed, #3fb950); }
.s-invalid::before { content: "✗"; color: var(--vscode-errorForeground); }
.s-error::before, .s-not-found::before { content: "!"; color: var(--vscode-editorWarning-foreground); }
.s-partial::before, .s-unattested::before { content: "○"; color: var(--vscode-editorWarning-foreground); }
.s-unpinned::before { content: "–"; color: var(--vscode-descriptionForeground); }
.s-pending::before { content: "…"; }
.findings { margin: 0; padding: 0; list-style: none; }
.findings li { margin: 0 0 3px; }
.code { font-family: var(--vscode-editor-font-family); font-size: 0.92em; padding: 0 4px; border-radius: 3px; background: var(--vscode-textCodeBlock-background); margin-right: 4px; }
.sev-error .code { color: var(--vscode-errorForeground); }
.sev-warning .code { color: var(--vscode-editorWarning-foreground); }
.sev-off { color: var(--vscode-descriptionForeground); }
.files { margin: 4px 0 0; padding-left: 18px; color: var(--vscode-descriptionForeground); }
.files li { margin: 1px 0; }
.muted { color: var(--vscode-descriptionForeground); }
.name { white-space: nowrap; font-weight: 600; }
.location { display: block; color: var(--vscode-descriptionForeground); font-size: 0.9em; }
details summary { cursor: pointer; color: var(--vscode-descriptionForeground); }
`;

/** Runs in the webview. Plain ES2020, no imports; draws with DOM calls only. */
const SCRIPT = `
(() => {
  const vscode = acquireVsCodeApi();
  const model = JSON.parse(document.getElementById('report-model').textContent);
  const saved = vscode.getState() || {};
  let sort = ['severity', 'name', 'line'].includes(saved.sort) ? saved.sort : 'severity';
  const hidden = new Set(Array.isArray(saved.hidden) ? saved.hidden : []);
  const save = () => vscode.setState({ model, sort, hidden: [...hidden] });

  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'class') node.className = value; else if (key === 'title') node.title = value; else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== undefined && child !== null) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    return node;
  };
  const linked = (part) => part.url && /^https:\\/\\//.test(part.url) ? el('a', { href: part.url, title: part.url }, part.text) : el('span', {}, part.text);
  // The publisher as the diagnostics, hover and CLI write it: github.com/o/r (release.yml).
  const publisherText = (parts) => {
    const span = el('span', {}, linked(parts[0]));
    if (parts.length > 1) span.append(' (', linked(parts[1]), ')');
    return span;
  };

  document.getElementById('meta').textContent = 'Generated ' + model.generatedAt + ' · ' + model.totals;
  const sortSelect = document.getElementById('sort');
  sortSelect.value = sort;
  sortSelect.addEventListener('change', () => { sort = sortSelect.value; save(); draw(); });
  document.getElementById('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  const filters = document.getElementById('filters');
  for (const { status, label, meaning, count } of model.statuses) {
    const box = el('input', { type: 'checkbox', 'data-status': status });
    box.checked = !hidden.has(status);
    box.addEventListener('change', () => { if (box.checked) hidden.delete(status); else hidden.add(status); save(); draw(); });
    filters.append(el('label', { title: meaning }, box, ' ' + count + ' ' + label));
  }

  const ordered = (dependencies) => {
    const list = dependencies.slice();
    if (sort === 'name') list.sort((a, b) => a.name.localeCompare(b.name));
    else if (sort === 'line') list.sort((a, b) => (a.line ?? 1e9) - (b.line ?? 1e9));
    return list; // severity: the model's own order
  };

  function dependencyRow(doc, dep) {
    const name = dep.line === undefined ? el('span', { class: 'name' }, dep.name) : el('a', { class: 'name', href: '#', title: 'Open ' + dep.location, 'data-uri': doc.uri, 'data-line': String(dep.line) }, dep.name);
    if (dep.line !== undefined) name.addEventListener('click', (event) => { event.preventDefault(); vscode.postMessage({ type: 'open', uri: doc.uri, line: dep.line }); });
    const findings = el('ul', { class: 'findings' });
    for (const finding of dep.findings) findings.append(el('li', { class: 'sev-' + finding.severity, title: finding.severity }, el('span', { class: 'code' }, finding.code), finding.message));
    const files = el('ul', { class: 'files' });
    for (const file of dep.files) {
      const line = el('li', {}, file.filename + ' · ' + file.statusLabel);
      if (file.uploaded) line.append(' · uploaded ' + file.uploaded);
      if (file.logEntry) line.append(' · ', linked(file.logEntry));
      if (file.message) line.append(' — ' + file.message);
      files.append(line);
    }
    const details = dep.files.length > 0 ? el('details', {}, el('summary', {}, dep.files.length === 1 ? '1 file' : dep.files.length + ' files'), files) : null;
    return el('tr', { 'data-status': dep.status },
      el('td', { class: 'status s-' + dep.status, title: (model.statuses.find((s) => s.status === dep.status) || {}).meaning || '' }, dep.statusLabel),
      el('td', {}, name, el('span', { class: 'location' }, dep.location)),
      el('td', {}, dep.version ? linked(dep.version) : el('span', { class: 'muted' }, '—'), dep.lockedIn ? el('div', { class: 'muted' }, 'locked in ' + dep.lockedIn) : null),
      el('td', {}, dep.publisher.length > 0 ? publisherText(dep.publisher) : el('span', { class: 'muted' }, '—')),
      el('td', {}, dep.findings.length > 0 ? findings : el('span', { class: 'muted' }, 'nothing found'), details));
  }

  function draw() {
    const main = document.getElementById('documents');
    main.replaceChildren();
    for (const doc of model.documents) {
      main.append(el('h2', {}, doc.name));
      if (doc.error) { main.append(el('p', { class: 'muted' }, 'No report: ' + doc.error)); continue; }
      const shown = ordered(doc.dependencies).filter((dep) => !hidden.has(dep.status));
      if (doc.dependencies.length === 0) { main.append(el('p', { class: 'muted' }, 'No dependencies.')); continue; }
      if (shown.length === 0) { main.append(el('p', { class: 'muted' }, 'Every dependency of this file is filtered out.')); continue; }
      const body = el('tbody');
      for (const dep of shown) body.append(dependencyRow(doc, dep));
      main.append(el('table', {}, el('thead', {}, el('tr', {}, ...['Status', 'Dependency', 'Version', 'Publisher', 'Findings'].map((h) => el('th', {}, h)))), body));
    }
  }

  save();
  draw();
  vscode.postMessage({ type: 'ready' });
})();
`;

/**
 * Generated large and hostile dependency files, for the reliability tests and `npm run bench`.
 * Each generator repeats a realistic unit (what pip-compile, a pyproject, a PEP 751 lock or uv
 * writes) until the text reaches `bytes`; nothing big is committed.
 */

/** A stable 64-hex-digit "digest" for entry `i` (not a real hash; the parsers only check its shape). */
function fakeSha256(i: number, salt: number): string {
  let hex = '';
  let x = (i * 2654435761 + salt * 40503) >>> 0;
  while (hex.length < 64) {
    x = (x * 1103515245 + 12345) >>> 0;
    hex += x.toString(16).padStart(8, '0');
  }
  return hex.slice(0, 64);
}

function repeatUntil(bytes: number, head: string, unit: (i: number) => string): string {
  const parts = [head];
  let length = head.length;
  for (let i = 0; length < bytes; i++) {
    const part = unit(i);
    parts.push(part);
    length += part.length;
  }
  return parts.join('');
}

/** pip-compile output: pinned requirements with two hashes each and `# via` comments. */
export function largeRequirements(bytes: number): string {
  return repeatUntil(bytes, '# generated\n--index-url https://pypi.org/simple\n\n', (i) =>
    `package-${i}==1.${i % 50}.${i % 7} \\\n    --hash=sha256:${fakeSha256(i, 1)} \\\n    --hash=sha256:${fakeSha256(i, 2)}\n    # via\n    #   parent-${i >> 3}\n`,
  );
}

/** A pyproject.toml with a long `[project] dependencies` array and dependency groups. */
export function largePyproject(bytes: number): string {
  const head = '[project]\nname = "big"\nversion = "1.0"\ndependencies = [\n';
  const body = repeatUntil(bytes - 200, head, (i) => `    "package-${i}[extra-a,extra-b]>=1.${i % 40},<3; python_version >= '3.9'",\n`);
  return `${body}]\n\n[dependency-groups]\ndev = ["pytest>=8", { include-group = "lint" }]\nlint = ["ruff"]\n`;
}

/** A PEP 751 pylock.toml: packages with an sdist and two wheels, hashes and upload times. */
export function largePylock(bytes: number): string {
  const head = 'lock-version = "1.0"\ncreated-by = "generator"\nrequires-python = ">=3.9"\n\n';
  return repeatUntil(bytes, head, (i) => {
    const name = `package-${i}`;
    const version = `1.${i % 50}.${i % 7}`;
    const base = `https://files.pythonhosted.org/packages/${fakeSha256(i, 3).slice(0, 2)}/${fakeSha256(i, 4).slice(0, 2)}/${fakeSha256(i, 5).slice(0, 60)}`;
    return (
      `[[packages]]\nname = "${name}"\nversion = "${version}"\nindex = "https://pypi.org/simple"\n` +
      `sdist = { url = "${base}/${name}-${version}.tar.gz", upload-time = 2024-05-01T10:00:00Z, size = ${10000 + i}, hashes = { sha256 = "${fakeSha256(i, 6)}" } }\n` +
      `wheels = [\n` +
      `  { url = "${base}/${name.replace(/-/g, '_')}-${version}-py3-none-any.whl", upload-time = 2024-05-01T10:00:01Z, size = ${9000 + i}, hashes = { sha256 = "${fakeSha256(i, 7)}" } },\n` +
      `  { url = "${base}/${name.replace(/-/g, '_')}-${version}-cp312-cp312-manylinux_2_17_x86_64.whl", upload-time = 2024-05-01T10:00:02Z, size = ${8000 + i}, hashes = { sha256 = "${fakeSha256(i, 8)}" } },\n` +
      `]\n\n`
    );
  });
}

/**
 * pip-compile output for a big environment with many wheels a release: MAX_DEPENDENCIES (20,000)
 * pins, each with as many `--hash` lines as it takes for the file to reach `bytes` (about six at
 * the 10 MiB limit), and `# via` comments.
 */
export function manyHashesRequirements(bytes: number, dependencies = 20_000): string {
  const perPin = Math.floor(bytes / dependencies);
  const hashes = Math.max(1, Math.floor((perPin - 80) / 87));
  return repeatUntil(bytes, '# generated\n--index-url https://pypi.org/simple\n\n', (i) => {
    if (i >= dependencies) return '# end\n';
    let unit = `package-${i}==1.${i % 50}.${i % 7}`;
    for (let h = 0; h < hashes; h++) unit += ` \\\n    --hash=sha256:${fakeSha256(i, h + 1)}`;
    unit += `\n    # via\n    #   parent-${i >> 3}\n`;
    // The rest of the pin's share as more `# via` parents, so the pins fill the file.
    for (let p = 1; unit.length + 20 <= perPin; p++) unit += `    #   parent-${(i + p) % 99999}\n`;
    return unit;
  });
}

/**
 * A pyproject.toml spread over every place dependencies go: `[project] dependencies`, many
 * `[project.optional-dependencies]` extras and many `[dependency-groups]` (each including the one
 * before it, as `dev` includes `test` and `lint`), with long PEP 508 strings.
 */
export function largePyprojectGroups(bytes: number): string {
  const requirement = (i: number) => `"package-${i}[extra-a]>=1.${i % 40},<3; python_version >= '3.9' and sys_platform != 'win32'"`;
  const head = ['[project]', 'name = "big"', 'version = "1.0"', 'dependencies = [', ...Array.from({ length: 500 }, (_, i) => `    ${requirement(i)},`), ']', ''];
  const extras = ['[project.optional-dependencies]', ...Array.from({ length: 200 }, (_, e) => `extra-${e} = [${Array.from({ length: 10 }, (_, j) => requirement(500 + e * 10 + j)).join(', ')}]`), '', '[dependency-groups]', ''];
  const start = `${head.join('\n')}\n${extras.join('\n')}\n`;
  return repeatUntil(bytes, start, (g) => {
    const deps = Array.from({ length: 10 }, (_, j) => `    ${requirement(3000 + g * 10 + j)},\n`).join('');
    return `group-${g} = [\n${deps}${g > 0 ? `    { include-group = "group-${g - 1}" },\n` : ''}]\n`;
  });
}

/** A pylock.toml of big binary packages: each locks an sdist and `wheelsPerPackage` wheels (numpy has about 60). */
export function wheelHeavyPylock(bytes: number, wheelsPerPackage = 40): string {
  const head = 'lock-version = "1.0"\ncreated-by = "generator"\nrequires-python = ">=3.9"\n\n';
  const platforms = ['manylinux_2_17_x86_64', 'manylinux_2_17_aarch64', 'musllinux_1_2_x86_64', 'win_amd64', 'macosx_11_0_arm64'];
  return repeatUntil(bytes, head, (i) => {
    const name = `package-${i}`;
    const version = `2.${i % 50}.${i % 7}`;
    const base = `https://files.pythonhosted.org/packages/${fakeSha256(i, 3).slice(0, 2)}/${fakeSha256(i, 4).slice(0, 2)}/${fakeSha256(i, 5).slice(0, 60)}`;
    const wheels: string[] = [];
    for (let w = 0; w < wheelsPerPackage; w++) {
      const tag = `cp3${9 + (w % 5)}-cp3${9 + (w % 5)}-${platforms[Math.floor(w / 5) % platforms.length]}`;
      wheels.push(`  { url = "${base}/package_${i}-${version}-${tag}.whl", upload-time = 2024-05-01T10:00:${String(w % 60).padStart(2, '0')}Z, size = ${8000000 + w}, hashes = { sha256 = "${fakeSha256(i, 100 + w)}" } },\n`);
    }
    return (
      `[[packages]]\nname = "${name}"\nversion = "${version}"\nindex = "https://pypi.org/simple"\n` +
      `sdist = { url = "${base}/${name}-${version}.tar.gz", upload-time = 2024-05-01T09:59:00Z, size = ${10000 + i}, hashes = { sha256 = "${fakeSha256(i, 6)}" } }\n` +
      `wheels = [\n${wheels.join('')}]\n\n`
    );
  });
}

/** A uv.lock (version 1, revision 3) as uv writes it for a big project. */
export function largeUvLock(bytes: number): string {
  const head =
    'version = 1\nrevision = 3\nrequires-python = ">=3.10"\nresolution-markers = [\n    "python_full_version >= \'3.12\'",\n    "python_full_version < \'3.12\'",\n]\n\n';
  return repeatUntil(bytes, head, (i) => {
    const name = `package-${i}`;
    const version = `1.${i % 50}.${i % 7}`;
    const base = `https://files.pythonhosted.org/packages/${fakeSha256(i, 3).slice(0, 2)}/${fakeSha256(i, 4).slice(0, 2)}/${fakeSha256(i, 5).slice(0, 60)}`;
    const wheel = (tag: string, salt: number) =>
      `    { url = "${base}/${name.replace(/-/g, '_')}-${version}-${tag}.whl", hash = "sha256:${fakeSha256(i, salt)}", size = ${9000 + salt + i}, upload-time = "2024-07-26T18:15:0${salt}.05Z" },\n`;
    return (
      `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n` +
      `dependencies = [\n    { name = "package-${i >> 1}" },\n    { name = "package-${i >> 2}", marker = "python_full_version < '3.11'" },\n]\n` +
      `sdist = { url = "${base}/${name}-${version}.tar.gz", hash = "sha256:${fakeSha256(i, 1)}", size = ${24210 + i}, upload-time = "2024-07-26T18:15:03.762Z" }\n` +
      `wheels = [\n${wheel('py3-none-any', 2)}${wheel('cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 3)}${wheel('cp312-cp312-win_amd64', 4)}]\n` +
      // uv writes the extras' dependencies as a sub-table of the package, after its wheels.
      (i % 7 === 0 ? `\n[package.optional-dependencies]\nsocks = [\n    { name = "package-${i >> 3}" },\n]\n` : '') +
      '\n'
    );
  });
}

/** A poetry.lock (lock-version 2.1) as Poetry 2 writes it: files, dependencies and extras, `[metadata]` last. */
export function largePoetryLock(bytes: number): string {
  const head = '# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.\n\n';
  const tail = '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.10"\ncontent-hash = "' + fakeSha256(0, 9) + '"\n';
  const body = repeatUntil(bytes - tail.length, head, (i) => {
    const name = `package-${i}`;
    const version = `1.${i % 50}.${i % 7}`;
    const file = (tag: string, salt: number) => `    {file = "${name.replace(/-/g, '_')}-${version}-${tag}.whl", hash = "sha256:${fakeSha256(i, salt)}"},\n`;
    return (
      `[[package]]\nname = "${name}"\nversion = "${version}"\ndescription = "Package number ${i}, generated for the benchmarks"\n` +
      `optional = false\npython-versions = ">=3.9"\ngroups = ["main"]\n` +
      (i % 5 === 0 ? 'markers = "python_version < \\"3.12\\""\n' : '') +
      `files = [\n${file('py3-none-any', 2)}${file('cp312-cp312-manylinux_2_17_x86_64', 3)}${file('cp312-cp312-macosx_11_0_arm64', 4)}${file('cp312-cp312-win_amd64', 5)}    {file = "${name.replace(/-/g, '_')}-${version}.tar.gz", hash = "sha256:${fakeSha256(i, 1)}"},\n]\n\n` +
      `[package.dependencies]\npackage-${i >> 1} = ">=1.0"\nbase-${i >> 2} = {version = ">=2.0", markers = "python_version < \\"3.11\\""}\n\n` +
      (i % 3 === 0 ? `[package.extras]\nsocks = ["package-${i >> 3} (>=1.0)"]\n\n` : '')
    );
  });
  return body + tail;
}

/** `x = {a = {a = … 1 …}}`: inline tables nested until the text reaches `bytes`. */
export function nestedInlineTables(bytes: number): string {
  const depth = Math.max(1, Math.floor((bytes - 6) / 5));
  return `x = ${'{a = '.repeat(depth)}1${'}'.repeat(depth)}\n`;
}

/** `x = [[[…]]]`: arrays nested `depth` deep. */
export function nestedArrays(depth: number): string {
  return `x = ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
}

/** The hostile shape: one short unpinned requirement a line, so each line is a dependency and a diagnostic. */
export function manyUnpinnedRequirements(bytes: number): string {
  return repeatUntil(bytes, '', (i) => `p${i}\n`);
}

/** The generated cases by name, with the file name they are opened as and the format they parse as. */
export const LARGE_DOCUMENTS: Record<string, { fileName: string; format: 'requirements' | 'pyproject' | 'pylock' | 'uvlock' | 'poetrylock'; generate: (bytes: number) => string }> = {
  requirements: { fileName: 'requirements.txt', format: 'requirements', generate: largeRequirements },
  unpinned: { fileName: 'requirements.txt', format: 'requirements', generate: manyUnpinnedRequirements },
  'requirements-hashes': { fileName: 'requirements.txt', format: 'requirements', generate: (bytes) => manyHashesRequirements(bytes) },
  pyproject: { fileName: 'pyproject.toml', format: 'pyproject', generate: largePyproject },
  'pyproject-groups': { fileName: 'pyproject.toml', format: 'pyproject', generate: largePyprojectGroups },
  pylock: { fileName: 'pylock.toml', format: 'pylock', generate: largePylock },
  'pylock-wheels': { fileName: 'pylock.toml', format: 'pylock', generate: (bytes) => wheelHeavyPylock(bytes) },
  nested: { fileName: 'pyproject.toml', format: 'pyproject', generate: nestedInlineTables },
  'uv.lock': { fileName: 'uv.lock', format: 'uvlock', generate: largeUvLock },
  'poetry.lock': { fileName: 'poetry.lock', format: 'poetrylock', generate: largePoetryLock },
};

/**
 * The generated case `kind` as large as its format allows: within one repeated unit of the size
 * limit and never over it (the limit counts UTF-16 units; these texts are ASCII).
 */
export function atSizeLimit(kind: string, limit: number): string {
  const { generate } = LARGE_DOCUMENTS[kind];
  // The generators overshoot by less than one unit (the wheel-heavy pylock's is about 12 KB).
  let bytes = limit - 16 * 1024;
  let text = generate(bytes);
  while (text.length > limit) {
    bytes -= text.length - limit + 16 * 1024;
    text = generate(bytes);
  }
  return text;
}

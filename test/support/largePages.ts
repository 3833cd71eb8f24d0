/**
 * PEP 691 project pages of a chosen size, shaped as a real large page is (nightly builds: many
 * releases, many wheels each, every PEP 700 key), for the tests and the bench of issue 15 item 7.
 * One release, `pinnedVersion`, is the one a requirements file pins; its files are the last ones.
 *
 *   const body = largePageJson('big-page', 18_000_000, index.origin);
 *   index.setMode('big-page', { kind: 'raw', status: 200, contentType: SIMPLE_JSON, body });
 */
import { createHash } from 'node:crypto';

export interface LargePageOptions {
  /** The release a test pins (default `1.0.0`); its files come last on the page. */
  pinnedVersion?: string;
  /** Wheels a release has (default 20). */
  filesPerRelease?: number;
}

const TAGS = ['cp39-cp39', 'cp310-cp310', 'cp311-cp311', 'cp312-cp312', 'cp313-cp313'];
const PLATFORMS = ['manylinux_2_17_x86_64.manylinux2014_x86_64', 'manylinux_2_17_aarch64.manylinux2014_aarch64', 'macosx_11_0_arm64', 'win_amd64'];

/** The page's JSON text, about `bytes` long (a little more: the last release is completed). */
export function largePageJson(name: string, bytes: number, origin: string, options: LargePageOptions = {}): string {
  const pinned = options.pinnedVersion ?? '1.0.0';
  const perRelease = options.filesPerRelease ?? 20;
  const parts: string[] = [];
  const versions: string[] = [];
  let length = 0;
  const file = (version: string, i: number): string => {
    const filename = `${name.replace(/-/g, '_')}-${version}-${TAGS[i % TAGS.length]}-${PLATFORMS[Math.floor(i / TAGS.length) % PLATFORMS.length]}.whl`;
    const sha256 = createHash('sha256').update(filename).digest('hex');
    const day = String(1 + (versions.length % 28)).padStart(2, '0');
    return JSON.stringify({
      filename,
      url: `${origin}/files/${encodeURIComponent(filename)}`,
      hashes: { sha256 },
      'requires-python': '>=3.9',
      'core-metadata': { sha256 },
      'data-dist-info-metadata': { sha256 },
      size: 1_000_000 + i,
      'upload-time': `2025-01-${day}T12:00:00.000000Z`,
      yanked: false,
      provenance: null,
    });
  };
  for (let release = 0; length < bytes; release++) {
    const version = `0.${Math.floor(release / 1000)}.${release % 1000}.dev${release}`;
    versions.push(version);
    for (let i = 0; i < perRelease; i++) {
      const entry = file(version, i);
      parts.push(entry);
      length += entry.length + 1;
    }
  }
  versions.push(pinned);
  for (let i = 0; i < perRelease; i++) parts.push(file(pinned, i));
  return `{"meta":{"api-version":"1.3","_last-serial":1},"name":${JSON.stringify(name)},"files":[${parts.join(',')}],"versions":${JSON.stringify(versions)}}`;
}

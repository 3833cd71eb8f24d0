/** The User-Agent every request carries: `pypi-provenance/<version>` from the package manifest. */
export const PACKAGE_VERSION: string = readPackageVersion();
export const USER_AGENT = `pypi-provenance/${PACKAGE_VERSION}`;

function readPackageVersion(): string {
  try {
    // server/src/index and server/out/index both sit three levels below the manifest.
    const manifest = require('../../../package.json') as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * A throw-away certificate authority and a server certificate for 127.0.0.1 and localhost, for the
 * test index over TLS (HTTP/2 needs TLS for ALPN). Made with the openssl command line: node:crypto
 * makes keys but not certificates, and no X.509 builder is among the dependencies.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestTls {
  /** PEM of the authority a client must trust (e.g. NODE_EXTRA_CA_CERTS, or an Agent's `ca`). */
  ca: string;
  /** The server's key and certificate (PEM). */
  key: string;
  cert: string;
}

/** Undefined when openssl is not on PATH (a test then skips, saying so). */
export function makeTestTls(): TestTls | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=pypi-provenance test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
    writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('ext.cnf'), '-out', file('server.pem'));
    return { ca: readFileSync(file('ca.pem'), 'utf8'), key: readFileSync(file('server.key'), 'utf8'), cert: readFileSync(file('server.pem'), 'utf8') };
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A self-signed certificate for localhost/127.0.0.1: made fresh with the openssl CLI when it
 * is there, else the committed test-only pair in test/fixtures.
 */
export interface TestCert {
  cert: string;
  key: string;
  cleanup(): void;
}

export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    return { cert, key, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`openssl unavailable (${String(err)}); using the committed test certificate\n`);
    const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
    return { cert: join(fixtures, 'test-cert.pem'), key: join(fixtures, 'test-key.pem'), cleanup: () => undefined };
  }
}

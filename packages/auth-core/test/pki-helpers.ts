/** Throwaway CAs and client certificates made with the openssl command, for the EXTERNAL tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
  private n = 0;

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** A self-signed CA (basicConstraints CA:TRUE unless `notCa`). */
  ca(name: string, options: { notCa?: boolean } = {}): Pem & { name: string } {
    const base = `ca${++this.n}`;
    this.openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '3650', '-subj', `/CN=${name}`,
      '-addext', `basicConstraints=critical,CA:${options.notCa ? 'FALSE' : 'TRUE'}`,
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ]);
    return { name: base, cert: this.read(`${base}.pem`), key: this.read(`${base}.key`) };
  }

  /** A client certificate signed by `ca`: SAN e-mail and/or Subject emailAddress. */
  client(
    ca: { name: string },
    options: { san?: string; subjectEmail?: string; days?: number; eku?: string } = {},
  ): Pem & { der: Buffer } {
    const base = `client${++this.n}`;
    const subj = `/CN=${base}${options.subjectEmail ? `/emailAddress=${options.subjectEmail}` : ''}`;
    this.openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subj]);
    const ext = [`extendedKeyUsage=${options.eku ?? 'clientAuth'}`];
    if (options.san) ext.push(`subjectAltName=email:${options.san}`);
    writeFileSync(join(this.dir, `${base}.ext`), `${ext.join('\n')}\n`);
    this.openssl([
      'x509', '-req', '-in', `${base}.csr`, '-CA', `${ca.name}.pem`, '-CAkey', `${ca.name}.key`, '-set_serial', String(1000 + this.n),
      '-out', `${base}.pem`, '-days', String(options.days ?? 30), '-extfile', `${base}.ext`,
    ]);
    const cert = this.read(`${base}.pem`);
    const b64 = cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    return { cert, key: this.read(`${base}.key`), der: Buffer.from(b64, 'base64') };
  }

  private read(file: string): string {
    return readFileSync(join(this.dir, file), 'utf8');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

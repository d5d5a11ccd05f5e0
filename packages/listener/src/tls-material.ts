/**
 * Certificates for the listeners: a self-signed pair made once under stateDir/tls/ ('auto'), or
 * PEM files named by the configuration. Either way the pair is checked by building a secure
 * context, so a mismatched key fails at start rather than at the first handshake.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import type { TlsMaterial } from './types.js';

export interface TlsConfig {
  /** 'auto' or the path of a PEM certificate (chain) file */
  cert: 'auto' | string;
  /** the path of the PEM private key; required unless cert is 'auto' */
  key?: string;
  /** the path of a PEM CA bundle for client certificates */
  ca?: string;
}

export class TlsMaterialError extends Error {}

/** the TLS floor for every listener */
export const TLS_MIN_VERSION = 'TLSv1.2' as const;

/** at most 32 bytes (SSL_MAX_SID_CTX_LENGTH) */
const SESSION_ID_CONTEXT = 'portcullis';

/** Build the secure context every TLS session on a listener shares. */
export function createServerSecureContext(material: TlsMaterial): tls.SecureContext {
  return tls.createSecureContext({
    cert: material.cert,
    key: material.key,
    ...(material.ca ? { ca: material.ca } : {}),
    minVersion: TLS_MIN_VERSION,
    // Asking for client certificates turns on OpenSSL's peer verification mode, under which a
    // resumed session without a session id context fails the handshake (internal_error alert)
    sessionIdContext: SESSION_ID_CONTEXT,
  });
}

function check(material: TlsMaterial, where: string): TlsMaterial {
  try {
    createServerSecureContext(material);
  } catch (err) {
    throw new TlsMaterialError(`${where}: certificate or key unusable: ${(err as Error).message}`);
  }
  return material;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function stillValid(certPem: string): boolean {
  try {
    // renew a day early so a running server does not cross the expiry
    return new Date(new X509Certificate(certPem).validTo).getTime() > Date.now() + 86_400_000;
  } catch {
    return false;
  }
}

async function writeAtomically(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, file);
}

async function makeSelfSigned(hostname: string): Promise<{ cert: string; key: string }> {
  const notBeforeDate = new Date(Date.now() - 3_600_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 86_400_000);
  const names = [...new Set([hostname, 'localhost'])];
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.map((value) => ({ type: 2 as const, value })),
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The listeners' certificate and key. With cert 'auto', stateDir/tls/cert.pem and key.pem are
 * made on the first start (key mode 0600) and reused afterwards; an expired pair is replaced.
 */
export async function ensureTlsMaterial(config: TlsConfig, stateDir: string, hostname: string): Promise<TlsMaterial> {
  const ca = config.ca ? await readFile(config.ca, 'utf8') : undefined;
  if (config.cert !== 'auto') {
    if (!config.key) throw new TlsMaterialError('tls.key: a key file is required when tls.cert names a file');
    const [cert, key] = await Promise.all([readFile(config.cert, 'utf8'), readFile(config.key, 'utf8')]);
    return check({ cert, key, ...(ca ? { ca } : {}) }, `tls.cert ${config.cert}`);
  }
  const dir = path.join(stateDir, 'tls');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const [storedCert, storedKey] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (storedCert && storedKey && stillValid(storedCert)) {
    return check({ cert: storedCert, key: storedKey, ...(ca ? { ca } : {}) }, certFile);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const made = await makeSelfSigned(hostname);
  // key first: a reader that finds cert.pem then always finds its key
  await writeAtomically(keyFile, made.key, 0o600);
  await writeAtomically(certFile, made.cert, 0o644);
  return check({ ...made, ...(ca ? { ca } : {}) }, certFile);
}

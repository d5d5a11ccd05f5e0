/**
 * `portcullis pki dev-ca DIR [--domain D] [--client ADDRESS ...]`: a development CA and client
 * certificates for SASL EXTERNAL, made with the openssl command (never node-forge). Not for
 * production: the CA key sits unencrypted beside its certificate.
 */
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { parseLoginName } from '@portcullis/auth-core';
import { loadConfig } from '../config/load.js';
import { CommandError, UsageError } from '../errors.js';
import type { CliIo } from './context.js';

const run = promisify(execFile);
const CA_DAYS = 3650;
const CLIENT_DAYS = 825;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new CommandError('pki dev-ca needs the openssl command on PATH');
    throw new CommandError(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

/** An e-mail address safe to put in a subjectAltName and a file name. */
function clientAddress(raw: string, domain: string): string {
  const name = parseLoginName(raw);
  if (!name || name.tag !== undefined || !/^[a-z0-9._+-]+$/.test(name.user)) throw new UsageError(`bad client address '${raw}'`);
  const host = name.domain ?? domain;
  if (!/^[a-z0-9.-]+$/.test(host)) throw new UsageError(`bad client address '${raw}'`);
  return `${name.user}@${host}`;
}

/** Make (or reuse) DIR/ca.pem + ca.key, then DIR/ADDRESS.pem + .key for each client. */
export async function pkiDevCa(dirArg: string, domain: string, clients: string[], io: CliIo): Promise<void> {
  const dir = resolve(io.cwd, dirArg);
  const addresses = clients.map((c) => clientAddress(c, domain));
  await mkdir(dir, { recursive: true });
  const caCert = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  if ((await exists(caCert)) && (await exists(caKey))) {
    io.out(`using the CA in ${caCert}\n`);
  } else {
    await openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', String(CA_DAYS),
      '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', `/O=Portcullis development/CN=${domain} development CA`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ], dir);
    await chmod(caKey, 0o600);
    io.out(`made the CA ${caCert}\n`);
  }
  for (const address of addresses) {
    const ext = join(dir, `${address}.ext`);
    const csr = join(dir, `${address}.csr`);
    await writeFile(ext, `subjectAltName=email:${address}\nextendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`);
    try {
      await openssl([
        'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', `${address}.key`, '-out', `${address}.csr`, '-subj', `/CN=${address}/emailAddress=${address}`,
      ], dir);
      await chmod(join(dir, `${address}.key`), 0o600);
      await openssl([
        'x509', '-req', '-in', `${address}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
        '-days', String(CLIENT_DAYS), '-extfile', `${address}.ext`, '-out', `${address}.pem`,
      ], dir);
    } finally {
      await rm(ext, { force: true });
      await rm(csr, { force: true });
    }
    io.out(`made ${join(dir, `${address}.pem`)} and ${join(dir, `${address}.key`)}\n`);
  }
  // a quick self-check that the CA really is PEM we can read back
  if (!(await readFile(caCert, 'utf8')).includes('BEGIN CERTIFICATE')) throw new CommandError(`${caCert} is not a PEM certificate`);
  io.out(`trust it with: portcullis domain set ${domain} trustedCA=@${caCert}\n`);
}

/** The `pki` noun: parsed here because its options are its own. */
export async function runPki(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        domain: { type: 'string' },
        client: { type: 'string', multiple: true },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [verb, dir, ...rest] = parsed.positionals;
  if (verb !== 'dev-ca') throw new UsageError(`unknown command 'pki${verb ? ` ${verb}` : ''}'`);
  if (dir === undefined) throw new UsageError('missing DIR');
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const domain = (parsed.values.domain ?? (await loadConfig(parsed.values.config, io.cwd)).mainDomain).toLowerCase();
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(domain)) throw new UsageError(`bad domain '${domain}'`);
  await pkiDevCa(dir, domain, parsed.values.client ?? [], io);
  return 0;
}

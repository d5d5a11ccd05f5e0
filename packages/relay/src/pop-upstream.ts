/**
 * The POP3 upstream dialog (RFC 1939, RFC 2595 STLS, RFC 5034 AUTH): greeting, STLS, XCLIENT
 * with the client's address when the upstream offers it, then the login. What the upstream says
 * after its `+OK` belongs to the client and is handed on as leftover.
 *
 * Dovecot's pop3-login shows `+OK [XCLIENT] ...` in its greeting to a trusted peer
 * (login_trusted_networks) and then takes `XCLIENT ADDR=a PORT=p`: that is how the client's
 * address reaches its logs and policies, the way Dovecot's own POP3 proxy passes it on.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { UpstreamReader, saslPlain } from './upstream-reader.js';
import { UpstreamError, type RelayClient, type UpstreamDialog, type UpstreamSession, type UpstreamTarget } from './types.js';

/** an upstream reply quoted in an error: sanitized and short, never more than one line */
function quote(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 120)}...` : clean;
}

function isOk(line: string): boolean {
  return line === '+OK' || line.startsWith('+OK ');
}

function isErr(line: string): boolean {
  return line === '-ERR' || line.startsWith('-ERR ');
}

/** POP3 commands are lines: a name or password with CR or LF would inject a second command */
function lineSafe(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new UpstreamError(`the ${what} cannot be sent to a POP3 upstream`, 'refused');
  return value;
}

/**
 * The reply to a command that either succeeds or fails: `+OK`, or an UpstreamError — refused
 * for `-ERR`, protocol for anything else (a SASL challenge included: none is expected here).
 */
async function expectOk(reader: UpstreamReader, what: string, where: string): Promise<string> {
  const line = await reader.readLine();
  if (isOk(line)) return line;
  if (isErr(line)) throw new UpstreamError(`${where} refused ${what}: ${quote(line)}`, 'refused');
  throw new UpstreamError(`${where} answered ${what} with ${quote(line)}`, 'protocol');
}

/** XCLIENT's address form: Dovecot and Postfix take a bare IPv4 address and IPV6:-prefixed IPv6 */
export function xclientAddress(address: string): string {
  return net.isIPv6(address) ? `IPV6:${address}` : address;
}

async function login(reader: UpstreamReader, target: UpstreamTarget, client: RelayClient, where: string): Promise<void> {
  if (target.login === 'passthrough') {
    const password = client.password;
    if (password === undefined) throw new UpstreamError('passthrough needs a cleartext login at the gateway', 'refused');
    // both checked before anything is sent: no half of a login goes out
    const name = lineSafe(client.loginName ?? client.account, 'login name');
    lineSafe(password, 'password');
    if (target.authMechanism === 'LOGIN') {
      // POP3's own cleartext login: USER then PASS (what "LOGIN" means for a POP3 upstream)
      reader.write(`USER ${name}\r\n`);
      await expectOk(reader, 'USER', where);
      reader.write(`PASS ${password}\r\n`);
      await expectOk(reader, 'the login', where);
      return;
    }
    reader.write(`AUTH PLAIN ${saslPlain('', name, password)}\r\n`);
    await expectOk(reader, 'the login', where);
    return;
  }
  // master and proxy: SASL PLAIN with the account as authorization identity
  const { masterUser, masterPassword } = target;
  if (!masterUser || masterPassword === undefined) {
    throw new UpstreamError(`${where}: login mode ${target.login} needs masterUser and masterPassword`, 'refused');
  }
  reader.write(`AUTH PLAIN ${saslPlain(client.account, masterUser, masterPassword)}\r\n`);
  await expectOk(reader, 'the master login', where);
}

export const popUpstream: UpstreamDialog = async (
  socket: net.Socket | tls.TLSSocket,
  target: UpstreamTarget,
  client: RelayClient,
  timeoutMs: number,
): Promise<UpstreamSession> => {
  const where = `upstream ${target.host}:${target.port}`;
  const reader = new UpstreamReader(socket, target, timeoutMs);
  try {
    const greeting = await reader.readLine();
    if (isErr(greeting)) throw new UpstreamError(`${where} refused the connection: ${quote(greeting)}`, 'refused');
    if (!isOk(greeting)) throw new UpstreamError(`${where} sent a malformed POP3 greeting: ${quote(greeting)}`, 'protocol');
    const offersXclient = greeting.startsWith('+OK [XCLIENT]');

    if (target.tls === 'starttls') {
      reader.write('STLS\r\n');
      await expectOk(reader, 'STLS', where);
      await reader.startTls();
    }
    // with a PROXY header the address has already gone ahead of the dialog
    if (offersXclient && target.login !== 'proxy') {
      reader.write(`XCLIENT ADDR=${xclientAddress(client.clientAddress)} PORT=${client.clientPort}\r\n`);
      await expectOk(reader, 'XCLIENT', where);
    }
    await login(reader, target, client, where);
    const { socket: loggedIn, leftover } = reader.release();
    return { socket: loggedIn, leftover, host: target.host, port: target.port };
  } catch (err) {
    // the reader's socket may be a TLS socket made after STLS: the caller only knows the first one
    reader.socket.destroy();
    throw err;
  }
};

/**
 * The IMAP side of a relay: greeting, STARTTLS, ID with the client's address (the form Dovecot
 * honours from login_trusted_networks), then the login the target's mode asks for, and the
 * upstream's capabilities for the client's OK.
 */
import { saslPlain, UpstreamReader } from './upstream-reader.js';
import { UpstreamError, type RelayClient, type UpstreamDialog, type UpstreamTarget } from './types.js';

/** an IMAP quoted string; the values here are addresses, ports, names and passwords */
export function imapQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** the ID command's parameter list carrying where the client really is (Dovecot's proxy form) */
export function imapIdParams(client: RelayClient): string {
  const fields: [string, string][] = [
    ['x-originating-ip', client.clientAddress],
    ['x-originating-port', String(client.clientPort)],
    ['x-connected-ip', client.localAddress],
    ['x-connected-port', String(client.localPort)],
  ];
  return `(${fields.map(([k, v]) => `${imapQuote(k)} ${imapQuote(v)}`).join(' ')})`;
}

/** the words of a CAPABILITY response code or untagged response, or undefined */
export function parseCapabilities(line: string): string[] | undefined {
  const code = /\[CAPABILITY ([^\]]*)\]/i.exec(line);
  if (code?.[1] !== undefined) return code[1].trim().split(/\s+/);
  const untagged = /^\* CAPABILITY (.*)$/i.exec(line);
  if (untagged?.[1] !== undefined) return untagged[1].trim().split(/\s+/);
  return undefined;
}

interface Tagged {
  /** OK, NO or BAD */
  status: string;
  line: string;
  untagged: string[];
}

class ImapDialog {
  private counter = 0;
  capabilities: string[] | undefined;

  constructor(
    readonly reader: UpstreamReader,
    private readonly target: UpstreamTarget,
  ) {}

  private get where(): string {
    return `IMAP upstream ${this.target.host}:${this.target.port}`;
  }

  /** a response line with any literals it announces read into it */
  private async readResponseLine(): Promise<string> {
    let line = await this.reader.readLine();
    for (;;) {
      const literal = /\{(\d+)\+?\}$/.exec(line);
      if (!literal) return line;
      const bytes = await this.reader.readBytes(Number(literal[1]));
      line += bytes.toString('latin1') + (await this.reader.readLine());
    }
  }

  async greeting(): Promise<void> {
    const line = await this.readResponseLine();
    if (/^\* BYE/i.test(line)) throw new UpstreamError(`${this.where} refused the connection: ${line}`, 'refused');
    if (!/^\* OK/i.test(line)) throw new UpstreamError(`${this.where} sent an unexpected greeting: ${line.slice(0, 200)}`, 'protocol');
    this.capabilities = parseCapabilities(line);
  }

  /** send a command, read up to its tagged response; `onContinue` answers each + */
  async command(text: string, onContinue?: (line: string) => string | undefined): Promise<Tagged> {
    const tag = `R${++this.counter}`;
    this.reader.write(`${tag} ${text}\r\n`);
    const untagged: string[] = [];
    for (;;) {
      const line = await this.readResponseLine();
      if (line.startsWith(`${tag} `)) {
        const status = line.slice(tag.length + 1).split(' ', 1)[0]?.toUpperCase() ?? '';
        return { status, line, untagged };
      }
      if (line.startsWith('+')) {
        const answer = onContinue?.(line);
        // a continuation nobody expected: cancel the command instead of hanging
        this.reader.write(answer === undefined ? '*\r\n' : `${answer}\r\n`);
        continue;
      }
      if (/^\* BYE/i.test(line)) throw new UpstreamError(`${this.where} closed: ${line.slice(0, 200)}`, 'refused');
      untagged.push(line);
      const caps = parseCapabilities(line);
      if (caps) this.capabilities = caps;
    }
  }

  has(capability: string): boolean {
    const wanted = capability.toUpperCase();
    return (this.capabilities ?? []).some((c) => c.toUpperCase() === wanted);
  }

  async ensureCapabilities(): Promise<void> {
    if (this.capabilities) return;
    const reply = await this.command('CAPABILITY');
    if (reply.status !== 'OK') throw new UpstreamError(`${this.where} refused CAPABILITY: ${reply.line.slice(0, 200)}`, 'protocol');
  }

  async startTls(): Promise<void> {
    const reply = await this.command('STARTTLS');
    if (reply.status !== 'OK') throw new UpstreamError(`${this.where} refused STARTTLS: ${reply.line.slice(0, 200)}`, 'protocol');
    await this.reader.startTls();
    // capabilities before TLS must not be trusted (RFC 3501 6.2.1)
    this.capabilities = undefined;
  }

  /** SASL with an initial response: inline with SASL-IR, else after the first + */
  async authenticate(mechanism: string, initial: string, next: string[] = []): Promise<Tagged> {
    const queue = [...next];
    if (this.has('SASL-IR')) return this.command(`AUTHENTICATE ${mechanism} ${initial}`, () => queue.shift());
    queue.unshift(initial);
    return this.command(`AUTHENTICATE ${mechanism}`, () => queue.shift());
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

async function login(dialog: ImapDialog, target: UpstreamTarget, client: RelayClient): Promise<Tagged> {
  if (target.login === 'passthrough') {
    const name = client.loginName ?? client.account;
    const password = client.password;
    if (password === undefined) throw new UpstreamError('passthrough needs a cleartext login at the gateway', 'refused');
    if (target.authMechanism === 'PLAIN') return dialog.authenticate('PLAIN', saslPlain('', name, password));
    if (dialog.has('AUTH=LOGIN')) return dialog.authenticate('LOGIN', b64(name), [b64(password)]);
    return dialog.command(`LOGIN ${imapQuote(name)} ${imapQuote(password)}`);
  }
  if (!target.masterUser || target.masterPassword === undefined) {
    throw new UpstreamError(`login mode ${target.login} needs upstream masterUser and masterPassword`, 'refused');
  }
  return dialog.authenticate('PLAIN', saslPlain(client.account, target.masterUser, target.masterPassword));
}

export const imapUpstream: UpstreamDialog = async (socket, target, client, timeoutMs) => {
  const reader = new UpstreamReader(socket, target, timeoutMs);
  const dialog = new ImapDialog(reader, target);
  await dialog.greeting();
  if (target.tls === 'starttls') {
    await dialog.ensureCapabilities();
    if (!dialog.has('STARTTLS')) {
      throw new UpstreamError(`IMAP upstream ${target.host}:${target.port} does not offer STARTTLS`, 'protocol');
    }
    await dialog.startTls();
  }
  await dialog.ensureCapabilities();
  // an ID the upstream refuses (BAD/NO) only costs the client's address in its logs
  if (dialog.has('ID')) await dialog.command(`ID ${imapIdParams(client)}`);
  const reply = await login(dialog, target, client);
  if (reply.status !== 'OK') {
    // the reply text only: it never holds the credentials that were sent
    throw new UpstreamError(`IMAP upstream ${target.host}:${target.port} refused the login for ${client.account}: ${reply.line.replace(/^\S+ /, '').slice(0, 200)}`, 'refused');
  }
  const after = parseCapabilities(reply.line);
  dialog.capabilities = after;
  if (!after) await dialog.ensureCapabilities();
  const { socket: relayed, leftover } = reader.release();
  return { socket: relayed, leftover, capabilities: dialog.capabilities ?? [], host: target.host, port: target.port };
};

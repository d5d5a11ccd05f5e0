/**
 * The SMTP submission upstream dialog (RFC 5321, RFC 3207 STARTTLS, RFC 4954 AUTH, Postfix
 * XCLIENT): greeting, EHLO, STARTTLS and EHLO again, XCLIENT with the client's address when the
 * upstream offers it (its reply is a new greeting, so EHLO once more), then the login. After the
 * upstream's 235 the client, which has already said EHLO to the gateway, goes on with MAIL FROM on
 * a session whose EHLO the gateway has done.
 *
 * Login modes: `xclient` logs in by XCLIENT LOGIN= alone (Postfix trusts its XCLIENT peers to
 * name the SASL login); `master` and `proxy` use AUTH PLAIN with the account as authorization
 * identity; `passthrough` replays the client's own password with AUTH PLAIN or AUTH LOGIN.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { xclientAddress } from './pop-upstream.js';
import { UpstreamReader, saslPlain } from './upstream-reader.js';
import { UpstreamError, type RelayClient, type UpstreamDialog, type UpstreamSession, type UpstreamTarget } from './types.js';

/** a reply of more lines than this is not a real server's */
const MAX_REPLY_LINES = 256;

export interface SmtpReply {
  code: number;
  /** each line's text after the code and separator */
  lines: string[];
}

/** an upstream reply quoted in an error: sanitized and short */
function quote(reply: SmtpReply): string {
  const text = `${reply.code} ${reply.lines.join(' / ')}`.replace(/[^\x20-\x7e]/g, '?');
  return text.length > 160 ? `${text.slice(0, 160)}...` : text;
}

const REPLY_LINE = /^([2-5][0-9][0-9])([ -]|$)(.*)$/;

/** one whole reply (RFC 5321 4.2.1: `ddd-text` lines, then `ddd text`); a malformed one is a protocol error */
export async function readSmtpReply(reader: UpstreamReader, where: string): Promise<SmtpReply> {
  const lines: string[] = [];
  let code: number | undefined;
  for (;;) {
    const line = await reader.readLine();
    const match = REPLY_LINE.exec(line);
    if (!match) throw new UpstreamError(`${where} sent a malformed SMTP reply: ${JSON.stringify(line.slice(0, 80))}`, 'protocol');
    const lineCode = Number(match[1]);
    if (code !== undefined && lineCode !== code) {
      throw new UpstreamError(`${where} sent a reply with mixed codes (${code}, ${lineCode})`, 'protocol');
    }
    code = lineCode;
    lines.push(match[3] ?? '');
    if (match[2] !== '-') return { code, lines };
    if (lines.length >= MAX_REPLY_LINES) throw new UpstreamError(`${where} sent a reply of over ${MAX_REPLY_LINES} lines`, 'protocol');
  }
}

/** RFC 3461 xtext: printable ASCII except `+` and `=` as is, every other byte as +HH */
export function xtext(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte >= 0x21 && byte <= 0x7e && byte !== 0x2b && byte !== 0x3d ? String.fromCharCode(byte) : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** what an EHLO reply tells the dialog */
export interface EhloFacts {
  starttls: boolean;
  /** SASL mechanisms of the AUTH keyword (upper case); undefined without one */
  auth: string[] | undefined;
  /** XCLIENT attribute names (upper case); undefined without XCLIENT */
  xclient: string[] | undefined;
}

export function ehloFacts(reply: SmtpReply): EhloFacts {
  const facts: EhloFacts = { starttls: false, auth: undefined, xclient: undefined };
  // the first line is the server's name and greeting, the keywords follow
  for (const line of reply.lines.slice(1)) {
    const [keyword = '', ...params] = line.trim().split(/\s+/);
    switch (keyword.toUpperCase()) {
      case 'STARTTLS':
        facts.starttls = true;
        break;
      case 'AUTH':
        facts.auth = params.map((p) => p.toUpperCase());
        break;
      case 'XCLIENT':
        facts.xclient = params.map((p) => p.toUpperCase());
        break;
    }
  }
  return facts;
}

/** SMTP commands are lines: a value with CR, LF or NUL would inject another command */
function lineSafe(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new UpstreamError(`the ${what} cannot be sent to an SMTP upstream`, 'refused');
  return value;
}

class SmtpDialog {
  private readonly where: string;
  private readonly reader: UpstreamReader;
  /** the name we give in EHLO: our own address as a literal (RFC 5321 4.1.3) */
  private readonly ehloName: string;

  constructor(
    socket: net.Socket | tls.TLSSocket,
    private readonly target: UpstreamTarget,
    private readonly client: RelayClient,
    timeoutMs: number,
  ) {
    this.where = `upstream ${target.host}:${target.port}`;
    this.reader = new UpstreamReader(socket, target, timeoutMs);
    const local = socket.localAddress ?? client.localAddress;
    this.ehloName = local.includes(':') ? `[IPv6:${local}]` : `[${local}]`;
  }

  get socket(): net.Socket | tls.TLSSocket {
    return this.reader.socket;
  }

  async run(): Promise<UpstreamSession> {
    await this.greeting();
    let facts = await this.ehlo();
    if (this.target.tls === 'starttls') {
      if (!facts.starttls) throw new UpstreamError(`${this.where} does not offer STARTTLS`, 'protocol');
      await this.command('STARTTLS', 'STARTTLS', 220);
      await this.reader.startTls();
      // RFC 3207 4.2: everything learnt before TLS is forgotten
      facts = await this.ehlo();
    }
    if (this.target.login === 'xclient') {
      if (!facts.xclient) throw new UpstreamError(`${this.where} does not offer XCLIENT`, 'protocol');
      await this.xclient(facts.xclient, true);
    } else {
      // the client's address goes by XCLIENT when offered; a PROXY header has already carried it
      if (facts.xclient && this.target.login !== 'proxy') facts = await this.xclient(facts.xclient, false);
      await this.authenticate(facts);
    }
    const { socket, leftover } = this.reader.release();
    return { socket, leftover, host: this.target.host, port: this.target.port };
  }

  private async greeting(): Promise<void> {
    const reply = await readSmtpReply(this.reader, this.where);
    if (reply.code === 220) return;
    // 421 or 554 at connect: the server does not want us now
    throw new UpstreamError(`${this.where} refused the connection: ${quote(reply)}`, 'refused');
  }

  private async ehlo(): Promise<EhloFacts> {
    const reply = await this.command(`EHLO ${this.ehloName}`, 'EHLO', 250);
    return ehloFacts(reply);
  }

  /** send one command, expect one code; 4xx/5xx are refusals, anything else a protocol error */
  private async command(line: string, what: string, expected: number): Promise<SmtpReply> {
    this.reader.write(`${line}\r\n`);
    const reply = await readSmtpReply(this.reader, this.where);
    if (reply.code === expected) return reply;
    const kind = reply.code >= 400 ? 'refused' : 'protocol';
    throw new UpstreamError(`${this.where} answered ${what} with ${quote(reply)}`, kind);
  }

  /**
   * XCLIENT with the attributes the upstream named; its success reply is a new greeting (220 from
   * Postfix and Dovecot), after which the session starts over with EHLO.
   */
  private async xclient(offered: readonly string[], withLogin: boolean): Promise<EhloFacts> {
    const attributes: string[] = [];
    const offers = (name: string): boolean => offered.length === 0 || offered.includes(name);
    if (withLogin) {
      if (!offers('LOGIN')) throw new UpstreamError(`${this.where} does not take XCLIENT LOGIN`, 'protocol');
      attributes.push(`LOGIN=${xtext(this.client.account)}`);
    }
    if (offers('ADDR')) attributes.push(`ADDR=${xtext(xclientAddress(this.client.clientAddress))}`);
    if (offers('PORT')) attributes.push(`PORT=${this.client.clientPort}`);
    if (attributes.length === 0) return this.ehlo();
    this.reader.write(`XCLIENT ${attributes.join(' ')}\r\n`);
    const reply = await readSmtpReply(this.reader, this.where);
    if (Math.floor(reply.code / 100) !== 2) {
      const kind = reply.code >= 400 ? 'refused' : 'protocol';
      throw new UpstreamError(`${this.where} answered XCLIENT with ${quote(reply)}`, kind);
    }
    return this.ehlo();
  }

  private async authenticate(facts: EhloFacts): Promise<void> {
    // like Dovecot's proxy: no credentials to a server that offers no AUTH (TLS required?)
    if (!facts.auth) throw new UpstreamError(`${this.where} does not offer AUTH (does it need TLS?)`, 'protocol');
    if (this.target.login === 'passthrough') {
      const password = this.client.password;
      if (password === undefined) throw new UpstreamError('passthrough needs a cleartext login at the gateway', 'refused');
      const name = lineSafe(this.client.loginName ?? this.client.account, 'login name');
      if (this.target.authMechanism === 'LOGIN') {
        // the shape Exchange expects: no initial response, user name and password on challenges
        await this.command('AUTH LOGIN', 'AUTH LOGIN', 334);
        await this.command(Buffer.from(name, 'utf8').toString('base64'), 'the AUTH LOGIN user name', 334);
        await this.command(Buffer.from(password, 'utf8').toString('base64'), 'the login', 235);
        return;
      }
      await this.command(`AUTH PLAIN ${saslPlain('', name, password)}`, 'the login', 235);
      return;
    }
    const { masterUser, masterPassword } = this.target;
    if (!masterUser || masterPassword === undefined) {
      throw new UpstreamError(`${this.where}: login mode ${this.target.login} needs masterUser and masterPassword`, 'refused');
    }
    await this.command(`AUTH PLAIN ${saslPlain(this.client.account, masterUser, masterPassword)}`, 'the master login', 235);
  }
}

export const smtpUpstream: UpstreamDialog = async (socket, target, client, timeoutMs) => {
  const dialog = new SmtpDialog(socket, target, client, timeoutMs);
  try {
    return await dialog.run();
  } catch (err) {
    // after STARTTLS the dialog's socket is a TLS socket the caller does not know of
    dialog.socket.destroy();
    throw err;
  }
};
